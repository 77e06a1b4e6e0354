// Dense factorizations and triangular solves of DArrays, as tiled task
// graphs: each tile operation (potrf, trsm, syrk, gemm) is one thunk with a
// version per kind of processor (block_operations.hpp), so the scheduler
// places them like any other block work, on threads, GPUs and workers, and
// spills tiles under the memory limit.
//
//   auto A = dagger::distribute(dagger::Blocks(512, 512), spd_matrix);
//   auto C = dagger::cholesky(A);           // computes L; throws on a non-SPD input
//   auto x = C.solve(b);                    // lazy: A x = b
//   auto y = dagger::triangular_solve(C.L(), b, dagger::Lower, dagger::Left);
//   auto F = dagger::lu(A);                 // P A = L U, partial pivoting
//   auto z = dagger::solve(A, b);           // A \ b
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dagger/array/array_compute.hpp"
#include "dagger/array/indexing.hpp"
#include "dagger/array/linalg.hpp"
#include "dagger/context.hpp"

namespace dagger {

enum class Triangle { lower, upper };
inline constexpr Triangle Lower = Triangle::lower;
inline constexpr Triangle Upper = Triangle::upper;
enum class Side { left, right };
inline constexpr Side Left = Side::left;    // solve op(T) X = B
inline constexpr Side Right = Side::right;  // solve X op(T) = B

// A matrix that the factorization asked for cannot be factored.
class LinearAlgebraError : public ArrayError {
 public:
  using ArrayError::ArrayError;
};
// Cholesky of a matrix that is not symmetric: names one entry (0-based)
// whose mirror differs.
class NotSymmetric : public LinearAlgebraError {
 public:
  NotSymmetric(std::int64_t row, std::int64_t col, double value, double mirror);
  std::int64_t row() const noexcept { return row_; }
  std::int64_t col() const noexcept { return col_; }

 private:
  std::int64_t row_, col_;
};
// Cholesky of a symmetric matrix that is not positive definite: the order
// (1-based, as LAPACK's info) of the first leading minor that is not.
class NotPositiveDefinite : public LinearAlgebraError {
 public:
  explicit NotPositiveDefinite(std::int64_t order);
  std::int64_t order() const noexcept { return order_; }

 private:
  std::int64_t order_;
};

// LU of a matrix with an exactly zero pivot: `index()` (1-based, as
// LAPACK's info) names U's diagonal entry that is zero.
class SingularMatrix : public LinearAlgebraError {
 public:
  SingularMatrix(const std::string& operation, std::int64_t index);
  std::int64_t index() const noexcept { return index_; }

