// The array library against Eigen, on shapes that stress the blocking:
// ragged last blocks, 1xN, Nx1, blocks of size 1.
#include <gtest/gtest.h>

#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <random>
#include <sstream>

namespace {

using Matrix = Eigen::MatrixXd;

struct Shape {
  std::int64_t rows, cols, block_rows, block_cols;
};

// Shapes with ragged edges, single rows and columns, and tiny blocks.
const Shape kShapes[] = {{7, 5, 3, 2}, {1, 9, 1, 4}, {9, 1, 4, 1}, {6, 6, 1, 1}, {10, 12, 10, 12},
                         {13, 4, 5, 3}};

Matrix random_matrix(std::int64_t r, std::int64_t c, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> u(0.5, 2.0);
  Matrix m(r, c);
  for (std::int64_t j = 0; j < c; ++j)
    for (std::int64_t i = 0; i < r; ++i) m(i, j) = u(g);
  return m;
}

dagger::DArray<double> spread(const Matrix& m, const Shape& s) {
  return dagger::distribute(dagger::Blocks(s.block_rows, s.block_cols), m);
}

int compute_events(const std::vector<dagger::Timespan>& events) {
  int n = 0;
  for (const auto& e : events) n += e.category == dagger::Category::compute;
  return n;
}

}  // namespace

TEST(Arrays, ConstructorsAndCollect) {
  auto a = dagger::ones<double>(dagger::Blocks(3, 2), 7, 5);
  EXPECT_EQ(dagger::collect(a), Matrix::Ones(7, 5));
  EXPECT_EQ(dagger::collect(dagger::zeros<std::int64_t>(dagger::Blocks(4), 10)),
            (Eigen::Matrix<std::int64_t, -1, -1>::Zero(10, 1)));
  auto r = dagger::collect(dagger::rand(dagger::Blocks(4, 4), 9, 7, dagger::Seed{1}));
  EXPECT_GE(r.minCoeff(), 0.0);
  EXPECT_LT(r.maxCoeff(), 1.0);
  auto n = dagger::collect(dagger::randn(dagger::Blocks(100, 100), 300, 300, dagger::Seed{2}));
  EXPECT_NEAR(n.mean(), 0.0, 0.02);
  EXPECT_NEAR((n.array() * n.array()).mean(), 1.0, 0.03);
  auto v = dagger::collect(dagger::distribute(dagger::Blocks(3), std::vector<float>{1, 2, 3, 4, 5}));
  EXPECT_EQ(v.rows(), 5);
  EXPECT_EQ(v(4, 0), 5.0f);
  auto bits = dagger::collect(dagger::rand<bool>(dagger::Blocks(64), 1000, dagger::Seed{3}));
  EXPECT_GT(bits.count(), 400);
  EXPECT_LT(bits.count(), 600);
}

TEST(Arrays, SeededValuesIgnoreProcessorsAndBlocking) {
  dagger::Context all;
  dagger::Context one({all.processors().front()});
  auto a = dagger::collect(all, dagger::randn(dagger::Blocks(5, 5), 20, 20, dagger::Seed{42}));
  auto b = dagger::collect(one, dagger::randn(dagger::Blocks(5, 5), 20, 20, dagger::Seed{42}));
  EXPECT_EQ(a, b);
  auto c = dagger::collect(dagger::randn(dagger::Blocks(5, 5), 20, 20, dagger::Seed{43}));
  EXPECT_NE(a, c);
  // Without a seed, two calls differ.
  EXPECT_NE(dagger::collect(dagger::rand(dagger::Blocks(5), 20)), dagger::collect(dagger::rand(dagger::Blocks(5), 20)));
}

TEST(Arrays, ComputePrintsItsMetadata) {
  auto a = dagger::rand(dagger::Blocks(4000, 4000), 10000, 10000, dagger::Seed{0});
  std::ostringstream lazy;
  lazy << a;
  EXPECT_EQ(lazy.str(), "Lazy(10000x10000 DArray<double> in 3x3 parts each of (max size) 4000x4000)");
  auto small = dagger::compute(dagger::ones<float>(dagger::Blocks(4, 3), 10, 7));
  std::ostringstream computed;
  computed << small;
  EXPECT_EQ(computed.str(), "Computed(10x7 DArray<float> in 3x3 parts each of (max size) 4x3)");
  EXPECT_TRUE(small.computed());
  EXPECT_EQ(dagger::collect(small), Eigen::MatrixXf::Ones(10, 7));
}

TEST(Arrays, MapAndUnaryFunctionsMatchEigen) {
  for (const Shape& s : kShapes) {
    Matrix m = random_matrix(s.rows, s.cols, 7);
    auto d = spread(m, s);
    EXPECT_TRUE(dagger::collect(dagger::map([](double e) { return e * e; }, d)).isApprox(m.array().square().matrix()));
    EXPECT_TRUE(dagger::collect(dagger::exp(d)).isApprox(m.array().exp().matrix()));
    EXPECT_TRUE(dagger::collect(dagger::log(d)).isApprox(m.array().log().matrix()));
    EXPECT_TRUE(dagger::collect(dagger::sqrt(d)).isApprox(m.array().sqrt().matrix()));
    EXPECT_TRUE(dagger::collect(dagger::tanh(d)).isApprox(m.array().tanh().matrix()));
    EXPECT_TRUE(dagger::collect(-d).isApprox(-m));
    EXPECT_TRUE(dagger::collect(dagger::square(d)).isApprox(m.array().square().matrix()));
    auto ints = dagger::map([](double e) { return static_cast<long>(e * 10); }, d);
    static_assert(std::is_same_v<decltype(ints), dagger::DArray<std::int64_t>>);
    EXPECT_EQ(dagger::collect(ints)(0, 0), static_cast<std::int64_t>(m(0, 0) * 10));
  }
}

