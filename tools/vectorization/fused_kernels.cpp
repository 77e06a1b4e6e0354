// The fused element-wise and reduction kernels of the array library,
// instantiated for the compiler's vectorization report
// (scripts/vectorization_report.sh compiles this file, never links it):
// each function builds one of the chains users write, so every tile loop of
// include/dagger/array/ appears once per element type that matters.
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>

namespace report {

using dagger::DArray;

// Element-wise chains: array with scalar, array with array, a transpose.
template <class T>
DArray<T> chains(const DArray<T>& a, const DArray<T>& b) {
  auto x = a * T(3) + b;                    // the STREAM triad
  auto y = dagger::times(x, b) - a * T(2);  // array with array
  return dagger::compute(y + dagger::transpose(a));
}

// Reductions over a chain: whole, along each dimension, and the statistics.
template <class T>
double reductions(const DArray<T>& a, const DArray<T>& b) {
  auto x = a * T(2) + b;
  double s = static_cast<double>(dagger::collect(dagger::sum(x)));
  s += static_cast<double>(dagger::collect(dagger::maximum(x)));
  s += dagger::collect(dagger::sum(dagger::sum(x, 1)));
  s += dagger::collect(dagger::sum(dagger::sum(x, 2)));
  s += dagger::collect(dagger::var(x));
  s += dagger::collect(dagger::sum(dagger::var(x, 1)));
  s += dagger::collect(dagger::sum(dagger::var(x, 2)));
  s += dagger::collect(dagger::norm(x));
  s += dagger::collect(dagger::dot(a, b));
  return s;
}

template DArray<double> chains(const DArray<double>&, const DArray<double>&);
template DArray<float> chains(const DArray<float>&, const DArray<float>&);
template DArray<std::int32_t> chains(const DArray<std::int32_t>&, const DArray<std::int32_t>&);
template double reductions(const DArray<double>&, const DArray<double>&);
template double reductions(const DArray<float>&, const DArray<float>&);

// The seed workload: generated normals, squared and summed.
double seed(std::int64_t n) {
  auto x = dagger::randn(dagger::Blocks(4000, 4000), n, n, dagger::Seed{1});
  return dagger::collect(dagger::sum(dagger::pow(x, 2)));
}

}  // namespace report
