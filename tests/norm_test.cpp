// norm(x) and norm(x, p) against Eigen on the same elements, and on the
// cases a naive sum of squares gets wrong: huge and tiny values, infinities
// and NaN, integers whose squares overflow int64.
#include <gtest/gtest.h>

#include <cmath>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <limits>
#include <random>

namespace {

using Matrix = Eigen::MatrixXd;
constexpr double kInf = std::numeric_limits<double>::infinity();

Matrix random_matrix(std::int64_t r, std::int64_t c, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  Matrix m(r, c);
  for (std::int64_t j = 0; j < c; ++j)
    for (std::int64_t i = 0; i < r; ++i) m(i, j) = u(g);
  return m;
}

double norm_of(const dagger::DArray<double>& a, double p) { return dagger::collect(dagger::norm(a, p)); }

}  // namespace

TEST(Norm, MatchesEigenOnRaggedBlocks) {
  const std::int64_t shapes[][4] = {{7, 5, 3, 2}, {1, 9, 1, 4}, {9, 1, 4, 1}, {6, 6, 1, 1}, {13, 4, 5, 3}};
  for (const auto& s : shapes) {
    Matrix m = random_matrix(s[0], s[1], 3);
    auto d = dagger::distribute(dagger::Blocks(s[2], s[3]), m);
    EXPECT_NEAR(dagger::collect(dagger::norm(d)), m.norm(), 1e-12 * m.norm());
    EXPECT_NEAR(norm_of(d, 1), m.lpNorm<1>(), 1e-12 * m.lpNorm<1>());
    EXPECT_EQ(norm_of(d, kInf), m.lpNorm<Eigen::Infinity>());
    EXPECT_NEAR(norm_of(d, 3), std::cbrt(m.array().abs().cube().sum()), 1e-12);
    EXPECT_NEAR(norm_of(d, 0.5), std::pow(m.array().abs().sqrt().sum(), 2.0), 1e-9);
  }
}

TEST(Norm, FusesWithTheElementwiseChainItReads) {
  auto x = dagger::compute(dagger::rand(dagger::Blocks(10, 10), 40, 30, dagger::Seed{7}));
  Matrix m = dagger::collect(x);
  auto debug = dagger::debug_compute(dagger::norm(dagger::sin(x) + 1.0));
  EXPECT_NEAR(dagger::collect(debug.chunk), (m.array().sin() + 1.0).matrix().norm(), 1e-12 * m.size());
  int computes = 0;
  for (const auto& e : debug.events) computes += e.category == dagger::Category::compute;
  // One part per block, the tree combining 12 parts, and the square root.
  EXPECT_EQ(computes, 12 + 11 + 1);
}

TEST(Norm, OneDimensionalAndFloat) {
  auto v = dagger::distribute(dagger::Blocks(2), std::vector<float>{3, -4, 0, 12});
  EXPECT_DOUBLE_EQ(dagger::collect(dagger::norm(v)), 13.0);
  EXPECT_DOUBLE_EQ(dagger::collect(dagger::norm(v, 1)), 19.0);
  EXPECT_DOUBLE_EQ(dagger::collect(dagger::norm(v, kInf)), 12.0);
}

// Julia's norm([]) and numpy's norm of an empty array are 0: the norm is
// a sum of magnitudes, and the empty sum is 0.
TEST(Norm, EmptyArrayHasNormZero) {
  auto empty = dagger::zeros<double>(dagger::Blocks(4), 0);
  EXPECT_EQ(dagger::collect(dagger::norm(empty)), 0.0);
  EXPECT_EQ(norm_of(empty, 1), 0.0);
  EXPECT_EQ(norm_of(empty, kInf), 0.0);
  EXPECT_EQ(dagger::collect(dagger::norm(dagger::zeros<std::int64_t>(dagger::Blocks(3, 3), 0, 5))), 0.0);
  EXPECT_EQ(dagger::collect(dagger::norm(dagger::zeros<double>(dagger::Blocks(3, 3), 6, 6))), 0.0);
}

