// Element-wise operations on DArrays: map, the unary functions, binary
// operations between arrays and with scalars. Each returns a lazy array whose
// kernel extends its input's kernel, so chains fuse into one thunk per block.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "dagger/array/darray.hpp"
#include "dagger/kernels/element_functions.hpp"

namespace dagger {

namespace detail {

[[noreturn]] void throw_shape_mismatch(const char* operation, const Layout& a, const Layout& b);
[[noreturn]] void throw_unsupported(const char* operation, DType dtype);

// The element type an operation's C++ result maps to (int, long -> int64).
template <class X>
using element_t = std::conditional_t<
    std::is_same_v<X, bool>, bool,
    std::conditional_t<std::is_integral_v<X>, std::int64_t, std::conditional_t<std::is_same_v<X, float>, float, double>>>;

// Division keeps floating types (float/float is float) and gives double
// for integers, as Julia does.
template <class A, class B>
using quotient_t = std::conditional_t<std::is_floating_point_v<A> || std::is_floating_point_v<B>,
                                      std::common_type_t<A, B>, double>;

// The sources and kernel of an array seen element-wise.
struct Elementwise {
  std::vector<ArrayPtr> sources;
  TileKernel kernel;  // empty: the single source's elements, as they are
};

inline Elementwise as_elementwise(const ArrayPtr& a) {
  if (a->lazy()) return {a->sources, a->kernel};
  return {{a}, nullptr};
}

// n elements computed by `kernel` into tmp, or, without a kernel, the
// single source's own elements.
template <class U>
const U* tile_values(const TileKernel& kernel, const std::byte* const* inputs, std::int64_t n, U* tmp) {
  if (!kernel) return reinterpret_cast<const U*>(inputs[0]);
  kernel(inputs, reinterpret_cast<std::byte*>(tmp), n);
  return tmp;
}

template <class R, class U, class F>
ArrayPtr map_array(const ArrayPtr& a, F f) {
  Elementwise e = as_elementwise(a);
  TileKernel kernel = [inner = e.kernel, f](const std::byte* const* in, std::byte* out, std::int64_t n) {
    U tmp[kTile];
    const U* x = tile_values<U>(inner, in, n, tmp);
    R* o = reinterpret_cast<R*>(out);
    for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<R>(f(x[i]));
  };
  return make_lazy(a->layout, dtype_of<R>(), e.sources, std::move(kernel));
}

template <class R, class A, class B, class F>
ArrayPtr zip_arrays(const char* operation, const ArrayPtr& a, ArrayPtr b, F f) {
  if (a->layout.shape() != b->layout.shape()) throw_shape_mismatch(operation, a->layout, b->layout);
  if (!a->layout.same_blocking(b->layout)) b = rechunk(b, a->layout.blocks());
  Elementwise ea = as_elementwise(a);
  Elementwise eb = as_elementwise(b);
  const std::size_t left_sources = ea.sources.size();
  std::vector<ArrayPtr> sources = ea.sources;
  sources.insert(sources.end(), eb.sources.begin(), eb.sources.end());
  TileKernel kernel = [ka = ea.kernel, kb = eb.kernel, left_sources, f](const std::byte* const* in,
                                                                        std::byte* out, std::int64_t n) {
    A ta[kTile];
    B tb[kTile];
    const A* x = tile_values<A>(ka, in, n, ta);
    const B* y = tile_values<B>(kb, in + left_sources, n, tb);
    R* o = reinterpret_cast<R*>(out);
    for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<R>(f(x[i], y[i]));
  };
  return make_lazy(a->layout, dtype_of<R>(), std::move(sources), std::move(kernel));
}

}  // namespace detail

// map(f, a): f applied to every element; the element type of the result is
// what f returns (int and long become int64).
template <class F, class T>
auto map(F f, const DArray<T>& a) {
  using R = detail::element_t<std::invoke_result_t<F&, T>>;
  return DArray<R>(detail::map_array<R, T>(a.impl(), std::move(f)));
}

// ---- unary functions. On integer or bool arrays they compute in double.

#define DAGGER_UNARY(name, expr)                                                       \
  template <class T>                                                                   \
  auto name(const DArray<T>& a) {                                                      \
    using F = std::conditional_t<std::is_floating_point_v<T>, T, double>;              \
    return map([](T v) { F x = static_cast<F>(v); return static_cast<F>(expr); }, a); \
  }

DAGGER_UNARY(exp, std::exp(x))
DAGGER_UNARY(expm1, std::expm1(x))
DAGGER_UNARY(log, std::log(x))
DAGGER_UNARY(log10, std::log10(x))
DAGGER_UNARY(log1p, std::log1p(x))
DAGGER_UNARY(sqrt, std::sqrt(x))
DAGGER_UNARY(cbrt, std::cbrt(x))
DAGGER_UNARY(exponent, kernels::exponent(x))
DAGGER_UNARY(significand, kernels::significand(x))
DAGGER_UNARY(sin, std::sin(x))
DAGGER_UNARY(sinpi, kernels::sinpi(x))
DAGGER_UNARY(cos, std::cos(x))
DAGGER_UNARY(cospi, kernels::cospi(x))
DAGGER_UNARY(tan, std::tan(x))
DAGGER_UNARY(sec, kernels::sec(x))
DAGGER_UNARY(cot, kernels::cot(x))
DAGGER_UNARY(csc, kernels::csc(x))
DAGGER_UNARY(sinh, std::sinh(x))
DAGGER_UNARY(cosh, std::cosh(x))
DAGGER_UNARY(tanh, std::tanh(x))
DAGGER_UNARY(coth, kernels::coth(x))
DAGGER_UNARY(sech, kernels::sech(x))
DAGGER_UNARY(csch, kernels::csch(x))
DAGGER_UNARY(asin, std::asin(x))
DAGGER_UNARY(acos, std::acos(x))
DAGGER_UNARY(atan, std::atan(x))
DAGGER_UNARY(acot, kernels::acot(x))
DAGGER_UNARY(asec, kernels::asec(x))
DAGGER_UNARY(acsc, kernels::acsc(x))
DAGGER_UNARY(asinh, std::asinh(x))
DAGGER_UNARY(acosh, std::acosh(x))
DAGGER_UNARY(atanh, std::atanh(x))
DAGGER_UNARY(acoth, kernels::acoth(x))
DAGGER_UNARY(asech, kernels::asech(x))
DAGGER_UNARY(acsch, kernels::acsch(x))
DAGGER_UNARY(sinc, kernels::sinc(x))
DAGGER_UNARY(cosc, kernels::cosc(x))
#undef DAGGER_UNARY

template <class T>
DArray<T> operator-(const DArray<T>& a) {
  static_assert(!std::is_same_v<T, bool>, "negation of a bool array");
  return map([](T x) { return static_cast<T>(-x); }, a);
}
template <class T>
DArray<T> negation(const DArray<T>& a) {
  return -a;
}
template <class T>
DArray<T> square(const DArray<T>& a) {
  return map([](T x) { return static_cast<T>(x * x); }, a);
}

// ---- binary operations: array∘array (re-blocking b to a's blocks when they
// differ) and array∘scalar both ways.

namespace detail {

template <class A, class B, class F>
auto zip(const char* operation, const DArray<A>& a, const DArray<B>& b, F f) {
  using R = element_t<std::invoke_result_t<F&, A, B>>;
  return DArray<R>(zip_arrays<R, A, B>(operation, a.impl(), b.impl(), std::move(f)));
}
template <class A, class S, class F>
auto with_scalar(const DArray<A>& a, S s, F f) {
  return map([s, f](A x) { return f(x, s); }, a);
}
template <class S, class B, class F>
auto scalar_with(S s, const DArray<B>& b, F f) {
  return map([s, f](B x) { return f(s, x); }, b);
}

template <class T>
constexpr bool is_array_v = false;
template <class T>
constexpr bool is_array_v<DArray<T>> = true;
template <class S>
concept Scalar = std::is_arithmetic_v<S>;

}  // namespace detail

// Defines name(a, b) for array∘array, array∘scalar and scalar∘array.
#define DAGGER_BINARY(name, label, requirement, ...)                                           \
  template <class A, class B>                                                                  \
    requires(requirement)                                                                      \
  auto name(const DArray<A>& a, const DArray<B>& b) {                                          \
    return detail::zip(label, a, b, [](A x, B y) { return __VA_ARGS__; });                     \
  }                                                                                            \
  template <class A, detail::Scalar B>                                                         \
    requires(requirement)                                                                      \
  auto name(const DArray<A>& a, B s) {                                                         \
    return detail::with_scalar(a, s, [](A x, B y) { return __VA_ARGS__; });                    \
  }                                                                                            \
  template <detail::Scalar A, class B>                                                         \
    requires(requirement)                                                                      \
  auto name(A s, const DArray<B>& b) {                                                         \
    return detail::scalar_with(s, b, [](A x, B y) { return __VA_ARGS__; });                    \
  }

#define DAGGER_ANY true
#define DAGGER_INTEGRAL (std::is_integral_v<A> && std::is_integral_v<B>)

DAGGER_BINARY(plus, "+", DAGGER_ANY, x + y)
DAGGER_BINARY(minus, "-", DAGGER_ANY, x - y)
DAGGER_BINARY(times, "times", DAGGER_ANY, x * y)
DAGGER_BINARY(divide, "/", DAGGER_ANY,
              static_cast<detail::quotient_t<A, B>>(x) / static_cast<detail::quotient_t<A, B>>(y))
DAGGER_BINARY(rem, "%", DAGGER_ANY, kernels::rem<std::common_type_t<A, B>>(x, y))
DAGGER_BINARY(pow, "pow", DAGGER_ANY, kernels::power(x, y))
DAGGER_BINARY(left_divide, "left division", DAGGER_ANY,
              static_cast<detail::quotient_t<A, B>>(y) / static_cast<detail::quotient_t<A, B>>(x))
DAGGER_BINARY(int_div, "integer division", DAGGER_ANY, kernels::int_div<std::common_type_t<A, B>>(x, y))
DAGGER_BINARY(bit_xor, "xor", DAGGER_INTEGRAL, x ^ y)
DAGGER_BINARY(bit_and, "&", DAGGER_INTEGRAL, x & y)
DAGGER_BINARY(bit_or, "|", DAGGER_INTEGRAL, x | y)
DAGGER_BINARY(shift_left, "<<", DAGGER_INTEGRAL, x << y)
DAGGER_BINARY(shift_right, ">>", DAGGER_INTEGRAL, x >> y)
DAGGER_BINARY(equal, "==", DAGGER_ANY, x == y)
DAGGER_BINARY(not_equal, "!=", DAGGER_ANY, x != y)
DAGGER_BINARY(less, "<", DAGGER_ANY, x < y)
DAGGER_BINARY(less_equal, "<=", DAGGER_ANY, x <= y)
DAGGER_BINARY(greater, ">", DAGGER_ANY, x > y)
DAGGER_BINARY(greater_equal, ">=", DAGGER_ANY, x >= y)
#undef DAGGER_BINARY
#undef DAGGER_ANY
#undef DAGGER_INTEGRAL

// Operators. `*` between two arrays is the matrix product (linalg.hpp);
// the element-wise product is `times`, the power `pow`.
#define DAGGER_OPERATOR(op, name)                                                    \
  template <class A, class B>                                                       \
    requires(detail::is_array_v<A> || detail::is_array_v<B>)                        \
  auto operator op(const A& a, const B& b)->decltype(name(a, b)) {                  \
    return name(a, b);                                                               \
  }
DAGGER_OPERATOR(+, plus)
DAGGER_OPERATOR(-, minus)
DAGGER_OPERATOR(/, divide)
DAGGER_OPERATOR(%, rem)
DAGGER_OPERATOR(^, bit_xor)
DAGGER_OPERATOR(&, bit_and)
DAGGER_OPERATOR(|, bit_or)
DAGGER_OPERATOR(<<, shift_left)
DAGGER_OPERATOR(>>, shift_right)
DAGGER_OPERATOR(==, equal)
DAGGER_OPERATOR(!=, not_equal)
DAGGER_OPERATOR(<, less)
DAGGER_OPERATOR(<=, less_equal)
DAGGER_OPERATOR(>, greater)
DAGGER_OPERATOR(>=, greater_equal)
#undef DAGGER_OPERATOR

// Array times scalar scales; array times array is matmul (linalg.hpp).
template <class A, detail::Scalar S>
auto operator*(const DArray<A>& a, S s) {
  return times(a, s);
}
template <detail::Scalar S, class B>
auto operator*(S s, const DArray<B>& b) {
  return times(s, b);
}

}  // namespace dagger
