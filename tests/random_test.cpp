// rand and randn: values as a pure function of (seed, element index), the
// SIMD fills equal to the scalar definition bit for bit, their distribution,
// and generation fused into the consumer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <vector>

#include "dagger/kernels/random.hpp"
#include "kernels/cpu/random_fill.hpp"

namespace {

namespace rnd = dagger::kernels::random;

template <class T>
bool same_bits(T a, T b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

// Every start parity and length around the vector widths, against the
// scalar definition.
TEST(Random, SimdFillsGiveTheScalarBits) {
  std::printf("random fills run with %s\n", dagger::kernels::random_fill_target());
  for (std::uint64_t first : {0ull, 1ull, 2ull, 31ull, (1ull << 33) + 5}) {
    for (std::int64_t n : {0, 1, 2, 3, 7, 8, 9, 16, 33, 64, 65, 1000, 4099}) {
      std::vector<double> d(static_cast<std::size_t>(n));
      std::vector<float> f(d.size());
      std::vector<std::int64_t> i(d.size());
      std::vector<char> b(d.size());
      dagger::kernels::fill_normal(7, first, n, d.data());
      dagger::kernels::fill_normal(7, first, n, f.data());
      for (std::int64_t k = 0; k < n; ++k) {
        ASSERT_TRUE(same_bits(d[k], rnd::normal_double(7, first + k))) << first << "+" << k;
        ASSERT_TRUE(same_bits(f[k], rnd::normal_float(7, first + k))) << first << "+" << k;
      }
      dagger::kernels::fill_uniform(7, first, n, d.data());
      dagger::kernels::fill_uniform(7, first, n, f.data());
      dagger::kernels::fill_uniform(7, first, n, i.data());
      dagger::kernels::fill_uniform(7, first, n, reinterpret_cast<bool*>(b.data()));
      for (std::int64_t k = 0; k < n; ++k) {
        ASSERT_TRUE(same_bits(d[k], rnd::uniform_double(7, first + k)));
        ASSERT_TRUE(same_bits(f[k], rnd::uniform_float(7, first + k)));
        ASSERT_EQ(i[k], rnd::uniform_int64(7, first + k));
        ASSERT_EQ(b[k] != 0, rnd::uniform_bool(7, first + k));
      }
    }
  }
}

// Strided fills (a row of a column-major array, as a transposed random
// array reads it): every parity of start and step, lengths around the
// vector widths, against the scalar definition.
TEST(Random, StridedFillsGiveTheScalarBits) {
  for (std::uint64_t first : {0ull, 1ull, 6ull, (1ull << 33) + 5}) {
    for (std::uint64_t step : {1ull, 2ull, 3ull, 1000ull, 1001ull, (1ull << 31) + 1}) {
      for (std::int64_t n : {0, 1, 3, 8, 15, 16, 17, 33, 64, 65, 1000, 2100}) {
        std::vector<double> d(static_cast<std::size_t>(n));
        std::vector<float> f(d.size());
        std::vector<std::int64_t> i(d.size());
        std::vector<std::uint8_t> u(d.size());
        std::vector<char> b(d.size());
        auto at = [&](std::int64_t k) { return first + static_cast<std::uint64_t>(k) * step; };
        dagger::kernels::fill_normal_strided(7, first, step, n, d.data());
        dagger::kernels::fill_normal_strided(7, first, step, n, f.data());
        for (std::int64_t k = 0; k < n; ++k) {
          ASSERT_TRUE(same_bits(d[k], rnd::normal_double(7, at(k)))) << first << "+" << k << "*" << step;
          ASSERT_TRUE(same_bits(f[k], rnd::normal_float(7, at(k)))) << first << "+" << k << "*" << step;
        }
        // The draws' other halves, when asked for.
        std::vector<double> other(d.size());
        dagger::kernels::fill_normal_strided(7, first, step, n, d.data(), other.data());
        for (std::int64_t k = 0; k < n; ++k) {
          ASSERT_TRUE(same_bits(d[k], rnd::normal_double(7, at(k))));
          ASSERT_TRUE(same_bits(other[k], rnd::normal_double(7, at(k) ^ 1u))) << first << "+" << k << "*" << step;
        }
        dagger::kernels::fill_uniform_strided(7, first, step, n, d.data(), other.data());
        for (std::int64_t k = 0; k < n; ++k) {
          ASSERT_TRUE(same_bits(other[k], rnd::uniform_double(7, at(k) ^ 1u))) << first << "+" << k << "*" << step;
        }
        dagger::kernels::fill_uniform_strided(7, first, step, n, d.data());
        dagger::kernels::fill_uniform_strided(7, first, step, n, f.data());
        dagger::kernels::fill_uniform_strided(7, first, step, n, i.data());
        dagger::kernels::fill_uniform_strided(7, first, step, n, u.data());
        dagger::kernels::fill_uniform_strided(7, first, step, n, reinterpret_cast<bool*>(b.data()));
        for (std::int64_t k = 0; k < n; ++k) {
          ASSERT_TRUE(same_bits(d[k], rnd::uniform_double(7, at(k)))) << first << "+" << k << "*" << step;
          ASSERT_TRUE(same_bits(f[k], rnd::uniform_float(7, at(k))));
          ASSERT_EQ(i[k], rnd::uniform_int64(7, at(k)));
          ASSERT_EQ(u[k], rnd::uniform_integer<std::uint8_t>(7, at(k)));
          ASSERT_EQ(b[k] != 0, rnd::uniform_bool(7, at(k)));
        }
      }
    }
  }
}

// The series for log and sin/cos are within a few ulp of the C library's.
TEST(Random, BoxMullerPiecesAreAccurate) {
  for (std::uint64_t g = 0; g < 200000; ++g) {
    const double u = rnd::uniform_double(3, g);
    const rnd::SinCos sc = rnd::sincos_turn(u);
    ASSERT_NEAR(sc.sin, std::sin(2 * M_PI * u), 2e-15) << u;
    ASSERT_NEAR(sc.cos, std::cos(2 * M_PI * u), 2e-15) << u;
    const double x = 1.0 - u;
    ASSERT_NEAR(rnd::log_unit(x), std::log(x), 4e-16 * std::max(1.0, std::fabs(std::log(x)))) << x;
  }
  EXPECT_EQ(rnd::log_unit(1.0), 0.0);
  EXPECT_NEAR(rnd::log_unit(0x1p-52), -52 * std::log(2.0), 1e-13);
}

TEST(Random, ValuesDoNotDependOnBlocksThreadsOrOrder) {
  const auto whole = dagger::collect(dagger::randn(dagger::Blocks(300, 200), 301, 203, dagger::Seed{11}));
  const auto cut = dagger::collect(dagger::randn(dagger::Blocks(37, 50), 301, 203, dagger::Seed{11}));
  dagger::Context all;
  const auto one_thread = dagger::collect(dagger::Context({all.processors().front()}),
                                          dagger::randn(dagger::Blocks(64, 64), 301, 203, dagger::Seed{11}));
  // Materialized blocks and blocks generated inside a consumer agree.
  const auto fused = dagger::collect(dagger::randn(dagger::Blocks(37, 50), 301, 203, dagger::Seed{11}) * 1.0);
  EXPECT_EQ(whole, cut);
  EXPECT_EQ(whole, one_thread);
  EXPECT_EQ(whole, fused);
  for (std::int64_t c = 0; c < whole.cols(); c += 17) {
    for (std::int64_t r = 0; r < whole.rows(); r += 13) {
      ASSERT_EQ(whole(r, c), rnd::normal_double(11, static_cast<std::uint64_t>(r + c * whole.rows())));
    }
  }
  const auto u1 = dagger::collect(dagger::rand<float>(dagger::Blocks(7), 100, dagger::Seed{3}));
  const auto u2 = dagger::collect(dagger::rand<float>(dagger::Blocks(64), 100, dagger::Seed{3}));
  EXPECT_EQ(u1, u2);
  EXPECT_NE(dagger::collect(dagger::randn(dagger::Blocks(64), 100, dagger::Seed{4})),
            dagger::collect(dagger::randn(dagger::Blocks(64), 100, dagger::Seed{5})));
}

// The normal CDF.
double phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

TEST(Random, NormalsHaveTheNormalDistribution) {
  const std::int64_t n = 1 << 20;
  auto x = dagger::collect(dagger::randn(dagger::Blocks(1 << 16), n, dagger::Seed{2026}));
  double mean = 0, m2 = 0, m3 = 0, m4 = 0;
  for (std::int64_t i = 0; i < n; ++i) mean += x(i);
  mean /= n;
  for (std::int64_t i = 0; i < n; ++i) {
    const double d = x(i) - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  // Standard errors: mean 1/sqrt(n) ~ 1e-3, variance sqrt(2/n), skewness
  // sqrt(6/n), kurtosis sqrt(24/n); five of them.
  EXPECT_NEAR(mean, 0.0, 5e-3);
  EXPECT_NEAR(m2, 1.0, 5 * std::sqrt(2.0 / n));
  EXPECT_NEAR(m3 / std::pow(m2, 1.5), 0.0, 5 * std::sqrt(6.0 / n));
  EXPECT_NEAR(m4 / (m2 * m2), 3.0, 5 * std::sqrt(24.0 / n));
  // Kolmogorov-Smirnov against the normal CDF: at 1% significance the
  // statistic stays below 1.63 / sqrt(n).
  std::vector<double> v(x.data(), x.data() + n);
  std::sort(v.begin(), v.end());
  double d = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double f = phi(v[static_cast<std::size_t>(i)]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  EXPECT_LT(d * std::sqrt(static_cast<double>(n)), 1.63);
}

TEST(Random, UniformsAreUniform) {
  const std::int64_t n = 1 << 20;
  auto x = dagger::collect(dagger::rand(dagger::Blocks(1000, 1000), 1024, 1024, dagger::Seed{8}));
  std::vector<double> v(x.data(), x.data() + n);
  EXPECT_GE(*std::min_element(v.begin(), v.end()), 0.0);
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 1.0);
  std::sort(v.begin(), v.end());
  double d = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double f = v[static_cast<std::size_t>(i)];
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  EXPECT_LT(d * std::sqrt(static_cast<double>(n)), 1.63);
  auto coins = dagger::collect(dagger::rand<bool>(dagger::Blocks(4096), 1 << 16, dagger::Seed{9}));
  const auto heads = std::count(coins.data(), coins.data() + coins.size(), true);
  EXPECT_NEAR(static_cast<double>(heads) / coins.size(), 0.5, 5 * 0.5 / std::sqrt(coins.size()));
}

// A random source consumed by a fold is generated inside the fold's thunks:
// they have no inputs, so no random block is ever made.
TEST(Random, GeneratorsFuseIntoTheirConsumers) {
  auto x = dagger::randn(dagger::Blocks(100, 100), 300, 300, dagger::Seed{1});
  const auto total = dagger::sum(dagger::square(x) + 1.0);
  std::vector<const dagger::detail::ThunkNode*> stack{total.node().get()};
  std::size_t folds = 0;
  while (!stack.empty()) {
    const dagger::detail::ThunkNode* node = stack.back();
    stack.pop_back();
    EXPECT_NE(node->name(), "randn");
    if (node->deps.empty()) {
      EXPECT_EQ(node->name(), "sum");
      ++folds;
    }
    for (const auto& d : node->deps) {
      if (d.thunk) stack.push_back(d.thunk.get());
    }
  }
  EXPECT_EQ(folds, 9u);
  const auto values = dagger::collect(x);
  EXPECT_NEAR(dagger::collect(total), (values.array().square() + 1.0).sum(), 1e-6 * 90000);
  // Materialized, its blocks are thunks of their own, named after the source.
  EXPECT_EQ(x.block_thunks().front().node()->name(), "randn");
  EXPECT_EQ(dagger::collect(dagger::ones<std::int64_t>(dagger::Blocks(3), 10)).sum(), 10);
  EXPECT_EQ(dagger::collect(dagger::zeros(dagger::Blocks(3, 3), 10, 10)).sum(), 0.0);
}

}  // namespace
