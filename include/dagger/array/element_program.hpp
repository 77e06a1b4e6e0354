// Building the element program of a lazy array (kernels/element_program.hpp)
// alongside its host kernel: each built-in element-wise operation appends
// its step. A null program means "no program": a user lambda is somewhere in
// the chain, or the chain outgrew the program's fixed size; such an array
// runs on CPUs only.
#pragma once

#include <memory>
#include <type_traits>

#include "dagger/array/dtype.hpp"
#include "dagger/kernels/element_program.hpp"

namespace dagger::detail {

using ProgramPtr = std::shared_ptr<const kernels::ElementProgram>;

// The elements of one source array, as they are.
ProgramPtr load_program(DType dtype);
ProgramPtr constant_program(kernels::ElementValue value, DType dtype);
// A random source: element g of the array is the generator's value g.
ProgramPtr generate_program(kernels::RandomKind kind, std::uint64_t seed, DType dtype);
ProgramPtr unary_program(const ProgramPtr& x, kernels::UnaryOp op, DType compute, DType result);
// x's sources come first, then y's (numbered after x's).
ProgramPtr binary_program(const ProgramPtr& x, const ProgramPtr& y, kernels::BinaryOp op, DType compute,
                          DType result);

inline kernels::ElementType element_type(DType d) { return static_cast<kernels::ElementType>(d); }

// The element type a scalar of type S joins a program as, or none for
// scalars no element type holds exactly (unsigned 64-bit, long double).
template <class S>
constexpr bool program_scalar_v = std::is_same_v<S, bool> || std::is_same_v<S, float> ||
                                  std::is_same_v<S, double> ||
                                  (std::is_integral_v<S> && (std::is_signed_v<S> || sizeof(S) < 8));

template <class S>
ProgramPtr scalar_program(S s) {
  if constexpr (!program_scalar_v<S>) {
    return nullptr;
  } else {
    kernels::ElementValue v;
    if constexpr (std::is_same_v<S, double>) {
      v.f64 = s;
      return constant_program(v, DType::f64);
    } else if constexpr (std::is_same_v<S, float>) {
      v.f32 = s;
      return constant_program(v, DType::f32);
    } else if constexpr (std::is_same_v<S, bool>) {
      v.i64 = s ? 1 : 0;
      return constant_program(v, DType::b8);
    } else {
      v.i64 = static_cast<std::int64_t>(s);
      return constant_program(v, DType::i64);
    }
  }
}

}  // namespace dagger::detail
