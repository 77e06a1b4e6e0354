// A fused element-wise expression as data: a short postfix program over the
// elements of a lazy array's sources. The host runs a chain of element-wise
// operations as composed C++ lambdas; a GPU cannot call those, so the
// built-in operations also record themselves here, and one kernel evaluates
// the program per element. `evaluate` is __host__ __device__: the CPU tests
// run the very code a GPU kernel runs. An array made with a user's own
// `map` lambda has no program and runs on CPUs only.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "dagger/kernels/element_functions.hpp"
#include "dagger/kernels/element_types.hpp"
#include "dagger/kernels/random.hpp"

namespace dagger::kernels {

// The unary functions of the array library, with how each computes x (of a
// floating type F). elementwise.hpp defines the DArray functions from this
// list, so the host and the program cannot disagree on what they mean.
#define DAGGER_UNARY_FUNCTIONS(X)                                                                   \
  X(exp, std::exp(x)) X(expm1, std::expm1(x)) X(log, std::log(x)) X(log10, std::log10(x))        \
  X(log1p, std::log1p(x)) X(sqrt, std::sqrt(x)) X(cbrt, std::cbrt(x))                             \
  X(exponent, ::dagger::kernels::exponent(x)) X(significand, ::dagger::kernels::significand(x))   \
  X(sin, std::sin(x)) X(sinpi, ::dagger::kernels::sinpi(x)) X(cos, std::cos(x))                   \
  X(cospi, ::dagger::kernels::cospi(x)) X(tan, std::tan(x)) X(sec, ::dagger::kernels::sec(x))     \
  X(cot, ::dagger::kernels::cot(x)) X(csc, ::dagger::kernels::csc(x)) X(sinh, std::sinh(x))       \
  X(cosh, std::cosh(x)) X(tanh, std::tanh(x)) X(coth, ::dagger::kernels::coth(x))                 \
  X(sech, ::dagger::kernels::sech(x)) X(csch, ::dagger::kernels::csch(x)) X(asin, std::asin(x))   \
  X(acos, std::acos(x)) X(atan, std::atan(x)) X(acot, ::dagger::kernels::acot(x))                 \
  X(asec, ::dagger::kernels::asec(x)) X(acsc, ::dagger::kernels::acsc(x)) X(asinh, std::asinh(x)) \
  X(acosh, std::acosh(x)) X(atanh, std::atanh(x)) X(acoth, ::dagger::kernels::acoth(x))           \
  X(asech, ::dagger::kernels::asech(x)) X(acsch, ::dagger::kernels::acsch(x))                     \
  X(sinc, ::dagger::kernels::sinc(x)) X(cosc, ::dagger::kernels::cosc(x))

#define DAGGER_ENUMERATOR(name, ...) name,
enum class UnaryOp : std::uint8_t {
  DAGGER_UNARY_FUNCTIONS(DAGGER_ENUMERATOR)
  negate,  // -x in the element's own type
  square,  // x * x in the element's own type
};
#undef DAGGER_ENUMERATOR

enum class BinaryOp : std::uint8_t {
  plus, minus, times, divide, rem, pow, left_divide, int_div,
  bit_xor, bit_and, bit_or, shift_left, shift_right,
  equal, not_equal, less, less_equal, greater, greater_equal,
};

// Element types, numbered as dagger::DType.
#define DAGGER_ENUMERATOR(e, ...) e,
enum class ElementType : std::uint8_t { DAGGER_ELEMENT_TYPES(DAGGER_ENUMERATOR) };
#undef DAGGER_ENUMERATOR

// One value of any element type: signed integers and bools widened to
// i64, unsigned ones to u64.
union ElementValue {
  double f64;
  float f32;
  std::int64_t i64;
  std::uint64_t u64;
};

// x of an element type T, held as an ElementValue.
template <class T>
DAGGER_HD ElementValue hold(T x) {
  ElementValue v;
  if constexpr (std::is_same_v<T, double>) {
    v.f64 = x;
  } else if constexpr (std::is_same_v<T, float>) {
    v.f32 = x;
  } else if constexpr (std::is_same_v<T, bool>) {
    v.i64 = x ? 1 : 0;
  } else if constexpr (std::is_unsigned_v<T>) {
    v.u64 = x;
  } else {
    v.i64 = x;
  }
  return v;
}

// The value of element type T that `hold` made.
template <class T>
DAGGER_HD T held(ElementValue v) {
  if constexpr (std::is_same_v<T, double>) {
    return v.f64;
  } else if constexpr (std::is_same_v<T, float>) {
    return v.f32;
  } else if constexpr (std::is_same_v<T, bool>) {
    return v.i64 != 0;
  } else if constexpr (std::is_unsigned_v<T>) {
    return static_cast<T>(v.u64);
  } else {
    return static_cast<T>(v.i64);
  }
}

// The kinds of random source a `generate` step makes (as rand and randn).
enum class RandomKind : std::uint8_t { uniform, normal };

// Where the elements of one block lie in the whole array: element i of the
// block (column-major, `height` rows) is element
// origin + (i % height) * step + (i / height) * stride of the array
// (column-major, `stride` rows; step is 1). Random sources are functions of
// that index, so their values do not depend on how the array is cut into
// blocks. A block of the transpose of a random array is a spot of the
// source array with its rows `step` apart and its columns 1 apart.
// A block of an array of more than 2 dimensions has `upper` > 0: its column
// c (over dimensions 1 and up, column-major) starts upper_stride[d] * c_d
// past the origin, c_d being c's coordinate in dimension d + 1 of the
// block, of extent upper_extent[d].
inline constexpr int kMaxUpperDims = 7;
struct ElementSpot {
  std::int64_t origin = 0;
  std::int64_t height = 1;
  std::int64_t stride = 1;
  std::int64_t step = 1;
  std::int32_t upper = 0;
  std::int64_t upper_extent[kMaxUpperDims] = {};
  std::int64_t upper_stride[kMaxUpperDims] = {};
};

DAGGER_HD inline std::uint64_t array_index(const ElementSpot& spot, std::int64_t i) {
  std::int64_t col = i / spot.height;
  std::int64_t index = spot.origin + (i % spot.height) * spot.step;
  if (spot.upper == 0) return static_cast<std::uint64_t>(index + col * spot.stride);
  for (int d = 0; d < spot.upper; ++d) {
    index += (col % spot.upper_extent[d]) * spot.upper_stride[d];
    col /= spot.upper_extent[d];
  }
  return static_cast<std::uint64_t>(index);
}

// The spot, in a source array of `source_rows` rows, of the block at `spot`
// (an upright spot) of the source's transpose: element (r, c) of the
// transpose is element (c, r) of the source.
DAGGER_HD inline ElementSpot transposed_spot(const ElementSpot& spot, std::int64_t source_rows) {
  const std::int64_t row = spot.origin % spot.stride, col = spot.origin / spot.stride;
  ElementSpot turned;
  turned.origin = col + row * source_rows;
  turned.height = spot.height;
  turned.stride = 1;
  turned.step = source_rows;
  return turned;
}

struct ElementInstruction {
  // generate: a random source; op is a RandomKind, index the constant that
  // holds the seed (as i64), result the element type.
  // generate_transposed: the transpose of that random source, whose number
  // of rows is the constant after the seed (as i64).
  enum Code : std::uint8_t { load, constant, unary, binary, generate, generate_transposed };
  Code code;
  std::uint8_t op;             // UnaryOp or BinaryOp
  ElementType left;            // type of the (left) operand
  ElementType right;           // binary: type of the right operand
  ElementType compute;         // type the operation computes in
  ElementType result;          // type of what it leaves on the stack
  std::uint16_t index;         // load: source number; constant: constant number
};

// Fixed-size, so it travels to a GPU by value as a kernel parameter.
struct ElementProgram {
  static constexpr int kMaxInstructions = 48;
  static constexpr int kMaxConstants = 16;
  static constexpr int kMaxSources = 16;
  static constexpr int kMaxDepth = 12;

