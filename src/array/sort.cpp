// Sample sort of 1-D arrays: the graph of thunks. The element work is in
// sort_buckets.cpp (cutting blocks into buckets) and sort_kernels.cpp
// (sorting a bucket).
#include <algorithm>

#include "array/sort_kernels.hpp"
#include "dagger/array.hpp"

namespace dagger::detail {
namespace {

using sorting::kMaxBuckets;

constexpr std::int64_t kSamplesPerBlock = 128;

template <class T>
Block samples_of(const Block& b) {
  const std::int64_t n = std::min(kSamplesPerBlock, b.size());
  Block s = Block::make(b.dtype, n, 1);
  for (std::int64_t i = 0; i < n; ++i) s.mutable_data<T>()[i] = b.data<T>()[(i * b.size()) / n];
  return s;
}

// NaNs have a bucket of their own, so they choose no splitter.
template <class T>
Block splitters_of(const std::vector<Block>& samples, std::int64_t buckets) {
  std::vector<T> all;
  for (const Block& s : samples) {
    for (std::int64_t i = 0; i < s.size(); ++i) {
      const T v = s.data<T>()[i];
      if (!sorting::is_nan(v)) all.push_back(v);
    }
  }
  std::sort(all.begin(), all.end());
  Block out = Block::make(samples.front().dtype, buckets - 1, 1);
  for (std::int64_t j = 1; j < buckets; ++j) {
    out.mutable_data<T>()[j - 1] = all.empty() ? T{} : all[(static_cast<std::size_t>(j) * all.size()) / static_cast<std::size_t>(buckets)];
  }
  return out;
}

// What sort and sortperm share: the splitters, and the order in which the
// sorted buckets make the result.
struct SortPlan {
  std::int64_t buckets = 0;
  Thunk<Block> splitters;
  // Piece numbers in result order: the buckets, then the NaNs (piece `buckets`).
  std::vector<std::size_t> order;
  Layout result;
};

template <class T>
SortPlan plan_sort(const ArrayPtr& a, SortOrder order) {
  const auto& blocks = block_thunks(a);
  const auto parts = static_cast<std::int64_t>(blocks.size());
  SortPlan plan{.buckets = std::min(parts, kMaxBuckets), .splitters = {}, .order = {},
                   .result = Layout({a->layout.rows()}, Blocks((a->layout.rows() + parts - 1) / parts))};
  std::vector<Thunk<Block>> samples;
  // Every function here is a lambda of values, so each step travels to
  // workers (a pointer to a function in this file would not).
  for (const auto& b : blocks) {
    samples.push_back(delayed([](const Block& block) { return samples_of<T>(block); }, {.name = "sort samples"})(b));
  }
  plan.splitters = delayed([buckets = plan.buckets](const std::vector<Block>& s) { return splitters_of<T>(s, buckets); },
                           {.name = "sort splitters"})(samples);
  for (std::int64_t j = 0; j < plan.buckets; ++j) {
    const std::int64_t piece = order == SortOrder::ascending ? j : plan.buckets - 1 - j;
    plan.order.push_back(static_cast<std::size_t>(piece));
  }
  plan.order.push_back(static_cast<std::size_t>(plan.buckets));
  return plan;
}

// The result's evenly sized blocks, each cut from the sorted buckets.
template <class Cut>
std::vector<Thunk<Block>> result_blocks(const Layout& out, const std::vector<Thunk<Block>>& sorted, Cut cut) {
  std::vector<Thunk<Block>> result;
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const auto gi = static_cast<std::int64_t>(k);
    const std::int64_t begin = out.row_start(gi), length = out.block_height(gi);
    result.push_back(delayed([begin, length, cut](const std::vector<Block>& b) { return cut(b, begin, length); },
                             {.name = "sort output"})(sorted));
  }
  return result;
}

template <class T>
ArrayPtr sort_typed(const ArrayPtr& a, SortOrder order) {
  const auto& blocks = block_thunks(a);
  if (blocks.empty()) return a;
  const SortPlan plan = plan_sort<T>(a, order);
  std::vector<Thunk<std::vector<Block>>> partitions;
  for (const auto& b : blocks) {
    partitions.push_back(delayed([](const Block& block, const Block& splitters) {
      return sorting::values_by_bucket<T>(block, splitters);
    }, {.name = "sort partition"})(b, plan.splitters));
  }
  std::vector<Thunk<Block>> sorted;
  for (std::size_t j : plan.order) {
    auto on_cpu = [j, order](const std::vector<std::vector<Block>>& parts, const Block& splitters) {
      Block b = sorting::gathered(parts, j);
      sorting::sort_values<T>(b, order, sorting::may_hold_infinities<T>(splitters, j));
      return b;
    };
    if (j == static_cast<std::size_t>(plan.buckets)) {
      // NaNs: nothing to sort.
      sorted.push_back(delayed([j](const std::vector<std::vector<Block>>& parts) { return sorting::gathered(parts, j); },
                               {.name = "sort NaNs"})(partitions));
    } else {
      sorted.push_back(run_operation<ops::SortBucket>({.name = "sort bucket"}, on_cpu,
                                                      {j, order == SortOrder::descending}, partitions, plan.splitters));
    }
  }
  auto cut = [dtype = a->dtype](const std::vector<Block>& b, std::int64_t begin, std::int64_t length) {
    return sorting::values_block(b, begin, length, dtype);
  };
  auto result = result_blocks(plan.result, sorted, cut);
  return make_array(plan.result, a->dtype, std::move(result));
}

template <class T>
ArrayPtr sortperm_typed(const ArrayPtr& a, SortOrder order) {
  const auto& blocks = block_thunks(a);
  if (blocks.empty()) return make_array(a->layout, DType::i64, {});
  const SortPlan plan = plan_sort<T>(a, order);
  std::vector<Thunk<std::vector<Block>>> partitions;
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    const std::int64_t first = a->layout.row_start(static_cast<std::int64_t>(k));
    partitions.push_back(delayed([first, order](const Block& b, const Block& splitters) {
      return sorting::pairs_by_bucket<T>(b, first, splitters, order);
    }, {.name = "sortperm partition"})(blocks[k], plan.splitters));
  }
  std::vector<Thunk<Block>> sorted;
  for (std::size_t j : plan.order) {
    // The NaNs' pairs are in index order already: blocks in order, each in order.
    const bool nans = j == static_cast<std::size_t>(plan.buckets);
    sorted.push_back(delayed([j, nans](const std::vector<std::vector<Block>>& parts) {
      Block b = sorting::gathered(parts, j);
      if (!nans) sorting::sort_pairs(b);
      return b;
    }, {.name = "sortperm bucket"})(partitions));
  }
  auto cut = [](const std::vector<Block>& b, std::int64_t begin, std::int64_t length) {
    return sorting::indices_block(b, begin, length);
  };
  auto result = result_blocks(plan.result, sorted, cut);
  return make_array(plan.result, DType::i64, std::move(result));
}

}  // namespace

ArrayPtr sort_array(const ArrayPtr& a, SortOrder order) {
  return visit_dtype(a->dtype, [&]<class T>() { return sort_typed<T>(a, order); });
}

ArrayPtr sortperm_array(const ArrayPtr& a, SortOrder order) {
  return visit_dtype(a->dtype, [&]<class T>() { return sortperm_typed<T>(a, order); });
}

}  // namespace dagger::detail
