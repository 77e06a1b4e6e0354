// Scalar element functions of the array library. Written once for host and
// device: with CUDA they are __host__ __device__, so the CPU tests check the
// very code a GPU kernel would call.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#if defined(__CUDACC__)
#define DAGGER_HD __host__ __device__
// Large functions that every kernel calls are compiled once, not inlined into
// each kernel (keeps nvcc's compile time and code size down).
#define DAGGER_HD_OUTLINE __host__ __device__ __noinline__ inline
#else
#define DAGGER_HD
#define DAGGER_HD_OUTLINE inline
#endif

namespace dagger::kernels {

inline constexpr double kPi = 3.14159265358979323846;

template <class T>
DAGGER_HD T sinpi(T x) {
  // Exact at integers and half-integers, like Julia's sinpi.
  T r = std::fmod(x, T(2));
  if (r == std::floor(r)) return T(0) * x;
  if (std::fabs(r) == T(0.5) || std::fabs(r) == T(1.5)) return (r == T(0.5) || r == T(-1.5)) ? T(1) : T(-1);
  return std::sin(T(kPi) * r);
}
template <class T>
DAGGER_HD T cospi(T x) {
  T r = std::fabs(std::fmod(x, T(2)));
  if (r == T(0.5) || r == T(1.5)) return T(0);
  if (r == T(0)) return T(1);
  if (r == T(1)) return T(-1);
  return std::cos(T(kPi) * r);
}
template <class T> DAGGER_HD T sec(T x) { return T(1) / std::cos(x); }
template <class T> DAGGER_HD T csc(T x) { return T(1) / std::sin(x); }
template <class T> DAGGER_HD T cot(T x) { return T(1) / std::tan(x); }
template <class T> DAGGER_HD T sech(T x) { return T(1) / std::cosh(x); }
template <class T> DAGGER_HD T csch(T x) { return T(1) / std::sinh(x); }
template <class T> DAGGER_HD T coth(T x) { return T(1) / std::tanh(x); }
template <class T> DAGGER_HD T acot(T x) { return std::atan(T(1) / x); }
template <class T> DAGGER_HD T asec(T x) { return std::acos(T(1) / x); }
template <class T> DAGGER_HD T acsc(T x) { return std::asin(T(1) / x); }
template <class T> DAGGER_HD T acoth(T x) { return std::atanh(T(1) / x); }
template <class T> DAGGER_HD T asech(T x) { return std::acosh(T(1) / x); }
template <class T> DAGGER_HD T acsch(T x) { return std::asinh(T(1) / x); }
// sin(πx)/(πx), 1 at 0 (Julia's sinc).
template <class T>
DAGGER_HD T sinc(T x) {
  if (x == T(0)) return T(1);
  return sinpi(x) / (T(kPi) * x);
}
// The derivative of sinc: (cos(πx) - sinc(x)) / x, 0 at 0 (Julia's cosc).
template <class T>
DAGGER_HD T cosc(T x) {
  if (x == T(0)) return T(0);
  return (cospi(x) - sinc(x)) / x;
}
// The binary exponent: x = significand(x) * 2^exponent(x), 1 <= |significand| < 2.
template <class T>
DAGGER_HD T exponent(T x) {
  return static_cast<T>(std::ilogb(x));
}
template <class T>
DAGGER_HD T significand(T x) {
  if (x == T(0) || !std::isfinite(x)) return x;
  return std::scalbn(x, -std::ilogb(x));
}

// x^n for an integer n by repeated squaring: pow(x, 2) costs a multiply,
// not a call to std::pow.
template <class T, class I>
DAGGER_HD T integer_power(T x, I n) {
  if (n == 2) return x * x;  // the common case, without the loop
  if (n < 0) return T(1) / integer_power(x, -n);
  T result = T(1);
  while (n > 0) {
    if (n & 1) result *= x;
    x *= x;
    n >>= 1;
  }
  return result;
}

template <class A, class B>
DAGGER_HD auto power(A x, B y) {
  if constexpr (std::numeric_limits<B>::is_integer && !std::numeric_limits<A>::is_integer) {
    return integer_power(x, static_cast<std::int64_t>(y));  // bool exponents too
  } else {
    return std::pow(x, y);
  }
}

// ---- integer arithmetic that wraps around, as in Julia and numpy, and keeps
// its operands' type: int8 + int8 is int8, not C++'s int. Signed overflow is
// undefined in C++, so signed values add in the unsigned type of their
// width (at least unsigned int, so uint16 * uint16 cannot overflow an int).
// Two bools compute as int64; operands of other types (floating, or two
// different types) as C++ computes them.

template <class T>
constexpr bool wraps_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;
template <class T>
using wide_unsigned_t = std::make_unsigned_t<std::common_type_t<T, unsigned>>;

template <class A, class B>
DAGGER_HD auto add(A x, B y) {
  if constexpr (std::is_same_v<A, bool> && std::is_same_v<B, bool>) {
    return static_cast<std::int64_t>(x) + static_cast<std::int64_t>(y);  // Julia's true + true == 2
  } else if constexpr (std::is_same_v<A, B> && wraps_v<A>) {
    return static_cast<A>(static_cast<wide_unsigned_t<A>>(x) + static_cast<wide_unsigned_t<A>>(y));
  } else {
    return x + y;
  }
}
template <class A, class B>
DAGGER_HD auto subtract(A x, B y) {
  if constexpr (std::is_same_v<A, bool> && std::is_same_v<B, bool>) {
    return static_cast<std::int64_t>(x) - static_cast<std::int64_t>(y);  // Julia's true + true == 2
  } else if constexpr (std::is_same_v<A, B> && wraps_v<A>) {
    return static_cast<A>(static_cast<wide_unsigned_t<A>>(x) - static_cast<wide_unsigned_t<A>>(y));
  } else {
    return x - y;
  }
}
template <class A, class B>
DAGGER_HD auto multiply(A x, B y) {
  if constexpr (std::is_same_v<A, bool> && std::is_same_v<B, bool>) {
    return static_cast<std::int64_t>(x) * static_cast<std::int64_t>(y);  // Julia's true + true == 2
  } else if constexpr (std::is_same_v<A, B> && wraps_v<A>) {
    return static_cast<A>(static_cast<wide_unsigned_t<A>>(x) * static_cast<wide_unsigned_t<A>>(y));
  } else {
    return x * y;
  }
}
template <class T>
DAGGER_HD T negative(T x) {
  if constexpr (wraps_v<T>) {
    return static_cast<T>(wide_unsigned_t<T>(0) - static_cast<wide_unsigned_t<T>>(x));
  } else {
    return static_cast<T>(-x);
  }
}
// Bitwise operations and shifts of one integer type keep it (bools too).
template <class A, class B>
DAGGER_HD auto bitwise_xor(A x, B y) {
  if constexpr (std::is_same_v<A, B>) return static_cast<A>(x ^ y); else return x ^ y;
}
template <class A, class B>
DAGGER_HD auto bitwise_and(A x, B y) {
  if constexpr (std::is_same_v<A, B>) return static_cast<A>(x & y); else return x & y;
}
template <class A, class B>
DAGGER_HD auto bitwise_or(A x, B y) {
  if constexpr (std::is_same_v<A, B>) return static_cast<A>(x | y); else return x | y;
}
template <class A, class B>
DAGGER_HD auto shifted_left(A x, B y) {
  if constexpr (std::is_same_v<A, B> && wraps_v<A>) {
    return static_cast<A>(static_cast<wide_unsigned_t<A>>(x) << y);
  } else {
    return x << y;
  }
}
template <class A, class B>
DAGGER_HD auto shifted_right(A x, B y) {
  if constexpr (std::is_same_v<A, B> && wraps_v<A>) return static_cast<A>(x >> y); else return x >> y;
}

// Julia's mod-free `%` is rem: the sign follows the dividend.
template <class T>
DAGGER_HD T rem(T a, T b) {
  if constexpr (std::numeric_limits<T>::is_integer) {
    return a % b;
  } else {
    return std::fmod(a, b);
  }
}
// Integer division rounding toward zero (Julia's ÷).
template <class T>
DAGGER_HD T int_div(T a, T b) {
  if constexpr (std::numeric_limits<T>::is_integer) {
    return a / b;
  } else {
    return std::trunc(a / b);
  }
}

}  // namespace dagger::kernels
