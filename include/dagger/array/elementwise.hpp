// Element-wise operations on DArrays: map, the unary functions, binary
// operations between arrays and with scalars. Each returns a lazy array whose
// kernel extends its input's kernel, so chains fuse into one thunk per block.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "dagger/array/darray.hpp"
#include "dagger/kernels/element_functions.hpp"
#include "dagger/kernels/element_program.hpp"

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

// The type a built-in binary operation computes in, for its element
// program: what C++ converts both operands to in the host kernel.
template <class A, class B>
DType binary_compute_dtype(kernels::BinaryOp op) {
  using kernels::BinaryOp;
  switch (op) {
    case BinaryOp::divide:
    case BinaryOp::left_divide: return dtype_of<quotient_t<A, B>>();
    case BinaryOp::rem:
    case BinaryOp::int_div: return dtype_of<element_t<std::common_type_t<A, B>>>();
    case BinaryOp::pow: return dtype_of<element_t<decltype(kernels::power(A{}, B{}))>>();
    default: return dtype_of<element_t<decltype(A{} + B{})>>();
  }
}

// The sources, kernel and program of an array seen element-wise.
struct Elementwise {
  std::vector<ArrayPtr> sources;
  TileKernel kernel;  // empty: the single source's elements, as they are
  ProgramPtr program;
};

inline Elementwise as_elementwise(const ArrayPtr& a) {
  if (a->lazy()) return {a->sources, a->kernel, a->program};
  return {{a}, nullptr, load_program(a->dtype)};
}

// n elements computed by `kernel` into tmp, or, without a kernel, the
// single source's own elements.
template <class U>
const U* tile_values(const TileKernel& kernel, const std::byte* const* inputs, std::int64_t n, const TileAt& at,
                     U* tmp) {
  if (!kernel) return reinterpret_cast<const U*>(inputs[0]);
  kernel(inputs, reinterpret_cast<std::byte*>(tmp), n, at);
  return tmp;
}

// `extend` appends this step to the input's element program; without it
// (a user's lambda) the result has no program.
template <class R, class U, class F, class Extend = std::nullptr_t>
ArrayPtr map_array(const ArrayPtr& a, F f, Extend extend = nullptr) {
  Elementwise e = as_elementwise(a);
  ProgramPtr program;
  if constexpr (!std::is_null_pointer_v<Extend>) program = extend(e.program);
  TileKernel kernel = [inner = e.kernel, f](const std::byte* const* in, std::byte* out, std::int64_t n,
                                            const TileAt& at) {
    U tmp[kTile];
    const U* x = tile_values<U>(inner, in, n, at, tmp);
    R* o = reinterpret_cast<R*>(out);
    for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<R>(f(x[i]));
  };
  return make_lazy(a->layout, dtype_of<R>(), e.sources, std::move(kernel), std::move(program));
}

template <class R, class U, class F>
ArrayPtr map_unary(const ArrayPtr& a, kernels::UnaryOp op, F f) {
  return map_array<R, U>(a, std::move(f), [op](const ProgramPtr& p) {
    return unary_program(p, op, dtype_of<R>(), dtype_of<R>());
  });
}

