// Element-wise operations on DArrays: map, the unary functions, binary
// operations between arrays and with scalars. Each returns a lazy array whose
// kernel extends its input's kernel, so chains fuse into one thunk per block.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "dagger/array/darray.hpp"
#include "dagger/array/element_kernel.hpp"
#include "dagger/kernels/element_functions.hpp"
#include "dagger/kernels/element_program.hpp"

namespace dagger {

namespace detail {

[[noreturn]] void throw_shape_mismatch(const char* operation, const Layout& a, const Layout& b);
[[noreturn]] void throw_unsupported(const char* operation, DType dtype);

// The element type a C++ result maps to: an element type is itself; other
// integers (int, long long, unsigned) become int64 or uint64.
template <class X>
using element_t = std::conditional_t<
    is_element_type_v<X>, X,
    std::conditional_t<std::is_integral_v<X>, std::conditional_t<std::is_signed_v<X>, std::int64_t, std::uint64_t>,
                       double>>;

// The type both operands of a binary operation convert to, as numpy
// promotes: one type stays itself; bool joins the other type; integers of
// one signedness take the wider; a signed and an unsigned integer take the
// signed one if it is wider, else the signed type twice the unsigned's
// width (uint64 with a signed type stays uint64, as C++ has it); with a
// floating type, C++'s common type (float with any integer is float).
template <class A, class B>
struct promotion {
  using type = std::common_type_t<A, B>;
};
template <class A>
struct promotion<A, A> {
  using type = A;
};
template <class A>
  requires(!std::is_same_v<A, bool>)
struct promotion<A, bool> {
  using type = A;
};
template <class B>
  requires(!std::is_same_v<B, bool>)
struct promotion<bool, B> {
  using type = B;
};
template <class Signed, class Unsigned>
using mixed_integer_t = std::conditional_t<
    (sizeof(Signed) > sizeof(Unsigned)), Signed,
    std::conditional_t<sizeof(Unsigned) == 1, std::int16_t,
                       std::conditional_t<sizeof(Unsigned) == 2, std::int32_t,
                                          std::conditional_t<sizeof(Unsigned) == 4, std::int64_t, std::uint64_t>>>>;
template <class A, class B>
  requires(is_integer_element_v<A> && is_integer_element_v<B> && !std::is_same_v<A, B>)
struct promotion<A, B> {
  using type = std::conditional_t<
      std::is_signed_v<A> == std::is_signed_v<B>, std::conditional_t<(sizeof(A) >= sizeof(B)), A, B>,
      std::conditional_t<std::is_signed_v<A>, mixed_integer_t<A, B>, mixed_integer_t<B, A>>>;
};
template <class A, class B>
using promote_t = typename promotion<A, B>::type;

// The element type a scalar operand joins an array of element type A as
// (numpy's rule for Python scalars): an integer scalar with an integer
// array takes the array's type, so `int8_array + 1` stays int8; with any other array an
// integer scalar is an int64 (uint64 if unsigned), as Julia's literals are.
template <class S>
using wide_scalar_t =
    std::conditional_t<std::is_integral_v<S> && !std::is_same_v<S, bool>,
                       std::conditional_t<std::is_signed_v<S>, std::int64_t, std::uint64_t>, element_t<S>>;
template <class A, class S>
using scalar_operand_t =
    std::conditional_t<is_integer_element_v<A> && std::is_integral_v<S> && !std::is_same_v<S, bool>, A, wide_scalar_t<S>>;

[[noreturn]] void throw_scalar_out_of_range(const std::string& scalar, DType array);

// s as an operand of an array of element type A; an integer that the
// array's integer type cannot hold is an ArrayError, not a silent wrap.
template <class A, class S>
scalar_operand_t<A, S> scalar_operand(S s) {
  using O = scalar_operand_t<A, S>;
  if constexpr (std::is_integral_v<S> && is_integer_element_v<O>) {
    if (!std::in_range<O>(s)) throw_scalar_out_of_range(std::to_string(s), dtype_of<O>());
  }
  return static_cast<O>(s);
}

// Division keeps floating types (float/float is float) and gives double
// for integers, as Julia does.
template <class A, class B>
using quotient_t = std::conditional_t<std::is_floating_point_v<A> || std::is_floating_point_v<B>,
                                      std::common_type_t<A, B>, double>;

// The type a built-in binary operation computes in, for its element
// program: what the host kernel converts both operands to.
template <class A, class B>
DType binary_compute_dtype(kernels::BinaryOp op) {
  using kernels::BinaryOp;
  switch (op) {
    case BinaryOp::divide:
    case BinaryOp::left_divide: return dtype_of<quotient_t<A, B>>();
    case BinaryOp::pow: return dtype_of<element_t<decltype(kernels::power(A{}, B{}))>>();
    default: return dtype_of<promote_t<A, B>>();
  }
}

// The sources, kernel and program of an array seen element-wise.
struct Elementwise {
  std::vector<ArrayPtr> sources;
  TileKernel kernel;  // empty: the single source's elements, as they are
  ProgramPtr program;

