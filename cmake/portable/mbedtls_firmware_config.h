/*
 * mbedTLS configuration for the Cortex-M build of the portable core: the
 * host's (Debian's) configuration minus what a bare-metal target has no use
 * for or cannot provide (threads, files, sockets, wall-clock time). A real
 * firmware supplies its own configuration the same way, through
 * MBEDTLS_CONFIG_FILE.
 */
#ifndef SMPDFU_MBEDTLS_FIRMWARE_CONFIG_H
#define SMPDFU_MBEDTLS_FIRMWARE_CONFIG_H

#include "mbedtls/config.h"

#undef MBEDTLS_THREADING_C
#undef MBEDTLS_THREADING_PTHREAD
#undef MBEDTLS_FS_IO
#undef MBEDTLS_NET_C
#undef MBEDTLS_TIMING_C
#undef MBEDTLS_HAVE_TIME
#undef MBEDTLS_HAVE_TIME_DATE
#undef MBEDTLS_ENTROPY_PLATFORM

#endif
