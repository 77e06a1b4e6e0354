// The element work of the sample sort; src/array/sort.cpp builds the graph.
// A block is cut into pieces, one per bucket plus one for NaN; the pieces
// of one bucket from every block are gathered and sorted.
//
// sortperm's pieces hold (key, index) pairs as one unsigned 128-bit number
// each, the key's order bits high and the element's index low, in an i64
// block of two rows per pair. Sorting them as numbers orders by key, then
// by index: a stable sort, from one vectorized sort of plain numbers.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "dagger/array/block.hpp"
#include "dagger/array/block_operations.hpp"
#include "dagger/array/sort.hpp"

namespace dagger::detail::sorting {

// Buckets are sorted in parallel; more than this gains nothing and would make
// the pieces (blocks x buckets) grow quadratically with the number of blocks.
constexpr std::int64_t kMaxBuckets = 64;
// Where NaNs go: after every bucket, in both orders.
constexpr std::uint8_t kNanBucket = kMaxBuckets;

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  return false;
}

// bucket[i] = the number of splitters below x[i] (lower_bound's answer), or
// kNanBucket for a NaN. At most kMaxBuckets - 1 splitters, ascending.
template <class T>
void find_buckets(const T* splitters, std::int64_t splitter_count, const T* x, std::int64_t n,
                  std::uint8_t* bucket);

// The values of block b cut into splitters.size() + 2 pieces: piece j holds
// the values v with splitter[j-1] < v <= splitter[j], the last one the NaNs.
template <class T>
std::vector<Block> values_by_bucket(const Block& b, const Block& splitters);
// The same cut of (key, index) pairs; the block's first element has index
// `first`. For descending order the keys' bits are inverted.
template <class T>
std::vector<Block> pairs_by_bucket(const Block& b, std::int64_t first, const Block& splitters, SortOrder order);

// Sorts a block of values in place. `may_hold_infinities`: false when the
// bucket's bounds are finite, which allows a faster sort of floating values.
template <class T>
void sort_values(Block& values, SortOrder order, bool may_hold_infinities = true);
// Whether bucket j of the splitters may hold an infinity: the first and
// the last, and one whose upper splitter is infinite.
template <class T>
bool may_hold_infinities(const Block& splitters, std::size_t j);
// Sorts a block of (key, index) pairs in place by key, then index.
void sort_pairs(Block& pairs);

// Elements [begin, begin + length) of the concatenated sorted buckets: their
// values, or the indices of their pairs.
Block values_block(const std::vector<Block>& buckets, std::int64_t begin, std::int64_t length, DType dtype);
Block indices_block(const std::vector<Block>& buckets, std::int64_t begin, std::int64_t length);

}  // namespace dagger::detail::sorting