  // What a block's thunk runs: the kernel, its program, and which sources
  // it reads transposed.
  ElementKernel element_kernel() const { return {kernel, program, transposed_sources(sources)}; }
};

// A transpose of a matrix is read through its source's own blocks, turned
// tile by tile, so chains and reductions over it make no transposed block.
inline Elementwise as_elementwise(const ArrayPtr& a) {
  if (a->lazy()) return {a->sources, a->kernel, a->program};
  if (a->transposed_blocks) return {{a->transposed_blocks}, nullptr, load_program(a->dtype)};
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

// x itself, or, when x is lazy and `other` reads x's own blocks (other is
// transpose(x), or a chain over it: `x + transpose(x)` with x = rand(...)),
// the array of those blocks: they are made anyway, and reading them again
// costs less than computing x's elements a second time.
ArrayPtr made_once(const ArrayPtr& x, const ArrayPtr& other);

template <class R, class A, class B, class F>
ArrayPtr zip_arrays(const char* operation, ArrayPtr a, ArrayPtr b, F f, kernels::BinaryOp op) {
  if (a->layout.shape() != b->layout.shape()) {
    // Broadcasting: a side of extent 1 along a dimension repeats along it.
    std::vector<std::int64_t> shape = broadcast_shape(operation, a->layout, b->layout);
    std::vector<std::int64_t> sizes;
    for (std::size_t d = 0; d < shape.size(); ++d) {
      const Layout& full = d < a->layout.shape().size() && a->layout.shape()[d] == shape[d] ? a->layout : b->layout;
      sizes.push_back(full.block_size(static_cast<int>(d)));
    }
    const Layout out(std::move(shape), Blocks(std::move(sizes)));
    if (a->layout.shape() != out.shape()) a = broadcast_to(a, out);
    if (b->layout.shape() != out.shape()) b = broadcast_to(b, out);
  }
  if (!a->layout.same_blocking(b->layout)) b = rechunk(b, a->layout.blocks());
  Elementwise ea = as_elementwise(made_once(a, b));
  Elementwise eb = as_elementwise(made_once(b, a));
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
  return DArray<T>(detail::map_unary<T, T>(a.impl(), kernels::UnaryOp::negate, [](T x) { return kernels::negative(x); }));
}
template <class T>
DArray<T> negation(const DArray<T>& a) {
  return -a;
}
template <class T>
DArray<T> square(const DArray<T>& a) {
  return DArray<T>(
      detail::map_unary<T, T>(a.impl(), kernels::UnaryOp::square, [](T x) { return static_cast<T>(kernels::multiply(x, x)); }));
}

// ---- binary operations: array∘array (re-blocking b to a's blocks when they
// differ) and array∘scalar both ways.

namespace detail {

// Each operation's function gets both operands converted to promote_t of
// their types, so the host computes in the type the element program names.
// Division and pow take them as they are (Promote false): a quotient
// converts each operand to its floating type by value (uint64 / int64 would
// otherwise divide the int64 as a uint64), and x^n with an integer n
// multiplies, whatever the integer's type.
constexpr bool promotes_operands(kernels::BinaryOp op) {
  return op != kernels::BinaryOp::divide && op != kernels::BinaryOp::left_divide && op != kernels::BinaryOp::pow;
}

template <bool Promote, class A, class B>
struct Operands {
  using Left = std::conditional_t<Promote, promote_t<A, B>, A>;
  using Right = std::conditional_t<Promote, promote_t<A, B>, B>;
};

template <bool Promote = true, class A, class B, class F>
auto zip(const char* operation, kernels::BinaryOp op, const DArray<A>& a, const DArray<B>& b, F f) {
  using L = typename Operands<Promote, A, B>::Left;
  using Rt = typename Operands<Promote, A, B>::Right;
  auto g = [f](A x, B y) { return f(static_cast<L>(x), static_cast<Rt>(y)); };
  using R = element_t<std::invoke_result_t<F&, L, Rt>>;
  return DArray<R>(zip_arrays<R, A, B>(operation, a.impl(), b.impl(), std::move(g), op));
}
// An array of element type A with a scalar on its right (ScalarLeft false)
// or on its left.
template <bool Promote, bool ScalarLeft, class A, class S, class F>
auto array_with_scalar(kernels::BinaryOp op, const DArray<A>& a, S scalar, F f) {
  using O = scalar_operand_t<A, S>;
  const O s = scalar_operand<A>(scalar);
  using X = std::conditional_t<ScalarLeft, O, A>;  // the left operand's type
  using Y = std::conditional_t<ScalarLeft, A, O>;
  using L = typename Operands<Promote, X, Y>::Left;
  using Rt = typename Operands<Promote, X, Y>::Right;
  using R = element_t<std::invoke_result_t<F&, L, Rt>>;
  auto kernel = [s, f](A x) {
    if constexpr (ScalarLeft) {
      return f(static_cast<L>(s), static_cast<Rt>(x));
    } else {
      return f(static_cast<L>(x), static_cast<Rt>(s));
    }
  };
  return DArray<R>(map_array<R, A>(a.impl(), std::move(kernel), [op, s](const ProgramPtr& p) {
    const ProgramPtr constant = scalar_program(s);
    return ScalarLeft ? binary_program(constant, p, op, binary_compute_dtype<X, Y>(op), dtype_of<R>())
                      : binary_program(p, constant, op, binary_compute_dtype<X, Y>(op), dtype_of<R>());
  }));
}
template <bool Promote = true, class A, class S, class F>
auto with_scalar(kernels::BinaryOp op, const DArray<A>& a, S scalar, F f) {
  return array_with_scalar<Promote, false>(op, a, scalar, std::move(f));
}
template <bool Promote = true, class S, class B, class F>
auto scalar_with(kernels::BinaryOp op, S scalar, const DArray<B>& b, F f) {
  return array_with_scalar<Promote, true>(op, b, scalar, std::move(f));
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
    return detail::zip<detail::promotes_operands(kernels::BinaryOp::name)>(label, kernels::BinaryOp::name, a, b, [](auto x, auto y) { return __VA_ARGS__; }); \
  }                                                                                            \
  template <class A, detail::Scalar B>                                                         \
    requires(requirement)                                                                      \
  auto name(const DArray<A>& a, B s) {                                                         \
    return detail::with_scalar<detail::promotes_operands(kernels::BinaryOp::name)>(kernels::BinaryOp::name, a, s, [](auto x, auto y) { return __VA_ARGS__; }); \
  }                                                                                            \
  template <detail::Scalar A, class B>                                                         \
    requires(requirement)                                                                      \
  auto name(A s, const DArray<B>& b) {                                                         \
    return detail::scalar_with<detail::promotes_operands(kernels::BinaryOp::name)>(kernels::BinaryOp::name, s, b, [](auto x, auto y) { return __VA_ARGS__; }); \
  }

#define DAGGER_ANY true
#define DAGGER_INTEGRAL (std::is_integral_v<A> && std::is_integral_v<B>)

DAGGER_BINARY(plus, "+", DAGGER_ANY, kernels::add(x, y))
DAGGER_BINARY(minus, "-", DAGGER_ANY, kernels::subtract(x, y))
DAGGER_BINARY(times, "times", DAGGER_ANY, kernels::multiply(x, y))
DAGGER_BINARY(divide, "/", DAGGER_ANY,
              static_cast<detail::quotient_t<A, B>>(x) / static_cast<detail::quotient_t<A, B>>(y))
DAGGER_BINARY(rem, "%", DAGGER_ANY, kernels::rem(x, y))
// pow: an array to a small integer power gets a loop of its own, since a
// loop around integer_power's branches is not a vector loop; the values
// are those integer_power computes, and the element program is the same.
template <class A, class B>
auto pow(const DArray<A>& a, const DArray<B>& b) {
  return detail::zip<false>("pow", kernels::BinaryOp::pow, a, b, [](A x, B y) { return kernels::power(x, y); });
}
template <class A, detail::Scalar B>
auto pow(const DArray<A>& a, B s) {
  using O = detail::scalar_operand_t<A, B>;
  if constexpr (std::is_floating_point_v<A> && std::numeric_limits<B>::is_integer) {
    if (s == 2) return detail::with_scalar<false>(kernels::BinaryOp::pow, a, s, [](A x, O) { return x * x; });
    if (s == 3) return detail::with_scalar<false>(kernels::BinaryOp::pow, a, s, [](A x, O) { return x * x * x; });
  }
  return detail::with_scalar<false>(kernels::BinaryOp::pow, a, s, [](A x, O y) { return kernels::power(x, y); });
}
template <detail::Scalar A, class B>
auto pow(A s, const DArray<B>& b) {
  using O = detail::scalar_operand_t<B, A>;
  return detail::scalar_with<false>(kernels::BinaryOp::pow, s, b, [](O x, B y) { return kernels::power(x, y); });
}
DAGGER_BINARY(left_divide, "left division", DAGGER_ANY,
              static_cast<detail::quotient_t<A, B>>(y) / static_cast<detail::quotient_t<A, B>>(x))
DAGGER_BINARY(int_div, "integer division", DAGGER_ANY, kernels::int_div(x, y))
DAGGER_BINARY(bit_xor, "xor", DAGGER_INTEGRAL, kernels::bitwise_xor(x, y))
DAGGER_BINARY(bit_and, "&", DAGGER_INTEGRAL, kernels::bitwise_and(x, y))
DAGGER_BINARY(bit_or, "|", DAGGER_INTEGRAL, kernels::bitwise_or(x, y))
DAGGER_BINARY(shift_left, "<<", DAGGER_INTEGRAL, kernels::shifted_left(x, y))
DAGGER_BINARY(shift_right, ">>", DAGGER_INTEGRAL, kernels::shifted_right(x, y))
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
