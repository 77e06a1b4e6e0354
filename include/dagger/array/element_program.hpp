// Building the element program of a lazy array (kernels/element_program.hpp)
// alongside its host kernel: each built-in element-wise operation appends
// its step. A null program means "no program": a user lambda is somewhere in
// the chain, or the chain outgrew the program's fixed size; such an array
// runs on CPUs only.
#pragma once

#include <memory>

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
// The program of the transpose of x, an array with no sources (random and
// constant sources and operations on them) of `source_rows` rows: its random
// sources read the source array transposed. Null when x reads sources, is
// itself such a transpose, or has no room for the constants.
ProgramPtr transposed_program(const ProgramPtr& x, std::int64_t source_rows);

inline kernels::ElementType element_type(DType d) { return static_cast<kernels::ElementType>(d); }

// A scalar operand of an element type, as a program's constant.
template <class S>
ProgramPtr scalar_program(S s) {
  return constant_program(kernels::hold(s), dtype_of<S>());
}

}  // namespace dagger::detail
