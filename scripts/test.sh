#!/usr/bin/env bash
# Sets up, builds and runs every test: Release with assertions and the CUDA
# module where nvcc exists (plus the benchmarks, built not run), a short run
# of the fuzzers (message decoder; Zarr metadata and codecs), then all tests again without CUDA under
# AddressSanitizer + UndefinedBehaviorSanitizer, then the scheduler and
# storage tests under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Paths relative to the checkout, so every clone shares the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# UCX keeps a few allocations of its own for the life of a process.
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp

echo "== Release (assertions on)"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DDAGGER_BUILD_BENCH=ON >/dev/null
cmake --build build/release -j "$jobs"
(cd build/release && ctest --output-on-failure -j "$jobs")

echo "== Fuzzing the message decoder and the Zarr metadata parser and codecs briefly (libFuzzer; scripts/fuzz.sh runs them longer)"
scripts/fuzz.sh 20

echo "== AddressSanitizer + UndefinedBehaviorSanitizer (built without CUDA)"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDAGGER_SANITIZE=address,undefined \
  -DDAGGER_CUDA=OFF >/dev/null
cmake --build build/asan -j "$jobs"
# The install test builds an outside project without sanitizers: Release only.
(cd build/asan && ctest --output-on-failure -j "$jobs" -LE install)

echo "== ThreadSanitizer (scheduler and storage tests)"
# UCX's memory hooks (loaded with dagger, unused by these tests) intercept
# madvise as threads exit, which crashes under ThreadSanitizer.
export UCX_MEM_MMAP_HOOK_MODE=none
cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDAGGER_SANITIZE=thread \
  -DDAGGER_BUILD_EXAMPLES=OFF -DDAGGER_CUDA=OFF >/dev/null
# Only the tests this configuration runs are built.
cmake --build build/tsan -j "$jobs" --target test_value test_delayed test_scheduler test_failures test_tasks \
  test_concurrency test_large_graphs test_processors test_spill test_memory_tier
(cd build/tsan && ctest --output-on-failure -j "$jobs" -L "scheduler|storage")
