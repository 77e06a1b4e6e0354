// Cutting a block into the sample sort's buckets.
#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <memory>
#include <type_traits>

#include "array/sort_kernels.hpp"
#include "dagger/errors.hpp"

namespace dagger::detail::sorting {
namespace {

// Splitters padded to 2^6 - 1 with a value that no element is above, so
// every search takes the same six steps whatever the number of buckets.
constexpr int kPaddedSplitters = kMaxBuckets - 1;
static_assert(kMaxBuckets == 64, "the search below takes log2(kMaxBuckets) steps");

template <class T>
constexpr T above_everything() {
  if constexpr (std::numeric_limits<T>::has_infinity) return std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::max();
}

// A branch-free binary search, six steps, each a comparison turned into an
// offset. Without branches (which mispredict half the time on random data,
// the cost of std::lower_bound here) the compiler vectorizes the loop over
// elements, the loads of splitters becoming gathers. The restrict qualifiers
// matter: without them a byte store may alias the splitters and the loop
// stays scalar.
template <class T>
inline void search_each(const T* __restrict padded, const T* __restrict x, std::int64_t n,
                        std::uint8_t* __restrict bucket) {
  for (std::int64_t i = 0; i < n; ++i) {
    const T v = x[i];
    unsigned j = 32u * unsigned(padded[31] < v);
    j += 16u * unsigned(padded[j + 15] < v);
    j += 8u * unsigned(padded[j + 7] < v);
    j += 4u * unsigned(padded[j + 3] < v);
    j += 2u * unsigned(padded[j + 1] < v);
    j += unsigned(padded[j] < v);
    // A NaN is below no splitter, so j is 0 and the sum is kNanBucket.
    bucket[i] = static_cast<std::uint8_t>(j + unsigned(kNanBucket) * unsigned(is_nan(v)));
  }
}

// One version per instruction set, picked when the library loads: the AVX2
// one gathers four or eight splitters at once; the default runs on any
// x86-64 (the build never assumes more than the baseline).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define DAGGER_SEARCH_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define DAGGER_SEARCH_CLONES
#endif

DAGGER_SEARCH_CLONES void search(const double* padded, const double* x, std::int64_t n, std::uint8_t* bucket) {
  search_each(padded, x, n, bucket);
}
DAGGER_SEARCH_CLONES void search(const float* padded, const float* x, std::int64_t n, std::uint8_t* bucket) {
  search_each(padded, x, n, bucket);
}
void search(const bool* padded, const bool* x, std::int64_t n, std::uint8_t* bucket) {
  search_each(padded, x, n, bucket);
}
#define DAGGER_SEARCH(e, I, ...)                                                                 \
  DAGGER_SEARCH_CLONES void search(const I* padded, const I* x, std::int64_t n, std::uint8_t* bucket) { \
    search_each(padded, x, n, bucket);                                                          \
  }
DAGGER_INTEGER_TYPES(DAGGER_SEARCH)
#undef DAGGER_SEARCH

// The key's order as an unsigned number: a < b exactly when
// order_bits(a) < order_bits(b), and equal values (-0.0 and 0.0 too) give
// equal bits. Floating values: positive ones get the sign bit set, negative
// ones are inverted (larger magnitude, smaller number). Not for NaN.
std::uint64_t order_bits(double x) {
  const auto b = std::bit_cast<std::uint64_t>(x == 0 ? 0.0 : x);
  return (b >> 63) != 0 ? ~b : b | (std::uint64_t{1} << 63);
}
std::uint64_t order_bits(float x) {
  const auto b = std::bit_cast<std::uint32_t>(x == 0 ? 0.0f : x);
  return (b >> 31) != 0 ? std::uint32_t(~b) : b | (std::uint32_t{1} << 31);
}
// Integers: unsigned ones as they are, signed ones with the sign bit flipped.
template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>)
std::uint64_t order_bits(I x) {
  using U = std::make_unsigned_t<I>;
  if constexpr (std::is_signed_v<I>) return static_cast<U>(static_cast<U>(x) ^ (U{1} << (8 * sizeof(I) - 1)));
  return static_cast<U>(x);
}
std::uint64_t order_bits(bool x) { return x ? 1 : 0; }

// Each element's bucket and how many fall in each.
struct Cut {
  std::vector<std::uint8_t> bucket;
  std::array<std::int64_t, kMaxBuckets + 1> counts{};
};

template <class T>
Cut cut_of(const Block& b, const Block& splitters) {
  Cut cut;
  cut.bucket.resize(static_cast<std::size_t>(b.size()));
  find_buckets(splitters.data<T>(), splitters.size(), b.data<T>(), b.size(), cut.bucket.data());
  for (std::uint8_t j : cut.bucket) ++cut.counts[j];
  return cut;
}

// The pieces of a cut: one per bucket, then the NaNs; `per_element` rows for
// each element. They share one buffer: one allocation (of huge pages, for a
// large block) instead of one per piece, each a few 4 KiB pages too small
// for huge pages, whose first-touch faults cost as much as the cut itself.
std::vector<Block> pieces_of(const Cut& cut, std::int64_t buckets, DType dtype, std::int64_t per_element) {
  std::int64_t rows = 0;
  for (std::int64_t c : cut.counts) rows += c * per_element;
  const Block whole = Block::make(dtype, rows, 1);
  std::vector<Block> pieces;
  pieces.reserve(static_cast<std::size_t>(buckets + 1));
  std::size_t offset = 0;
  auto add = [&](std::int64_t count) {
    Block piece;
    piece.dtype = dtype;
    piece.rows = count * per_element;
    piece.cols = 1;
    piece.buffer = std::shared_ptr<std::byte[]>(whole.buffer, whole.buffer.get() + offset);
    offset += piece.bytes();
    pieces.push_back(std::move(piece));
  };
  for (std::int64_t j = 0; j < buckets; ++j) add(cut.counts[static_cast<std::size_t>(j)]);
  add(cut.counts[kNanBucket]);
  return pieces;
}

// Where each bucket's next element goes: bucket j's piece, NaNs the last one.
template <class E>
std::array<E*, kMaxBuckets + 1> cursors_of(std::vector<Block>& pieces) {
  std::array<E*, kMaxBuckets + 1> cursor{};
  for (std::size_t j = 0; j + 1 < pieces.size(); ++j) cursor[j] = pieces[j].mutable_data<E>();
  cursor[kNanBucket] = pieces.back().mutable_data<E>();
  return cursor;
}

}  // namespace

