#include "kernels/cpu/gemm.hpp"

#include <cblas.h>

#include <Eigen/Core>
#include <algorithm>

#include "kernels/cpu/blas_kernel_check.hpp"

namespace dagger::kernels::cpu {
namespace {

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

}  // namespace

void single_threaded_blas() {
  check_blas_kernel_once();
  if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
}

namespace {

// Integers have no BLAS: Eigen's product, in the integers' own type.
template <class T>
void integer_gemm(const Block& a, const Block& b, Block& c, bool first, bool transpose_a, bool transpose_b) {
  Eigen::Map<const Matrix<T>> ma(a.data<T>(), a.rows, a.cols), mb(b.data<T>(), b.rows, b.cols);
  Eigen::Map<Matrix<T>> mc(c.mutable_data<T>(), c.rows, c.cols);
  if (first) mc.setZero();
  if (transpose_a && transpose_b) {
    mc.noalias() += ma.transpose() * mb.transpose();
  } else if (transpose_a) {
    mc.noalias() += ma.transpose() * mb;
  } else if (transpose_b) {
    mc.noalias() += ma * mb.transpose();
  } else {
    mc.noalias() += ma * mb;
  }
}

}  // namespace

void gemm(const Block& a, const Block& b, Block& c, bool first, bool transpose_a, bool transpose_b) {
  const auto m = static_cast<int>(c.rows), n = static_cast<int>(c.cols);
  const auto k = static_cast<int>(transpose_a ? a.rows : a.cols);
  const int lda = static_cast<int>(a.rows), ldb = static_cast<int>(b.rows);
  const auto ta = transpose_a ? CblasTrans : CblasNoTrans, tb = transpose_b ? CblasTrans : CblasNoTrans;
  switch (a.dtype) {
    case DType::f64:
      single_threaded_blas();
      cblas_dgemm(CblasColMajor, ta, tb, m, n, k, 1.0, a.data<double>(), lda, b.data<double>(), ldb, first ? 0.0 : 1.0,
                  c.mutable_data<double>(), m);
      return;
    case DType::f32:
      single_threaded_blas();
      cblas_sgemm(CblasColMajor, ta, tb, m, n, k, 1.0f, a.data<float>(), lda, b.data<float>(), ldb,
                  first ? 0.0f : 1.0f, c.mutable_data<float>(), m);
      return;
    case DType::b8:
      return;  // rejected before any thunk is built
    default:
      visit_dtype(a.dtype, [&]<class T>() {
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) integer_gemm<T>(a, b, c, first, transpose_a, transpose_b);
      });
      return;
  }
}

namespace {

// Transposes in 32x32 tiles, so that both the reads and the writes stay in
// cache lines already loaded.
template <class T>
void transpose_into(const T* in, T* out, std::int64_t rows, std::int64_t cols) {
  constexpr std::int64_t kTile = 32;
  for (std::int64_t c0 = 0; c0 < cols; c0 += kTile) {
    for (std::int64_t r0 = 0; r0 < rows; r0 += kTile) {
      const std::int64_t c1 = std::min(c0 + kTile, cols), r1 = std::min(r0 + kTile, rows);
      for (std::int64_t c = c0; c < c1; ++c) {
        for (std::int64_t r = r0; r < r1; ++r) out[c + r * cols] = in[r + c * rows];
      }
    }
  }
}

}  // namespace

void transpose(const Block& a, Block& t) {
  visit_dtype(a.dtype, [&]<class T>() { transpose_into(a.data<T>(), t.mutable_data<T>(), a.rows, a.cols); });
}

}  // namespace dagger::kernels::cpu
