// Sample sort of 1-D arrays.
#include <algorithm>
#include <cstring>

#include "dagger/array.hpp"

namespace dagger::detail {
namespace {

constexpr std::int64_t kSamplesPerBlock = 128;
// Buckets are sorted in parallel; more than this gains nothing and would make
// the pieces (blocks x buckets) grow quadratically with the number of blocks.
constexpr std::int64_t kMaxBuckets = 64;

template <class T>
Block samples_of(const Block& b) {
  const std::int64_t n = std::min(kSamplesPerBlock, b.size());
  Block s = Block::make(b.dtype, n, 1);
  for (std::int64_t i = 0; i < n; ++i) s.mutable_data<T>()[i] = b.data<T>()[(i * b.size()) / n];
  return s;
}

template <class T>
Block splitters_of(const std::vector<Block>& samples, std::int64_t buckets) {
  std::vector<T> all;
  for (const Block& s : samples) all.insert(all.end(), s.data<T>(), s.data<T>() + s.size());
  std::sort(all.begin(), all.end());
  Block out = Block::make(samples.front().dtype, buckets - 1, 1);
  for (std::int64_t j = 1; j < buckets; ++j) {
    out.mutable_data<T>()[j - 1] = all.empty() ? T{} : all[(static_cast<std::size_t>(j) * all.size()) / static_cast<std::size_t>(buckets)];
  }
  return out;
}

// Cuts a block into one piece per bucket: piece j holds the values v with
// splitter[j-1] < v <= splitter[j].
template <class T>
std::vector<Block> partition_of(const Block& b, const Block& splitters) {
  const T* split = splitters.data<T>();
  const std::int64_t buckets = splitters.size() + 1;
  std::vector<std::int64_t> bucket_of(static_cast<std::size_t>(b.size()));
  std::vector<std::int64_t> counts(static_cast<std::size_t>(buckets), 0);
  const T* x = b.data<T>();
  for (std::int64_t i = 0; i < b.size(); ++i) {
    auto j = std::lower_bound(split, split + splitters.size(), x[i]) - split;
    bucket_of[static_cast<std::size_t>(i)] = j;
    ++counts[static_cast<std::size_t>(j)];
  }
  std::vector<Block> pieces;
  std::vector<T*> cursor;
  for (std::int64_t j = 0; j < buckets; ++j) {
    pieces.push_back(Block::make(b.dtype, counts[static_cast<std::size_t>(j)], 1));
    cursor.push_back(pieces.back().mutable_data<T>());
  }
  for (std::int64_t i = 0; i < b.size(); ++i) *cursor[static_cast<std::size_t>(bucket_of[static_cast<std::size_t>(i)])]++ = x[i];
  return pieces;
}

template <class T>
Block gathered_bucket(const std::vector<std::vector<Block>>& partitions, std::size_t j) {
  std::int64_t n = 0;
  for (const auto& p : partitions) n += p[j].size();
  Block out = Block::make(partitions.front()[j].dtype, n, 1);
  T* o = out.mutable_data<T>();
  for (const auto& p : partitions) o = std::copy(p[j].data<T>(), p[j].data<T>() + p[j].size(), o);
  return out;
}

template <class T>
Block sorted_bucket(const std::vector<std::vector<Block>>& partitions, std::size_t j) {
  Block out = gathered_bucket<T>(partitions, j);
  std::sort(out.mutable_data<T>(), out.mutable_data<T>() + out.size());
  return out;
}

// Block k of the evenly re-blocked result, cut from the sorted buckets.
Block output_block(const std::vector<Block>& buckets, std::int64_t begin, std::int64_t length, DType dtype) {
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

template <class T>
ArrayPtr sort_typed(const ArrayPtr& a) {
  const Layout& layout = a->layout;
  const auto& blocks = block_thunks(a);
  const auto parts = static_cast<std::int64_t>(blocks.size());
  if (parts == 0) return a;
  const std::int64_t buckets = std::min(parts, kMaxBuckets);
  std::vector<Thunk<Block>> samples;
  for (const auto& b : blocks) samples.push_back(delayed(samples_of<T>, {.name = "sort samples"})(b));
  auto splitters = delayed([buckets](const std::vector<Block>& s) { return splitters_of<T>(s, buckets); },
                           {.name = "sort splitters"})(samples);
  std::vector<Thunk<std::vector<Block>>> partitions;
  for (const auto& b : blocks) partitions.push_back(delayed(partition_of<T>, {.name = "sort partition"})(b, splitters));
  std::vector<Thunk<Block>> sorted;
  for (std::int64_t j = 0; j < buckets; ++j) {
    sorted.push_back(cpu_or_gpu({.name = "sort bucket"},
                                [j](const std::vector<std::vector<Block>>& parts) {
                                  return sorted_bucket<T>(parts, static_cast<std::size_t>(j));
                                },
                                [j](const std::vector<std::vector<Block>>& parts) {
                                  return gpu_sorted(gathered_bucket<T>(parts, static_cast<std::size_t>(j)));
                                },
                                partitions));
  }
  const std::int64_t n = layout.rows();
  Layout out({n}, Blocks((n + parts - 1) / parts));
  std::vector<Thunk<Block>> result;
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const auto gi = static_cast<std::int64_t>(k);
    const std::int64_t begin = out.row_start(gi), length = out.block_height(gi);
    result.push_back(delayed([begin, length, dtype = a->dtype](const std::vector<Block>& b) {
      return output_block(b, begin, length, dtype);
    }, {.name = "sort output"})(sorted));
  }
  return make_array(std::move(out), a->dtype, std::move(result));
}

}  // namespace

ArrayPtr sort_array(const ArrayPtr& a) {
  switch (a->dtype) {
    case DType::f64: return sort_typed<double>(a);
    case DType::f32: return sort_typed<float>(a);
    case DType::i64: return sort_typed<std::int64_t>(a);
    case DType::b8: return sort_typed<bool>(a);
  }
  return a;
}

}  // namespace dagger::detail