  std::uint16_t length = 0;
  std::uint16_t sources = 0;
  std::uint16_t constants = 0;
  ElementInstruction code[kMaxInstructions] = {};
  ElementValue constant[kMaxConstants] = {};
  // The block being evaluated, for generate steps (set per block).
  ElementSpot spot;
};

// ---- evaluation (host and device)

// A value of `type`, converted to T as C++ converts.
template <class T>
DAGGER_HD T value_as(ElementValue v, ElementType type) {
  switch (type) {
#define DAGGER_CASE(e, E, ...) \
  case ElementType::e: return static_cast<T>(held<E>(v));
    DAGGER_ELEMENT_TYPES(DAGGER_CASE)
#undef DAGGER_CASE
  }
  return T{};
}

// Stores x, of the type an operation computed in, as a value of `type`.
template <class T>
DAGGER_HD ElementValue store_as(T x, ElementType type) {
  switch (type) {
#define DAGGER_CASE(e, E, ...) \
  case ElementType::e: return hold(static_cast<E>(x));
    DAGGER_ELEMENT_TYPES(DAGGER_CASE)
#undef DAGGER_CASE
  }
  return hold(x);
}

template <class F>
DAGGER_HD F apply_unary(UnaryOp op, F x) {
  switch (op) {
#define DAGGER_CASE(name, ...) \
  case UnaryOp::name: return static_cast<F>(__VA_ARGS__);
    DAGGER_UNARY_FUNCTIONS(DAGGER_CASE)
#undef DAGGER_CASE
    case UnaryOp::negate: return negative(x);
    case UnaryOp::square: return static_cast<F>(multiply(x, x));
  }
  return x;
}

// An integer unary operation (negate, square; the functions compute in a
// floating type and never get here), in the integer's own type.
template <class T>
DAGGER_HD T apply_unary_integer(UnaryOp op, T x) {
  return op == UnaryOp::negate ? negative(x) : multiply(x, x);
}

template <class C>
DAGGER_HD ElementValue apply_binary(BinaryOp op, C x, C y, ElementType result) {
  switch (op) {
    case BinaryOp::plus: return store_as(add(x, y), result);
    case BinaryOp::minus: return store_as(subtract(x, y), result);
    case BinaryOp::times: return store_as(multiply(x, y), result);
    case BinaryOp::divide: return store_as(x / y, result);
    case BinaryOp::left_divide: return store_as(y / x, result);
    case BinaryOp::rem: return store_as(rem(x, y), result);
    case BinaryOp::int_div: return store_as(int_div(x, y), result);
    case BinaryOp::pow:
      // Integer operands never compute pow in their own type (the host's
      // std::pow of integers is a double pow); keeps device code to the
      // overloads CUDA has.
      if constexpr (std::numeric_limits<C>::is_integer) {
        return store_as(std::pow(static_cast<double>(x), static_cast<double>(y)), result);
      } else {
        return store_as(std::pow(x, y), result);
      }
    case BinaryOp::equal: return store_as(x == y, result);
    case BinaryOp::not_equal: return store_as(x != y, result);
    case BinaryOp::less: return store_as(x < y, result);
    case BinaryOp::less_equal: return store_as(x <= y, result);
    case BinaryOp::greater: return store_as(x > y, result);
    case BinaryOp::greater_equal: return store_as(x >= y, result);
    default: break;
  }
  if constexpr (std::numeric_limits<C>::is_integer) {
    switch (op) {
      case BinaryOp::bit_xor: return store_as(bitwise_xor(x, y), result);
      case BinaryOp::bit_and: return store_as(bitwise_and(x, y), result);
      case BinaryOp::bit_or: return store_as(bitwise_or(x, y), result);
      case BinaryOp::shift_left: return store_as(shifted_left(x, y), result);
      case BinaryOp::shift_right: return store_as(shifted_right(x, y), result);
      default: break;
    }
  }
  return store_as(C(0), result);
}

DAGGER_HD inline bool is_integer_type(ElementType t) { return t != ElementType::f64 && t != ElementType::f32; }

DAGGER_HD inline ElementValue run_unary(const ElementInstruction& in, ElementValue x) {
  const auto op = static_cast<UnaryOp>(in.op);
  switch (in.compute) {
    case ElementType::f64: return store_as(apply_unary(op, value_as<double>(x, in.left)), in.result);
    case ElementType::f32: return store_as(apply_unary(op, value_as<float>(x, in.left)), in.result);
    case ElementType::b8: return store_as(apply_unary_integer(op, value_as<bool>(x, in.left)), in.result);
#define DAGGER_CASE(e, E, ...) \
  case ElementType::e: return store_as(apply_unary_integer(op, value_as<E>(x, in.left)), in.result);
      DAGGER_INTEGER_TYPES(DAGGER_CASE)
#undef DAGGER_CASE
  }
  return x;
}

DAGGER_HD inline ElementValue run_binary(const ElementInstruction& in, ElementValue x, ElementValue y) {
  const auto op = static_cast<BinaryOp>(in.op);
  // x^n with an integer n and a floating x multiplies (kernels::power).
  if (op == BinaryOp::pow && is_integer_type(in.right) && !is_integer_type(in.left)) {
    const std::int64_t n = value_as<std::int64_t>(y, in.right);
    if (in.left == ElementType::f32) return store_as(integer_power(value_as<float>(x, in.left), n), in.result);
    return store_as(integer_power(value_as<double>(x, in.left), n), in.result);
  }
  switch (in.compute) {
#define DAGGER_CASE(e, E, ...) \
  case ElementType::e: return apply_binary(op, value_as<E>(x, in.left), value_as<E>(y, in.right), in.result);
    DAGGER_ELEMENT_TYPES(DAGGER_CASE)
#undef DAGGER_CASE
  }
  return x;
}

// Element g of a random source of element type `type`.
DAGGER_HD inline ElementValue generated(RandomKind kind, ElementType type, std::uint64_t seed, std::uint64_t g) {
  ElementValue v;
  const bool normal = kind == RandomKind::normal;
  switch (type) {
    case ElementType::f64: v.f64 = normal ? random::normal_double(seed, g) : random::uniform_double(seed, g); break;
    case ElementType::f32: v.f32 = normal ? random::normal_float(seed, g) : random::uniform_float(seed, g); break;
    case ElementType::b8: v.i64 = random::uniform_bool(seed, g) ? 1 : 0; break;
#define DAGGER_CASE(e, E, ...) \
  case ElementType::e: v = hold(random::uniform_integer<E>(seed, g)); break;
      DAGGER_INTEGER_TYPES(DAGGER_CASE)
#undef DAGGER_CASE
  }
  return v;
}

// The element i of the result, which is element `element` of the block at
// `spot`. `inputs` are the sources' element arrays, each of the type its
// load instructions name (bools as one byte).
DAGGER_HD_OUTLINE ElementValue evaluate_at(const ElementProgram& p, const void* const* inputs, std::int64_t i,
                                           std::int64_t element, const ElementSpot& spot) {
  ElementValue stack[ElementProgram::kMaxDepth];
  int top = 0;
  for (int k = 0; k < p.length; ++k) {
    const ElementInstruction& in = p.code[k];
    switch (in.code) {
      case ElementInstruction::load: {
        const void* base = inputs[in.index];
        ElementValue v;
        switch (in.result) {
#define DAGGER_CASE(e, E, ...) \
  case ElementType::e: v = hold(static_cast<const E*>(base)[i]); break;
          DAGGER_ELEMENT_TYPES(DAGGER_CASE)
#undef DAGGER_CASE
        }
        stack[top++] = v;
        break;
      }
      case ElementInstruction::constant: stack[top++] = p.constant[in.index]; break;
      case ElementInstruction::generate:
        stack[top++] = generated(static_cast<RandomKind>(in.op), in.result,
                                 static_cast<std::uint64_t>(p.constant[in.index].i64), array_index(spot, element));
        break;
      case ElementInstruction::generate_transposed:
        stack[top++] = generated(static_cast<RandomKind>(in.op), in.result,
                                 static_cast<std::uint64_t>(p.constant[in.index].i64),
                                 array_index(transposed_spot(spot, p.constant[in.index + 1].i64), element));
        break;
      case ElementInstruction::unary: stack[top - 1] = run_unary(in, stack[top - 1]); break;
      case ElementInstruction::binary:
        stack[top - 2] = run_binary(in, stack[top - 2], stack[top - 1]);
        --top;
        break;
    }
  }
  return stack[0];
}

// Element i of the block the program's own spot names.
DAGGER_HD inline ElementValue evaluate(const ElementProgram& p, const void* const* inputs, std::int64_t i) {
  return evaluate_at(p, inputs, i, i, p.spot);
}

// Writes a value of `type` to element i of `out`.
DAGGER_HD inline void store_element(void* out, ElementType type, std::int64_t i, ElementValue v) {
  switch (type) {
#define DAGGER_CASE(e, E, ...) \
  case ElementType::e: static_cast<E*>(out)[i] = held<E>(v); break;
    DAGGER_ELEMENT_TYPES(DAGGER_CASE)
#undef DAGGER_CASE
  }
}

// The type of the program's result (of its last instruction).
DAGGER_HD inline ElementType result_type(const ElementProgram& p) { return p.code[p.length - 1].result; }

// The sources' element arrays, by value, as a kernel parameter.
struct ProgramInputs {
  const void* pointers[ElementProgram::kMaxSources];
};

// Evaluates elements [begin, end) into `out` (of the program's result type).
DAGGER_HD inline void evaluate_range(const ElementProgram& p, const void* const* inputs, void* out,
                                     std::int64_t begin, std::int64_t end) {
  const ElementType type = result_type(p);
  for (std::int64_t i = begin; i < end; ++i) store_element(out, type, i, evaluate(p, inputs, i));
}

// Evaluates n elements of a tile that starts at element `first` of the block
// at `spot` (inputs and out point at the tile's start).
DAGGER_HD inline void evaluate_tile(const ElementProgram& p, const void* const* inputs, void* out, std::int64_t n,
                                    std::int64_t first, const ElementSpot& spot) {
  const ElementType type = result_type(p);
  for (std::int64_t i = 0; i < n; ++i) store_element(out, type, i, evaluate_at(p, inputs, i, first + i, spot));
}

}  // namespace dagger::kernels
