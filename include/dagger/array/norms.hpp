// Vector norms of a DArray's elements: norm(x) is the 2-norm (Frobenius for a
// matrix), norm(x, p) the p-norm for p > 0 or infinity. Like Julia's
// norm(X, p) and numpy's norm(X.ravel(), p), a matrix is taken as the vector
// of its elements (not an operator norm).
//
// Overflow and underflow: a naive sum of squares of 1e200 overflows, and of
// 1e-200 underflows to 0. Each block is first summed plainly (one pass, as
// fast as sum(x .^ 2)); when that sum is not finite, or the block's largest
// magnitude is so small that its powers lose digits, the block is summed
// again scaled by that largest magnitude (as LAPACK's dnrm2 scales). Every
// block's part is kept as (scale, sum of |x / scale|^p), so combining parts
// never overflows either; the result is inf only when the norm itself is.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "dagger/array/element_kernel.hpp"
#include "dagger/array/elementwise.hpp"
#include "dagger/array/reductions.hpp"
#include "dagger/delayed.hpp"

namespace dagger {

namespace detail {

// Part of a p-norm: the norm is scale * sum^(1/p), with scale the largest
// magnitude seen (0 for all zeros) and sum in [1, element count]. NaN in
// either field: a NaN element was seen, and the norm is NaN (as in Julia and
// numpy, a NaN wins over an infinity).
struct PowerSum {
  double scale = 0;
  double sum = 0;
};

inline bool is_nan(const PowerSum& s) { return std::isnan(s.scale) || std::isnan(s.sum); }

inline PowerSum combine_power_sums(PowerSum a, PowerSum b, double p) {
  if (is_nan(a)) return a;
  if (is_nan(b)) return b;
  if (a.scale < b.scale) std::swap(a, b);
  if (std::isinf(p)) return a;                               // the larger maximum
  if (b.scale == 0 || std::isinf(a.scale)) return a;         // b adds nothing
  const double ratio = b.scale / a.scale;                    // in (0, 1]
  const double weight = p == 2 ? ratio * ratio : p == 1 ? ratio : std::pow(ratio, p);
  return {a.scale, a.sum + b.sum * weight};
}

inline double finish_power_sum(const PowerSum& s, double p) {
  if (is_nan(s)) return std::numeric_limits<double>::quiet_NaN();
  if (s.scale == 0 || std::isinf(s.scale) || std::isinf(p)) return s.scale;
  if (p == 2) return s.scale * std::sqrt(s.sum);
  if (p == 1) return s.scale * s.sum;
  return s.scale * std::pow(s.sum, 1 / p);
}

// |x|^p for the exponents the fast loop specializes.
enum class Power : std::uint8_t { one, two, infinity, other };

template <Power K>
inline double power_of(double a, double p) {
  if constexpr (K == Power::one) return a;
  if constexpr (K == Power::two) return a * a;
  // The infinity norm needs no sum, but a * 0 is NaN for a NaN or an
  // infinity, so the fast loop still notices them.
  if constexpr (K == Power::infinity) return a * 0.0;
  if constexpr (K == Power::other) return std::pow(a, p);
}

// Two doubles in one SSE2 register (GCC's and Clang's vector types), for
// the loops the compiler does not vectorize by itself.
typedef double Pair __attribute__((vector_size(16)));

template <Power K>
inline Pair vector_power(Pair a) {
  if constexpr (K == Power::one) return a;
  if constexpr (K == Power::two) return a * a;
  if constexpr (K == Power::infinity) return a * 0.0;
}

// Below this, powers of the largest magnitude (2^-800 for squares) come
// close enough to the subnormals that the plain sum would lose digits.
inline constexpr double kSmallestPlainPower = 0x1p-800;

// The part of one block (sources of a lazy array, or the block itself).
template <class U>
struct NormBlock {
  ElementKernel kernel;
  double p = 2;
  BlockPlace place;  // of the block this thunk reads

  bool travels() const { return kernel.travels(); }

  PowerSum operator()(const std::vector<Block>& blocks) const {
    check_sources(kernel, place, blocks);
    if (std::isinf(p)) return block_part<Power::infinity>(blocks);
    if (p == 2) return block_part<Power::two>(blocks);
    if (p == 1) return block_part<Power::one>(blocks);
    return block_part<Power::other>(blocks);
  }

 private:
  // Calls visit(values, n) for each tile of the block's elements.
  template <class Visit>
  void for_each_tile(const std::vector<Block>& blocks, Visit visit) const {
    detail::for_each_tile<U>(kernel, place, blocks, [&](const U* values, std::int64_t n, std::int64_t) { visit(values, n); });
  }

