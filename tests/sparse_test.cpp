// Sparse arrays against Eigen's sparse results.
#include <gtest/gtest.h>

#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <random>

namespace {

Eigen::SparseMatrix<double> random_sparse(std::int64_t r, std::int64_t c, double density, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Eigen::Triplet<double>> entries;
  for (std::int64_t j = 0; j < c; ++j)
    for (std::int64_t i = 0; i < r; ++i)
      if (u(g) < density) entries.emplace_back(static_cast<int>(i), static_cast<int>(j), u(g) + 0.5);
  Eigen::SparseMatrix<double> m(r, c);
  m.setFromTriplets(entries.begin(), entries.end());
  return m;
}

bool same(const Eigen::SparseMatrix<double>& a, const Eigen::SparseMatrix<double>& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (Eigen::MatrixXd(a) - Eigen::MatrixXd(b)).norm() < 1e-12;
}

}  // namespace

TEST(Sparse, SprandHasTheDensityAndIsSeeded) {
  auto s = dagger::sprand(dagger::Blocks(100, 100), 300, 250, 0.02, dagger::Seed{1});
  auto m = dagger::collect(s);
  EXPECT_EQ(m.rows(), 300);
  EXPECT_EQ(m.cols(), 250);
  EXPECT_NEAR(static_cast<double>(m.nonZeros()) / (300 * 250), 0.02, 0.004);
  EXPECT_GE(Eigen::MatrixXd(m).minCoeff(), 0.0);
  dagger::Context all;
  EXPECT_TRUE(same(m, dagger::collect(dagger::Context({all.processors().front()}),
                                      dagger::sprand(dagger::Blocks(100, 100), 300, 250, 0.02, dagger::Seed{1}))));
  auto v = dagger::collect(dagger::sprand(dagger::Blocks(50), 200, 0.1, dagger::Seed{2}));
  EXPECT_EQ(v.cols(), 1);
  EXPECT_THROW(dagger::sprand(dagger::Blocks(2, 2), 4, 4, 1.5), dagger::ArrayError);
}

TEST(Sparse, ElementwiseOperationsKeepSparsity) {
  auto a = random_sparse(37, 23, 0.1, 1), b = random_sparse(37, 23, 0.1, 2);
  auto da = dagger::distribute(dagger::Blocks(10, 7), a), db = dagger::distribute(dagger::Blocks(10, 7), b);
  EXPECT_TRUE(same(dagger::collect(da), a));
  auto scaled = dagger::collect(da * 3.0);
  EXPECT_TRUE(same(scaled, a * 3.0));
  EXPECT_EQ(scaled.nonZeros(), a.nonZeros());
  EXPECT_TRUE(same(dagger::collect(da / 2.0), a / 2.0));
  EXPECT_TRUE(same(dagger::collect(-da), -a));
  EXPECT_TRUE(same(dagger::collect(dagger::map([](double x) { return std::sqrt(x); }, da)),
                   a.unaryExpr([](double x) { return std::sqrt(x); })));
  EXPECT_TRUE(same(dagger::collect(da + db), a + b));
  EXPECT_TRUE(same(dagger::collect(da - db), a - b));
  EXPECT_TRUE(same(dagger::collect(dagger::times(da, db)), a.cwiseProduct(b)));
  EXPECT_LE(dagger::collect(dagger::times(da, db)).nonZeros(), std::min(a.nonZeros(), b.nonZeros()));
  EXPECT_THROW(dagger::map([](double x) { return x + 1; }, da), dagger::ArrayError);
  // Cut into other blocks: re-blocked, not rejected.
  auto other = dagger::distribute(dagger::Blocks(4, 9), b);
  EXPECT_TRUE(same(dagger::collect(da + other), a + b));
  EXPECT_TRUE(same(dagger::collect(dagger::times(other, da)), b.cwiseProduct(a)));
  auto wrong = dagger::distribute(dagger::Blocks(5, 5), random_sparse(23, 37, 0.1, 3));
  EXPECT_THROW(da + wrong, dagger::ArrayError);
}

TEST(Sparse, SparseTimesDenseVectorAndMatrix) {
  for (auto [r, c, br, bc] : {std::array<std::int64_t, 4>{37, 23, 10, 7}, {1, 9, 1, 4}, {9, 1, 4, 1}, {6, 6, 1, 1}}) {
    auto a = random_sparse(r, c, 0.3, 3);
    auto da = dagger::distribute(dagger::Blocks(br, bc), a);
    Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(c, -1, 1);
    auto dx = dagger::distribute(dagger::Blocks(3), x);  // re-blocked to a's columns
    EXPECT_TRUE(dagger::collect(da * dx).isApprox(a * x)) << r << "x" << c;
    Eigen::MatrixXd m = Eigen::MatrixXd::Random(c, 5);
    EXPECT_TRUE(dagger::collect(da * dagger::distribute(dagger::Blocks(4, 2), m)).isApprox(a * m));
    EXPECT_TRUE(dagger::collect(dagger::dense(da)).isApprox(Eigen::MatrixXd(a)));
  }
  auto a = dagger::distribute(dagger::Blocks(2, 2), random_sparse(4, 4, 0.5, 4));
  EXPECT_THROW(a * dagger::ones(dagger::Blocks(2), 5), dagger::ArrayError);
}