TEST(Norm, BoolAndIntegerArraysComputeInDouble) {
  auto flags = dagger::distribute(dagger::Blocks(2), std::vector<bool>{true, false, true, true, false});
  EXPECT_DOUBLE_EQ(dagger::collect(dagger::norm(flags)), std::sqrt(3.0));
  EXPECT_DOUBLE_EQ(dagger::collect(dagger::norm(flags, 1)), 3.0);
  EXPECT_DOUBLE_EQ(dagger::collect(dagger::norm(flags, kInf)), 1.0);
  // 4e9 squared is above the largest int64: the squares must not be integers.
  const std::vector<std::int64_t> ints{4'000'000'000, -3'000'000'000, 7};
  auto d = dagger::distribute(dagger::Blocks(2), ints);
  EXPECT_DOUBLE_EQ(dagger::collect(dagger::norm(d)), std::sqrt(16e18 + 9e18 + 49.0));
  EXPECT_DOUBLE_EQ(dagger::collect(dagger::norm(d, 1)), 7'000'000'007.0);
  EXPECT_DOUBLE_EQ(dagger::collect(dagger::norm(d, kInf)), 4e9);
}

TEST(Norm, HugeAndTinyValuesNeitherOverflowNorUnderflow) {
  Matrix huge = Matrix::Constant(30, 20, 1e200);
  huge(3, 4) = -2e200;
  const double expected = 1e200 * std::sqrt(599.0 + 4.0);
  auto h = dagger::distribute(dagger::Blocks(7, 6), huge);
  ASSERT_TRUE(std::isinf(huge.norm()));  // what the naive sum of squares gives
  EXPECT_NEAR(dagger::collect(dagger::norm(h)), expected, 1e-13 * expected);
  EXPECT_NEAR(dagger::collect(dagger::norm(h)), huge.stableNorm(), 1e-13 * expected);
  EXPECT_NEAR(norm_of(h, 1), 601e200, 1e-13 * 601e200);
  EXPECT_EQ(norm_of(h, kInf), 2e200);

  Matrix tiny = huge * 1e-200 * 1e-200;  // 1e-200: squares underflow to 0
  const double expected_tiny = 1e-200 * std::sqrt(599.0 + 4.0);
  auto t = dagger::distribute(dagger::Blocks(7, 6), tiny);
  ASSERT_EQ(tiny.norm(), 0.0);
  EXPECT_NEAR(dagger::collect(dagger::norm(t)), expected_tiny, 1e-13 * expected_tiny);

  // Blocks of very different magnitudes, combined across the tree.
  Matrix mixed = random_matrix(12, 12, 5);
  mixed.topLeftCorner(6, 6) *= 1e250;
  mixed.bottomRightCorner(6, 6) *= 1e-250;
  auto x = dagger::distribute(dagger::Blocks(6, 6), mixed);
  EXPECT_NEAR(dagger::collect(dagger::norm(x)), mixed.stableNorm(), 1e-13 * mixed.stableNorm());
  EXPECT_NEAR(norm_of(x, 3), 1e250 * std::cbrt((mixed.topLeftCorner(6, 6) * 1e-250).array().abs().cube().sum()),
              1e-12 * 1e250);

  // Near the largest double: finite while the norm is, inf once it is not.
  const double big = std::numeric_limits<double>::max() / 4;
  auto near_max = dagger::distribute(dagger::Blocks(2), std::vector<double>{big, big, big, big});
  EXPECT_DOUBLE_EQ(dagger::collect(dagger::norm(near_max)), 2 * big);
  EXPECT_DOUBLE_EQ(norm_of(near_max, 1), 4 * big);
  auto over = dagger::distribute(dagger::Blocks(2), std::vector<double>{1e308, 1e308, 1e308, 1e308});
  EXPECT_EQ(dagger::collect(dagger::norm(over)), kInf);
}

TEST(Norm, InfinityAndNaN) {
  auto inf = dagger::distribute(dagger::Blocks(2), std::vector<double>{1, -kInf, 2, 3});
  EXPECT_EQ(dagger::collect(dagger::norm(inf)), kInf);
  EXPECT_EQ(norm_of(inf, 1), kInf);
  EXPECT_EQ(norm_of(inf, kInf), kInf);
  // A NaN wins over an infinity, in any block order.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const auto& values : {std::vector<double>{nan, 1, kInf, 2}, std::vector<double>{kInf, 1, 2, nan}}) {
    auto d = dagger::distribute(dagger::Blocks(2), values);
    EXPECT_TRUE(std::isnan(dagger::collect(dagger::norm(d))));
    EXPECT_TRUE(std::isnan(norm_of(d, 1)));
    EXPECT_TRUE(std::isnan(norm_of(d, kInf)));
  }
}

TEST(Norm, ExponentMustBePositive) {
  auto d = dagger::ones<double>(dagger::Blocks(2), 4);
  EXPECT_THROW(dagger::norm(d, 0), dagger::ArrayError);
  EXPECT_THROW(dagger::norm(d, -1), dagger::ArrayError);
  EXPECT_THROW(dagger::norm(d, std::nan("")), dagger::ArrayError);
  EXPECT_THROW(dagger::norm(d, -kInf), dagger::ArrayError);
}

// A norm's parts can be computed in worker processes, like sum's.
TEST(Norm, PartsCanTravelToWorkers) {
  EXPECT_TRUE(dagger::detail::wire_capable<dagger::detail::NormBlock<double>>);
  EXPECT_TRUE(dagger::detail::wire_capable<dagger::detail::PowerSum>);
  auto x = dagger::rand(dagger::Blocks(4, 4), 8, 8, dagger::Seed{1});
  dagger::detail::Elementwise e = dagger::detail::as_elementwise((x + 1.0).impl());
  EXPECT_TRUE((dagger::detail::NormBlock<double>{e.element_kernel(), 2, {}}.travels()));
}
