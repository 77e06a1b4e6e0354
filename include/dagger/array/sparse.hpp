// Sparse arrays: blocks in compressed sparse column (CSC) form. Kernels see a
// block through an Eigen sparse Map over its own buffers, as dense kernels
// see a dense block through a Map.
#pragma once

#include <Eigen/SparseCore>
#include <memory>
#include <optional>
#include <vector>

#include "dagger/array/constructors.hpp"
#include "dagger/array/elementwise.hpp"
#include "dagger/compute.hpp"
#include "dagger/array/darray.hpp"
#include "dagger/detail/spill_codec.hpp"

namespace dagger {

// One CSC block: column c's entries are row_index/values[col_start[c] ..
// col_start[c+1]), rows ascending.
struct SparseBlock {
  DType dtype = DType::f64;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::shared_ptr<std::vector<std::int64_t>> col_start;  // cols + 1 entries
  std::shared_ptr<std::vector<std::int64_t>> row_index;  // nnz entries
  std::shared_ptr<std::vector<std::byte>> values;        // nnz elements of dtype
  // A block in a GPU's memory has instead one device buffer holding
  // col_start, row_index and values one after the other (device_layout),
  // and its entry count here; the host arrays are then null.
  std::shared_ptr<detail::DeviceBuffer> device;
  std::int64_t device_nonzeros = 0;

  bool on_device() const noexcept { return device != nullptr; }
  std::int64_t nonzeros() const {
    return device ? device_nonzeros : static_cast<std::int64_t>(row_index->size());
  }
  template <class T>
  Eigen::Map<const Eigen::SparseMatrix<T, Eigen::ColMajor, std::int64_t>> view() const {
    return {rows, cols, nonzeros(), col_start->data(), row_index->data(),
            reinterpret_cast<const T*>(values->data())};
  }
};
// Where the three arrays of a sparse block lie in its device buffer.
struct SparseDeviceLayout {
  std::size_t col_start = 0, row_index = 0, values = 0, bytes = 0;  // offsets, total
};
inline SparseDeviceLayout device_layout(const SparseBlock& b) {
  SparseDeviceLayout l;
  l.row_index = static_cast<std::size_t>(b.cols + 1) * sizeof(std::int64_t);
  l.values = l.row_index + static_cast<std::size_t>(b.nonzeros()) * sizeof(std::int64_t);
  l.bytes = l.values + static_cast<std::size_t>(b.nonzeros()) * element_size(b.dtype);
  return l;
}
inline std::size_t dagger_byte_size(const SparseBlock& b) { return sizeof(SparseBlock) + device_layout(b).bytes; }
// Sparse blocks in host memory may be spilled to disk under the memory limit.
const detail::SpillCodec* dagger_spill_codec(const SparseBlock*);
void dagger_wire_save(const SparseBlock& b, detail::WireWriter& out);
void dagger_wire_load(SparseBlock& b, detail::WireReader& in);

namespace detail {
struct SparseImpl {
  Layout layout;
  DType dtype;
  std::vector<Thunk<SparseBlock>> blocks;
};
using SparsePtr = std::shared_ptr<const SparseImpl>;

SparsePtr sparse_random(Layout layout, DType dtype, double density, std::optional<Seed> seed,
                        const Assignment& assignment);
// Applies f (a double -> double or float -> float function with f(0) = 0)
// to the stored values.
SparsePtr sparse_map(const SparsePtr& a, std::function<void(const std::byte* in, std::byte* out, std::int64_t n)> f);
SparsePtr sparse_add(const SparsePtr& a, const SparsePtr& b, bool subtract);
SparsePtr sparse_times(const SparsePtr& a, const SparsePtr& b);
ArrayPtr sparse_matmul(const SparsePtr& a, const ArrayPtr& dense);
ArrayPtr sparse_to_dense(const SparsePtr& a);
SparsePtr sparse_distribute(Layout layout, DType dtype, const std::vector<Eigen::Triplet<double, std::int64_t>>& entries,
                            const Assignment& assignment);
[[noreturn]] void throw_sparse_map_not_zero_preserving();
}  // namespace detail

template <class T>
class SparseDArray {
  static_assert(std::is_floating_point_v<T>, "sparse arrays hold double or float");

 public:
  using value_type = T;
  explicit SparseDArray(detail::SparsePtr impl) : impl_(std::move(impl)) {}
  const Layout& layout() const { return impl_->layout; }
  std::int64_t rows() const { return layout().rows(); }
  std::int64_t cols() const { return layout().cols(); }
  const detail::SparsePtr& impl() const { return impl_; }
  const std::vector<Thunk<SparseBlock>>& block_thunks() const { return impl_->blocks; }

