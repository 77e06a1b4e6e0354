#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a while (default
# 30 s) over its corpus kept in the repo: `message` (the decoder of messages
# between driver and workers; tests/fuzz/corpus) and `zarr` (the Zarr
# metadata parser and chunk decoders; tests/fuzz/zarr_corpus). New inputs
# they find go to build/fuzz/<target>_corpus (copy interesting ones into
# the repo).
# Usage: scripts/fuzz.sh [seconds] [message|zarr ...] (after a Release build
# in build/release; every target when none is named)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
((${#targets[@]} > 0)) || targets=(message zarr)
clangxx=$(command -v clang++ || command -v clang++-14 || true)
[[ -n $clangxx ]] || { echo "fuzz: clang++ not found (scripts/setup.sh installs it)" >&2; exit 1; }
out=build/fuzz

# The target's own sources are built into the fuzzer with coverage; the
# rest comes from the Release library, with what that needs of UCX and
# hwloc (a block's buffer asks the chunk store, which reaches the
# processors and the transport) and of the codecs' libraries.
build() {
  local name=$1
  shift
  "$clangxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Iinclude -Isrc -I/usr/include/eigen3 "$@" \
    -Wl,--start-group build/release/src/libdagger_{io,transport,array,backend_cuda,kernels,scheduler,memory,processors,core}.a -Wl,--end-group \
    $(pkg-config --libs ucx hwloc blosc liblz4 libzstd) -lz -lbz2 -ldl \
    -o "$out/${name}_fuzzer"
}

for target in "${targets[@]}"; do
  mkdir -p "$out/${target}_corpus"
  case $target in
    message)
      build message tests/fuzz/message_fuzzer.cpp src/transport/messages.cpp src/core/wire_tables.cpp \
        src/array/block_wire.cpp src/core/wire_adopt.cpp src/transport/batch.cpp
      corpus=tests/fuzz/corpus ;;
    zarr)
      build zarr tests/fuzz/zarr_fuzzer.cpp src/io/zarr/zarr_metadata.cpp src/io/zarr/zarr_codec.cpp \
        src/io/zarr/zarr_delta.cpp
      corpus=tests/fuzz/zarr_corpus ;;
    *) echo "fuzz: no target '$target' (message, zarr)" >&2; exit 2 ;;
  esac
  echo "fuzz: $target for ${seconds} s"
  ASAN_OPTIONS=detect_leaks=0 "$out/${target}_fuzzer" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=1024 \
    -timeout=5 "$out/${target}_corpus" "$corpus"
done
