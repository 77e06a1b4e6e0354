#include "kernels/cpu/lapack.hpp"

#include <cblas.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "kernels/cpu/gemm.hpp"

// LAPACK's Fortran entry points, which OpenBLAS exports (its own potrf is
// the tuned one). The trailing length is gfortran's hidden string length.
extern "C" {
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, std::size_t uplo_len);
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info, std::size_t uplo_len);
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void sgetrf_(const int* m, const int* n, float* a, const int* lda, int* ipiv, int* info);
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
             int* info);
void sgeqrf_(const int* m, const int* n, float* a, const int* lda, float* tau, float* work, const int* lwork,
             int* info);
// ormqr writes into a while it runs (and restores it).
void dormqr_(const char* side, const char* trans, const int* m, const int* n, const int* k, double* a,
             const int* lda, const double* tau, double* c, const int* ldc, double* work, const int* lwork, int* info,
             std::size_t side_len, std::size_t trans_len);
void sormqr_(const char* side, const char* trans, const int* m, const int* n, const int* k, float* a,
             const int* lda, const float* tau, float* c, const int* ldc, float* work, const int* lwork, int* info,
             std::size_t side_len, std::size_t trans_len);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
             const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork, int* info,
             std::size_t jobz_len);
void sgesdd_(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s, float* u,
             const int* ldu, float* vt, const int* ldvt, float* work, const int* lwork, int* iwork, int* info,
             std::size_t jobz_len);
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

