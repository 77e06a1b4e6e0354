#!/usr/bin/env bash
# dagger against dask.array on the same workloads, run by hand (not in CI):
#
#   bench/compare_dask.sh [--quick] [ROUNDS]
#
# Each round runs every workload once through dagger (compare_dask_dagger)
# and once through dask.array (compare_dask.py), one process each, the two
# sides alternating and taking turns going first; then it prints per case
# the median seconds of each side and dask/dagger (> 1: dagger is faster).
# ROUNDS defaults to 3 (1 with --quick, which also uses smaller sizes).
# The dagger binary is looked for in $DAGGER_BUILD_DIR (default
# build/release); the raw samples are kept in $COMPARE_DASK_LOG.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
quick=0
rounds=
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    [0-9]*) rounds=$arg ;;
    *) echo "usage: $0 [--quick] [ROUNDS]" >&2; exit 2 ;;
  esac
done
rounds=${rounds:-$((quick ? 1 : 3))}

dagger_bin=${DAGGER_BUILD_DIR:-$root/build/release}/bench/compare_dask_dagger
if [[ ! -x $dagger_bin ]]; then
  echo "no $dagger_bin; build it with" >&2
  echo "  cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DDAGGER_BUILD_BENCH=ON" >&2
  echo "  cmake --build build/release --target compare_dask_dagger" >&2
  exit 1
fi

# numpy is in the system interpreter; the first python3 on PATH may be another.
python=/usr/bin/python3
if ! "$python" -c "import dask.array" 2>/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "dask is missing: apt-get install python3-dask (as root)" >&2
    exit 1
  fi
  apt-get install -y python3-dask >/dev/null || { apt-get update >/dev/null && apt-get install -y python3-dask >/dev/null; }
fi

# WORKLOAD N BLOCK REPS (REPS: timed runs within one process). The sizes are
# the issue's; --quick shrinks them so a round takes well under a minute.
if ((quick)); then
  workloads=("seed 4000 1600 1" "apat_gen 8000 1600 1" "apat_mem 8000 1600 1" "matmul 4000 1000 1"
             "sort 10000000 400000 1" "arrays 1000 512 5" "arrays 3162 512 2" "zarr 8000 2000 1")
else
  workloads=("seed 10000 4000 1" "apat_gen 20000 4000 1" "apat_mem 20000 4000 1" "matmul 8000 2000 1"
             "sort 100000000 4000000 1" "arrays 1000 512 10" "arrays 3162 512 3" "arrays 10000 512 2"
             "zarr 23170 4096 1")  # 4 GiB of doubles
fi
# Only some workloads: COMPARE_DASK_ONLY="zarr sort".
if [[ -n ${COMPARE_DASK_ONLY:-} ]]; then
  kept=()
  for w in "${workloads[@]}"; do
    [[ " $COMPARE_DASK_ONLY " == *" ${w%% *} "* ]] && kept+=("$w")
  done
  workloads=("${kept[@]}")
fi

# The zarr workload reads an array Python's zarr wrote once, kept in
# $COMPARE_DASK_DATA (default /tmp/compare_dask_data) for later runs.
data=${COMPARE_DASK_DATA:-/tmp/compare_dask_data}
for w in "${workloads[@]}"; do
  read -r -a args <<<"$w"
  if [[ ${args[0]} == zarr ]]; then
    mkdir -p "$data"
    export COMPARE_DASK_ZARR=$data/normal_${args[1]}_${args[2]}.zarr
    echo "preparing $COMPARE_DASK_ZARR (Python zarr, Blosc lz4)" >&2
    "$python" "$here/compare_dask.py" prepare-zarr "$COMPARE_DASK_ZARR" "${args[1]}" "${args[2]}"
  fi
done

# Both sides get the same 2 threads (dask: 2 workers, set in compare_dask.py).
export DAGGER_NUM_THREADS=2
log=${COMPARE_DASK_LOG:-$(mktemp /tmp/compare_dask.XXXXXX)}
: >"$log"

run_side() {  # SIDE WORKLOAD N BLOCK REPS
  local side=$1
  shift
  if [[ $side == dagger ]]; then
    "$dagger_bin" "$@"
  else
    "$python" "$here/compare_dask.py" "$@"
  fi | while read -r first rest; do
    [[ $first == "#" ]] && continue
    echo "$side $first $rest" >>"$log"
  done
}

echo "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $rounds round(s); samples in $log" >&2
start=$SECONDS
for ((round = 1; round <= rounds; ++round)); do
  for w in "${workloads[@]}"; do
    read -r -a args <<<"$w"
    echo "round $round/$rounds: ${args[*]}" >&2
    if ((round % 2)); then
      run_side dagger "${args[@]}"; run_side dask "${args[@]}"
    else
      run_side dask "${args[@]}"; run_side dagger "${args[@]}"
    fi
  done
done
echo "$((SECONDS - start)) s in all" >&2
"$python" "$here/compare_dask.py" table "$log"