TEST(Arrays, EveryUnaryFunctionAgreesWithItsDefinition) {
  Matrix m = random_matrix(5, 4, 3) * 0.4;  // in (0.2, 0.8): every function is defined
  auto d = spread(m, {5, 4, 2, 3});
  auto check = [&](const char* name, auto&& array, auto&& scalar) {
    auto got = dagger::collect(array);
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 5; ++i) EXPECT_NEAR(got(i, j), scalar(m(i, j)), 1e-12) << name;
  };
  const double pi = dagger::kernels::kPi;
  check("expm1", dagger::expm1(d), [](double x) { return std::expm1(x); });
  check("log10", dagger::log10(d), [](double x) { return std::log10(x); });
  check("log1p", dagger::log1p(d), [](double x) { return std::log1p(x); });
  check("cbrt", dagger::cbrt(d), [](double x) { return std::cbrt(x); });
  check("exponent", dagger::exponent(d), [](double x) { return std::floor(std::log2(x)); });
  check("significand", dagger::significand(d), [](double x) { return x / std::exp2(std::floor(std::log2(x))); });
  check("sin", dagger::sin(d), [](double x) { return std::sin(x); });
  check("sinpi", dagger::sinpi(d), [&](double x) { return std::sin(pi * x); });
  check("cos", dagger::cos(d), [](double x) { return std::cos(x); });
  check("cospi", dagger::cospi(d), [&](double x) { return std::cos(pi * x); });
  check("tan", dagger::tan(d), [](double x) { return std::tan(x); });
  check("sec", dagger::sec(d), [](double x) { return 1 / std::cos(x); });
  check("cot", dagger::cot(d), [](double x) { return 1 / std::tan(x); });
  check("csc", dagger::csc(d), [](double x) { return 1 / std::sin(x); });
  check("sinh", dagger::sinh(d), [](double x) { return std::sinh(x); });
  check("cosh", dagger::cosh(d), [](double x) { return std::cosh(x); });
  check("coth", dagger::coth(d), [](double x) { return std::cosh(x) / std::sinh(x); });
  check("sech", dagger::sech(d), [](double x) { return 1 / std::cosh(x); });
  check("csch", dagger::csch(d), [](double x) { return 1 / std::sinh(x); });
  check("asin", dagger::asin(d), [](double x) { return std::asin(x); });
  check("acos", dagger::acos(d), [](double x) { return std::acos(x); });
  check("atan", dagger::atan(d), [](double x) { return std::atan(x); });
  check("acot", dagger::acot(d), [&](double x) { return pi / 2 - std::atan(x); });
  check("asinh", dagger::asinh(d), [](double x) { return std::asinh(x); });
  check("atanh", dagger::atanh(d), [](double x) { return std::atanh(x); });
  check("acsch", dagger::acsch(d), [](double x) { return std::asinh(1 / x); });
  check("sinc", dagger::sinc(d), [&](double x) { return std::sin(pi * x) / (pi * x); });
  check("cosc", dagger::cosc(d), [&](double x) { return (std::cos(pi * x) - std::sin(pi * x) / (pi * x)) / x; });
  Matrix big = m.array() + 1.1;  // > 1 for the inverse secant family
  auto b = spread(big, {5, 4, 3, 3});
  auto check_big = [&](const char* name, auto&& array, auto&& scalar) {
    auto got = dagger::collect(array);
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 5; ++i) EXPECT_NEAR(got(i, j), scalar(big(i, j)), 1e-12) << name;
  };
  check_big("acosh", dagger::acosh(b), [](double x) { return std::acosh(x); });
  check_big("asec", dagger::asec(b), [](double x) { return std::acos(1 / x); });
  check_big("acsc", dagger::acsc(b), [](double x) { return std::asin(1 / x); });
  check_big("acoth", dagger::acoth(b), [](double x) { return 0.5 * std::log((x + 1) / (x - 1)); });
  check("asech", dagger::asech(d), [](double x) { return std::acosh(1 / x); });
  // Exact values where Julia's definitions are exact.
  auto special = dagger::collect(dagger::sinpi(dagger::distribute(dagger::Blocks(2), std::vector<double>{1, 0.5, -1.5})));
  EXPECT_EQ(special(0, 0), 0.0);
  EXPECT_EQ(special(1, 0), 1.0);
  EXPECT_EQ(special(2, 0), 1.0);
  EXPECT_EQ(dagger::kernels::sinc(0.0), 1.0);
  EXPECT_EQ(dagger::kernels::cosc(0.0), 0.0);
}

TEST(Arrays, BinaryOperationsMatchEigen) {
  for (const Shape& s : kShapes) {
    Matrix a = random_matrix(s.rows, s.cols, 1), b = random_matrix(s.rows, s.cols, 2);
    auto da = spread(a, s), db = spread(b, s);
    EXPECT_TRUE(dagger::collect(da + db).isApprox(a + b));
    EXPECT_TRUE(dagger::collect(da - db).isApprox(a - b));
    EXPECT_TRUE(dagger::collect(dagger::times(da, db)).isApprox(a.cwiseProduct(b)));
    EXPECT_TRUE(dagger::collect(da / db).isApprox(a.cwiseQuotient(b)));
    EXPECT_TRUE(dagger::collect(dagger::left_divide(da, db)).isApprox(b.cwiseQuotient(a)));
    EXPECT_TRUE(dagger::collect(dagger::pow(da, db)).isApprox(a.array().pow(b.array()).matrix()));
    EXPECT_TRUE(dagger::collect(da % db).isApprox(a.binaryExpr(b, [](double x, double y) { return std::fmod(x, y); })));
    EXPECT_TRUE(dagger::collect(dagger::int_div(da, db)).isApprox(a.binaryExpr(b, [](double x, double y) { return std::trunc(x / y); })));
    // With scalars, both ways.
    EXPECT_TRUE(dagger::collect(da + 2.0).isApprox((a.array() + 2.0).matrix()));
    EXPECT_TRUE(dagger::collect(2.0 - da).isApprox((2.0 - a.array()).matrix()));
    EXPECT_TRUE(dagger::collect(da * 3.0).isApprox(a * 3.0));
    EXPECT_TRUE(dagger::collect(1.0 / da).isApprox(a.cwiseInverse()));
    EXPECT_TRUE(dagger::collect(dagger::pow(da, 2)).isApprox(a.array().square().matrix()));
    // Comparisons give bool arrays.
    auto less = dagger::collect(da < db);
    static_assert(std::is_same_v<decltype(less)::Scalar, bool>);
    EXPECT_EQ(less, (a.array() < b.array()).matrix());
    EXPECT_EQ(dagger::collect(da >= 1.0), (a.array() >= 1.0).matrix());
    EXPECT_EQ(dagger::collect(da == da), (a.array() == a.array()).matrix());
    EXPECT_EQ(dagger::collect(da != db), (a.array() != b.array()).matrix());
    EXPECT_EQ(dagger::collect(da <= db), (a.array() <= b.array()).matrix());
    EXPECT_EQ(dagger::collect(da > db), (a.array() > b.array()).matrix());
  }
}

// Small integer powers run a loop of their own: the same bits as the
// general integer power (and as the element program workers and GPUs run).
TEST(Arrays, IntegerPowersGiveTheBitsOfRepeatedProducts) {
  Matrix a = random_matrix(37, 23, 3);
  auto da = spread(a, {37, 23, 10, 7});
  for (int n : {-2, 0, 1, 2, 3, 4, 7}) {
    const Matrix expected = a.unaryExpr([n](double x) { return dagger::kernels::integer_power(x, std::int64_t{n}); });
    EXPECT_EQ(dagger::collect(dagger::pow(da, n)), expected) << "n = " << n;
  }
  EXPECT_EQ(dagger::collect(dagger::pow(da, 3)), (a.array() * a.array() * a.array()).matrix());
  EXPECT_EQ(dagger::collect(dagger::sum(dagger::pow(da, 2))), dagger::collect(dagger::sum(dagger::times(da, da))));
}

