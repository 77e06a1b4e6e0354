// Sorting the sample sort's buckets (Highway's vqsort, which picks AVX2,
// AVX-512 or SSE4 at run time), gathering them and cutting the result.
#include "array/sort_kernels.hpp"

#include <hwy/contrib/sort/vqsort.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <type_traits>

namespace dagger::detail::sorting {
namespace {

// vqsort allocates its buffers once per Sorter; one per thread reuses them.
const hwy::Sorter& sorter() {
  thread_local const hwy::Sorter s;
  return s;
}

// Two values: count the trues.
void sort_bools(bool* b, std::size_t n, SortOrder order) {
  const auto trues = static_cast<std::size_t>(std::count(b, b + n, true));
  const bool first = order == SortOrder::descending;
  std::fill(b, b + (first ? trues : n - trues), first);
  std::fill(b + (first ? trues : n - trues), b + n, !first);
}

// 256 values (vqsort has no 8-bit sort): count each, write the counts out.
template <class B>
void sort_bytes(B* b, std::size_t n, SortOrder order) {
  std::array<std::size_t, 256> count{};
  constexpr int lowest = std::numeric_limits<B>::min();
  for (std::size_t i = 0; i < n; ++i) ++count[static_cast<std::size_t>(int(b[i]) - lowest)];
  B* o = b;
  for (int k = 0; k < 256; ++k) {
    const int v = order == SortOrder::ascending ? k : 255 - k;
    o = std::fill_n(o, count[static_cast<std::size_t>(v)], static_cast<B>(v + lowest));
  }
}

}  // namespace

template <class K>
void vqsort(K* keys, std::size_t n, SortOrder order) {
  if (order == SortOrder::ascending) {
    sorter()(keys, n, hwy::SortAscending());
  } else {
    sorter()(keys, n, hwy::SortDescending());
  }
}

// Highway 1.0.3's vqsort of float and double turns +inf into the largest
// finite value and, descending, -inf into the lowest (its sentinels are
// those finite values). Its integer sorts are exact, so floating values that
// may include infinities are sorted as their order bits: the unsigned number whose order is theirs
// (positive values get the sign bit set, negative ones are inverted), a
// reversible map done in place, vectorized, one pass each way. NaNs never
// reach a bucket. -0.0 sorts before 0.0, which std::sort leaves unordered.
template <class U>
void sort_floats_as_bits(std::byte* buffer, std::size_t n, SortOrder order) {
  using S = std::make_signed_t<U>;
  constexpr U sign = U{1} << (8 * sizeof(U) - 1);
  constexpr unsigned shift = 8 * sizeof(U) - 1;
  U* u = reinterpret_cast<U*>(buffer);
  for (std::size_t i = 0; i < n; ++i) u[i] ^= static_cast<U>(static_cast<S>(u[i]) >> shift) | sign;
  vqsort(u, n, order);
  for (std::size_t i = 0; i < n; ++i) u[i] ^= static_cast<U>(static_cast<S>(~u[i]) >> shift) | sign;
}

template <class T>
void sort_values(Block& values, SortOrder order, bool may_hold_infinities) {
  const auto n = static_cast<std::size_t>(values.size());
  if constexpr (std::is_same_v<T, bool>) {
    sort_bools(values.mutable_data<bool>(), n, order);
  } else if constexpr (sizeof(T) == 1) {
    sort_bytes(values.mutable_data<T>(), n, order);
  } else if constexpr (std::is_floating_point_v<T>) {
    using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
    if (may_hold_infinities) {
      sort_floats_as_bits<Bits>(values.buffer.get(), n, order);
    } else {
      vqsort(values.mutable_data<T>(), n, order);
    }
  } else {
    vqsort(values.mutable_data<T>(), n, order);
  }
}

template <class T>
bool may_hold_infinities(const Block& splitters, std::size_t j) {
  if constexpr (std::is_floating_point_v<T>) {
    const auto last = static_cast<std::size_t>(splitters.size());
    return j == 0 || j >= last || splitters.data<T>()[j] == std::numeric_limits<T>::infinity();
  }
  return false;
}

#define DAGGER_SORT_VALUES(T)                                 \
  template void sort_values<T>(Block&, SortOrder, bool);      \
  template bool may_hold_infinities<T>(const Block&, std::size_t);
#define DAGGER_EACH(e, T, ...) DAGGER_SORT_VALUES(T)
DAGGER_ELEMENT_TYPES(DAGGER_EACH)
#undef DAGGER_EACH
#undef DAGGER_SORT_VALUES

void sort_in_order(Block& values, bool descending) {
  const SortOrder order = descending ? SortOrder::descending : SortOrder::ascending;
  visit_dtype(values.dtype, [&]<class T>() { sort_values<T>(values, order); });
}

void sort_pairs(Block& pairs) {
  // The block's bytes hold little-endian 128-bit numbers (low half first),
  // hwy::uint128_t's layout; block buffers are 16-byte aligned.
  auto* keys = reinterpret_cast<hwy::uint128_t*>(pairs.buffer.get());
  sorter()(keys, static_cast<std::size_t>(pairs.size() / 2), hwy::SortAscending());
}

Block gathered(const std::vector<std::vector<Block>>& partitions, std::size_t j) {
  std::int64_t rows = 0;
  for (const auto& p : partitions) {
    if (j >= p.size()) throw ArrayError("sort: bucket " + std::to_string(j) + " of a partition into " + std::to_string(p.size()));
    rows += p[j].rows;
  }
  Block out = Block::make(partitions.front()[j].dtype, rows, 1);
  std::byte* o = out.buffer.get();
  for (const auto& p : partitions) {
    if (p[j].bytes() == 0) continue;
    std::memcpy(o, p[j].buffer.get(), p[j].bytes());
    o += p[j].bytes();
  }
  return out;
}

Block values_block(const std::vector<Block>& buckets, std::int64_t begin, std::int64_t length, DType dtype) {
  Block out = Block::make(dtype, length, 1);
  const std::size_t e = element_size(dtype);
  std::int64_t offset = 0, written = 0;
  for (const Block& b : buckets) {
    const std::int64_t lo = std::max(begin, offset), hi = std::min(begin + length, offset + b.size());
    if (lo < hi) {
      std::memcpy(out.buffer.get() + static_cast<std::size_t>(written) * e,
                  b.buffer.get() + static_cast<std::size_t>(lo - offset) * e, static_cast<std::size_t>(hi - lo) * e);
      written += hi - lo;
    }
    offset += b.size();
  }
  return out;
}

Block indices_block(const std::vector<Block>& buckets, std::int64_t begin, std::int64_t length) {
  Block out = Block::make(DType::i64, length, 1);
  std::int64_t* o = out.mutable_data<std::int64_t>();
  std::int64_t offset = 0;
  for (const Block& b : buckets) {
    const std::int64_t count = b.rows / 2;  // pairs
    const std::int64_t lo = std::max(begin, offset), hi = std::min(begin + length, offset + count);
    // The index is the low half of each pair.
    const std::int64_t* pair = b.data<std::int64_t>();
    for (std::int64_t i = lo; i < hi; ++i) *o++ = pair[2 * (i - offset)];
    offset += count;
  }
  return out;
}

}  // namespace dagger::detail::sorting
