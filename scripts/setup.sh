#!/usr/bin/env bash
# Installs the Debian packages dagger needs to build, test and benchmark,
# skipping those already installed.
set -euo pipefail

packages=(
  g++ cmake make ccache pkg-config
  libhwloc-dev          # processor topology: one ThreadProc per core
  libeigen3-dev         # array blocks (views over our buffers)
  libhwy-dev            # Highway: SIMD kernels (random numbers, vqsort for sort) chosen at run time
  libopenblas-dev       # block matrix products
  libgtest-dev          # tests
  libbenchmark-dev      # benchmarks
  libtbb-dev            # the scheduler benchmark's peer (oneTBB flow graph)
  nlohmann-json3-dev    # Zarr metadata; tests parse the Chrome trace
  libzstd-dev           # zstd-compressed Zarr blocks
  libblosc-dev liblz4-dev zlib1g-dev libbz2-dev  # Zarr's other codecs (Blosc is Python zarr's default)
  libcereal-dev         # values sent to worker processes
  libucx-dev ucx-utils  # worker processes over UCX (ucx_perftest: the transfer benchmark's peer)
  openmpi-bin           # mpirun starts a driver and its workers
  libopenmpi-dev libscalapack-openmpi-dev  # bench_linalg's distributed peer (ScaLAPACK's pdpotrf)
  clang libclang-rt-dev # libFuzzer: the message decoder's fuzzer
  python3-zarr python3-numcodecs python3-numpy  # Zarr interop test (Python reads ours, we read Python's)
  libcpp-httplib-dev    # the dashboard's server
  chromium              # the dashboard's tests load its page in a real browser
)

# The dashboard's browser checks drive Chromium through playwright-core
# (tests/browser/package-lock.json pins it); npm installs it once.
install_browser_checks() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/browser"
  [[ -d "$dir/node_modules/playwright-core" ]] && return 0
  if ! command -v npm >/dev/null; then
    echo "setup: npm is missing; install Debian's nodejs and npm for the browser checks" >&2
    return 1
  fi
  echo "setup: installing the browser checks' node modules"
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js may come from elsewhere than Debian: only a missing one is installed.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]} == 0)); then
  install_browser_checks
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_browser_checks
