// Tile kernels of the dense factorizations and triangular solves on the
// CPU: LAPACK and BLAS through OpenBLAS (which carries LAPACK), one thread
// per call. Double and float blocks; kernels write into blocks their caller
// made or copied.
#pragma once

#include <cstdint>

#include "dagger/array/block.hpp"

namespace dagger::kernels::cpu {

// Factors the symmetric block `a` (its lower triangle) in place as L L'
// and clears its strict upper triangle. 0, or the 1-based order of the
// leading minor that is not positive definite (LAPACK's info).
std::int64_t cholesky_lower(Block& a);

// b = op(t)^-1 b (left) or b op(t)^-1 (right), t triangular (lower or
// upper), op(t) = t' when `transpose`.
void triangular_solve(const Block& t, Block& b, bool left, bool lower, bool transpose);

// c -= op(a) op(b).
void multiply_subtract(const Block& a, const Block& b, Block& c, bool transpose_a, bool transpose_b);

// The lower triangle of c -= a a'.
void symmetric_subtract(const Block& a, Block& c);

}  // namespace dagger::kernels::cpu
