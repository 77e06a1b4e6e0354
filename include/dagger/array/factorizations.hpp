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
#pragma once

#include <cstdint>
#include <string>

#include "dagger/array/array_compute.hpp"
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

namespace detail {
ArrayPtr cholesky_factor(const Context& context, const ArrayPtr& a);
// The factor's lazy tile graph, without the checks (a: square tiles).
ArrayPtr cholesky_graph(const ArrayPtr& a);
// op(t) X = b (left) or X op(t) = b (right); op(t) = t' when transpose_t.
ArrayPtr triangular_solve_arrays(const ArrayPtr& t, const ArrayPtr& b, bool lower, bool left, bool transpose_t);
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

// X with op(t) X = b (Left) or X op(t) = b (Right), t triangular; lazy.
// b is a vector or a matrix (a matrix on the Right); it is re-blocked to
// t's tiles where they differ.
template <class T>
DArray<T> triangular_solve(const DArray<T>& t, const DArray<T>& b, Triangle triangle, Side side = Left) {
  return DArray<T>(
      detail::triangular_solve_arrays(t.impl(), b.impl(), triangle == Lower, side == Left, false));
}

}  // namespace dagger
