// The Thrust algorithms of the CUDA kernels, written once for any Thrust
// execution policy: the module runs them with thrust::cuda::par on a stream,
// and a CPU test runs the same code with thrust::cpp::par on host memory.
#pragma once

#include <thrust/functional.h>
#include <thrust/sort.h>

namespace dagger::kernels {

// Sorts n elements ascending, or descending (a radix sort either way for
// these key types).
template <class T, class Policy>
void sort_elements(const Policy& policy, T* data, long long n, bool descending = false) {
  if (descending) {
    thrust::sort(policy, data, data + n, thrust::greater<T>());
  } else {
    thrust::sort(policy, data, data + n);
  }
}

}  // namespace dagger::kernels
