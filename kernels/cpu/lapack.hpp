// Tile kernels of the dense factorizations and triangular solves on the
// CPU: LAPACK and BLAS through OpenBLAS (which carries LAPACK), one thread
// per call. Double and float blocks; kernels write into blocks their caller
// made or copied.
#pragma once

#include <cstdint>
#include <vector>

#include "dagger/array/block.hpp"

namespace dagger::kernels::cpu {

// Factors the symmetric block `a` (its lower triangle) in place as L L'
// and clears its strict upper triangle. 0, or the 1-based order of the
// leading minor that is not positive definite (LAPACK's info).
std::int64_t cholesky_lower(Block& a);

// b = op(t)^-1 b (left) or b op(t)^-1 (right), t triangular (lower or
// upper), op(t) = t' when `transpose`; with `unit`, t's diagonal is taken
// as ones (the L of an LU).
void triangular_solve(const Block& t, Block& b, bool left, bool lower, bool transpose, bool unit = false);

// Factors the m x n block (m >= n) in place as P a = L U with partial
// pivoting (LAPACK getrf): L unit lower below the diagonal, U on and above
// it. `pivots` gets n 1-based row swaps (row r with pivots[r - 1]), in
// order. 0, or the 1-based index of the first exactly zero pivot (the
// factoring still completes, as LAPACK's does).
std::int64_t lu_with_pivoting(Block& a, std::vector<int>& pivots);
// The same without pivoting (square a): 0, or the first zero pivot, where
// it stops.
std::int64_t lu_without_pivoting(Block& a);

// c -= op(a) op(b).
void multiply_subtract(const Block& a, const Block& b, Block& c, bool transpose_a, bool transpose_b);

// The lower triangle of c -= a a'.
void symmetric_subtract(const Block& a, Block& c);

// Householder QR of the m x n block `a` in place (LAPACK geqrf): R on and
// above the diagonal, the reflectors' vectors below it; `tau` gets their
// min(m, n) scales.
void qr_in_place(Block& a, std::vector<double>& tau);
// c = Q' c (transpose) or Q c, Q the product of the k reflectors stored in
// the m x k block `v` with scales `tau` (LAPACK ormqr, from the left).
void apply_reflectors(const Block& v, const std::vector<double>& tau, Block& c, bool transpose);

// The singular values of the n x n block `a`, descending, into the n x 1
// block `s`; with `u` and `vt` non-null (n x n blocks), also a = u diag(s)
// vt with u and vt orthogonal (LAPACK gesdd, divide and conquer). Throws
// std::runtime_error when LAPACK's iteration does not converge.
void singular_values(const Block& a, Block& s, Block* u, Block* vt);

}  // namespace dagger::kernels::cpu
