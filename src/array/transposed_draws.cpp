#include "array/transposed_draws.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "kernels/cpu/random_fill.hpp"

namespace dagger::detail {
namespace {

// Elements first, first + step, ... of one random array, drawn as other
// halves and not yet taken. Values are pure functions of (kind, seed,
// index), so a kept run is never stale: it only stops being asked for.
struct KeptRun {
  kernels::RandomKind kind = kernels::RandomKind::uniform;
  std::uint64_t seed = 0;
  std::uint64_t step = 0;  // 0: empty
  std::uint64_t first = 0;
  std::vector<double> values;

  std::uint64_t end() const { return first + values.size() * step; }
  bool of(kernels::RandomKind k, std::uint64_t s, std::uint64_t st) const { return step == st && seed == s && kind == k; }
};

// A few runs, for chains with several transposed random arrays whose tiles
// interleave; each at most 1 MiB (a block taller than that draws its other
// columns afresh).
constexpr std::size_t kKeptRuns = 4;
constexpr std::size_t kMostKept = std::size_t{1} << 17;

struct Kept {
  std::array<KeptRun, kKeptRuns> runs;
  std::size_t next = 0;  // the slot a new run takes
};
thread_local Kept kept;

bool take(kernels::RandomKind kind, std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n,
          double* out) {
  for (const KeptRun& run : kept.runs) {
    if (!run.of(kind, seed, step) || first < run.first || (first - run.first) % step != 0) continue;
    const std::uint64_t k = (first - run.first) / step;
    if (k + static_cast<std::uint64_t>(n) > run.values.size()) continue;
    std::copy_n(run.values.begin() + static_cast<std::ptrdiff_t>(k), n, out);
    return true;
  }
  return false;
}

void keep(kernels::RandomKind kind, std::uint64_t seed, std::uint64_t first, std::uint64_t step, const double* values,
          std::int64_t n) {
  for (KeptRun& run : kept.runs) {
    if (run.of(kind, seed, step) && run.end() == first && run.values.size() + static_cast<std::size_t>(n) <= kMostKept) {
      run.values.insert(run.values.end(), values, values + n);
      return;
    }
  }
  KeptRun& run = kept.runs[kept.next];
  kept.next = (kept.next + 1) % kKeptRuns;
  run.kind = kind;
  run.seed = seed;
  run.step = step;
  run.first = first;
  run.values.assign(values, values + n);
}

}  // namespace

void draw_transposed_run(kernels::RandomKind kind, std::uint64_t seed, std::uint64_t first, std::uint64_t step,
                         std::int64_t n, double* out) {
  if (take(kind, seed, first, step, n, out)) return;
  thread_local std::vector<double> halves;
  halves.resize(static_cast<std::size_t>(n));
  if (kind == kernels::RandomKind::normal) {
    kernels::fill_normal_strided(seed, first, step, n, out, halves.data());
  } else {
    kernels::fill_uniform_strided(seed, first, step, n, out, halves.data());
  }
  // Every element of the run has first's parity: their other halves are
  // the run from first ^ 1, with the same step.
  keep(kind, seed, first ^ 1u, step, halves.data(), n);
}

}  // namespace dagger::detail
