// Sorting a 1-D array across blocks.
#pragma once

#include "dagger/array/darray.hpp"

namespace dagger {

namespace detail {
ArrayPtr sort_array(const ArrayPtr& a);
}

// Sample sort: samples of every block choose splitters, each block is cut
// into one piece per bucket (at most 64 buckets), buckets are sorted in
// parallel, and
// the result is re-blocked evenly (as many blocks as the input). NaN-free
// floating data; equal values stay together in one bucket.
template <class T>
DArray<T> sort(const DArray<T>& v) {
  if (v.ndims() != 1) throw ArrayError("sort needs a 1-D array, not " + v.layout().shape_text());
  return DArray<T>(detail::sort_array(v.impl()));
}

}  // namespace dagger
