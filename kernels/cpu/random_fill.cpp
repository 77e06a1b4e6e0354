// SIMD fills of random ranges. Highway compiles this file once per x86
// instruction set and calls the best one the CPU has. Each vector lane
// follows the scalar definition in dagger/kernels/random.hpp step for step:
// the same operations in the same order, no fused multiply-add, so the
// lanes give the scalar code's bits (test_random checks every target's
// result against it).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/random_fill.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "dagger/kernels/random.hpp"
#include "kernels/cpu/random_fill.hpp"

#ifndef DAGGER_UNROLL
// Loops over the few vectors in flight are unrolled so that the vectors live
// in registers (a loop over an array of them keeps them in memory).
#define DAGGER_UNROLL _Pragma("GCC unroll 16")
#endif

HWY_BEFORE_NAMESPACE();
namespace dagger::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace rnd = ::dagger::kernels::random;

#if HWY_TARGET == HWY_SCALAR
// One lane cannot hold the two halves of a word (BitCast to 32-bit lanes):
// the callers' scalar code does all the work.
std::uint64_t WordPairs(std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t*) { return 0; }
std::uint64_t UniformPairs(std::uint64_t, std::uint64_t, std::uint64_t, double*) { return 0; }
std::uint64_t NormalPairs(std::uint64_t, std::uint64_t, std::uint64_t, double*) { return 0; }
std::uint64_t StridedWords(std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t*, std::uint64_t*) {
  return 0;
}
std::uint64_t StridedUniforms(std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t, double*, double*) { return 0; }
std::uint64_t StridedNormals(std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t, double*, double*) { return 0; }
#else
using DU = hn::ScalableTag<std::uint64_t>;
using DF = hn::ScalableTag<double>;
using VU = hn::Vec<DU>;
using VF = hn::Vec<DF>;

// Philox4x32-10 on counters j (one per lane), for U vectors of counters at
// once: a round is a chain of dependent multiplies, so rounds of independent
// vectors are interleaved to keep the multipliers busy. Each 32-bit word sits
// in the low half of a 64-bit lane, so one 32 x 32 -> 64 multiply (MulEven)
// gives both halves of a product. The high halves of the lanes are left
// holding whatever the xors put there: MulEven reads only the low halves,
// and nothing else moves high bits down, so they are masked off once, at
// the end, not in every round.
template <int U>
HWY_INLINE void philox(DU du, std::uint64_t seed, const VU (&j)[U], VU (&first)[U], VU (&second)[U]) {
  const hn::Repartition<std::uint32_t, DU> d32;
  const VU low = hn::Set(du, 0xFFFFFFFFull);
  const VU m0 = hn::Set(du, rnd::kPhiloxM0), m1 = hn::Set(du, rnd::kPhiloxM1);
  VU c0[U], c1[U], c2[U], c3[U];
  DAGGER_UNROLL
  for (int u = 0; u < U; ++u) {
    c0[u] = j[u];
    c1[u] = hn::ShiftRight<32>(j[u]);
    c2[u] = hn::Zero(du);
    c3[u] = hn::Zero(du);
  }
  std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  DAGGER_UNROLL
  for (int round = 0; round < rnd::kPhiloxRounds; ++round) {
    const VU key0 = hn::Set(du, k0), key1 = hn::Set(du, k1);
    DAGGER_UNROLL
  for (int u = 0; u < U; ++u) {
      const VU p0 = hn::MulEven(hn::BitCast(d32, c0[u]), hn::BitCast(d32, m0));
      const VU p1 = hn::MulEven(hn::BitCast(d32, c2[u]), hn::BitCast(d32, m1));
      c0[u] = hn::Xor(hn::Xor(hn::ShiftRight<32>(p1), c1[u]), key0);
      c2[u] = hn::Xor(hn::Xor(hn::ShiftRight<32>(p0), c3[u]), key1);
      c1[u] = p1;
      c3[u] = p0;
    }
    k0 += rnd::kPhiloxW0;
    k1 += rnd::kPhiloxW1;
  }
  DAGGER_UNROLL
  for (int u = 0; u < U; ++u) {
    first[u] = hn::Or(hn::And(c0[u], low), hn::ShiftLeft<32>(c1[u]));
    second[u] = hn::Or(hn::And(c2[u], low), hn::ShiftLeft<32>(c3[u]));
  }
}