TEST(Arrays, IntegerAndBitOperations) {
  std::vector<std::int64_t> x{1, 2, 3, 12, -7}, y{3, 1, 2, 10, 2};
  auto dx = dagger::distribute(dagger::Blocks(2), x), dy = dagger::distribute(dagger::Blocks(3), y);
  auto get = [](const auto& array) {
    auto m = dagger::collect(array);
    return std::vector<std::int64_t>(m.data(), m.data() + m.size());
  };
  EXPECT_EQ(get(dx ^ dy), (std::vector<std::int64_t>{2, 3, 1, 6, -5}));
  EXPECT_EQ(get(dx & dy), (std::vector<std::int64_t>{1, 0, 2, 8, 0}));
  EXPECT_EQ(get(dx | dy), (std::vector<std::int64_t>{3, 3, 3, 14, -5}));
  EXPECT_EQ(get(dx << dy), (std::vector<std::int64_t>{8, 4, 12, 12288, -28}));
  EXPECT_EQ(get(dx >> 1), (std::vector<std::int64_t>{0, 1, 1, 6, -4}));
  EXPECT_EQ(get(dx % dy), (std::vector<std::int64_t>{1, 0, 1, 2, -1}));
  EXPECT_EQ(get(dagger::int_div(dx, dy)), (std::vector<std::int64_t>{0, 2, 1, 1, -3}));
  auto q = dagger::collect(dx / dy);  // integer / integer is double
  EXPECT_DOUBLE_EQ(q(0, 0), 1.0 / 3.0);
}

TEST(Arrays, DifferentBlockingIsReblockedNotRejected) {
  Matrix a = random_matrix(11, 7, 4), b = random_matrix(11, 7, 5);
  auto da = spread(a, {11, 7, 3, 2});
  auto db = spread(b, {11, 7, 4, 5});
  EXPECT_TRUE(dagger::collect(da + db).isApprox(a + b));
  EXPECT_TRUE(dagger::collect(db - da).isApprox(b - a));
}

TEST(Arrays, ElementwiseChainsAndReductionFuseIntoOneThunkPerBlock) {
  auto x = dagger::compute(dagger::rand(dagger::Blocks(10, 10), 40, 30, dagger::Seed{9}));
  const int blocks = 4 * 3;
  // Three element-wise operations and a sum: one fold per block plus the
  // tree that combines them (x's computed blocks are read where they are).
  auto s = dagger::sum(dagger::sqrt(dagger::exp(x) * 2.0 + 1.0));
  auto debug = dagger::debug_compute(s);
  EXPECT_EQ(compute_events(debug.events), blocks + (blocks - 1));
  Matrix m = dagger::collect(x);
  EXPECT_NEAR(dagger::collect(debug.chunk), (m.array().exp() * 2.0 + 1.0).sqrt().sum(), 1e-9);
  // A materialized chain: one thunk per block for the whole chain.
  auto y = dagger::compute(dagger::cos(dagger::sin(x) + x));
  EXPECT_TRUE(dagger::collect(y).isApprox((m.array().sin() + m.array()).cos().matrix()));
}

TEST(Arrays, ReductionsMatchEigen) {
  for (const Shape& s : kShapes) {
    Matrix m = random_matrix(s.rows, s.cols, 11);
    auto d = spread(m, s);
    EXPECT_NEAR(dagger::collect(dagger::sum(d)), m.sum(), 1e-9);
    EXPECT_NEAR(dagger::collect(dagger::prod(d)), m.prod(), 1e-9 * std::abs(m.prod()));
    EXPECT_EQ(dagger::collect(dagger::minimum(d)), m.minCoeff());
    EXPECT_EQ(dagger::collect(dagger::maximum(d)), m.maxCoeff());
    EXPECT_NEAR(dagger::collect(dagger::mean(d)), m.mean(), 1e-12);
    EXPECT_NEAR(dagger::collect(dagger::reduce([](double a, double b) { return a + b; }, d)), m.sum(), 1e-9);
    EXPECT_TRUE(dagger::collect(dagger::sum(d, 1)).isApprox(m.colwise().sum()));
    EXPECT_TRUE(dagger::collect(dagger::sum(d, 2)).isApprox(m.rowwise().sum()));
    EXPECT_EQ(dagger::collect(dagger::maximum(d, 1)), m.colwise().maxCoeff());
    EXPECT_EQ(dagger::collect(dagger::minimum(d, 2)), m.rowwise().minCoeff());
    EXPECT_TRUE(dagger::collect(dagger::prod(d, 2)).isApprox(m.rowwise().prod()));
    EXPECT_TRUE(dagger::collect(dagger::mean(d, 1)).isApprox(m.colwise().mean()));
  }
  auto flags = dagger::distribute(dagger::Blocks(2), std::vector<bool>{true, false, true, true, false});
  EXPECT_EQ(dagger::collect(dagger::sum(flags)), 3);
}

// A collected vector's elements.
template <class T>
std::vector<T> elements(const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>& m) {
  return std::vector<T>(m.data(), m.data() + m.size());
}

// The sample variance of Eigen's values, computed the textbook way.
double sample_variance(const Eigen::ArrayXd& v) {
  return (v - v.mean()).square().sum() / static_cast<double>(v.size() - 1);
}

TEST(Arrays, VarianceAndStandardDeviationMatchEigen) {
  for (const Shape& s : kShapes) {
    Matrix m = random_matrix(s.rows, s.cols, 21);
    auto d = spread(m, s);
    const Eigen::ArrayXd all = m.reshaped().array();
    EXPECT_NEAR(dagger::collect(dagger::var(d)), sample_variance(all), 1e-12);
    EXPECT_NEAR(dagger::collect(dagger::std(d)), std::sqrt(sample_variance(all)), 1e-12);
    // Fused: the chain is read inside the fold.
    EXPECT_NEAR(dagger::collect(dagger::var(d * 3.0 - 1.0)), 9 * sample_variance(all), 1e-11);
    const Matrix by_column = dagger::collect(dagger::var(d, 1));
    const Matrix by_row = dagger::collect(dagger::std(d, 2));
    ASSERT_EQ(by_column.rows(), 1);
    ASSERT_EQ(by_column.cols(), s.cols);
    ASSERT_EQ(by_row.rows(), s.rows);
    ASSERT_EQ(by_row.cols(), 1);
    for (std::int64_t c = 0; c < s.cols; ++c) {
      if (s.rows > 1) {
        EXPECT_NEAR(by_column(0, c), sample_variance(m.col(c).array()), 1e-12) << c;
      } else {
        EXPECT_TRUE(std::isnan(by_column(0, c)));  // one element: n - 1 = 0
      }
    }
    for (std::int64_t r = 0; r < s.rows; ++r) {
      if (s.cols > 1) {
        EXPECT_NEAR(by_row(r, 0), std::sqrt(sample_variance(m.row(r).array())), 1e-12) << r;
      }
    }
  }
  // A large offset: the blocks' moments merge without cancellation.
  std::vector<double> shifted(1000);
  for (std::size_t i = 0; i < shifted.size(); ++i) shifted[i] = 1e9 + static_cast<double>(i % 10);
  const double expected = sample_variance(Eigen::Map<Eigen::ArrayXd>(shifted.data(), 1000));
  // (sum(x^2) - n mean^2 would lose every digit here: x^2 is 1e18.)
  EXPECT_NEAR(dagger::collect(dagger::var(dagger::distribute(dagger::Blocks(37), shifted))), expected, 1e-8 * expected);
  // Integers compute in double.
  auto ints = dagger::distribute(dagger::Blocks(2), std::vector<std::int64_t>{1, 2, 3, 4, 5});
  EXPECT_DOUBLE_EQ(dagger::collect(dagger::var(ints)), 2.5);
  EXPECT_THROW(dagger::var(dagger::distribute(dagger::Blocks(2), std::vector<double>{})), dagger::ArrayError);
  EXPECT_THROW(dagger::var(spread(random_matrix(3, 3, 1), {3, 3, 2, 2}), 3), dagger::ArrayError);
}

