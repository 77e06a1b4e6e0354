#!/usr/bin/env bash
# Sets up, builds (Release with assertions) and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target dagger_demo -j "$(nproc)"
cd build/release && ./examples/dagger_demo
