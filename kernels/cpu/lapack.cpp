#include "kernels/cpu/lapack.hpp"

#include <cblas.h>

#include <cstddef>

#include "kernels/cpu/gemm.hpp"

// LAPACK's Fortran entry points, which OpenBLAS exports (its own potrf is
// the tuned one). The trailing length is gfortran's hidden string length.
extern "C" {
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, std::size_t uplo_len);
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info, std::size_t uplo_len);
}

namespace dagger::kernels::cpu {
namespace {

int n_of(std::int64_t v) { return static_cast<int>(v); }

template <class T>
void clear_strict_upper(T* a, std::int64_t n) {
  for (std::int64_t c = 1; c < n; ++c) {
    for (std::int64_t r = 0; r < c; ++r) a[r + c * n] = T(0);
  }
}

}  // namespace

std::int64_t cholesky_lower(Block& a) {
  single_threaded_blas();
  const int n = n_of(a.rows);
  int info = 0;
  const char lower = 'L';
  if (a.dtype == DType::f64) {
    if (n > 0) dpotrf_(&lower, &n, a.mutable_data<double>(), &n, &info, 1);
    if (info == 0) clear_strict_upper(a.mutable_data<double>(), a.rows);
  } else {
    if (n > 0) spotrf_(&lower, &n, a.mutable_data<float>(), &n, &info, 1);
    if (info == 0) clear_strict_upper(a.mutable_data<float>(), a.rows);
  }
  return info;
}

void triangular_solve(const Block& t, Block& b, bool left, bool lower, bool transpose) {
  single_threaded_blas();
  const int m = n_of(b.rows), n = n_of(b.cols), lda = n_of(t.rows);
  if (m == 0 || n == 0) return;
  const auto side = left ? CblasLeft : CblasRight;
  const auto uplo = lower ? CblasLower : CblasUpper;
  const auto trans = transpose ? CblasTrans : CblasNoTrans;
  if (b.dtype == DType::f64) {
    cblas_dtrsm(CblasColMajor, side, uplo, trans, CblasNonUnit, m, n, 1.0, t.data<double>(), lda,
                b.mutable_data<double>(), m);
  } else {
    cblas_strsm(CblasColMajor, side, uplo, trans, CblasNonUnit, m, n, 1.0f, t.data<float>(), lda,
                b.mutable_data<float>(), m);
  }
}

void multiply_subtract(const Block& a, const Block& b, Block& c, bool transpose_a, bool transpose_b) {
  single_threaded_blas();
  const int m = n_of(c.rows), n = n_of(c.cols);
  const int k = n_of(transpose_a ? a.rows : a.cols);
  if (m == 0 || n == 0 || k == 0) return;
  const auto ta = transpose_a ? CblasTrans : CblasNoTrans, tb = transpose_b ? CblasTrans : CblasNoTrans;
  const int lda = n_of(a.rows), ldb = n_of(b.rows);
  if (c.dtype == DType::f64) {
    cblas_dgemm(CblasColMajor, ta, tb, m, n, k, -1.0, a.data<double>(), lda, b.data<double>(), ldb, 1.0,
                c.mutable_data<double>(), m);
  } else {
    cblas_sgemm(CblasColMajor, ta, tb, m, n, k, -1.0f, a.data<float>(), lda, b.data<float>(), ldb, 1.0f,
                c.mutable_data<float>(), m);
  }
}

void symmetric_subtract(const Block& a, Block& c) {
  single_threaded_blas();
  const int n = n_of(c.rows), k = n_of(a.cols);
  if (n == 0 || k == 0) return;
  if (c.dtype == DType::f64) {
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, n, k, -1.0, a.data<double>(), n, 1.0,
                c.mutable_data<double>(), n);
  } else {
    cblas_ssyrk(CblasColMajor, CblasLower, CblasNoTrans, n, k, -1.0f, a.data<float>(), n, 1.0f,
                c.mutable_data<float>(), n);
  }
}

}  // namespace dagger::kernels::cpu