 private:
  std::int64_t index_;
};

// lu(A, NoPivot{}): no row exchanges (stable only for matrices that do not
// need them, such as diagonally dominant ones).
struct NoPivot {};

namespace detail {
struct LuParts {
  ArrayPtr factors;              // L (unit, below the diagonal) and U in one, as LAPACK stores them
  std::vector<std::int64_t> p;   // row i of P A is row p[i] of A
};
LuParts lu_factor(const Context& context, const ArrayPtr& a, bool pivoting);
struct LuGraph {
  ArrayPtr factors;                 // lazy
  std::vector<Thunk<Block>> pivots; // each panel's swaps (LAPACK's ipiv, 1-based within the panel)
};
// The factors' lazy tile graph, without the singularity check.
LuGraph lu_graph(const ArrayPtr& a, bool pivoting);
// The unit lower or the upper triangle of LU's factors.
ArrayPtr triangular_part(const ArrayPtr& factors, bool unit_lower);
// The permutation matrix P with P(i, p[i]) = 1.
ArrayPtr permuted_identity(const Layout& layout, DType dtype, const std::vector<std::int64_t>& p);
ArrayPtr cholesky_factor(const Context& context, const ArrayPtr& a);
struct QrParts {
  ArrayPtr factors;                      // R and the reflectors, as LAPACK's geqrf
  std::vector<std::vector<double>> tau;  // the reflectors' scales, per panel
  // TSQR (a tall matrix of one column of tiles): each row tile is factored
  // on its own (factors and tau per row tile, R on top of each), and the
  // R's are combined two at a time up a tree. Each combination stacks the
  // tops of row tiles `upper` and `lower` and factors them: R on top, the
  // reflectors below, the scales in a last column. Empty for the tiled
  // Householder form, where R is in the factors.
  struct Combination {
    std::int64_t upper = 0, lower = 0;
    Block stack;
  };
  std::vector<Combination> tree;
};
QrParts qr_factor(const Context& context, const ArrayPtr& a);
ArrayPtr qr_q(const QrParts& qr);
ArrayPtr qr_r(const QrParts& qr);
ArrayPtr qr_solve(const QrParts& qr, const ArrayPtr& b);
Thunk<double> operator_norm(const ArrayPtr& a, double p);
struct SvdParts {
  ArrayPtr u, s, vt;
};
SvdParts svd_factor(const Context& context, const ArrayPtr& a);
// The 2-norm: R's largest singular value, R of a's QR (computed now).
Thunk<double> largest_singular_value(const ArrayPtr& a);
// The factor's lazy tile graph, without the checks (a: square tiles).
ArrayPtr cholesky_graph(const ArrayPtr& a);
// op(t) X = b (left) or X op(t) = b (right); op(t) = t' when transpose_t.
// With `unit`, t's diagonal is taken as ones (the L of an LU, stored with U).
ArrayPtr triangular_solve_arrays(const ArrayPtr& t, const ArrayPtr& b, bool lower, bool left, bool transpose_t,
                                 bool unit = false);
}  // namespace detail

// A = L L' of a symmetric positive definite A. L is computed (its tiles
// are results); U() and solve build lazy arrays on it.
template <class T>
class Cholesky {
 public:
  explicit Cholesky(DArray<T> l) : l_(std::move(l)) {}
  const DArray<T>& L() const { return l_; }
  DArray<T> U() const { return transpose(l_); }
  // x with A x = b, b a vector or a matrix: L y = b, then L' x = y.
  DArray<T> solve(const DArray<T>& b) const {
    auto y = detail::triangular_solve_arrays(l_.impl(), b.impl(), true, true, false);
    return DArray<T>(detail::triangular_solve_arrays(l_.impl(), y, true, true, true));
  }

 private:
  DArray<T> l_;
};

// Factors A (square, double or float) as L L' with tiled right-looking
// Cholesky; tiles are A's blocks, re-blocked to square ones when A's are
// not. Only A's lower triangle is factored, after checking that A is
// symmetric (to 64 ulps of the larger of each pair): NotSymmetric names an
// entry, NotPositiveDefinite the leading minor that failed. A is unchanged.
template <class T>
Cholesky<T> cholesky(const Context& context, const DArray<T>& a) {
  return Cholesky<T>(DArray<T>(detail::cholesky_factor(context, a.impl())));
}
template <class T>
Cholesky<T> cholesky(const DArray<T>& a) {
  return cholesky(Context(), a);
}

// P A = L U of a square A (double or float), tiled, with partial pivoting
// (each column of tiles is one getrf panel) or without. The factors are
// computed; L(), U(), P() and solve build lazy arrays on them.
template <class T>
class LU {
 public:
  LU(DArray<T> factors, std::vector<std::int64_t> p) : factors_(std::move(factors)), p_(std::move(p)) {}
  DArray<T> L() const { return DArray<T>(detail::triangular_part(factors_.impl(), true)); }
  DArray<T> U() const { return DArray<T>(detail::triangular_part(factors_.impl(), false)); }
  // Row i of P A is row p()[i] of A (0-based).
  const std::vector<std::int64_t>& p() const { return p_; }
  DArray<T> P() const {
    return DArray<T>(detail::permuted_identity(factors_.layout(), factors_.impl()->dtype, p_));
  }
  // L and U in one array, as LAPACK's getrf leaves them.
  const DArray<T>& factors() const { return factors_; }
  // x with A x = b, b a vector or a matrix: L y = P b, then U x = y.
  DArray<T> solve(const DArray<T>& b) const {
    const DArray<T> pb = b.ndims() == 2 ? b(Index(p_), all) : b(Index(p_));
    auto y = detail::triangular_solve_arrays(factors_.impl(), pb.impl(), true, true, false, /*unit=*/true);
    return DArray<T>(detail::triangular_solve_arrays(factors_.impl(), y, false, true, false));
  }