template <class T>
void find_buckets(const T* splitters, std::int64_t splitter_count, const T* x, std::int64_t n,
                  std::uint8_t* bucket) {
  if (splitter_count > kPaddedSplitters) throw Error("sort: more splitters than buckets allow");
  std::array<T, kPaddedSplitters> padded;
  padded.fill(above_everything<T>());
  std::copy(splitters, splitters + splitter_count, padded.begin());
  search(padded.data(), x, n, bucket);
}

template <class T>
std::vector<Block> values_by_bucket(const Block& b, const Block& splitters) {
  const Cut cut = cut_of<T>(b, splitters);
  std::vector<Block> pieces = pieces_of(cut, splitters.size() + 1, b.dtype, 1);
  auto cursor = cursors_of<T>(pieces);
  const T* x = b.data<T>();
  for (std::size_t i = 0; i < cut.bucket.size(); ++i) *cursor[cut.bucket[i]]++ = x[i];
  return pieces;
}

template <class T>
std::vector<Block> pairs_by_bucket(const Block& b, std::int64_t first, const Block& splitters, SortOrder order) {
  const Cut cut = cut_of<T>(b, splitters);
  std::vector<Block> pieces = pieces_of(cut, splitters.size() + 1, DType::i64, 2);
  auto cursor = cursors_of<std::uint64_t>(pieces);
  // Inverted bits sort descending while the indices still sort ascending.
  const std::uint64_t flip = order == SortOrder::descending ? ~std::uint64_t{0} : 0;
  const T* x = b.data<T>();
  for (std::size_t i = 0; i < cut.bucket.size(); ++i) {
    std::uint64_t*& out = cursor[cut.bucket[i]];
    // Low half first: the layout of a little-endian 128-bit number.
    out[0] = static_cast<std::uint64_t>(first) + i;
    out[1] = cut.bucket[i] == kNanBucket ? 0 : order_bits(x[i]) ^ flip;
    out += 2;
  }
  return pieces;
}

#define DAGGER_SORT_BUCKETS(T)                                                                               \
  template void find_buckets<T>(const T*, std::int64_t, const T*, std::int64_t, std::uint8_t*);           \
  template std::vector<Block> values_by_bucket<T>(const Block&, const Block&);                            \
  template std::vector<Block> pairs_by_bucket<T>(const Block&, std::int64_t, const Block&, SortOrder);
#define DAGGER_EACH(e, T, ...) DAGGER_SORT_BUCKETS(T)
DAGGER_ELEMENT_TYPES(DAGGER_EACH)
#undef DAGGER_EACH
#undef DAGGER_SORT_BUCKETS

}  // namespace dagger::detail::sorting