// Counters j0 + t, j0 + t + lanes, ...: U vectors' worth.
template <int U>
HWY_INLINE void counters(DU du, std::uint64_t j0, VU (&j)[U]) {
  const std::uint64_t lanes = hn::Lanes(du);
  DAGGER_UNROLL
  for (int u = 0; u < U; ++u) j[u] = hn::Iota(du, j0 + static_cast<std::uint64_t>(u) * lanes);
}

constexpr double kAtanhSeries[11] = {DAGGER_ATANH_SERIES};
constexpr double kSinSeries[10] = {DAGGER_SIN_SERIES};
constexpr double kCosSeries[10] = {DAGGER_COS_SERIES};

// rnd::estrin's operations in its order (a template defined outside this
// target's region cannot call its vector operations; test_random checks
// that both give the same bits).
template <int N>
HWY_INLINE VF estrin(const double (&c)[N], VF x) {
  const DF df;
  const VF x2 = hn::Mul(x, x), x4 = hn::Mul(x2, x2), x8 = hn::Mul(x4, x4);
  auto pair = [&](int k) HWY_ATTR { return hn::Add(hn::Set(df, c[k]), hn::Mul(hn::Set(df, c[k + 1]), x)); };
  const VF r0 = hn::Add(pair(0), hn::Mul(pair(2), x2));
  const VF r1 = hn::Add(pair(4), hn::Mul(pair(6), x2));
  VF r2 = pair(8);
  if constexpr (N == 11) r2 = hn::Add(r2, hn::Mul(hn::Set(df, c[10]), x2));
  return hn::Add(hn::Add(r0, hn::Mul(r1, x4)), hn::Mul(r2, x8));
}

HWY_INLINE VF unit_double(DF df, VU word) {
  const DU du;
  return hn::Sub(hn::BitCast(df, hn::Or(hn::ShiftRight<12>(word), hn::Set(du, rnd::kOneBits))), hn::Set(df, 1.0));
}

HWY_INLINE VF log_unit(DF df, VF x) {
  const DU du;
  const VU bits = hn::BitCast(du, x);
  const VF two52 = hn::Set(df, rnd::kTwo52);
  VF e = hn::Sub(hn::Sub(hn::BitCast(df, hn::Or(hn::ShiftRight<52>(bits), hn::Set(du, rnd::kTwo52Bits))), two52),
                 hn::Set(df, 1023.0));
  VF m = hn::BitCast(df, hn::Or(hn::And(bits, hn::Set(du, 0x000FFFFFFFFFFFFFull)), hn::Set(du, rnd::kOneBits)));
  const auto big = hn::Gt(m, hn::Set(df, rnd::kSqrt2));
  m = hn::IfThenElse(big, hn::Mul(m, hn::Set(df, 0.5)), m);
  e = hn::IfThenElse(big, hn::Add(e, hn::Set(df, 1.0)), e);
  const VF f = hn::Sub(m, hn::Set(df, 1.0));
  const VF s = hn::Div(f, hn::Add(hn::Set(df, 2.0), f));
  const VF z = hn::Mul(s, s);
  const VF p = estrin(kAtanhSeries, z);
  const VF two_s = hn::Add(s, s);
  const VF log_m = hn::Add(two_s, hn::Mul(two_s, hn::Mul(z, p)));
  return hn::Add(hn::Mul(e, hn::Set(df, rnd::kLn2High)), hn::Add(log_m, hn::Mul(e, hn::Set(df, rnd::kLn2Low))));
}

HWY_INLINE void sincos_turn(DF df, VF u, VF& sin_out, VF& cos_out) {
  const DU du;
  const VF two52 = hn::Set(df, rnd::kTwo52);
  const VF y = hn::Mul(hn::Set(df, 4.0), u);
  const VF shifted = hn::Add(y, two52);
  const VF k = hn::Sub(shifted, two52);
  const VF r = hn::Sub(y, k);
  const VF r2 = hn::Mul(r, r);
  const VF s = hn::Mul(r, estrin(kSinSeries, r2));
  const VF c = estrin(kCosSeries, r2);
  // The low bits of y + 2^52 are the integer k: its quarter turns.
  const VU quarter = hn::And(hn::BitCast(du, shifted), hn::Set(du, 3));
  const auto odd = hn::RebindMask(df, hn::Eq(hn::And(quarter, hn::Set(du, 1)), hn::Set(du, 1)));
  const auto negative_sin = hn::RebindMask(df, hn::Eq(hn::And(quarter, hn::Set(du, 2)), hn::Set(du, 2)));
  const auto negative_cos =
      hn::RebindMask(df, hn::Or(hn::Eq(quarter, hn::Set(du, 1)), hn::Eq(quarter, hn::Set(du, 2))));
  const VF sin_base = hn::IfThenElse(odd, c, s), cos_base = hn::IfThenElse(odd, s, c);
  sin_out = hn::IfThenElse(negative_sin, hn::Neg(sin_base), sin_base);
  cos_out = hn::IfThenElse(negative_cos, hn::Neg(cos_base), cos_base);
}

