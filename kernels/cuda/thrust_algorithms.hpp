// The Thrust algorithms of the CUDA kernels, written once for any Thrust
// execution policy: the module runs them with thrust::cuda::par on a stream,
// and a CPU test runs the same code with thrust::cpp::par on host memory.
#pragma once

#include <thrust/sort.h>

namespace dagger::kernels {

// Sorts n elements ascending (a radix sort for these key types).
template <class T, class Policy>
void sort_elements(const Policy& policy, T* data, long long n) {
  thrust::sort(policy, data, data + n);
}

}  // namespace dagger::kernels