void triangular_solve(const Block& t, Block& b, bool left, bool lower, bool transpose, bool unit) {
  single_threaded_blas();
  const int m = n_of(b.rows), n = n_of(b.cols), lda = n_of(t.rows);
  if (m == 0 || n == 0) return;
  const auto side = left ? CblasLeft : CblasRight;
  const auto uplo = lower ? CblasLower : CblasUpper;
  const auto trans = transpose ? CblasTrans : CblasNoTrans;
  const auto diag = unit ? CblasUnit : CblasNonUnit;
  if (b.dtype == DType::f64) {
    cblas_dtrsm(CblasColMajor, side, uplo, trans, diag, m, n, 1.0, t.data<double>(), lda, b.mutable_data<double>(), m);
  } else {
    cblas_strsm(CblasColMajor, side, uplo, trans, diag, m, n, 1.0f, t.data<float>(), lda, b.mutable_data<float>(), m);
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

std::int64_t lu_with_pivoting(Block& a, std::vector<int>& pivots) {
  single_threaded_blas();
  const int m = n_of(a.rows), n = n_of(a.cols);
  pivots.assign(static_cast<std::size_t>(n), 0);
  if (m == 0 || n == 0) return 0;
  int info = 0;
  if (a.dtype == DType::f64) {
    dgetrf_(&m, &n, a.mutable_data<double>(), &m, pivots.data(), &info);
  } else {
    sgetrf_(&m, &n, a.mutable_data<float>(), &m, pivots.data(), &info);
  }
  return info;
}

namespace {

// Right-looking, one column at a time: scale the column below the pivot,
// then a rank-one update of the rest (BLAS ger).
template <class T>
std::int64_t lu_unpivoted(T* a, int n) {
  for (int c = 0; c < n; ++c) {
    const T pivot = a[c + c * n];
    if (pivot == T(0)) return c + 1;
    const int below = n - c - 1;
    for (int r = c + 1; r < n; ++r) a[r + c * n] /= pivot;
    if (below == 0) continue;
    if constexpr (std::is_same_v<T, double>) {
      cblas_dger(CblasColMajor, below, below, -1.0, a + c + 1 + c * n, 1, a + c + (c + 1) * n, n,
                 a + c + 1 + (c + 1) * n, n);
    } else {
      cblas_sger(CblasColMajor, below, below, -1.0f, a + c + 1 + c * n, 1, a + c + (c + 1) * n, n,
                 a + c + 1 + (c + 1) * n, n);
    }
  }
  return 0;
}

}  // namespace

namespace {

template <class T, class Geqrf>
void qr_typed(Block& a, std::vector<double>& tau, Geqrf geqrf) {
  const int m = n_of(a.rows), n = n_of(a.cols), k = std::min(m, n);
  std::vector<T> scales(static_cast<std::size_t>(k));
  int info = 0, query = -1;
  T size = 0;
  geqrf(&m, &n, a.mutable_data<T>(), &m, scales.data(), &size, &query, &info);
  const int lwork = std::max(1, static_cast<int>(size));
  std::vector<T> work(static_cast<std::size_t>(lwork));
  geqrf(&m, &n, a.mutable_data<T>(), &m, scales.data(), work.data(), &lwork, &info);
  tau.assign(scales.begin(), scales.end());
}

template <class T, class Ormqr>
void apply_typed(const Block& v, const std::vector<double>& tau, Block& c, bool transpose, Ormqr ormqr) {
  const int m = n_of(c.rows), n = n_of(c.cols), k = static_cast<int>(tau.size()), lda = n_of(v.rows);
  const std::vector<T> scales(tau.begin(), tau.end());
  // ormqr writes into its reflectors while it runs (it sets each one's
  // diagonal entry to 1 and puts the old value back), so two tasks applying
  // the same reflectors at once would corrupt them: it gets its own copy of
  // the k columns it reads.
  std::vector<T> reflectors(v.data<T>(), v.data<T>() + static_cast<std::size_t>(lda) * static_cast<std::size_t>(k));
  const char side = 'L', trans = transpose ? 'T' : 'N';
  int info = 0, query = -1;
  T size = 0;
  ormqr(&side, &trans, &m, &n, &k, reflectors.data(), &lda, scales.data(), c.mutable_data<T>(), &m, &size, &query,
        &info, 1, 1);
  const int lwork = std::max(1, static_cast<int>(size));
  std::vector<T> work(static_cast<std::size_t>(lwork));
  ormqr(&side, &trans, &m, &n, &k, reflectors.data(), &lda, scales.data(), c.mutable_data<T>(), &m, work.data(),
        &lwork, &info, 1, 1);
}

}  // namespace

void qr_in_place(Block& a, std::vector<double>& tau) {
  single_threaded_blas();
  if (a.rows == 0 || a.cols == 0) {
    tau.clear();
    return;
  }
  if (a.dtype == DType::f64) {
    qr_typed<double>(a, tau, dgeqrf_);
  } else {
    qr_typed<float>(a, tau, sgeqrf_);
  }
}

void apply_reflectors(const Block& v, const std::vector<double>& tau, Block& c, bool transpose) {
  single_threaded_blas();
  if (c.rows == 0 || c.cols == 0 || tau.empty()) return;
  if (c.dtype == DType::f64) {
    apply_typed<double>(v, tau, c, transpose, dormqr_);
  } else {
    apply_typed<float>(v, tau, c, transpose, sormqr_);
  }
}

template <class T, class Gesdd>
void singular_values_typed(const Block& a, Block& s, Block* u, Block* vt, Gesdd gesdd) {
  const int n = n_of(a.rows);
  if (n == 0) return;
  std::vector<T> copy(a.data<T>(), a.data<T>() + static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
  const char jobz = u ? 'A' : 'N';
  T* u_data = u ? u->mutable_data<T>() : nullptr;
  T* vt_data = u ? vt->mutable_data<T>() : nullptr;
  std::vector<int> iwork(8 * static_cast<std::size_t>(n));
  int info = 0, query = -1;
  T size = 0;
  gesdd(&jobz, &n, &n, copy.data(), &n, s.mutable_data<T>(), u_data, &n, vt_data, &n, &size, &query, iwork.data(),
        &info, 1);
  const int lwork = std::max(1, static_cast<int>(size));
  std::vector<T> work(static_cast<std::size_t>(lwork));
  gesdd(&jobz, &n, &n, copy.data(), &n, s.mutable_data<T>(), u_data, &n, vt_data, &n, work.data(), &lwork,
        iwork.data(), &info, 1);
  if (info > 0) throw std::runtime_error("gesdd did not converge (info " + std::to_string(info) + ")");
}

void singular_values(const Block& a, Block& s, Block* u, Block* vt) {
  single_threaded_blas();
  if (a.dtype == DType::f64) {
    singular_values_typed<double>(a, s, u, vt, dgesdd_);
  } else {
    singular_values_typed<float>(a, s, u, vt, sgesdd_);
  }
}

std::int64_t lu_without_pivoting(Block& a) {
  single_threaded_blas();
  const int n = n_of(a.rows);
  return a.dtype == DType::f64 ? lu_unpivoted(a.mutable_data<double>(), n) : lu_unpivoted(a.mutable_data<float>(), n);
}

}  // namespace dagger::kernels::cpu