constexpr int kWordUnroll = 4;

// Philox over whole groups of kWordUnroll vectors of counters from j0; each
// group's words go to store(t, first, second), t being the group's first
// pair. Returns the pairs covered; the rest is left to the caller's scalar
// code.
template <class Store>
HWY_INLINE std::uint64_t word_groups(std::uint64_t seed, std::uint64_t j0, std::uint64_t pairs, Store store) {
  const DU du;
  const std::uint64_t step = hn::Lanes(du) * kWordUnroll;
  std::uint64_t t = 0;
  for (; t + step <= pairs; t += step) {
    VU j[kWordUnroll], a[kWordUnroll], b[kWordUnroll];
    counters(du, j0 + t, j);
    philox(du, seed, j, a, b);
    store(t, a, b);
  }
  return t;
}

using Words = VU[kWordUnroll];

// Pairs j0 .. j0 + pairs - 1, interleaved: out[2t] and out[2t + 1] are the
// elements 2(j0 + t) and 2(j0 + t) + 1.
std::uint64_t WordPairs(std::uint64_t seed, std::uint64_t j0, std::uint64_t pairs, std::uint64_t* out) {
  const DU du;
  return word_groups(seed, j0, pairs, [&](std::uint64_t t, const Words& a, const Words& b) HWY_ATTR {
    DAGGER_UNROLL
    for (int u = 0; u < kWordUnroll; ++u) hn::StoreInterleaved2(a[u], b[u], du, out + 2 * (t + u * hn::Lanes(du)));
  });
}

std::uint64_t UniformPairs(std::uint64_t seed, std::uint64_t j0, std::uint64_t pairs, double* out) {
  const DU du;
  const DF df;
  return word_groups(seed, j0, pairs, [&](std::uint64_t t, const Words& a, const Words& b) HWY_ATTR {
    DAGGER_UNROLL
    for (int u = 0; u < kWordUnroll; ++u) {
      hn::StoreInterleaved2(unit_double(df, a[u]), unit_double(df, b[u]), df, out + 2 * (t + u * hn::Lanes(du)));
    }
  });
}

// Two passes over pieces of kNormalPiece pairs: Philox's words first (long
// chains of multiplies, interleaved across vectors), then Box-Muller on them,
// whose iterations are independent, so the CPU overlaps one's divide and
// square root with the next one's series.
constexpr std::uint64_t kNormalPiece = 256;

std::uint64_t NormalPairs(std::uint64_t seed, std::uint64_t j0, std::uint64_t pairs, double* out) {
  const DU du;
  const DF df;
  const std::uint64_t lanes = hn::Lanes(du), step = lanes * kWordUnroll;
  HWY_ALIGN std::uint64_t first[kNormalPiece], second[kNormalPiece];
  std::uint64_t t = 0;
  while (t + step <= pairs) {
    const std::uint64_t piece = std::min(kNormalPiece, (pairs - t) / step * step);
    word_groups(seed, j0 + t, piece, [&](std::uint64_t p, const Words& a, const Words& b) HWY_ATTR {
      DAGGER_UNROLL
      for (int u = 0; u < kWordUnroll; ++u) {
        hn::Store(a[u], du, first + p + u * lanes);
        hn::Store(b[u], du, second + p + u * lanes);
      }
    });
    for (std::uint64_t p = 0; p < piece; p += lanes) {
      const VF u1 = hn::Sub(hn::Set(df, 1.0), unit_double(df, hn::Load(du, first + p)));
      const VF radius = hn::Sqrt(hn::Mul(hn::Set(df, -2.0), log_unit(df, u1)));
      VF sin_v, cos_v;
      sincos_turn(df, unit_double(df, hn::Load(du, second + p)), sin_v, cos_v);
      hn::StoreInterleaved2(hn::Mul(radius, cos_v), hn::Mul(radius, sin_v), df, out + 2 * (t + p));
    }
    t += piece;
  }
  return t;
}

