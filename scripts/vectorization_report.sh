#!/usr/bin/env bash
# The compiler's word on which loops of the fused array kernels are vector
# loops, run by hand (not in CI):
#
#   scripts/vectorization_report.sh [BUILD_DIR]
#
# Compiles tools/vectorization/fused_kernels.cpp (chains, folds, statistics
# and a transpose read tile by tile, for double, float and int32) and
# src/array/tile_walk.cpp with the flags of BUILD_DIR (default
# build/release, configured Release) plus GCC's -fopt-info-vec, and prints
# for every loop of the array library's headers and the tile walk whether
# it was vectorized, with the vector width in bytes, or why not.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
flags_file=$build/bench/CMakeFiles/bench_arrays.dir/flags.make
if [[ ! -f $flags_file ]]; then
  echo "no $flags_file: configure $build with -DCMAKE_BUILD_TYPE=Release -DDAGGER_BUILD_BENCH=ON first" >&2
  exit 1
fi
flag_line() { sed -n "s/^$1 = //p" "$flags_file"; }
read -r -a flags <<<"$(flag_line CXX_FLAGS) $(flag_line CXX_DEFINES) $(flag_line CXX_INCLUDES) -I$PWD -I$PWD/src"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for source in tools/vectorization/fused_kernels.cpp src/array/tile_walk.cpp; do
  name=$(basename "$source" .cpp)
  c++ "${flags[@]}" -fopt-info-vec-all="$out/$name.notes" -c "$source" -o "$out/$name.o"
done

# Each loop once, by file:line: "vectorized (N bytes)" wins over a missed
# note for the same loop (another instantiation, or an epilogue); a loop the
# compiler gave up on is followed in its notes by the statement that stopped
# it, which is printed as the reason.
cat "$out"/*.notes |
  sed -e "s#^$PWD/##" |
  sed -n -E 's#^([^:]+):([0-9]+):[0-9]+: (optimized|missed): (.*)$#\1:\2\t\3\t\4#p' |
  awk -F'\t' '
    function ours(loc) { return loc ~ /^(include\/dagger\/array\/|src\/array\/tile_walk)/ }
    $2 == "optimized" && $3 ~ /^loop vectorized/ {
      width = $3; sub(/.*using /, "", width); sub(/ vectors.*/, "", width)
      if (ours($1)) done[$1] = "vector loop (" width ")"
      pending = ""; next
    }
    $2 == "missed" && $3 ~ /^couldn.t vectorize loop/ { pending = ours($1) ? $1 : ""; next }
    $2 == "missed" && pending != "" && $3 ~ /^not vectorized/ {
      if (!(pending in why)) { reason = $3; sub(/^not vectorized: /, "", reason); why[pending] = reason }
      pending = ""
    }
    END {
      for (k in done) print k "\t" done[k]
      for (k in why) if (!(k in done)) print k "\tscalar: " substr(why[k], 1, 110)
    }' | sort -t: -k1,1 -k2,2n | column -t -s $'\t'
