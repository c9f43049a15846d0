# Third-party libraries as imported targets (Debian packages; see scripts/deps).
find_package(PkgConfig REQUIRED)
pkg_check_modules(CBOR     REQUIRED IMPORTED_TARGET libcbor)
pkg_check_modules(SODIUM   REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(CMOCKA   REQUIRED IMPORTED_TARGET cmocka)
pkg_check_modules(LIBZIP   REQUIRED IMPORTED_TARGET libzip)
pkg_check_modules(CJSON    REQUIRED IMPORTED_TARGET libcjson)
pkg_check_modules(YAML     REQUIRED IMPORTED_TARGET yaml-0.1)
pkg_check_modules(SYSTEMD  REQUIRED IMPORTED_TARGET libsystemd)

# Debian's mbedTLS 2.28 ships no pkg-config file.
find_library(MBEDCRYPTO_LIB mbedcrypto REQUIRED)
find_path(MBEDTLS_INCLUDE mbedtls/sha256.h REQUIRED)
add_library(mbedcrypto INTERFACE)
target_link_libraries(mbedcrypto INTERFACE ${MBEDCRYPTO_LIB})
target_include_directories(mbedcrypto INTERFACE ${MBEDTLS_INCLUDE})

# A cmocka unit test registered with CTest: smpdfu_unit_test(name src... LIBS lib...)
function(smpdfu_unit_test name)
  cmake_parse_arguments(T "" "" "LIBS" ${ARGN})
  add_executable(${name} ${T_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  target_compile_definitions(${name} PRIVATE
    SMPDFU_VECTORS="${PROJECT_SOURCE_DIR}/../shared/vectors"
    SMPDFU_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit)
endfunction()