// Elements g0, g0 + step, g0 + 2 step, ... (a row of a column-major array,
// as the transpose of a random array reads it): each lane draws its own
// counter g >> 1 and keeps the word, or the normal, of g's parity. A draw
// makes two elements and a strided fill keeps one, so it costs about twice
// a contiguous fill per element, and still runs at vector speed. Each
// group's values go to store(t, mask_of_odd, first, second) for elements
// t ... t + group - 1 (out need not be vector-aligned: StoreU); returns the
// elements covered.
template <class Store>
HWY_INLINE std::uint64_t strided_groups(std::uint64_t seed, std::uint64_t g0, std::uint64_t step, std::uint64_t n,
                                        Store store) {
  const DU du;
  const std::uint64_t lanes = hn::Lanes(du), group = lanes * kWordUnroll;
  // Lane k's distance from the vector's first element (no 64-bit vector
  // multiply on every target).
  constexpr std::uint64_t kMostLanes = 64;
  if (lanes > kMostLanes) return 0;
  HWY_ALIGN std::uint64_t offsets[kMostLanes];
  for (std::uint64_t k = 0; k < lanes; ++k) offsets[k] = k * step;
  const VU lane_offsets = hn::Load(du, offsets);
  const VU one = hn::Set(du, 1);
  std::uint64_t t = 0;
  for (; t + group <= n; t += group) {
    VU j[kWordUnroll], a[kWordUnroll], b[kWordUnroll];
    hn::Mask<DU> odd[kWordUnroll];
    DAGGER_UNROLL
    for (int u = 0; u < kWordUnroll; ++u) {
      const VU g = hn::Add(hn::Set(du, g0 + (t + static_cast<std::uint64_t>(u) * lanes) * step), lane_offsets);
      j[u] = hn::ShiftRight<1>(g);
      odd[u] = hn::Eq(hn::And(g, one), one);
    }
    philox(du, seed, j, a, b);
    store(t, odd, a, b);
  }
  return t;
}

using OddLanes = hn::Mask<DU>[kWordUnroll];

// With `partner`, the draws' other halves go there: partner[i] is element
// (g0 + i step) ^ 1, the draw's other element.
std::uint64_t StridedWords(std::uint64_t seed, std::uint64_t g0, std::uint64_t step, std::uint64_t n,
                           std::uint64_t* out, std::uint64_t* partner) {
  const DU du;
  return strided_groups(seed, g0, step, n, [&](std::uint64_t t, const OddLanes& odd, const Words& a, const Words& b) HWY_ATTR {
    DAGGER_UNROLL
    for (int u = 0; u < kWordUnroll; ++u) {
      const std::uint64_t at = t + u * hn::Lanes(du);
      hn::StoreU(hn::IfThenElse(odd[u], b[u], a[u]), du, out + at);
      if (partner) hn::StoreU(hn::IfThenElse(odd[u], a[u], b[u]), du, partner + at);
    }
  });
}

std::uint64_t StridedUniforms(std::uint64_t seed, std::uint64_t g0, std::uint64_t step, std::uint64_t n, double* out,
                              double* partner) {
  const DU du;
  const DF df;
  return strided_groups(seed, g0, step, n, [&](std::uint64_t t, const OddLanes& odd, const Words& a, const Words& b) HWY_ATTR {
    DAGGER_UNROLL
    for (int u = 0; u < kWordUnroll; ++u) {
      const std::uint64_t at = t + u * hn::Lanes(du);
      hn::StoreU(unit_double(df, hn::IfThenElse(odd[u], b[u], a[u])), df, out + at);
      if (partner) hn::StoreU(unit_double(df, hn::IfThenElse(odd[u], a[u], b[u])), df, partner + at);
    }
  });
}

// Box-Muller on each lane's draw, keeping the cosine side for an even
// element and the sine side for an odd one, as normal_double does.
std::uint64_t StridedNormals(std::uint64_t seed, std::uint64_t g0, std::uint64_t step, std::uint64_t n, double* out,
                             double* partner) {
  const DU du;
  const DF df;
  return strided_groups(seed, g0, step, n, [&](std::uint64_t t, const OddLanes& odd, const Words& a, const Words& b) HWY_ATTR {
    for (int u = 0; u < kWordUnroll; ++u) {
      const VF u1 = hn::Sub(hn::Set(df, 1.0), unit_double(df, a[u]));
      const VF radius = hn::Sqrt(hn::Mul(hn::Set(df, -2.0), log_unit(df, u1)));
      VF sin_v, cos_v;
      sincos_turn(df, unit_double(df, b[u]), sin_v, cos_v);
      const auto odd_f = hn::RebindMask(df, odd[u]);
      const std::uint64_t at = t + u * hn::Lanes(du);
      hn::StoreU(hn::Mul(radius, hn::IfThenElse(odd_f, sin_v, cos_v)), df, out + at);
      if (partner) hn::StoreU(hn::Mul(radius, hn::IfThenElse(odd_f, cos_v, sin_v)), df, partner + at);
    }
  });
}

