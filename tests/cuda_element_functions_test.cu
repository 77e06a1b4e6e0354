// The scalar element functions compiled by nvcc as __host__ __device__. A
// kernel calls every one of them, so each target architecture's device code
// is built here (it runs only where a GPU exists); on the host the nvcc
// build must give exactly what the C++ build of the same header gives.
#include <cmath>
#include <cstdio>

#include "element_functions_sum.hpp"

namespace {

using dagger_test::every_function;

template <class T>
__global__ void apply_every_function(const T* in, T* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = every_function(in[i]);
}

template __global__ void apply_every_function<double>(const double*, double*, int);
template __global__ void apply_every_function<float>(const float*, float*, int);

}  // namespace

int main() {
  int failures = 0;
  for (double x : {0.1, 0.25, 0.5, 1.5, 2.75, 3.2}) {
    const double here = every_function(x);
    const double reference = dagger_test::every_function_cpp(x);
    const float here_f = every_function(static_cast<float>(x));
    const float reference_f = dagger_test::every_function_cpp(static_cast<float>(x));
    if (!(here == reference) || !(here_f == reference_f) || !std::isfinite(here)) {
      std::printf("x = %g: nvcc build %.17g / %.9g, C++ build %.17g / %.9g\n", x, here, here_f, reference,
                  reference_f);
      ++failures;
    }
  }
  std::printf("element functions, nvcc host build against the C++ build: %s\n", failures ? "MISMATCH" : "same");
  return failures ? 1 : 0;
}