TEST(Arrays, ExtremaAndTheirPositions) {
  for (const Shape& s : kShapes) {
    Matrix m = random_matrix(s.rows, s.cols, 22);
    auto d = spread(m, s);
    const auto [low, high] = dagger::collect(dagger::extrema(d));
    EXPECT_EQ(low, m.minCoeff());
    EXPECT_EQ(high, m.maxCoeff());
    Eigen::Index r = 0, c = 0;
    m.minCoeff(&r, &c);
    const auto [least, at] = dagger::collect(dagger::findmin(d));
    EXPECT_EQ(least, m.minCoeff());
    EXPECT_EQ(at, r + c * s.rows);
    m.maxCoeff(&r, &c);
    EXPECT_EQ(dagger::collect(dagger::argmax(d)), r + c * s.rows);
    // Through a chain: the least of -m is where m is greatest.
    EXPECT_EQ(dagger::collect(dagger::argmin(-1.0 * d)), r + c * s.rows);
  }
  // Ties go to the first occurrence, whatever the blocking; a NaN wins.
  std::vector<double> v{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 9};
  for (std::int64_t b : {1, 2, 3, 11}) {
    auto d = dagger::distribute(dagger::Blocks(b), v);
    EXPECT_EQ(dagger::collect(dagger::argmin(d)), 1) << b;
    EXPECT_EQ(dagger::collect(dagger::argmax(d)), 5) << b;
  }
  v[7] = std::nan("");
  EXPECT_EQ(dagger::collect(dagger::argmin(dagger::distribute(dagger::Blocks(3), v))), 7);
  auto ints = dagger::distribute(dagger::Blocks(2), std::vector<std::int64_t>{4, -7, 2, -7, 8});
  EXPECT_EQ(dagger::collect(dagger::findmin(ints)), (std::pair<std::int64_t, std::int64_t>(-7, 1)));
  EXPECT_EQ(dagger::collect(dagger::extrema(ints)), (std::pair<std::int64_t, std::int64_t>(-7, 8)));
  EXPECT_THROW(dagger::argmax(dagger::distribute(dagger::Blocks(2), std::vector<double>{})), dagger::ArrayError);
}

TEST(Arrays, AnyAllCountAndDot) {
  auto flags = dagger::distribute(dagger::Blocks(2), std::vector<bool>{false, false, true, false, false});
  EXPECT_TRUE(dagger::collect(dagger::any_of(flags)));
  EXPECT_FALSE(dagger::collect(dagger::all_of(flags)));
  EXPECT_EQ(dagger::collect(dagger::count(flags)), 1);
  auto none = dagger::distribute(dagger::Blocks(2), std::vector<bool>{});
  EXPECT_FALSE(dagger::collect(dagger::any_of(none)));
  EXPECT_TRUE(dagger::collect(dagger::all_of(none)));
  for (const Shape& s : kShapes) {
    Matrix m = random_matrix(s.rows, s.cols, 23);
    auto d = spread(m, s);
    EXPECT_EQ(dagger::collect(dagger::count([](double x) { return x > 1.0; }, d)), (m.array() > 1.0).count());
    EXPECT_TRUE(dagger::collect(dagger::all_of([](double x) { return x >= 0.5; }, d)));
    EXPECT_FALSE(dagger::collect(dagger::any_of([](double x) { return x > 2.0; }, d)));
    EXPECT_TRUE(dagger::collect(dagger::any_of(d > m.maxCoeff() - 1e-12)));
    Matrix n = random_matrix(s.rows, s.cols, 24);
    EXPECT_NEAR(dagger::collect(dagger::dot(d, spread(n, s))), m.cwiseProduct(n).sum(), 1e-10);
  }
  EXPECT_THROW(dagger::dot(spread(random_matrix(3, 2, 1), {3, 2, 2, 2}), spread(random_matrix(2, 3, 1), {2, 3, 2, 2})),
               dagger::ArrayError);
}

// Section 12 of Dagger.jl's array tests: mapreduce over all elements and
// along each dimension, with and without init, on ones and on rand.
TEST(Arrays, MapreduceWithAndWithoutInit) {
  auto ones = dagger::ones<double>(dagger::Blocks(10, 10), 100, 100);
  auto plus = [](double a, double b) { return a + b; };
  auto plus_one = [](double x) { return x + 1; };
  EXPECT_EQ(dagger::collect(dagger::reduce(plus, ones)), 10000);
  EXPECT_EQ(dagger::collect(dagger::mapreduce(plus_one, plus, ones)), 20000);
  EXPECT_EQ(dagger::collect(dagger::mapreduce(plus_one, plus, ones, 0.0)), 20000);
  EXPECT_EQ(dagger::collect(dagger::mapreduce(plus_one, plus, ones, 5.0)), 20005);
  const Matrix per_column = dagger::collect(dagger::mapreduce(plus_one, plus, ones, 1));
  ASSERT_EQ(per_column.rows(), 1);
  EXPECT_TRUE((per_column.array() == 200).all());
  const Matrix per_row = dagger::collect(dagger::mapreduce(plus_one, plus, ones, 2, 1.0));
  ASSERT_EQ(per_row.cols(), 1);
  EXPECT_TRUE((per_row.array() == 201).all());
  EXPECT_TRUE((dagger::collect(dagger::reduce(plus, ones, 2)).array() == 100).all());
  // An empty array gives init.
  auto empty = dagger::distribute(dagger::Blocks(4), std::vector<double>{});
  EXPECT_EQ(dagger::collect(dagger::mapreduce(plus_one, plus, empty, 7.0)), 7.0);
  Matrix m = random_matrix(13, 4, 25);
  auto square = [](double x) { return x * x; };
  auto larger = [](double a, double b) { return std::max(a, b); };
  EXPECT_NEAR(dagger::collect(dagger::mapreduce(square, plus, spread(m, {13, 4, 5, 3}))), m.squaredNorm(), 1e-10);
  EXPECT_EQ(dagger::collect(dagger::mapreduce(square, larger, spread(m, {13, 4, 5, 3}), 1)),
            m.array().square().colwise().maxCoeff().matrix());
}

