// The random numbers of rand and randn, as one scalar definition that host
// loops, SIMD loops (kernels/cpu/random_fill.cpp), GPU kernels and the
// element-program interpreter all follow bit for bit.
//
// A value is a pure function of (seed, element index): element g of an
// array is made from Philox4x32-10 (Salmon et al., "Parallel random numbers:
// as easy as 1, 2, 3", SC'11) keyed with the seed, at counter g / 2. One
// counter gives 128 bits: two 64-bit words, one per element of the pair
// (2j, 2j + 1). Normals use both words of the pair for one Box-Muller step,
// whose cosine is element 2j and whose sine is element 2j + 1.
//
// Only IEEE operations with one rounding each (add, subtract, multiply,
// divide, square root) and exact bit manipulations are used, never a fused
// multiply-add or a library log/sin/cos, so every compiler and instruction
// set computes the same bits. (Files using these functions are compiled
// without floating-point contraction: ISO C++ mode for g++, -fmad=false for
// nvcc.)
#pragma once

#include <cstdint>
#include <cstring>

#include "dagger/kernels/element_functions.hpp"

namespace dagger::kernels::random {

// Philox4x32's multipliers and Weyl key increments.
inline constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u;
inline constexpr std::uint32_t kPhiloxM1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u;
inline constexpr std::uint32_t kPhiloxW1 = 0xBB67AE85u;
inline constexpr int kPhiloxRounds = 10;

// The two 64-bit words of counter j under key `seed`.
struct Words {
  std::uint64_t first, second;
};

DAGGER_HD inline Words philox(std::uint64_t seed, std::uint64_t j) {
  std::uint32_t c0 = static_cast<std::uint32_t>(j), c1 = static_cast<std::uint32_t>(j >> 32), c2 = 0, c3 = 0;
  std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int round = 0; round < kPhiloxRounds; ++round) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(kPhiloxM0) * c0;
    const std::uint64_t p1 = static_cast<std::uint64_t>(kPhiloxM1) * c2;
    const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
    const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
    c1 = static_cast<std::uint32_t>(p1);
    c3 = static_cast<std::uint32_t>(p0);
    c0 = n0;
    c2 = n2;
    k0 += kPhiloxW0;
    k1 += kPhiloxW1;
  }
  return {c0 | (static_cast<std::uint64_t>(c1) << 32), c2 | (static_cast<std::uint64_t>(c3) << 32)};
}

DAGGER_HD inline double bits_to_double(std::uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}
DAGGER_HD inline std::uint64_t double_to_bits(double d) {
  std::uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}