 private:
  DArray<T> factors_;
  std::vector<std::int64_t> p_;
};

// Throws SingularMatrix when a pivot is exactly zero. A is unchanged.
template <class T>
LU<T> lu(const Context& context, const DArray<T>& a) {
  auto parts = detail::lu_factor(context, a.impl(), true);
  return LU<T>(DArray<T>(std::move(parts.factors)), std::move(parts.p));
}
template <class T>
LU<T> lu(const DArray<T>& a) {
  return lu(Context(), a);
}
template <class T>
LU<T> lu(const Context& context, const DArray<T>& a, NoPivot) {
  auto parts = detail::lu_factor(context, a.impl(), false);
  return LU<T>(DArray<T>(std::move(parts.factors)), std::move(parts.p));
}
template <class T>
LU<T> lu(const DArray<T>& a, NoPivot pivot) {
  return lu(Context(), a, pivot);
}

// x with A x = b (A \ b) through LU with partial pivoting; b a vector or
// a matrix. A's factorization runs now, the solve is lazy.
template <class T>
DArray<T> solve(const DArray<T>& a, const DArray<T>& b) {
  return lu(a).solve(b);
}

// A's inverse, as the solve of A X = I (the identity blocked like A).
template <class T>
DArray<T> inv(const DArray<T>& a) {
  const auto f = lu(a);
  const std::vector<std::int64_t> identity_rows = [&] {
    std::vector<std::int64_t> rows(static_cast<std::size_t>(a.rows()));
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<std::int64_t>(i);
    return rows;
  }();
  const DArray<T> identity(detail::permuted_identity(f.factors().layout(), a.impl()->dtype, identity_rows));
  return f.solve(identity);
}

// A = Q R of an m x n matrix (double or float) by tiled Householder QR:
// Q is m x min(m, n) with orthonormal columns, R is min(m, n) x n, upper.
// The factors are computed; Q() (formed by applying the reflectors to the
// identity), R() and solve build lazy arrays on them.
template <class T>
class QR {
 public:
  explicit QR(detail::QrParts parts) : parts_(std::move(parts)) {}
  DArray<T> Q() const { return DArray<T>(detail::qr_q(parts_)); }
  DArray<T> R() const { return DArray<T>(detail::qr_r(parts_)); }
  // The least-squares x minimizing |A x - b| (m >= n): R x = (Q' b), its
  // first n rows; b a vector or a matrix.
  DArray<T> solve(const DArray<T>& b) const { return DArray<T>(detail::qr_solve(parts_, b.impl())); }

 private:
  detail::QrParts parts_;
};

template <class T>
QR<T> qr(const Context& context, const DArray<T>& a) {
  return QR<T>(detail::qr_factor(context, a.impl()));
}
template <class T>
QR<T> qr(const DArray<T>& a) {
  return qr(Context(), a);
}

// A = U diag(S) Vt of an m x n matrix (double or float), k = min(m, n):
// U is m x k with orthonormal columns, S the k singular values descending
// (a vector), Vt is k x n with orthonormal rows. By QR first, then the SVD
// of R in one task (svd.cpp says why); all three are computed.
template <class T>
struct SVD {
  DArray<T> U;
  DArray<T> S;
  DArray<T> Vt;
};
template <class T>
SVD<T> svd(const Context& context, const DArray<T>& a) {
  detail::SvdParts p = detail::svd_factor(context, a.impl());
  return SVD<T>{DArray<T>(std::move(p.u)), DArray<T>(std::move(p.s)), DArray<T>(std::move(p.vt))};
}
template <class T>
SVD<T> svd(const DArray<T>& a) {
  return svd(Context(), a);
}

// The operator norm of a matrix (as Julia's opnorm): p = 1, the largest
// sum of magnitudes down a column; p = INFINITY, along a row; p = 2, the
// largest singular value. Lazy, like norm, except that p = 2 computes the
// matrix's QR when called (the thunk takes R's largest singular value).
// Other p are an ArrayError.
template <class T>
Thunk<double> opnorm(const DArray<T>& a, double p = 1) {
  return detail::operator_norm(a.impl(), p);
}

// X with op(t) X = b (Left) or X op(t) = b (Right), t triangular; lazy.
// b is a vector or a matrix (a matrix on the Right); it is re-blocked to
// t's tiles where they differ.
template <class T>
DArray<T> triangular_solve(const DArray<T>& t, const DArray<T>& b, Triangle triangle, Side side = Left) {
  return DArray<T>(
      detail::triangular_solve_arrays(t.impl(), b.impl(), triangle == Lower, side == Left, false));
}

}  // namespace dagger
