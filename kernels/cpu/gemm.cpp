#include "kernels/cpu/gemm.hpp"

#include <cblas.h>

#include <Eigen/Core>
#include <cstring>

namespace dagger::kernels::cpu {
namespace {

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

// Each block product runs on one dagger thread: OpenBLAS must not start
// threads of its own on top of ours.
void single_threaded_blas() {
  if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
}

}  // namespace

void gemm(const Block& a, const Block& b, Block& c, bool first) {
  const auto m = static_cast<int>(a.rows), n = static_cast<int>(b.cols), k = static_cast<int>(a.cols);
  switch (a.dtype) {
    case DType::f64:
      single_threaded_blas();
      cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, a.data<double>(), m,
                  b.data<double>(), k, first ? 0.0 : 1.0, c.mutable_data<double>(), m);
      return;
    case DType::f32:
      single_threaded_blas();
      cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a.data<float>(), m,
                  b.data<float>(), k, first ? 0.0f : 1.0f, c.mutable_data<float>(), m);
      return;
    case DType::i64: {
      Eigen::Map<const Matrix<std::int64_t>> ma(a.data<std::int64_t>(), m, k), mb(b.data<std::int64_t>(), k, n);
      Eigen::Map<Matrix<std::int64_t>> mc(c.mutable_data<std::int64_t>(), m, n);
      if (first) {
        mc.noalias() = ma * mb;
      } else {
        mc.noalias() += ma * mb;
      }
      return;
    }
    case DType::b8:
      break;  // rejected before any thunk is built
  }
}

Block transpose(const Block& a) {
  Block t = Block::make(a.dtype, a.cols, a.rows);
  const std::size_t e = element_size(a.dtype);
  for (std::int64_t c = 0; c < a.cols; ++c) {
    for (std::int64_t r = 0; r < a.rows; ++r) {
      std::memcpy(t.buffer.get() + static_cast<std::size_t>(c + r * a.cols) * e,
                  a.buffer.get() + static_cast<std::size_t>(r + c * a.rows) * e, e);
    }
  }
  return t;
}

}  // namespace dagger::kernels::cpu