#endif  // HWY_TARGET == HWY_SCALAR

const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace dagger::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace dagger::kernels {
namespace rnd = ::dagger::kernels::random;

HWY_EXPORT(WordPairs);
HWY_EXPORT(UniformPairs);
HWY_EXPORT(NormalPairs);
HWY_EXPORT(StridedWords);
HWY_EXPORT(StridedUniforms);
HWY_EXPORT(StridedNormals);
HWY_EXPORT(TargetName);

namespace {

// Elements [first, first + n): the whole pairs inside go to `pairs` (which
// writes the ones that fill its vectors), everything else to `scalar`.
template <class T, class Pairs, class Scalar>
void fill_range(std::uint64_t first, std::int64_t n, T* out, Pairs pairs, Scalar scalar) {
  std::int64_t i = 0;
  if (n > 0 && (first & 1u)) out[i++] = scalar(first);
  const std::uint64_t whole = static_cast<std::uint64_t>(n - i) / 2;
  const std::int64_t done = 2 * static_cast<std::int64_t>(pairs((first + static_cast<std::uint64_t>(i)) / 2, whole, out + i));
  for (i += done; i < n; ++i) out[i] = scalar(first + static_cast<std::uint64_t>(i));
}

// Narrow types go through 64-bit words or doubles in stack-sized pieces.
constexpr std::int64_t kPiece = 1024;

// fill(done, m, wide) writes the range's elements done ... done + m - 1.
template <class T, class Wide, class Fill, class Convert>
void fill_through(std::int64_t n, T* out, Fill fill, Convert convert) {
  Wide wide[kPiece];
  for (std::int64_t done = 0; done < n; done += kPiece) {
    const std::int64_t m = std::min(kPiece, n - done);
    fill(done, m, wide);
    for (std::int64_t i = 0; i < m; ++i) out[done + i] = convert(wide[i]);
  }
}

// The k-th element's array index, for pieces of a strided range.
std::uint64_t index_of(std::uint64_t first, std::uint64_t step, std::int64_t k) {
  return first + static_cast<std::uint64_t>(k) * step;
}

// Elements first, first + step, ... (and with `partner` the draws' other
// halves): the whole vector groups by the dispatched `vector` fill, the
// rest by the scalar definition.
template <class T>
using StridedVector = std::uint64_t (*)(std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t, T*, T*);
template <class T>
using ScalarElement = T (*)(std::uint64_t, std::uint64_t);

template <class T>
void fill_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, T* out, T* partner,
                  StridedVector<T> vector, ScalarElement<T> scalar) {
  const auto done = static_cast<std::int64_t>(vector(seed, first, step, static_cast<std::uint64_t>(n), out, partner));
  for (std::int64_t i = done; i < n; ++i) {
    const std::uint64_t g = index_of(first, step, i);
    out[i] = scalar(seed, g);
    if (partner) partner[i] = scalar(seed, g ^ 1u);
  }
}

// Words of the elements first + k step, k in [0, n), for any word-based type.
void fill_words_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, std::uint64_t* out) {
  fill_strided<std::uint64_t>(seed, first, step, n, out, nullptr, HWY_DYNAMIC_DISPATCH(StridedWords), rnd::word_at);
}

void fill_words(std::uint64_t seed, std::uint64_t first, std::int64_t n, std::uint64_t* out) {
  fill_range(first, n, out,
             [seed](std::uint64_t j0, std::uint64_t pairs, std::uint64_t* o) {
               return HWY_DYNAMIC_DISPATCH(WordPairs)(seed, j0, pairs, o);
             },
             [seed](std::uint64_t g) { return rnd::word_at(seed, g); });
}

}  // namespace