 private:
  detail::SparsePtr impl_;
};

// A random m x n sparse matrix (or 1-D vector of m) where each entry is
// stored with probability `density`, with values uniform in [0, 1). As for
// dense arrays, an Assignment last says which processor makes and keeps
// each block (assignment.hpp); the values do not depend on it.
template <class T = double>
SparseDArray<T> sprand(const Blocks& blocks, std::int64_t m, std::int64_t n, double density,
                       std::optional<Seed> seed = std::nullopt, const Assignment& assignment = {}) {
  return SparseDArray<T>(detail::sparse_random(Layout({m, n}, blocks), dtype_of<T>(), density, seed, assignment));
}
template <class T = double>
SparseDArray<T> sprand(const Blocks& blocks, std::int64_t m, std::int64_t n, double density,
                       const Assignment& assignment) {
  return sprand<T>(blocks, m, n, density, std::nullopt, assignment);
}
template <class T = double>
SparseDArray<T> sprand(const Blocks& blocks, std::int64_t m, double density, std::optional<Seed> seed = std::nullopt,
                       const Assignment& assignment = {}) {
  return SparseDArray<T>(detail::sparse_random(Layout({m}, blocks), dtype_of<T>(), density, seed, assignment));
}
template <class T = double>
SparseDArray<T> sprand(const Blocks& blocks, std::int64_t m, double density, const Assignment& assignment) {
  return sprand<T>(blocks, m, density, std::nullopt, assignment);
}

// An Eigen sparse matrix cut into blocks, each made by its owner under
// `assignment`.
template <class T, int Options, class Index>
SparseDArray<T> distribute(const Blocks& blocks, const Eigen::SparseMatrix<T, Options, Index>& m,
                           const Assignment& assignment = {}) {
  std::vector<Eigen::Triplet<double, std::int64_t>> entries;
  for (Eigen::Index k = 0; k < m.outerSize(); ++k) {
    for (typename Eigen::SparseMatrix<T, Options, Index>::InnerIterator it(m, k); it; ++it) {
      entries.emplace_back(it.row(), it.col(), static_cast<double>(it.value()));
    }
  }
  return SparseDArray<T>(detail::sparse_distribute(Layout({m.rows(), m.cols()}, blocks), dtype_of<T>(), entries, assignment));
}

// Element-wise operations that keep sparsity: f applied to the stored
// entries (f(0) must be 0: checked), scaling, sums and products of sparse
// arrays.
template <class F, class T>
SparseDArray<T> map(F f, const SparseDArray<T>& a) {
  if (static_cast<T>(f(T(0))) != T(0)) detail::throw_sparse_map_not_zero_preserving();
  return SparseDArray<T>(detail::sparse_map(a.impl(), [f](const std::byte* in, std::byte* out, std::int64_t n) {
    const T* x = reinterpret_cast<const T*>(in);
    T* o = reinterpret_cast<T*>(out);
    for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(f(x[i]));
  }));
}
template <class T, detail::Scalar S>
SparseDArray<T> operator*(const SparseDArray<T>& a, S s) {
  return map([s](T x) { return static_cast<T>(x * s); }, a);
}
template <detail::Scalar S, class T>
SparseDArray<T> operator*(S s, const SparseDArray<T>& a) {
  return a * s;
}
template <class T, detail::Scalar S>
SparseDArray<T> operator/(const SparseDArray<T>& a, S s) {
  return map([s](T x) { return static_cast<T>(x / s); }, a);
}
template <class T>
SparseDArray<T> operator-(const SparseDArray<T>& a) {
  return map([](T x) { return -x; }, a);
}
template <class T>
SparseDArray<T> operator+(const SparseDArray<T>& a, const SparseDArray<T>& b) {
  return SparseDArray<T>(detail::sparse_add(a.impl(), b.impl(), false));
}
template <class T>
SparseDArray<T> operator-(const SparseDArray<T>& a, const SparseDArray<T>& b) {
  return SparseDArray<T>(detail::sparse_add(a.impl(), b.impl(), true));
}
template <class T>
SparseDArray<T> times(const SparseDArray<T>& a, const SparseDArray<T>& b) {
  return SparseDArray<T>(detail::sparse_times(a.impl(), b.impl()));
}

// Sparse times dense vector or matrix: a dense array.
template <class T>
DArray<T> operator*(const SparseDArray<T>& a, const DArray<T>& x) {
  return DArray<T>(detail::sparse_matmul(a.impl(), x.impl()));
}
template <class T>
DArray<T> matmul(const SparseDArray<T>& a, const DArray<T>& x) {
  return a * x;
}
template <class T>
DArray<T> dense(const SparseDArray<T>& a) {
  return DArray<T>(detail::sparse_to_dense(a.impl()));
}

// Gathers the array on the caller as an Eigen sparse matrix.
template <class T>
Eigen::SparseMatrix<T> collect(const Context& context, const SparseDArray<T>& a) {
  const Layout& layout = a.layout();
  // Blocks on a GPU or in a worker are brought here first.
  auto chunks = detail::results_here(context, a.block_thunks());
  std::vector<Eigen::Triplet<T>> entries;
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    // Pinned while copied, not held.
    const detail::ChunkPtr& chunk = chunks[k];
    detail::ScopedPin pin(*chunk);
    const SparseBlock& b = chunk->value.template get<SparseBlock>();
    const std::int64_t r0 = layout.row_start(layout.grid_row_of(k)), c0 = layout.col_start(layout.grid_col_of(k));
    auto view = b.template view<T>();
    for (Eigen::Index c = 0; c < view.outerSize(); ++c) {
      for (typename decltype(view)::InnerIterator it(view, c); it; ++it) {
        entries.emplace_back(static_cast<int>(r0 + it.row()), static_cast<int>(c0 + it.col()), it.value());
      }
    }
  }
  Eigen::SparseMatrix<T> out(layout.rows(), layout.cols());
  out.setFromTriplets(entries.begin(), entries.end());
  return out;
}
template <class T>
Eigen::SparseMatrix<T> collect(const SparseDArray<T>& a) {
  return collect(Context(), a);
}

}  // namespace dagger