  template <Power K>
  PowerSum block_part(const std::vector<Block>& blocks) const {
    // One pass: the plain sum of |x|^p and the largest |x|, four lanes side
    // by side so neither is one long chain of dependent additions.
    // The lanes are two vectors of two doubles each, spelled out: GCC does
    // not vectorize the largest |x| as a reduction (max's NaN rule keeps it
    // from reordering), and arrays outside the tile's loop would be stored
    // at every step. A NaN passes the comparison by, as std::max does; the
    // sum still turns NaN, and the careful path below reports it.
    double sums[4] = {0, 0, 0, 0}, maxima[4] = {0, 0, 0, 0};
    const double exponent = p;
    for_each_tile(blocks, [&](const U* values, std::int64_t n) {
      std::int64_t i = 0;
      if constexpr (K != Power::other) {
        Pair s_low = {sums[0], sums[1]}, s_high = {sums[2], sums[3]};
        Pair m_low = {maxima[0], maxima[1]}, m_high = {maxima[2], maxima[3]};
        auto take = [](Pair& s, Pair& m, Pair x) {
          const Pair a = x < 0 ? -x : x;
          s += vector_power<K>(a);
          m = a > m ? a : m;
        };
        for (; i + 4 <= n; i += 4) {
          take(s_low, m_low, Pair{static_cast<double>(values[i]), static_cast<double>(values[i + 1])});
          take(s_high, m_high, Pair{static_cast<double>(values[i + 2]), static_cast<double>(values[i + 3])});
        }
        sums[0] = s_low[0], sums[1] = s_low[1], sums[2] = s_high[0], sums[3] = s_high[1];
        maxima[0] = m_low[0], maxima[1] = m_low[1], maxima[2] = m_high[0], maxima[3] = m_high[1];
      }
      for (; i < n; ++i) {
        const double a = std::fabs(static_cast<double>(values[i]));
        sums[0] += power_of<K>(a, exponent);
        maxima[0] = std::max(maxima[0], a);
      }
    });
    const double plain = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    const double largest = std::max(std::max(maxima[0], maxima[1]), std::max(maxima[2], maxima[3]));
    if (std::isfinite(plain)) {
      if (largest == 0) return {0, 0};
      if constexpr (K == Power::infinity) return {largest, 1};
      const double top = power_of<K>(largest, exponent);
      if (top >= kSmallestPlainPower) return {largest, plain / top};
    }
    return scaled_part<K>(blocks);
  }

  // The careful path: NaN and infinities first (std::max above skips a NaN),
  // then the sum again with every element divided by the largest.
  template <Power K>
  PowerSum scaled_part(const std::vector<Block>& blocks) const {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    bool saw_nan = false;
    double largest = 0;
    for_each_tile(blocks, [&](const U* values, std::int64_t n) {
      for (std::int64_t i = 0; i < n; ++i) {
        const double a = std::fabs(static_cast<double>(values[i]));
        saw_nan = saw_nan || std::isnan(a);
        largest = std::max(largest, a);
      }
    });
    if (saw_nan) return {nan, nan};
    if (largest == 0) return {0, 0};
    if (K == Power::infinity || std::isinf(largest)) return {largest, 1};
    double sum = 0;
    const double exponent = p;
    for_each_tile(blocks, [&](const U* values, std::int64_t n) {
      for (std::int64_t i = 0; i < n; ++i) sum += power_of<K>(std::fabs(static_cast<double>(values[i])) / largest, exponent);
    });
    return {largest, sum};
  }
};

template <class U>
void dagger_wire_save(const NormBlock<U>& f, WireWriter& out) {
  dagger_wire_save(f.kernel, out);
  out.pod(f.p);
  dagger_wire_save(f.place, out);
}
template <class U>
void dagger_wire_load(NormBlock<U>& f, WireReader& in) {
  dagger_wire_load(f.kernel, in);
  f.p = in.pod<double>();
  dagger_wire_load(f.place, in);
}

[[noreturn]] inline void throw_bad_norm_exponent(double p) {
  throw ArrayError("norm: p must be positive or infinity, not " + std::to_string(p));
}

}  // namespace detail

// The p-norm of all elements, computed in double whatever the element type
// (so squares of large integers do not overflow, and a bool counts as 0 or
// 1). An empty array has norm 0, as in Julia and numpy: the norm is a sum
// of magnitudes, and an empty sum (or the maximum of no magnitudes, all of
// which would be >= 0) is 0. p must be > 0 or +infinity (else ArrayError).
template <class T>
Thunk<double> norm(const DArray<T>& a, double p) {
  if (!(p > 0)) detail::throw_bad_norm_exponent(p);
  if (a.size() == 0) return delayed([] { return 0.0; })();
  detail::Elementwise e = detail::as_elementwise(a.impl());
  detail::NormBlock<T> on_cpu{e.element_kernel(), p, {}};
  std::vector<Thunk<detail::PowerSum>> parts;
  parts.reserve(a.layout().block_count());
  for (std::size_t k = 0; k < a.layout().block_count(); ++k) {
    on_cpu.place = detail::block_place(a.layout(), k);
    parts.push_back(delayed(on_cpu, {.name = "norm"})(detail::source_blocks(e.sources, k)));
  }
  auto whole = detail::combine_tree(std::move(parts), [p](detail::PowerSum x, detail::PowerSum y) {
    return detail::combine_power_sums(x, y, p);
  });
  return delayed([p](detail::PowerSum s) { return detail::finish_power_sum(s, p); }, {.name = "norm"})(whole);
}

// The 2-norm: sqrt of the sum of squares (the Frobenius norm of a matrix).
template <class T>
Thunk<double> norm(const DArray<T>& a) {
  return norm(a, 2.0);
}

}  // namespace dagger