void fill_uniform(std::uint64_t seed, std::uint64_t first, std::int64_t n, double* out) {
  fill_range(first, n, out,
             [seed](std::uint64_t j0, std::uint64_t pairs, double* o) {
               return HWY_DYNAMIC_DISPATCH(UniformPairs)(seed, j0, pairs, o);
             },
             [seed](std::uint64_t g) { return rnd::uniform_double(seed, g); });
}

void fill_normal(std::uint64_t seed, std::uint64_t first, std::int64_t n, double* out) {
  fill_range(first, n, out,
             [seed](std::uint64_t j0, std::uint64_t pairs, double* o) {
               return HWY_DYNAMIC_DISPATCH(NormalPairs)(seed, j0, pairs, o);
             },
             [seed](std::uint64_t g) { return rnd::normal_double(seed, g); });
}

void fill_uniform(std::uint64_t seed, std::uint64_t first, std::int64_t n, float* out) {
  fill_through<float, std::uint64_t>(
      n, out, [=](std::int64_t done, std::int64_t m, std::uint64_t* w) { fill_words(seed, index_of(first, 1, done), m, w); },
      [](std::uint64_t w) { return rnd::unit_float(w); });
}

template <class I>
void fill_integers(std::uint64_t seed, std::uint64_t first, std::int64_t n, I* out) {
  fill_through<I, std::uint64_t>(
      n, out, [=](std::int64_t done, std::int64_t m, std::uint64_t* w) { fill_words(seed, index_of(first, 1, done), m, w); },
      [](std::uint64_t w) { return rnd::integer_of_word<I>(w); });
}

#define DAGGER_FILL_INTEGERS(e, I, ...) \
  void fill_uniform(std::uint64_t seed, std::uint64_t first, std::int64_t n, I* out) { fill_integers(seed, first, n, out); }
DAGGER_INTEGER_TYPES(DAGGER_FILL_INTEGERS)
#undef DAGGER_FILL_INTEGERS

void fill_uniform(std::uint64_t seed, std::uint64_t first, std::int64_t n, bool* out) {
  fill_through<bool, std::uint64_t>(
      n, out, [=](std::int64_t done, std::int64_t m, std::uint64_t* w) { fill_words(seed, index_of(first, 1, done), m, w); },
      [](std::uint64_t w) { return (w >> 63) != 0; });
}

void fill_normal(std::uint64_t seed, std::uint64_t first, std::int64_t n, float* out) {
  fill_through<float, double>(
      n, out, [=](std::int64_t done, std::int64_t m, double* w) { fill_normal(seed, index_of(first, 1, done), m, w); },
      [](double x) { return static_cast<float>(x); });
}

// ---- strided ranges

void fill_uniform_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, double* out,
                          double* partner) {
  fill_strided<double>(seed, first, step, n, out, partner, HWY_DYNAMIC_DISPATCH(StridedUniforms), rnd::uniform_double);
}

void fill_normal_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, double* out,
                         double* partner) {
  fill_strided<double>(seed, first, step, n, out, partner, HWY_DYNAMIC_DISPATCH(StridedNormals), rnd::normal_double);
}

void fill_normal_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, float* out) {
  fill_through<float, double>(
      n, out,
      [=](std::int64_t done, std::int64_t m, double* w) { fill_normal_strided(seed, index_of(first, step, done), step, m, w); },
      [](double x) { return static_cast<float>(x); });
}

template <class T, class Convert>
void fill_from_words_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, T* out,
                             Convert convert) {
  fill_through<T, std::uint64_t>(
      n, out,
      [=](std::int64_t done, std::int64_t m, std::uint64_t* w) {
        fill_words_strided(seed, index_of(first, step, done), step, m, w);
      },
      convert);
}

void fill_uniform_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, float* out) {
  fill_from_words_strided(seed, first, step, n, out, [](std::uint64_t w) { return rnd::unit_float(w); });
}

void fill_uniform_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, bool* out) {
  fill_from_words_strided(seed, first, step, n, out, [](std::uint64_t w) { return (w >> 63) != 0; });
}

#define DAGGER_FILL_INTEGERS(e, I, ...)                                                                         \
  void fill_uniform_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, I* out) { \
    fill_from_words_strided(seed, first, step, n, out, [](std::uint64_t w) { return rnd::integer_of_word<I>(w); }); \
  }
DAGGER_INTEGER_TYPES(DAGGER_FILL_INTEGERS)
#undef DAGGER_FILL_INTEGERS

const char* random_fill_target() { return HWY_DYNAMIC_DISPATCH(TargetName)(); }

}  // namespace dagger::kernels
#endif  // HWY_ONCE