DAGGER_HD inline float bits_to_float(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Uniform in [0, 1) from the top 52 bits: 1.m - 1 is exact.
inline constexpr std::uint64_t kOneBits = 0x3FF0000000000000ull;
DAGGER_HD inline double unit_double(std::uint64_t word) { return bits_to_double((word >> 12) | kOneBits) - 1.0; }
// Uniform in [0, 1) from the top 23 bits.
DAGGER_HD inline float unit_float(std::uint64_t word) {
  return bits_to_float(static_cast<std::uint32_t>(word >> 41) | 0x3F800000u) - 1.0f;
}

// ---- polynomials, in Estrin's order: a few independent multiply-adds per
// level instead of one long chain (Horner's), so SIMD lanes do not wait on
// latency. kernels/cpu/random_fill.cpp mirrors this order on vectors.

// c[0] + c[1] x + ... + c[N-1] x^(N-1) for N = 10 or 11.
template <int N>
DAGGER_HD double estrin(const double (&c)[N], double x) {
  static_assert(N == 10 || N == 11, "written out for the series below");
  const double x2 = x * x, x4 = x2 * x2, x8 = x4 * x4;
  auto pair = [&](int k) { return c[k] + c[k + 1] * x; };
  const double r0 = pair(0) + pair(2) * x2;
  const double r1 = pair(4) + pair(6) * x2;
  double r2 = pair(8);
  if constexpr (N == 11) r2 = r2 + c[10] * x2;
  return (r0 + r1 * x4) + r2 * x8;
}

// ---- log(x) for x in (0, 1]: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
// log(m) = 2 atanh(s) with s = (m - 1) / (m + 1), |s| < 0.172: an odd
// series in s, truncated where its terms fall below 2^-60 of the result.

inline constexpr double kLn2High = 6.93147180369123816490e-01;  // trailing bits zero: e * kLn2High is exact
inline constexpr double kLn2Low = 1.90821492927058770002e-10;
inline constexpr double kSqrt2 = 1.4142135623730951;
// 1/3, 1/5, ..., 1/23: the series of atanh(s)/s - 1 in s^2. (Macros, not
// arrays: a namespace-scope array is not visible to device code.)
#define DAGGER_ATANH_SERIES 0.3333333333333333, 0.2, 0.14285714285714285, 0.1111111111111111, 0.09090909090909091, 0.07692307692307693, 0.06666666666666667, 0.058823529411764705, 0.05263157894736842, 0.047619047619047616, 0.043478260869565216

// 2^52 as a double: (2^52 + k) - 2^52 turns a small integer's bits into its value.
inline constexpr std::uint64_t kTwo52Bits = 0x4330000000000000ull;
inline constexpr double kTwo52 = 4503599627370496.0;

DAGGER_HD inline double log_unit(double x) {
  const std::uint64_t bits = double_to_bits(x);
  // The biased exponent as a double (x is a normal number here: x >= 2^-52).
  double e = bits_to_double((bits >> 52) | kTwo52Bits) - kTwo52 - 1023.0;
  double m = bits_to_double((bits & 0x000FFFFFFFFFFFFFull) | kOneBits);  // in [1, 2)
  if (m > kSqrt2) {
    m = m * 0.5;
    e = e + 1.0;
  }
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  constexpr double series[11] = {DAGGER_ATANH_SERIES};
  const double p = estrin(series, z);
  const double two_s = s + s;
  const double log_m = two_s + two_s * (z * p);
  return e * kLn2High + (log_m + e * kLn2Low);
}

// ---- sin and cos of 2 pi u for u in [0, 1). 4u = k + r with an integer k
// and r in [-1/2, 1/2] (both exact), so the angle is (k + r) pi / 2 and only
// sin and cos of r pi / 2, |r pi / 2| <= pi / 4, need series: Taylor's,
// truncated below 2^-60.

// (-1)^n (pi/2)^(2n+1) / (2n+1)! and (-1)^n (pi/2)^(2n) / (2n)!.
#define DAGGER_SIN_SERIES 1.5707963267948966, -0.6459640975062463, 0.07969262624616705, -0.004681754135318688, 0.00016044118478735983, -3.598843235212085e-06, 5.692172921967927e-08, -6.688035109811468e-10, 6.0669357311061955e-12, -4.377065467313742e-14
#define DAGGER_COS_SERIES 1.0, -1.2337005501361697, 0.25366950790104803, -0.02086348076335296, 0.0009192602748394266, -2.5202042373060607e-05, 4.710874778818172e-07, -6.386603083791852e-09, 6.565963114979473e-11, -5.294400200734623e-13

struct SinCos {
  double sin, cos;
};

DAGGER_HD inline SinCos sincos_turn(double u) {
  const double y = 4.0 * u;
  // floor(y + 1/2): adding 2^52 rounds to an integer (to nearest even at
  // exact halves, which only moves r from +1/2 to -1/2: the same angle).
  const double k = (y + kTwo52) - kTwo52;
  const double r = y - k;  // exact, in [-1/2, 1/2]
  const double r2 = r * r;
  constexpr double sin_series[10] = {DAGGER_SIN_SERIES}, cos_series[10] = {DAGGER_COS_SERIES};
  const double s = r * estrin(sin_series, r2), c = estrin(cos_series, r2);
  // The quarter turns: k is 0..4, and k = 4 is a whole turn (as k = 0).
  const std::uint64_t quarter = static_cast<std::uint64_t>(k) & 3u;
  switch (quarter) {
    case 0: return {s, c};
    case 1: return {c, -s};
    case 2: return {-s, -c};
    default: return {-c, s};
  }
}

// The pair of standard normals of counter j: Box-Muller on its two words.
struct NormalPair {
  double even, odd;
};
DAGGER_HD inline NormalPair normal_pair(std::uint64_t seed, std::uint64_t j) {
  const Words w = philox(seed, j);
  const double u1 = 1.0 - unit_double(w.first);  // in (0, 1]: log is finite
  const double radius = std::sqrt(-2.0 * log_unit(u1));
  const SinCos sc = sincos_turn(unit_double(w.second));
  return {radius * sc.cos, radius * sc.sin};
}

// ---- element g of each kind of random array.

DAGGER_HD inline std::uint64_t word_at(std::uint64_t seed, std::uint64_t g) {
  const Words w = philox(seed, g >> 1);
  return (g & 1u) ? w.second : w.first;
}
DAGGER_HD inline double uniform_double(std::uint64_t seed, std::uint64_t g) { return unit_double(word_at(seed, g)); }
DAGGER_HD inline float uniform_float(std::uint64_t seed, std::uint64_t g) { return unit_float(word_at(seed, g)); }
// Any value of the integer type, each as likely: the word's high bits.
template <class I>
DAGGER_HD I integer_of_word(std::uint64_t word) {
  return static_cast<I>(word >> (64 - 8 * sizeof(I)));
}
template <class I>
DAGGER_HD I uniform_integer(std::uint64_t seed, std::uint64_t g) {
  return integer_of_word<I>(word_at(seed, g));
}
DAGGER_HD inline std::int64_t uniform_int64(std::uint64_t seed, std::uint64_t g) {
  return uniform_integer<std::int64_t>(seed, g);
}
DAGGER_HD inline bool uniform_bool(std::uint64_t seed, std::uint64_t g) { return (word_at(seed, g) >> 63) != 0; }
DAGGER_HD inline double normal_double(std::uint64_t seed, std::uint64_t g) {
  const NormalPair p = normal_pair(seed, g >> 1);
  return (g & 1u) ? p.odd : p.even;
}
// Single precision normals are the double ones, rounded.
DAGGER_HD inline float normal_float(std::uint64_t seed, std::uint64_t g) {
  return static_cast<float>(normal_double(seed, g));
}

}  // namespace dagger::kernels::random