TEST(Arrays, CumulativeSumsAndProductsAlongEachDimension) {
  for (const Shape& s : kShapes) {
    Matrix m = random_matrix(s.rows, s.cols, 26);
    auto d = spread(m, s);
    Matrix down = m, across = m, products = m;
    for (std::int64_t c = 0; c < s.cols; ++c)
      for (std::int64_t r = 1; r < s.rows; ++r) {
        down(r, c) += down(r - 1, c);
        products(r, c) *= products(r - 1, c);
      }
    for (std::int64_t c = 1; c < s.cols; ++c) across.col(c) += across.col(c - 1);
    const auto by_column = dagger::cumsum(d, 1);
    EXPECT_EQ(by_column.layout().block_text(), d.layout().block_text());
    EXPECT_TRUE(dagger::collect(by_column).isApprox(down, 1e-12));
    EXPECT_TRUE(dagger::collect(dagger::cumsum(d, 2)).isApprox(across, 1e-12));
    EXPECT_TRUE(dagger::collect(dagger::cumprod(d, 1)).isApprox(products, 1e-12));
    // Of a chain, materialized block by block.
    EXPECT_TRUE(dagger::collect(dagger::cumsum(d * 2.0, 1)).isApprox(2 * down, 1e-12));
  }
  auto v = dagger::distribute(dagger::Blocks(3), std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(elements(dagger::collect(dagger::cumsum(v))), (std::vector<std::int64_t>{1, 3, 6, 10, 15, 21, 28}));
  EXPECT_EQ(elements(dagger::collect(dagger::cumprod(v))), (std::vector<std::int64_t>{1, 2, 6, 24, 120, 720, 5040}));
  auto flags = dagger::distribute(dagger::Blocks(2), std::vector<bool>{true, false, true, true});
  EXPECT_EQ(elements(dagger::collect(dagger::cumsum(flags))), (std::vector<std::int64_t>{1, 1, 2, 3}));
  EXPECT_THROW(dagger::cumsum(v, 2), dagger::ArrayError);
  EXPECT_THROW(dagger::cumsum(spread(random_matrix(3, 3, 1), {3, 3, 2, 2}), 0), dagger::ArrayError);
}

// Section 15 of Dagger.jl's array tests: hcat and vcat of a 75x75 matrix
// as x (Blocks(10, 20)) and y (Blocks(10, 10)). Dagger.jl rejects vcat(x, y)
// because the column blockings differ; here y is gathered into x's blocks.
TEST(Arrays, ConcatenationMatchesEigen) {
  Matrix m = random_matrix(75, 75, 27);
  auto x = dagger::distribute(dagger::Blocks(10, 20), m);
  auto y = dagger::distribute(dagger::Blocks(10, 10), m);
  Matrix side(75, 150), stacked(150, 75);
  side << m, m;
  stacked << m, m;
  EXPECT_EQ(dagger::collect(dagger::hcat(x, x)), side);
  EXPECT_EQ(dagger::collect(dagger::hcat(x, y)), side);
  EXPECT_EQ(dagger::collect(dagger::vcat(x, x)), stacked);
  EXPECT_EQ(dagger::collect(dagger::vcat(x, y)), stacked);
  EXPECT_EQ(dagger::hcat(x, y).layout().block_text(), "10x20");
  // Three pieces of other sizes, ragged, through a lazy chain.
  Matrix a = random_matrix(7, 5, 28), b = random_matrix(7, 2, 29), c = random_matrix(7, 9, 30);
  Matrix abc(7, 16);
  abc << a, 2 * b, c;
  auto da = spread(a, {7, 5, 3, 2});
  EXPECT_EQ(dagger::collect(dagger::cat(2, {da, spread(b, {7, 2, 4, 1}) * 2.0, spread(c, {7, 9, 7, 9})})), abc);
  // Blocks that fit are the inputs' own thunks: nothing is copied.
  auto u = dagger::distribute(dagger::Blocks(10, 20), random_matrix(20, 40, 31));
  auto stack = dagger::vcat(u, u);
  ASSERT_EQ(stack.block_thunks().size(), 8u);
  EXPECT_EQ(stack.block_thunks()[0].node(), u.block_thunks()[0].node());
  EXPECT_EQ(stack.block_thunks()[2].node(), u.block_thunks()[0].node());
  // Vectors: vcat gives a vector, hcat a matrix whose columns they are.
  auto v = dagger::distribute(dagger::Blocks(2), std::vector<double>{1, 2, 3});
  auto w = dagger::distribute(dagger::Blocks(3), std::vector<double>{4, 5, 6});
  EXPECT_EQ(dagger::vcat(v, w).ndims(), 1);
  EXPECT_EQ(elements(dagger::collect(dagger::vcat(v, w))), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  Matrix columns(3, 2);
  columns << 1, 4, 2, 5, 3, 6;
  EXPECT_EQ(dagger::collect(dagger::hcat(v, w)), columns);
  // The other dimension must agree.
  try {
    dagger::vcat(x, spread(random_matrix(3, 4, 1), {3, 4, 2, 2}));
    FAIL() << "expected ArrayError";
  } catch (const dagger::ArrayError& e) {
    EXPECT_NE(std::string(e.what()).find("75x75, 3x4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dagger::hcat(x, spread(random_matrix(3, 4, 1), {3, 4, 2, 2})), dagger::ArrayError);
  EXPECT_THROW(dagger::cat(0, {x, x}), dagger::ArrayError);
  EXPECT_EQ(dagger::cat(3, {x, x}).shape(), (std::vector<std::int64_t>{75, 75, 2}));  // as Julia's cat(x, x; dims=3)
  EXPECT_THROW(dagger::cat(1, std::vector<dagger::DArray<double>>{}), dagger::ArrayError);
}

// Section 15 of Dagger.jl's array tests: permutedims of matrices.
TEST(Arrays, PermutedimsPermutesShapesAndBlocks) {
  struct Case {
    Shape in;
    std::int64_t grid_rows, grid_cols;
    const char* blocks;
  };
  for (const Case& c : {Case{{12, 12, 4, 4}, 3, 3, "4x4"}, Case{{12, 20, 4, 5}, 4, 3, "5x4"},
                        Case{{10, 7, 3, 4}, 2, 4, "4x3"}, Case{{6, 9, 6, 9}, 1, 1, "9x6"}}) {
    Matrix m = random_matrix(c.in.rows, c.in.cols, 32);
    auto p = dagger::permutedims(spread(m, c.in), {2, 1});
    EXPECT_EQ(p.layout().grid_rows(), c.grid_rows);
    EXPECT_EQ(p.layout().grid_cols(), c.grid_cols);
    EXPECT_EQ(p.layout().block_text(), c.blocks);
    EXPECT_EQ(dagger::collect(p), m.transpose());
    EXPECT_EQ(dagger::collect(dagger::permutedims(spread(m, c.in), {1, 2})), m);
  }
  auto floats = dagger::distribute(dagger::Blocks(4, 6), Eigen::MatrixXf::Random(8, 12).eval());
  EXPECT_EQ(dagger::permutedims(floats, {2, 1}).shape(), (std::vector<std::int64_t>{12, 8}));
  auto d = spread(random_matrix(3, 4, 1), {3, 4, 2, 2});
  for (const std::vector<int>& bad : {std::vector<int>{1, 1}, {1, 2, 3}, {0, 1}, {2}}) {
    EXPECT_THROW(dagger::permutedims(d, bad), dagger::ArrayError);
  }
}

TEST(Arrays, ReshapeWhereTheBlocksAllowIt) {
  std::vector<double> values(24);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i);
  const Eigen::Map<Matrix> as_3x8(values.data(), 3, 8), as_6x4(values.data(), 6, 4);
  auto v = dagger::distribute(dagger::Blocks(6), values);
  auto m = dagger::reshape(v, {3, 8});
  EXPECT_EQ(m.layout().block_text(), "3x2");
  EXPECT_EQ(dagger::collect(m), as_3x8);
  EXPECT_EQ(dagger::collect(dagger::reshape(v, {6, 4})), as_6x4);
  // A matrix whose blocks span its height: to a vector, and to other shapes.
  auto wide = dagger::distribute(dagger::Blocks(3, 2), Matrix(as_3x8));
  EXPECT_EQ(elements(dagger::collect(dagger::reshape(wide, {24}))), values);
  EXPECT_EQ(dagger::collect(dagger::reshape(wide, {6, 4})), as_6x4);
  // Ragged: 24 in blocks of 9 (9, 9, 6) to 3 x 8 in Blocks(3, 3).
  auto ragged = dagger::distribute(dagger::Blocks(9), values);
  EXPECT_EQ(dagger::collect(dagger::reshape(ragged, {3, 8})), as_3x8);
  // Through a lazy chain.
  EXPECT_EQ(dagger::collect(dagger::reshape(v * 2.0, {3, 8})), 2 * as_3x8);
  // Where elements would move between blocks: a typed error saying what would do.
  try {
    dagger::reshape(dagger::distribute(dagger::Blocks(2, 4), Matrix(as_3x8)), {24});
    FAIL() << "expected ArrayError";
  } catch (const dagger::ArrayError& e) {
    EXPECT_NE(std::string(e.what()).find("Blocks(3, 4)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dagger::reshape(dagger::distribute(dagger::Blocks(5), values), {3, 8}), dagger::ArrayError);
  EXPECT_THROW(dagger::reshape(v, {5, 5}), dagger::ArrayError);
  EXPECT_THROW(dagger::reshape(v, {2, 3, 5}), dagger::ArrayError);
}

TEST(Arrays, ReduceBlockAndReduceByKey) {
  Matrix m = random_matrix(7, 5, 12);
  auto d = spread(m, {7, 5, 3, 2});
  auto per_block = dagger::collect(dagger::reduceblock([](const auto& block) { return block.sum(); }, d));
  ASSERT_EQ(per_block.rows(), 3);
  ASSERT_EQ(per_block.cols(), 3);
  EXPECT_NEAR(per_block(2, 1), m.block(6, 2, 1, 2).sum(), 1e-12);
  EXPECT_NEAR(per_block.sum(), m.sum(), 1e-9);

  using Pairs = std::vector<std::pair<std::string, int>>;
  std::vector<dagger::Thunk<Pairs>> parts{
      dagger::delayed([] { return Pairs{{"a", 1}, {"b", 2}, {"a", 3}}; })(),
      dagger::delayed([] { return Pairs{{"b", 4}, {"c", 5}}; })(),
      dagger::delayed([] { return Pairs{{"a", 10}}; })()};
  auto counts = dagger::collect(dagger::reducebykey([](int x, int y) { return x + y; }, parts));
  EXPECT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts["a"], 14);
  EXPECT_EQ(counts["b"], 6);
  EXPECT_EQ(counts["c"], 5);
}

// transpose(a) inside a chain or a reduction reads a's own blocks and turns
// them tile by tile: the same values as the transposed matrix, and no
// transpose task in the graph.
TEST(Arrays, ATransposeInAChainOrAReductionIsReadTileByTile) {
  for (const Shape& s : kShapes) {
    SCOPED_TRACE(testing::Message() << s.rows << "x" << s.cols << " in " << s.block_rows << "x" << s.block_cols);
    const Matrix a = random_matrix(s.rows, s.cols, 41), b = random_matrix(s.cols, s.rows, 42);
    auto da = spread(a, s);
    auto db = dagger::distribute(dagger::Blocks(s.block_cols, s.block_rows), b);
    const Matrix expected = a.transpose() * 2.0 + b;
    EXPECT_EQ(dagger::collect(dagger::transpose(da) * 2.0 + db), expected);
    EXPECT_EQ(dagger::collect(db - dagger::transpose(da)), b - a.transpose());
    EXPECT_NEAR(dagger::collect(dagger::sum(dagger::transpose(da) * 2.0 + db)), expected.sum(), 1e-12 * expected.size());
    EXPECT_TRUE(dagger::collect(dagger::sum(dagger::transpose(da), 1)).isApprox(Matrix(a.transpose().colwise().sum())));
    EXPECT_TRUE(dagger::collect(dagger::sum(dagger::transpose(da), 2)).isApprox(Matrix(a.transpose().rowwise().sum())));
    EXPECT_EQ(dagger::collect(dagger::maximum(dagger::transpose(da) * 2.0 + db)), expected.maxCoeff());
    Eigen::Index r = 0, c = 0;
    (a.transpose() + b).maxCoeff(&r, &c);
    EXPECT_EQ(dagger::collect(dagger::argmax(dagger::transpose(da) + db)), r + c * s.cols);
    const std::string dot = dagger::to_dot(dagger::sum(dagger::transpose(da) * 2.0 + db));
    EXPECT_EQ(dot.find("transpose"), std::string::npos) << dot;
  }
  // A + A' of a square matrix is exactly symmetric.
  const Matrix sq = random_matrix(23, 23, 43);
  auto dsq = spread(sq, {23, 23, 10, 7});
  const Matrix sym = dagger::collect(dsq + dagger::transpose(dsq));
  EXPECT_EQ(sym, sym.transpose());
  EXPECT_EQ(sym, sq + sq.transpose());
  // The transpose of a lazy array (its blocks made once, then read turned).
  auto r = dagger::rand(dagger::Blocks(10, 7), 23, 19, dagger::Seed{9});
  EXPECT_EQ(dagger::collect(dagger::transpose(r) + 1.0), Matrix(dagger::collect(r).transpose().array() + 1.0));
}

// x + transpose(x) of a lazy x: both sides read x's blocks, each made once
// by its own thunk, rather than one side computing x's elements again.
std::size_t count_in(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// A random array beside its own transpose is drawn twice, in the folds
// themselves: no block of it and no transposed block is ever made.
TEST(Arrays, ARandomArrayAndItsTransposeAreDrawnInTheirConsumer) {
  auto a = dagger::rand(dagger::Blocks(10, 10), 20, 20, dagger::Seed{3});
  const std::string dot = dagger::to_dot(dagger::sum(a + dagger::transpose(a)));
  EXPECT_EQ(count_in(dot, ": rand\""), 0u) << dot;
  EXPECT_EQ(count_in(dot, "transpose"), 0u) << dot;
  // 4 folds read nothing, and 3 steps combine their partial sums.
  EXPECT_EQ(count_in(dot, " -> "), 3u * 2) << dot;
  const Matrix m = dagger::collect(a);
  EXPECT_NEAR(dagger::collect(dagger::sum(a + dagger::transpose(a))), 2 * m.sum(), 1e-12);
  EXPECT_EQ(dagger::collect(a + dagger::transpose(a)), m + m.transpose());
  EXPECT_EQ(dagger::collect(dagger::transpose(a) - a), m.transpose() - m);
  // transpose(transpose(a)) is a itself.
  EXPECT_EQ(dagger::transpose(dagger::transpose(a)).impl(), a.impl());
  // A product reads a's blocks, drawn once, through the transposed gemm.
  EXPECT_TRUE(dagger::collect(dagger::transpose(a) * a).isApprox(m.transpose() * m, 1e-12));
}

// The transpose of every kind of random and constant array, of ragged
// blocks, chains over it, and a row vector: the source's elements, bit for
// bit, whatever the blocking.
TEST(Arrays, TheTransposeOfARandomArrayHasItsSourcesElements) {
  const dagger::Blocks ragged(10, 7);
  auto normals = dagger::randn(ragged, 37, 23, dagger::Seed{11});
  const Matrix n = dagger::collect(normals);
  EXPECT_EQ(dagger::collect(dagger::transpose(normals)), Matrix(n.transpose()));
  EXPECT_EQ(dagger::collect(dagger::transpose(dagger::exp(normals) * 2.0)), Matrix((n.array().exp() * 2.0).matrix().transpose()));
  // Re-blocked beside an array of another blocking.
  auto other = dagger::ones(dagger::Blocks(5, 9), 23, 37);
  EXPECT_EQ(dagger::collect(dagger::transpose(normals) + other), Matrix(n.transpose().array() + 1.0));
  auto floats = dagger::randn<float>(ragged, 37, 23, dagger::Seed{12});
  const Eigen::MatrixXf f = dagger::collect(floats);
  EXPECT_EQ(dagger::collect(dagger::transpose(floats)), Eigen::MatrixXf(f.transpose()));
  auto bytes = dagger::rand<std::int8_t>(ragged, 37, 23, dagger::Seed{13});
  using Bytes = Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic>;
  const Bytes b = dagger::collect(bytes);
  EXPECT_EQ(dagger::collect(dagger::transpose(bytes)), Bytes(b.transpose()));
  auto coins = dagger::rand<bool>(ragged, 37, 23, dagger::Seed{14});
  using Bools = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>;
  const Bools c = dagger::collect(coins);
  EXPECT_EQ(dagger::collect(dagger::transpose(coins)), Bools(c.transpose()));
  auto row = dagger::rand(dagger::Blocks(1, 4), 1, 10, dagger::Seed{15});
  const Matrix r = dagger::collect(row);
  EXPECT_EQ(dagger::collect(dagger::transpose(row)), Matrix(r.transpose()));
  EXPECT_EQ(dagger::collect(dagger::transpose(dagger::zeros(ragged, 4, 6)) + 2.0), Matrix::Constant(6, 4, 2.0));
  const Matrix empty = dagger::collect(dagger::transpose(dagger::rand(dagger::Blocks(2, 2), 0, 5, dagger::Seed{19})));
  EXPECT_EQ(empty.rows(), 5);
  EXPECT_EQ(empty.cols(), 0);
  // An even number of rows: a run down one column of the transpose keeps
  // its draws' other halves for the next column. Two such arrays whose
  // tiles interleave, and blocks taller than the halves kept.
  auto even = dagger::randn(dagger::Blocks(8, 7), 38, 23, dagger::Seed{16});
  auto even_uniform = dagger::rand(dagger::Blocks(8, 7), 38, 23, dagger::Seed{17});
  const Matrix e = dagger::collect(even), u = dagger::collect(even_uniform);
  EXPECT_EQ(dagger::collect(dagger::transpose(even)), Matrix(e.transpose()));
  EXPECT_EQ(dagger::collect(dagger::transpose(even) - dagger::transpose(even_uniform) * 3.0),
            Matrix(e.transpose() - u.transpose() * 3.0));
  auto wide = dagger::rand(dagger::Blocks(2, 140000), 2, 140000, dagger::Seed{18});
  const Matrix w = dagger::collect(wide);
  EXPECT_EQ(dagger::collect(dagger::transpose(wide)), Matrix(w.transpose()));
  // A user's function over it has no program to transpose: transposed
  // again, it is made from its blocks, with the same values.
  auto doubled = dagger::map([](double x) { return 2 * x; }, dagger::transpose(even));
  EXPECT_EQ(dagger::collect(dagger::transpose(doubled)), Matrix(2 * e));
  EXPECT_EQ(dagger::collect(dagger::transpose(dagger::map([](double x) { return x; }, even))), Matrix(e.transpose()));
  // Folds over it: a sum along each dimension, the maximum and where it is.
  EXPECT_TRUE(dagger::collect(dagger::sum(dagger::transpose(normals), 1)).isApprox(Matrix(n.transpose().colwise().sum())));
  EXPECT_TRUE(dagger::collect(dagger::sum(dagger::transpose(normals), 2)).isApprox(Matrix(n.transpose().rowwise().sum())));
  EXPECT_EQ(dagger::collect(dagger::maximum(dagger::transpose(normals))), n.maxCoeff());
}

// Blocks taller than one panel of the walk (its rows come in stretches) and
// every width of element.
TEST(Arrays, ATransposeOfTallBlocksAndNarrowTypesIsReadTileByTile) {
  const Matrix wide = random_matrix(6, 9000, 44);
  auto dw = dagger::distribute(dagger::Blocks(6, 9000), wide);
  auto t = dagger::transpose(dw) + 0.5;
  EXPECT_EQ(dagger::collect(t), Matrix(wide.transpose().array() + 0.5));
  EXPECT_TRUE(dagger::collect(dagger::sum(dagger::transpose(dw), 1)).isApprox(Matrix(wide.transpose().colwise().sum())));
  // Two equal largest elements: the first in index order is found, though
  // the walk meets the other first (its rows come in a later stretch).
  Matrix ties = Matrix::Zero(6, 9000);
  ties(0, 5000) = 1;
  ties(1, 0) = 1;
  EXPECT_EQ(dagger::collect(dagger::argmax(dagger::transpose(dagger::distribute(dagger::Blocks(6, 9000), ties)))), 5000);
  const Matrix m = random_matrix(300, 70, 45);
  auto dm = dagger::distribute(dagger::Blocks(128, 40), m);
  using Bytes = Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic>;
  using Shorts = Eigen::Matrix<std::uint16_t, Eigen::Dynamic, Eigen::Dynamic>;
  using Bools = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>;
  const Bytes bytes = (m * 100).cast<std::int8_t>();
  const Shorts shorts = (m.array().abs() * 1000).matrix().cast<std::uint16_t>();
  const Eigen::MatrixXf floats = m.cast<float>();
  const Bools bools = (m.array() > 0.2).matrix();
  auto db = dagger::distribute(dagger::Blocks(128, 40), bytes);
  auto ds = dagger::distribute(dagger::Blocks(128, 40), shorts);
  auto df = dagger::distribute(dagger::Blocks(128, 40), floats);
  auto dbool = dagger::distribute(dagger::Blocks(128, 40), bools);
  EXPECT_EQ(dagger::collect(dagger::transpose(db) + dagger::transpose(db)), Bytes(bytes.transpose() + bytes.transpose()));
  EXPECT_EQ(dagger::collect(dagger::times(dagger::transpose(ds), dagger::transpose(ds)) % 7),
            Shorts((shorts.transpose().array() * shorts.transpose().array()).unaryExpr([](std::uint16_t x) {
              return static_cast<std::uint16_t>(x % 7);
            })));
  EXPECT_EQ(dagger::collect(dagger::transpose(df) * 2.0f), Eigen::MatrixXf(floats.transpose() * 2.0f));
  // Sources of several widths in one chain, two of them turned.
  EXPECT_EQ(dagger::collect(dagger::transpose(dbool) & (dagger::transpose(dm) > 0.5)),
            Bools(bools.transpose().array() && (m.transpose().array() > 0.5)));
  EXPECT_EQ(dagger::collect(dagger::count(dagger::transpose(dbool))), bools.count());
}

TEST(Arrays, MatmulAndTransposeMatchEigen) {
  for (const Shape& s : kShapes) {
    Matrix a = random_matrix(s.rows, s.cols, 21), b = random_matrix(s.cols, 6, 22);
    auto da = spread(a, s);
    auto db = dagger::distribute(dagger::Blocks(2, 4), b);  // rows cut unlike a's columns: re-blocked
    EXPECT_TRUE(dagger::collect(da * db).isApprox(a * b));
    EXPECT_TRUE(dagger::collect(dagger::transpose(da)).isApprox(a.transpose()));
    Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(s.cols, 1, 2);
    auto dv = dagger::distribute(dagger::Blocks(s.block_cols), v);
    EXPECT_EQ(dv.ndims(), 1);
    EXPECT_TRUE(dagger::collect(da * dv).isApprox(a * v));
  }
  Matrix sq = random_matrix(9, 9, 23);
  auto dsq = spread(sq, {9, 9, 4, 4});
  EXPECT_TRUE(dagger::collect(dsq + dagger::transpose(dsq)).isApprox(sq + sq.transpose()));
  auto floats = dagger::ones<float>(dagger::Blocks(3, 3), 5, 4);
  EXPECT_TRUE(dagger::collect(dagger::matmul(floats, dagger::transpose(floats))).isApprox(Eigen::MatrixXf::Constant(5, 5, 4)));
  auto ints = dagger::ones<std::int64_t>(dagger::Blocks(2, 2), 3, 3);
  EXPECT_EQ(dagger::collect(ints * ints), (Eigen::Matrix<std::int64_t, -1, -1>::Constant(3, 3, 3)));
}

TEST(Arrays, ErrorsNameShapesAndBlocks) {
  auto expect_message = [](auto&& f, const std::string& text) {
    try {
      f();
      FAIL() << "expected ArrayError containing " << text;
    } catch (const dagger::ArrayError& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expect_message([] { dagger::ones(dagger::Blocks(0, 2), 4, 4); }, "Blocks(0x2)");
  expect_message([] { dagger::ones(dagger::Blocks(-1), 4); }, "Blocks(-1)");
  expect_message([] { dagger::ones(dagger::Blocks(2), 4, 4); }, "Blocks(2) has 1 dimensions but the array 4x4 has 2");
  auto a = dagger::ones(dagger::Blocks(2, 2), 3, 4), b = dagger::ones(dagger::Blocks(2, 2), 4, 3);
  expect_message([&] { auto c = a + b; }, "shape mismatch in +: 3x4 vs 4x3");
  expect_message([&] { auto c = a * a; }, "inner dimensions differ: 3x4 * 3x4");
  expect_message([&] { dagger::sum(a, 3); }, "dimension 3");
  expect_message([] { dagger::maximum(dagger::ones(dagger::Blocks(2), 0)); }, "maximum of an empty array");
  expect_message([] { dagger::matmul(dagger::ones<bool>(dagger::Blocks(2, 2), 2, 2), dagger::ones<bool>(dagger::Blocks(2, 2), 2, 2)); },
                 "does not support bool");
  EXPECT_THROW(dagger::DArray<float>(a.impl()), dagger::TypeError);
}

TEST(Arrays, SeedWorkload) {
  auto x = dagger::randn(dagger::Blocks(400, 400), 1000, 1000, dagger::Seed{5});
  double v = dagger::collect(dagger::sum(dagger::pow(x, 2)));
  EXPECT_NEAR(v, 1e6, 1e4);
  Matrix d = random_matrix(250, 250, 8);
  auto dd = dagger::distribute(dagger::Blocks(100, 100), d);
  EXPECT_NEAR(dagger::collect(dagger::sum(dagger::map([](double e) { return e * e; }, dd))), d.squaredNorm(), 1e-6);
}

TEST(Arrays, IndexingReturnsLazyArrays) {
  Matrix m = random_matrix(120, 110, 31);
  auto x = spread(m, {120, 110, 25, 30});
  EXPECT_EQ(dagger::collect(x(dagger::range(20, 100), dagger::range(20, 100))), m.block(20, 20, 80, 80));
  auto picked = dagger::collect(x({20, 30, 40}, {30, 40, 60}));
  ASSERT_EQ(picked.rows(), 3);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(picked(i, j), m(20 + 10 * i, std::vector<int>{30, 40, 60}[static_cast<std::size_t>(j)]));
  auto rows = dagger::collect(x({20, 30, 40}, dagger::all));
  EXPECT_EQ(rows.row(1), m.row(30));
  auto cols = dagger::collect(x(dagger::all, {109, 0}));
  EXPECT_EQ(cols.col(0), m.col(109));
  EXPECT_EQ(cols.col(1), m.col(0));
  // Index results compose with the rest: a lazy array like any other.
  EXPECT_NEAR(dagger::collect(dagger::sum(x(dagger::range(0, 10), dagger::all))), m.topRows(10).sum(), 1e-9);
  auto v = dagger::distribute(dagger::Blocks(4), std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(dagger::collect(v({9, 0, 5})), (Eigen::MatrixXd(3, 1) << 9, 0, 5).finished());
  EXPECT_EQ(dagger::collect(v(dagger::range(3, 3))).rows(), 0);
  try {
    x(dagger::range(100, 121), dagger::all);
    FAIL();
  } catch (const dagger::ArrayError& e) {
    EXPECT_NE(std::string(e.what()).find("index 120 is out of range for dimension 1 of size 120"), std::string::npos) << e.what();
  }
  EXPECT_THROW(x({0}, {-1}), dagger::ArrayError);
  EXPECT_THROW(v({0}, {0}), dagger::ArrayError);
}

TEST(Arrays, SortMatchesStdSort) {
  std::mt19937_64 g(5);
  for (std::int64_t n : {1, 2, 17, 1000, 12345}) {
    for (std::int64_t block : {1, 7, 1000}) {
      if (n / block > 2000) continue;
      std::vector<double> values(static_cast<std::size_t>(n));
      std::uniform_int_distribution<int> few(0, 20);  // many duplicates
      for (auto& x : values) x = few(g) * 0.5 - 3;
      auto sorted = dagger::sort(dagger::distribute(dagger::Blocks(block), values));
      std::sort(values.begin(), values.end());
      auto got = dagger::collect(sorted);
      ASSERT_EQ(got.rows(), n);
      EXPECT_TRUE(std::equal(values.begin(), values.end(), got.data())) << n << " " << block;
      // Re-blocked evenly, as many blocks as the input.
      EXPECT_EQ(sorted.layout().block_count(), static_cast<std::size_t>((n + block - 1) / block));
    }
  }
  std::vector<std::int64_t> ints(5000);
  for (auto& x : ints) x = static_cast<std::int64_t>(g());
  auto got = dagger::collect(dagger::sort(dagger::distribute(dagger::Blocks(512), ints)));
  std::sort(ints.begin(), ints.end());
  EXPECT_TRUE(std::equal(ints.begin(), ints.end(), got.data()));
  auto random = dagger::collect(dagger::sort(dagger::randn(dagger::Blocks(1000), 10000, dagger::Seed{4})));
  EXPECT_TRUE(std::is_sorted(random.data(), random.data() + random.size()));
}
