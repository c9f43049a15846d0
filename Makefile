# The two commands of the README:
#   make demo   the main job against the simulated device
#   make test   every test (unit, system, fuzz smoke); under CI=true warnings
#               are errors and the tests run a second time under ASan+UBSan
# Others: make build, make fuzz (longer fuzzing), make clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300
JOBS       ?= $(shell nproc)

CMAKE_FLAGS := -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
ifeq ($(CI),true)
CMAKE_FLAGS += -DSMPDFU_WERROR=ON
SANITIZE_PASS := 1
endif
ifeq ($(SANITIZE),1)
SANITIZE_PASS := 1
endif

.PHONY: all deps build test test-asan fuzz-build fuzz powercut-long demo clean

all: build

deps:
	@scripts/deps

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: build fuzz-build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
ifdef SANITIZE_PASS
	@$(MAKE) --no-print-directory test-asan
endif
	ctest --test-dir $(FUZZ_BUILD) --output-on-failure -L fuzz

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_FLAGS) -DSMPDFU_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

fuzz-build: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) $(CMAKE_FLAGS) -DSMPDFU_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)

# Longer fuzzing: every target for FUZZ_SECONDS, corpora kept in build-fuzz/corpus.
fuzz: fuzz-build
	@for t in $(FUZZ_BUILD)/tests/fuzz/fuzz_*; do \
	  [ -x "$$t" ] || continue; \
	  n=$$(basename $$t); mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
	  echo "== $$n for $(FUZZ_SECONDS) s"; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(FUZZ_BUILD)/corpus/$$n tests/fuzz/seeds/$$n || exit 1; \
	done

# The power-cut campaign of `make test` (label powercut) on larger images.
powercut-long: build
	$(BUILD)/tests/powercut/powercut_swap --long

demo: build
	@scripts/demo $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) demo-out
