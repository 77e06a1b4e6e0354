#!/usr/bin/env bash
# The dashboard's cost per task, run by hand (not in CI):
#
#   bench/dashboard_cost.sh [ROUNDS]
#
# Each round runs bench_scheduler's dagger rows with and without a
# Dashboard, 7 repetitions of each in random interleaved order (so a slow
# spell of a shared machine hits both sides alike), and prints per graph
# the median time per task with the dashboard, without, and their ratio;
# the last line is the median ratio over the rounds (target: <= 1.05).
# ROUNDS defaults to 10. The binary is looked for in $DAGGER_BUILD_DIR
# (default build/release).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bench=${DAGGER_BUILD_DIR:-$root/build/release}/bench/bench_scheduler
rounds=${1:-10}
[[ -x $bench ]] || { echo "no $bench: build with -DDAGGER_BUILD_BENCH=ON" >&2; exit 1; }

for _ in $(seq "$rounds"); do
  "$bench" --benchmark_filter='^Dagger_' --benchmark_repetitions=7 \
    --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
    --benchmark_format=csv 2>/dev/null | grep '_median"' || true
done | python3 -c '
import csv, statistics, sys
rounds = {}  # graph -> list of (with, without) per round
current = {}
for row in csv.reader(sys.stdin):
    name = row[0].strip("\"").split("/")[0]
    per_task_ns = float(row[-1]) * 1e9
    current[name] = per_task_ns
    graphs = [g for g in ("Independent", "Chain", "FanOutFanIn")
              if "Dagger_" + g in current and "Dagger_" + g + "_Dashboard" in current]
    if len(graphs) == 3:
        for g in graphs:
            rounds.setdefault(g, []).append((current["Dagger_" + g + "_Dashboard"], current["Dagger_" + g]))
        line = []
        for g in graphs:
            on, off = rounds[g][-1]
            line.append(f"{g} {on:.0f}/{off:.0f} ns = {on / off:.3f}")
        print("  ".join(line))
        current = {}
print("median ratio: " + "  ".join(
    f"{g} {statistics.median(on / off for on, off in r):.3f}" for g, r in rounds.items()))
'
