// How the chunk store spills a sparse block: its three CSC arrays, in order.
#include "dagger/array/sparse.hpp"
#include "dagger/detail/spill_codec.hpp"

namespace dagger {
namespace {

const SparseBlock& as_sparse(const void* object) { return *static_cast<const SparseBlock*>(object); }

template <class V>
std::span<const std::byte> bytes_of(const std::shared_ptr<V>& v) {
  if (!v) return {};
  return std::as_bytes(std::span(v->data(), v->size()));
}

template <class E>
std::span<std::byte> fresh(std::shared_ptr<std::vector<E>>& v, std::size_t bytes) {
  v = std::make_shared<std::vector<E>>(bytes / sizeof(E));
  return std::as_writable_bytes(std::span(v->data(), v->size()));
}

const detail::SpillCodec sparse_codec{
    [](const void* object) {
      const SparseBlock& b = as_sparse(object);
      return detail::SpillParts{bytes_of(b.col_start), bytes_of(b.row_index), bytes_of(b.values)};
    },
    [](const void* object) {
      const SparseBlock& b = as_sparse(object);
      return b.col_start.use_count() == 1 && b.row_index.use_count() == 1 && b.values.use_count() == 1;
    },
    [](void* object) {
      auto& b = *static_cast<SparseBlock*>(object);
      b.col_start.reset();
      b.row_index.reset();
      b.values.reset();
    },
    [](void* object, const detail::SpillSizes& sizes) {
      auto& b = *static_cast<SparseBlock*>(object);
      return detail::SpillTargets{fresh(b.col_start, sizes[0]), fresh(b.row_index, sizes[1]),
                                  fresh(b.values, sizes[2])};
    },
    nullptr,  // sparse blocks are always written out
    nullptr,
};

}  // namespace

const detail::SpillCodec* dagger_spill_codec(const SparseBlock*) { return &sparse_codec; }

}  // namespace dagger
