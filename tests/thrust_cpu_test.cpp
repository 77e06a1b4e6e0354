// The Thrust code of the CUDA module (kernels/cuda/thrust_algorithms.hpp),
// compiled for Thrust's CPU backend and run on host memory: the same source
// the module runs on a GPU stream, checked against std::sort.
#include <gtest/gtest.h>
#include <thrust/system/cpp/execution_policy.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "kernels/cuda/thrust_algorithms.hpp"

namespace {

template <class T>
std::vector<T> shuffled(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<T, bool>) {
      v[i] = (g() & 1) != 0;
    } else if constexpr (std::is_integral_v<T>) {
      v[i] = static_cast<T>(g());  // the whole range, negatives included
    } else {
      v[i] = static_cast<T>(std::normal_distribution<double>(0, 1e3)(g));
    }
  }
  // Duplicates and extremes.
  if (n > 10) {
    v[3] = v[7];
    v[5] = std::numeric_limits<T>::lowest();
    v[9] = std::numeric_limits<T>::max();
  }
  return v;
}

template <class T>
void expect_sorts_like_std(std::size_t n) {
  std::vector<T> data = shuffled<T>(n, n);
  std::vector<T> expected = data;
  std::sort(expected.begin(), expected.end());
  dagger::kernels::sort_elements(thrust::cpp::par, data.data(), static_cast<long long>(data.size()));
  EXPECT_EQ(data, expected) << n << " elements";
  std::reverse(expected.begin(), expected.end());
  dagger::kernels::sort_elements(thrust::cpp::par, data.data(), static_cast<long long>(data.size()), true);
  EXPECT_EQ(data, expected) << n << " elements, descending";
}

TEST(ThrustOnTheCpu, SortsEveryElementTypeLikeStdSort) {
  for (std::size_t n : {0, 1, 2, 17, 1000, 100000}) {
    expect_sorts_like_std<double>(n);
    expect_sorts_like_std<float>(n);
    expect_sorts_like_std<long long>(n);
  }
  // Bools (std::vector<bool> packs bits: sort plain bytes).
  std::vector<unsigned char> bytes(1000);
  std::mt19937 g(5);
  for (auto& b : bytes) b = g() & 1;
  bool* as_bools = reinterpret_cast<bool*>(bytes.data());
  dagger::kernels::sort_elements(thrust::cpp::par, as_bools, static_cast<long long>(bytes.size()));
  EXPECT_TRUE(std::is_sorted(as_bools, as_bools + bytes.size()));
}

}  // namespace
