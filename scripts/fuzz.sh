#!/usr/bin/env bash
# Builds the message decoder's libFuzzer target with clang and runs it for a
# while (default 30 s) over the corpus kept in tests/fuzz/corpus; new inputs
# it finds go to build/fuzz/corpus (copy interesting ones into the repo).
# Usage: scripts/fuzz.sh [seconds] (after a Release build in build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
clangxx=$(command -v clang++ || command -v clang++-14 || true)
[[ -n $clangxx ]] || { echo "fuzz: clang++ not found (scripts/setup.sh installs it)" >&2; exit 1; }
out=build/fuzz
mkdir -p "$out/corpus"
# The decoder's sources are built into the fuzzer with coverage; the rest
# comes from the Release library, with what that needs of UCX and hwloc
# (a block's buffer asks the chunk store, which reaches the processors and
# the transport).
"$clangxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Iinclude -Isrc -I/usr/include/eigen3 \
  tests/fuzz/message_fuzzer.cpp src/transport/messages.cpp src/core/wire_tables.cpp src/array/block_wire.cpp src/core/wire_adopt.cpp src/transport/batch.cpp \
  -Wl,--start-group build/release/src/libdagger_{io,transport,array,backend_cuda,kernels,scheduler,memory,processors,core}.a -Wl,--end-group \
  $(pkg-config --libs ucx hwloc) -ldl \
  -o "$out/message_fuzzer"
ASAN_OPTIONS=detect_leaks=0 "$out/message_fuzzer" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=1024 \
  -timeout=5 "$out/corpus" tests/fuzz/corpus