template <class R, class A, class B, class F>
ArrayPtr zip_arrays(const char* operation, const ArrayPtr& a, ArrayPtr b, F f, kernels::BinaryOp op) {
  if (a->layout.shape() != b->layout.shape()) throw_shape_mismatch(operation, a->layout, b->layout);
  if (!a->layout.same_blocking(b->layout)) b = rechunk(b, a->layout.blocks());
  Elementwise ea = as_elementwise(a);
  Elementwise eb = as_elementwise(b);
  const std::size_t left_sources = ea.sources.size();
  std::vector<ArrayPtr> sources = ea.sources;
  sources.insert(sources.end(), eb.sources.begin(), eb.sources.end());
  TileKernel kernel = [ka = ea.kernel, kb = eb.kernel, left_sources, f](
                          const std::byte* const* in, std::byte* out, std::int64_t n, const TileAt& at) {
    A ta[kTile];
    B tb[kTile];
    const A* x = tile_values<A>(ka, in, n, at, ta);
    const B* y = tile_values<B>(kb, in + left_sources, n, at, tb);
    R* o = reinterpret_cast<R*>(out);
    for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<R>(f(x[i], y[i]));
  };
  ProgramPtr program = binary_program(ea.program, eb.program, op, binary_compute_dtype<A, B>(op), dtype_of<R>());
  return make_lazy(a->layout, dtype_of<R>(), std::move(sources), std::move(kernel), std::move(program));
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

#define DAGGER_UNARY(name, ...)                                                         \
  template <class T>                                                                   \
  auto name(const DArray<T>& a) {                                                      \
    using F = std::conditional_t<std::is_floating_point_v<T>, T, double>;              \
    return DArray<F>(detail::map_unary<F, T>(a.impl(), kernels::UnaryOp::name, [](T v) { \
      F x = static_cast<F>(v);                                                         \
      return static_cast<F>(__VA_ARGS__);                                              \
    }));                                                                               \
  }
DAGGER_UNARY_FUNCTIONS(DAGGER_UNARY)
#undef DAGGER_UNARY

template <class T>
DArray<T> operator-(const DArray<T>& a) {
  static_assert(!std::is_same_v<T, bool>, "negation of a bool array");
  return DArray<T>(detail::map_unary<T, T>(a.impl(), kernels::UnaryOp::negate, [](T x) { return static_cast<T>(-x); }));
}
template <class T>
DArray<T> negation(const DArray<T>& a) {
  return -a;
}
template <class T>
DArray<T> square(const DArray<T>& a) {
  return DArray<T>(detail::map_unary<T, T>(a.impl(), kernels::UnaryOp::square, [](T x) { return static_cast<T>(x * x); }));
}

// ---- binary operations: array∘array (re-blocking b to a's blocks when they
// differ) and array∘scalar both ways.

namespace detail {

template <class A, class B, class F>
auto zip(const char* operation, kernels::BinaryOp op, const DArray<A>& a, const DArray<B>& b, F f) {
  using R = element_t<std::invoke_result_t<F&, A, B>>;
  return DArray<R>(zip_arrays<R, A, B>(operation, a.impl(), b.impl(), std::move(f), op));
}
template <class A, class S, class F>
auto with_scalar(kernels::BinaryOp op, const DArray<A>& a, S s, F f) {
  using R = element_t<std::invoke_result_t<F&, A, S>>;
  return DArray<R>(map_array<R, A>(a.impl(), [s, f](A x) { return f(x, s); }, [op, s](const ProgramPtr& p) {
    return binary_program(p, scalar_program(s), op, binary_compute_dtype<A, element_t<S>>(op), dtype_of<R>());
  }));
}
template <class S, class B, class F>
auto scalar_with(kernels::BinaryOp op, S s, const DArray<B>& b, F f) {
  using R = element_t<std::invoke_result_t<F&, S, B>>;
  return DArray<R>(map_array<R, B>(b.impl(), [s, f](B x) { return f(s, x); }, [op, s](const ProgramPtr& p) {
    return binary_program(scalar_program(s), p, op, binary_compute_dtype<element_t<S>, B>(op), dtype_of<R>());
  }));
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
    return detail::zip(label, kernels::BinaryOp::name, a, b, [](A x, B y) { return __VA_ARGS__; }); \
  }                                                                                            \
  template <class A, detail::Scalar B>                                                         \
    requires(requirement)                                                                      \
  auto name(const DArray<A>& a, B s) {                                                         \
    return detail::with_scalar(kernels::BinaryOp::name, a, s, [](A x, B y) { return __VA_ARGS__; }); \
  }                                                                                            \
  template <detail::Scalar A, class B>                                                         \
    requires(requirement)                                                                      \
  auto name(A s, const DArray<B>& b) {                                                         \
    return detail::scalar_with(kernels::BinaryOp::name, s, b, [](A x, B y) { return __VA_ARGS__; }); \
  }

#define DAGGER_ANY true
#define DAGGER_INTEGRAL (std::is_integral_v<A> && std::is_integral_v<B>)

DAGGER_BINARY(plus, "+", DAGGER_ANY, x + y)
DAGGER_BINARY(minus, "-", DAGGER_ANY, x - y)
DAGGER_BINARY(times, "times", DAGGER_ANY, x * y)
DAGGER_BINARY(divide, "/", DAGGER_ANY,
              static_cast<detail::quotient_t<A, B>>(x) / static_cast<detail::quotient_t<A, B>>(y))
DAGGER_BINARY(rem, "%", DAGGER_ANY, kernels::rem<std::common_type_t<A, B>>(x, y))
// pow: an array to a small integer power gets a loop of its own, since a
// loop around integer_power's branches is not a vector loop; the values
// are those integer_power computes, and the element program is the same.
template <class A, class B>
auto pow(const DArray<A>& a, const DArray<B>& b) {
  return detail::zip("pow", kernels::BinaryOp::pow, a, b, [](A x, B y) { return kernels::power(x, y); });
}
template <class A, detail::Scalar B>
auto pow(const DArray<A>& a, B s) {
  if constexpr (std::is_floating_point_v<A> && std::numeric_limits<B>::is_integer) {
    if (s == 2) return detail::with_scalar(kernels::BinaryOp::pow, a, s, [](A x, B) { return x * x; });
    if (s == 3) return detail::with_scalar(kernels::BinaryOp::pow, a, s, [](A x, B) { return x * x * x; });
  }
  return detail::with_scalar(kernels::BinaryOp::pow, a, s, [](A x, B y) { return kernels::power(x, y); });
}
template <detail::Scalar A, class B>
auto pow(A s, const DArray<B>& b) {
  return detail::scalar_with(kernels::BinaryOp::pow, s, b, [](A x, B y) { return kernels::power(x, y); });
}
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
