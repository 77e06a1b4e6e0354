// Sorting a 1-D array across blocks.
#pragma once

#include <cstdint>
#include <type_traits>

#include "dagger/array/darray.hpp"
#include "dagger/array/elementwise.hpp"
#include "dagger/array/indexing.hpp"

namespace dagger {

// The order of sort and sortperm. NaN comes last in both orders (missing
// values at the end, as numpy's sort and pandas' na_position="last" put them).
enum class SortOrder { ascending, descending };

namespace detail {
ArrayPtr sort_array(const ArrayPtr& a, SortOrder order);
ArrayPtr sortperm_array(const ArrayPtr& a, SortOrder order);
}

// Sample sort: samples of every block choose splitters, each block is cut
// into one piece per bucket (at most 64 buckets, plus one for NaN), buckets
// are sorted in parallel (Highway's vectorized quicksort; a counting sort
// for bool), and the result is re-blocked evenly (as many blocks as the
// input). Equal values stay together in one bucket. -0.0 and 0.0 compare
// equal, so they may come in either order.
//
// sort(v, SortOrder::descending) sorts from largest to smallest, NaN last.
template <class T>
DArray<T> sort(const DArray<T>& v, SortOrder order = SortOrder::ascending) {
  if (v.ndims() != 1) throw ArrayError("sort needs a 1-D array, not " + v.layout().shape_text());
  return DArray<T>(detail::sort_array(v.impl(), order));
}

// The 0-based indices p that sort v: v(p) is sort(v, order), blocked as sort
// blocks its result. Stable: equal values (also -0.0 and 0.0, and NaNs) keep
// the order they have in v, in both orders, as std::stable_sort would.
// Costs twice the memory of sort: each element travels as a 16-byte
// (key, index) pair.
template <class T>
DArray<std::int64_t> sortperm(const DArray<T>& v, SortOrder order = SortOrder::ascending) {
  if (v.ndims() != 1) throw ArrayError("sortperm needs a 1-D array, not " + v.layout().shape_text());
  return DArray<std::int64_t>(detail::sortperm_array(v.impl(), order));
}

// v's elements ordered by key(x) (Julia's sort(v; by = key, rev)): stable,
// so elements of equal keys keep their order in v; NaN keys come last. The
// keys are sortperm'd, and v is taken in that order (take, indexing.hpp).
// key is any function of an element to a number; as a user's lambda in an
// array chain, it runs in the driver's process.
template <class T, class Key>
  requires std::is_invocable_v<Key&, T>
DArray<T> sort(const DArray<T>& v, SortOrder order, Key key) {
  if (v.ndims() != 1) throw ArrayError("sort needs a 1-D array, not " + v.layout().shape_text());
  return take(v, sortperm(map(std::move(key), v), order));
}

}  // namespace dagger
