// Tiled Cholesky and triangular solves against Eigen's dense ones, on the
// sizes and blockings Dagger.jl's linalg tests use (128 x 128 in 32 x 32,
// ragged and non-square blocks), in double and float. Built twice: on one
// process, and with two worker processes in the default context.
#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <Eigen/SVD>
#include <limits>

#include "dagger/array.hpp"
#include "dagger/dagger.hpp"

namespace {

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

// A A' + n I: symmetric positive definite, exactly symmetric.
template <class T>
Matrix<T> spd(std::int64_t n, unsigned seed) {
  std::srand(seed);
  Matrix<T> a = Matrix<T>::Random(n, n);
  Matrix<T> s = a * a.transpose() + static_cast<T>(n) * Matrix<T>::Identity(n, n);
  return (s + s.transpose()) / T(2);
}

template <class T>
T relative_error(const Matrix<T>& got, const Matrix<T>& want) {
  return (got - want).norm() / want.norm();
}

template <class T>
T tolerance() {
  return std::is_same_v<T, double> ? T(1e-12) : T(2e-5);
}

template <class T>
void factors_like_eigen(std::int64_t n, std::int64_t block_rows, std::int64_t block_cols) {
  const Matrix<T> a = spd<T>(n, 7);
  auto da = dagger::distribute(dagger::Blocks(block_rows, block_cols), a);
  auto c = dagger::cholesky(da);
  const Matrix<T> l = dagger::collect(c.L());
  const Matrix<T> want = a.llt().matrixL();
  EXPECT_LT(relative_error<T>(l, want), tolerance<T>()) << n << " in " << block_rows << "x" << block_cols;
  EXPECT_TRUE(l.isLowerTriangular());
  EXPECT_LT(relative_error<T>(Matrix<T>(l * l.transpose()), a), tolerance<T>());
  const Matrix<T> u = dagger::collect(c.U());
  EXPECT_TRUE(u.isUpperTriangular());
  EXPECT_EQ(dagger::collect(da), a);  // the input is untouched
}

TEST(Cholesky, MatchesEigenOnDaggerJlsBlockings) {
  factors_like_eigen<double>(128, 32, 32);
  factors_like_eigen<double>(100, 32, 32);  // ragged last tiles
  factors_like_eigen<double>(128, 64, 32);  // non-square blocks: re-blocked to 64 x 64
  factors_like_eigen<double>(128, 128, 128);
  factors_like_eigen<double>(40, 64, 64);  // one tile larger than the matrix
  factors_like_eigen<float>(128, 32, 32);
  factors_like_eigen<float>(100, 24, 24);
}

TEST(Cholesky, SolvesVectorsAndMatricesLikeEigen) {
  const Matrix<double> a = spd<double>(128, 3);
  auto c = dagger::cholesky(dagger::distribute(dagger::Blocks(32, 32), a));
  const Eigen::VectorXd b = Eigen::VectorXd::Random(128);
  std::vector<double> bv(b.data(), b.data() + b.size());
  const Matrix<double> x = dagger::collect(c.solve(dagger::distribute(dagger::Blocks(40), bv)));
  ASSERT_EQ(x.rows(), 128);
  EXPECT_LT((a * x - b).norm() / b.norm(), 1e-12);
  const Matrix<double> bm = Matrix<double>::Random(128, 20);
  const Matrix<double> xm = dagger::collect(c.solve(dagger::distribute(dagger::Blocks(50, 8), bm)));
  EXPECT_LT(relative_error<double>(xm, a.llt().solve(bm)), 1e-12);
}

TEST(Cholesky, AMatrixThatIsNotSymmetricNamesAnEntry) {
  std::srand(11);
  const Matrix<double> r = Matrix<double>::Random(32, 32);
  try {
    dagger::cholesky(dagger::distribute(dagger::Blocks(4, 4), r));
    FAIL() << "no error";
  } catch (const dagger::NotSymmetric& e) {
    EXPECT_NE(r(e.row(), e.col()), r(e.col(), e.row()));
    EXPECT_NE(std::string(e.what()).find("not symmetric"), std::string::npos) << e.what();
  }
}

TEST(Cholesky, AMatrixThatIsNotPositiveDefiniteNamesTheMinorAndTheRuntimeGoesOn) {
  Matrix<double> a = spd<double>(128, 5);
  a(0, 0) = -100;  // Dagger.jl's case (marked broken there)
  try {
    dagger::cholesky(dagger::distribute(dagger::Blocks(32, 32), a));
    FAIL() << "no error";
  } catch (const dagger::NotPositiveDefinite& e) {
    EXPECT_EQ(e.order(), 1);
  }
  Matrix<double> late = Matrix<double>::Identity(100, 100);
  late(70, 70) = -1;  // in the third tile of 32
  try {
    dagger::cholesky(dagger::distribute(dagger::Blocks(32, 32), late));
    FAIL() << "no error";
  } catch (const dagger::NotPositiveDefinite& e) {
    EXPECT_EQ(e.order(), 71);
    EXPECT_NE(std::string(e.what()).find("order 71"), std::string::npos) << e.what();
  }
  factors_like_eigen<double>(64, 16, 16);
}

TEST(Cholesky, WrongShapesAndTypesAreArrayErrors) {
  EXPECT_THROW(dagger::cholesky(dagger::distribute(dagger::Blocks(8, 8), Matrix<double>::Ones(16, 8).eval())),
               dagger::ArrayError);
  Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic> ints = decltype(ints)::Identity(8, 8);
  EXPECT_THROW(dagger::cholesky(dagger::distribute(dagger::Blocks(4, 4), ints)), dagger::ArrayError);
  auto c = dagger::cholesky(dagger::distribute(dagger::Blocks(8, 8), spd<double>(16, 1)));
  EXPECT_THROW(c.solve(dagger::distribute(dagger::Blocks(4), std::vector<double>(15, 1.0))), dagger::ArrayError);
}

template <class T>
void solves_like_eigen(dagger::Triangle triangle, dagger::Side side) {
  const std::int64_t n = 96;
  Matrix<T> t = spd<T>(n, 9);
  if (triangle == dagger::Lower) {
    t = t.template triangularView<Eigen::Lower>();
  } else {
    t = t.template triangularView<Eigen::Upper>();
  }
  const Matrix<T> b = side == dagger::Left ? Matrix<T>::Random(n, 10) : Matrix<T>::Random(10, n);
  auto x = dagger::triangular_solve(dagger::distribute(dagger::Blocks(32, 32), t),
                                    dagger::distribute(dagger::Blocks(24, 5), b), triangle, side);
  const Matrix<T> got = dagger::collect(x);
  const Matrix<T> back = side == dagger::Left ? Matrix<T>(t * got) : Matrix<T>(got * t);
  EXPECT_LT(relative_error<T>(back, b), (std::is_same_v<T, double> ? T(1e-12) : T(1e-4)));
}

TEST(TriangularSolve, EverySideAndTriangleMatches) {
  for (auto triangle : {dagger::Lower, dagger::Upper}) {
    for (auto side : {dagger::Left, dagger::Right}) {
      solves_like_eigen<double>(triangle, side);
      solves_like_eigen<float>(triangle, side);
    }
  }
}

TEST(TriangularSolve, AVectorRightHandSideAndBadShapes) {
  Matrix<double> l = spd<double>(50, 4).triangularView<Eigen::Lower>();
  std::vector<double> b(50, 1.0);
  const Matrix<double> x = dagger::collect(dagger::triangular_solve(dagger::distribute(dagger::Blocks(16, 16), l),
                                                                    dagger::distribute(dagger::Blocks(7), b),
                                                                    dagger::Lower));
  EXPECT_LT((l * x - Eigen::VectorXd::Ones(50)).norm(), 1e-12);
  auto dl = dagger::distribute(dagger::Blocks(16, 16), l);
  EXPECT_THROW(dagger::triangular_solve(dl, dagger::distribute(dagger::Blocks(7), std::vector<double>(49, 1.0)),
                                        dagger::Lower),
               dagger::ArrayError);
  EXPECT_THROW(dagger::triangular_solve(dl, dagger::distribute(dagger::Blocks(7), b), dagger::Lower, dagger::Right),
               dagger::ArrayError);
}

}  // namespace

namespace {

template <class T>
Matrix<T> random_matrix(std::int64_t rows, std::int64_t cols, unsigned seed) {
  std::srand(seed);
  return Matrix<T>::Random(rows, cols);
}

template <class T>
void lu_matches(std::int64_t n, std::int64_t block_rows, std::int64_t block_cols) {
  const Matrix<T> a = random_matrix<T>(n, n, 21);
  auto da = dagger::distribute(dagger::Blocks(block_rows, block_cols), a);
  auto f = dagger::lu(da);
  const Matrix<T> l = dagger::collect(f.L()), u = dagger::collect(f.U()), p = dagger::collect(f.P());
  EXPECT_TRUE(l.isLowerTriangular());
  EXPECT_TRUE(u.isUpperTriangular());
  EXPECT_TRUE(l.diagonal().isOnes());
  // P is a permutation: one 1 in each row and column.
  EXPECT_TRUE((p.rowwise().sum().array() == T(1)).all());
  EXPECT_TRUE((p.colwise().sum().array() == T(1)).all());
  const T eps = std::numeric_limits<T>::epsilon();
  EXPECT_LT(relative_error<T>(Matrix<T>(l * u), Matrix<T>(p * a)), T(50) * T(n) * eps)
      << n << " in " << block_rows << "x" << block_cols;
  // Partial pivoting: no multiplier above one in magnitude.
  EXPECT_LE(l.cwiseAbs().maxCoeff(), T(1));
  // The same permutation and factors as LAPACK's getrf (Eigen's PartialPivLU).
  Eigen::PartialPivLU<Matrix<T>> dense(a);
  EXPECT_EQ(Matrix<T>(dense.permutationP()), p);
  EXPECT_EQ(dagger::collect(da), a);  // untouched
}

TEST(LU, PivotedMatchesLapackOnDaggerJlsBlockings) {
  lu_matches<double>(128, 64, 64);
  lu_matches<double>(128, 64, 32);  // non-square blocks
  lu_matches<double>(100, 32, 32);  // ragged
  lu_matches<double>(128, 128, 128);
  lu_matches<float>(128, 32, 32);
}

TEST(LU, WithoutPivotingFactorsADiagonallyDominantMatrix) {
  Matrix<double> a = random_matrix<double>(128, 128, 5);
  a.diagonal().array() += 200.0;
  auto f = dagger::lu(dagger::distribute(dagger::Blocks(64, 64), a), dagger::NoPivot{});
  const Matrix<double> l = dagger::collect(f.L()), u = dagger::collect(f.U());
  EXPECT_LT(relative_error<double>(Matrix<double>(l * u), a), 1e-12);
  EXPECT_EQ(dagger::collect(f.P()), Matrix<double>::Identity(128, 128));
}

TEST(LU, SolveAndInverseMatchDense) {
  const Matrix<double> a = random_matrix<double>(128, 128, 8);
  auto da = dagger::distribute(dagger::Blocks(32, 32), a);
  const Eigen::VectorXd b = Eigen::VectorXd::Random(128);
  const Matrix<double> x =
      dagger::collect(dagger::solve(da, dagger::distribute(dagger::Blocks(32), std::vector<double>(b.data(), b.data() + 128))));
  EXPECT_LT((a * x - b).norm() / b.norm(), 1e-10);
  const Matrix<double> bm = random_matrix<double>(128, 9, 2);
  const Matrix<double> xm = dagger::collect(dagger::solve(da, dagger::distribute(dagger::Blocks(64, 4), bm)));
  EXPECT_LT(relative_error<double>(xm, Matrix<double>(a.partialPivLu().solve(bm))), 1e-10);
  const Matrix<double> ai = dagger::collect(dagger::inv(da));
  EXPECT_LT(relative_error<double>(Matrix<double>(a * ai), Matrix<double>::Identity(128, 128)), 1e-10);
}

TEST(LU, ASingularMatrixIsATypedErrorAndTheRuntimeGoesOn) {
  try {
    dagger::lu(dagger::distribute(dagger::Blocks(32, 32), Matrix<double>::Ones(64, 64).eval()));
    FAIL() << "no error";
  } catch (const dagger::SingularMatrix& e) {
    EXPECT_EQ(e.index(), 2);  // after the first column, every entry left is zero
  }
  EXPECT_THROW(dagger::solve(dagger::distribute(dagger::Blocks(16, 16), Matrix<double>::Zero(32, 32).eval()),
                             dagger::distribute(dagger::Blocks(16), std::vector<double>(32, 1.0))),
               dagger::SingularMatrix);
  EXPECT_THROW(dagger::lu(dagger::distribute(dagger::Blocks(8, 8), Matrix<double>::Ones(16, 8).eval())),
               dagger::ArrayError);
  lu_matches<double>(64, 16, 16);
}

}  // namespace

namespace {

// Dagger.jl's matmul cases: X'X and XX' of a 40 x 40 matrix in 10 x 20
// blocks, and products of transposes over several blockings, against Eigen.
TEST(Matmul, TransposedOperandsAreReadWhereTheyLie) {
  const Matrix<double> x = random_matrix<double>(40, 40, 31);
  auto dx = dagger::distribute(dagger::Blocks(10, 20), x);
  EXPECT_LT(relative_error<double>(dagger::collect(dagger::matmul(dagger::transpose(dx), dx)), Matrix<double>(x.transpose() * x)), 1e-12);
  EXPECT_LT(relative_error<double>(dagger::collect(dagger::matmul(dx, dagger::transpose(dx))), Matrix<double>(x * x.transpose())), 1e-12);
  // No transposed block is made: the products read x's blocks as they are.
  const std::string dot = dagger::to_dot(dagger::sum(dagger::matmul(dagger::transpose(dx), dx)));
  EXPECT_EQ(dot.find("transpose"), std::string::npos) << dot;
  EXPECT_NE(dot.find("matmul"), std::string::npos);

  struct Case {
    std::int64_t r, c;         // A is r x c
    dagger::Blocks a, b;       // blockings of A and B as stored
  };
  for (const Case& k : {Case{12, 4, dagger::Blocks(12, 4), dagger::Blocks(12, 4)},
                        Case{12, 4, dagger::Blocks(5, 3), dagger::Blocks(4, 2)},
                        Case{12, 12, dagger::Blocks(4, 8), dagger::Blocks(8, 4)},
                        Case{4, 12, dagger::Blocks(20, 20), dagger::Blocks(3, 5)}}) {
    const Matrix<double> a = random_matrix<double>(k.r, k.c, 1), b = random_matrix<double>(k.r, k.c, 2);
    auto da = dagger::distribute(k.a, a), db = dagger::distribute(k.b, b);
    // A B' (r x r), A' B (c x c), A' B' needs B c x r: use B' stored as r x c.
    EXPECT_LT(relative_error<double>(dagger::collect(dagger::matmul(da, dagger::transpose(db))), Matrix<double>(a * b.transpose())), 1e-12);
    EXPECT_LT(relative_error<double>(dagger::collect(dagger::matmul(dagger::transpose(da), db)), Matrix<double>(a.transpose() * b)), 1e-12);
    const Matrix<double> bt = random_matrix<double>(k.c, k.r, 3);
    auto dbt = dagger::distribute(k.b, bt);
    EXPECT_LT(relative_error<double>(dagger::collect(dagger::matmul(dagger::transpose(da), dagger::transpose(dbt))),
                                     Matrix<double>(a.transpose() * bt.transpose())),
              1e-12);
  }
  // A transposed vector is a 1 x n matrix; its product with a matrix too.
  const Eigen::VectorXd v = Eigen::VectorXd::Random(40);
  auto dv = dagger::distribute(dagger::Blocks(10), std::vector<double>(v.data(), v.data() + 40));
  EXPECT_LT(relative_error<double>(dagger::collect(dagger::matmul(dagger::transpose(dv), dx)), Matrix<double>(v.transpose() * x)), 1e-12);
  EXPECT_THROW(dagger::matmul(dagger::transpose(dx), dagger::distribute(dagger::Blocks(4, 4), random_matrix<double>(30, 5, 4))),
               dagger::ArrayError);
}

}  // namespace

namespace {

TEST(Opnorm, OneTwoAndInfinityMatchEigenAndOtherPAreErrors) {
  const Matrix<double> a = random_matrix<double>(50, 30, 41);
  auto da = dagger::distribute(dagger::Blocks(16, 7), a);
  EXPECT_NEAR(dagger::collect(dagger::opnorm(da, 1)), a.cwiseAbs().colwise().sum().maxCoeff(), 1e-12);
  EXPECT_NEAR(dagger::collect(dagger::opnorm(da, INFINITY)), a.cwiseAbs().rowwise().sum().maxCoeff(), 1e-12);
  const Matrix<float> f = random_matrix<float>(20, 20, 42);
  EXPECT_NEAR(dagger::collect(dagger::opnorm(dagger::distribute(dagger::Blocks(6, 6), f), 1)),
              f.cwiseAbs().colwise().sum().maxCoeff(), 1e-4);
  const double two = Eigen::JacobiSVD<Matrix<double>>(a).singularValues()(0);
  EXPECT_NEAR(dagger::collect(dagger::opnorm(da, 2)), two, 1e-12 * two);
  const double wide = Eigen::JacobiSVD<Matrix<double>>(a.transpose()).singularValues()(0);
  EXPECT_NEAR(dagger::collect(dagger::opnorm(dagger::distribute(dagger::Blocks(7, 16), Matrix<double>(a.transpose())), 2)),
              wide, 1e-12 * wide);
  EXPECT_THROW(dagger::opnorm(da, 3), dagger::ArrayError);
  EXPECT_THROW(dagger::opnorm(dagger::distribute(dagger::Blocks(4), std::vector<double>(8, 1.0)), 1), dagger::ArrayError);
}

}  // namespace

namespace {

// Dagger.jl's QR bounds: |A - QR|_1 / (|A|_1 max(m, n) eps) < 2 and
// |I - Q'Q|_1 / (n eps) < 2, R upper; square, tall and wide, blocks of
// 32 x 32 and 16 x 32, a single block, a matrix smaller than its blocks.
template <class T>
void qr_within_bounds(std::int64_t m, std::int64_t n, dagger::Blocks blocks) {
  const Matrix<T> a = random_matrix<T>(m, n, 51);
  auto da = dagger::distribute(blocks, a);
  auto f = dagger::qr(da);
  const Matrix<T> q = dagger::collect(f.Q()), r = dagger::collect(f.R());
  const std::int64_t k = std::min(m, n);
  ASSERT_EQ(q.rows(), m);
  ASSERT_EQ(q.cols(), k);
  ASSERT_EQ(r.rows(), k);
  ASSERT_EQ(r.cols(), n);
  EXPECT_TRUE(r.isUpperTriangular());
  const T eps = std::numeric_limits<T>::epsilon();
  auto one_norm = [](const Matrix<T>& x) { return x.cwiseAbs().colwise().sum().maxCoeff(); };
  EXPECT_LT(one_norm(Matrix<T>(a - q * r)) / (one_norm(a) * T(std::max(m, n)) * eps), T(2)) << m << "x" << n;
  EXPECT_LT(one_norm(Matrix<T>(Matrix<T>::Identity(k, k) - q.transpose() * q)) / (T(k) * eps), T(2)) << m << "x" << n;
  EXPECT_EQ(dagger::collect(da), a);
}

TEST(QR, WithinDaggerJlsBoundsOnSquareTallAndWideMatrices) {
  for (auto blocks : {dagger::Blocks(32, 32), dagger::Blocks(16, 32)}) {
    qr_within_bounds<double>(128, 128, blocks);
    qr_within_bounds<double>(128, 64, blocks);
    qr_within_bounds<double>(64, 128, blocks);
  }
  qr_within_bounds<double>(32, 32, dagger::Blocks(32, 32));  // a single block
  qr_within_bounds<double>(16, 16, dagger::Blocks(32, 32));  // smaller than its block
  qr_within_bounds<double>(100, 60, dagger::Blocks(24, 16));  // ragged
  qr_within_bounds<float>(128, 64, dagger::Blocks(32, 32));
}

// One column of tiles, two row tiles or more: TSQR (a tree of small
// factorizations). An even and an odd number of row tiles, a last row
// tile shorter than the matrix is wide, two row tiles, float.
TEST(QR, TallAndSkinnyByTsqrWithinDaggerJlsBounds) {
  qr_within_bounds<double>(256, 16, dagger::Blocks(32, 32));
  qr_within_bounds<double>(224, 20, dagger::Blocks(32, 20));
  qr_within_bounds<double>(245, 30, dagger::Blocks(32, 32));
  qr_within_bounds<double>(40, 32, dagger::Blocks(32, 32));
  qr_within_bounds<float>(256, 16, dagger::Blocks(32, 32));
}

TEST(QR, LeastSquaresByTsqrMatchesEigen) {
  const Matrix<double> a = random_matrix<double>(245, 30, 55);
  auto f = dagger::qr(dagger::distribute(dagger::Blocks(32, 32), a));
  const Matrix<double> b = random_matrix<double>(245, 3, 56);
  const Matrix<double> want = a.colPivHouseholderQr().solve(b);
  EXPECT_LT(relative_error<double>(dagger::collect(f.solve(dagger::distribute(dagger::Blocks(50, 2), b))), want), 1e-10);
  // R is Eigen's up to the signs of its rows.
  const Matrix<double> r = dagger::collect(f.R());
  const Matrix<double> eigen_r = Matrix<double>(a.householderQr().matrixQR().topRows(30).triangularView<Eigen::Upper>());
  EXPECT_LT(relative_error<double>(Matrix<double>(r.cwiseAbs()), Matrix<double>(eigen_r.cwiseAbs())), 1e-10);
}

TEST(QR, LeastSquaresRecoversTheSolution) {
  const Matrix<double> a = random_matrix<double>(128, 64, 52);
  const Eigen::VectorXd x = Eigen::VectorXd::Random(64);
  const Eigen::VectorXd b = a * x;
  auto f = dagger::qr(dagger::distribute(dagger::Blocks(32, 32), a));
  const Matrix<double> got = dagger::collect(f.solve(dagger::distribute(dagger::Blocks(20), std::vector<double>(b.data(), b.data() + 128))));
  EXPECT_LT((got - x).norm() / x.norm(), 1e-8);
  // With noise: the same as Eigen's least squares.
  const Matrix<double> noisy = random_matrix<double>(128, 3, 53);
  const Matrix<double> want = a.colPivHouseholderQr().solve(noisy);
  EXPECT_LT(relative_error<double>(dagger::collect(f.solve(dagger::distribute(dagger::Blocks(32, 2), noisy))), want), 1e-10);
  auto wide = dagger::qr(dagger::distribute(dagger::Blocks(16, 16), random_matrix<double>(16, 32, 54)));
  EXPECT_THROW(wide.solve(dagger::distribute(dagger::Blocks(16), std::vector<double>(16, 1.0))), dagger::ArrayError);
  EXPECT_THROW(f.solve(dagger::distribute(dagger::Blocks(16), std::vector<double>(100, 1.0))), dagger::ArrayError);
}

}  // namespace

namespace {

// A = U diag(S) Vt against Eigen's SVD, with Dagger.jl's QR-style bounds:
// |A - U S Vt|_1 / (|A|_1 max(m, n) eps) and |I - U'U|_1 / (k eps) small,
// singular values descending and equal to Eigen's within 4 max(m, n) eps |A|_2
// (both are backward stable: each is within a small multiple of eps |A|_2).
template <class T>
void svd_within_bounds(std::int64_t m, std::int64_t n, dagger::Blocks blocks) {
  const Matrix<T> a = random_matrix<T>(m, n, 61);
  auto da = dagger::distribute(blocks, a);
  const auto f = dagger::svd(da);
  const std::int64_t k = std::min(m, n);
  const Matrix<T> u = dagger::collect(f.U), vt = dagger::collect(f.Vt);
  const Matrix<T> s = dagger::collect(f.S);
  ASSERT_EQ(u.rows(), m);
  ASSERT_EQ(u.cols(), k);
  ASSERT_EQ(s.rows(), k);
  ASSERT_EQ(vt.rows(), k);
  ASSERT_EQ(vt.cols(), n);
  const T eps = std::numeric_limits<T>::epsilon();
  auto one_norm = [](const Matrix<T>& x) { return x.cwiseAbs().colwise().sum().maxCoeff(); };
  const Matrix<T> rebuilt = u * s.col(0).asDiagonal() * vt;
  EXPECT_LT(one_norm(Matrix<T>(a - rebuilt)) / (one_norm(a) * T(std::max(m, n)) * eps), T(20)) << m << "x" << n;
  EXPECT_LT(one_norm(Matrix<T>(Matrix<T>::Identity(k, k) - u.transpose() * u)) / (T(k) * eps), T(20)) << m << "x" << n;
  EXPECT_LT(one_norm(Matrix<T>(Matrix<T>::Identity(k, k) - vt * vt.transpose())) / (T(k) * eps), T(20)) << m << "x" << n;
  const auto want = Eigen::JacobiSVD<Matrix<T>>(a).singularValues();
  for (std::int64_t i = 0; i < k; ++i) {
    if (i > 0) {
      EXPECT_LE(s(i, 0), s(i - 1, 0));
    }
    EXPECT_NEAR(s(i, 0), want(i), T(4 * std::max(m, n)) * eps * want(0)) << i;
  }
  EXPECT_EQ(dagger::collect(da), a);  // the input is not modified
}

TEST(SVD, WithinBoundsOnSquareTallAndWideMatrices) {
  for (auto blocks : {dagger::Blocks(32, 32), dagger::Blocks(16, 32)}) {
    svd_within_bounds<double>(128, 128, blocks);
    svd_within_bounds<double>(128, 64, blocks);
    svd_within_bounds<double>(64, 128, blocks);
  }
  svd_within_bounds<double>(16, 16, dagger::Blocks(32, 32));  // smaller than its block
  svd_within_bounds<double>(100, 60, dagger::Blocks(24, 16));  // ragged
  svd_within_bounds<float>(128, 64, dagger::Blocks(32, 32));
  svd_within_bounds<double>(245, 30, dagger::Blocks(32, 32));  // tall and skinny: TSQR first
  svd_within_bounds<double>(30, 245, dagger::Blocks(32, 32));  // wide: TSQR of its transpose
}

TEST(SVD, ARankDeficientMatrixHasZeroSingularValuesAndBadOperandsAreArrayErrors) {
  const Matrix<double> x = random_matrix<double>(60, 3, 62), y = random_matrix<double>(3, 40, 63);
  const Matrix<double> low = x * y;  // rank 3
  const auto f = dagger::svd(dagger::distribute(dagger::Blocks(16, 16), low));
  const Matrix<double> s = dagger::collect(f.S);
  ASSERT_EQ(s.rows(), 40);
  EXPECT_GT(s(2, 0), 1e-3);
  for (std::int64_t i = 3; i < 40; ++i) EXPECT_LT(s(i, 0), 1e-12 * s(0, 0)) << i;
  EXPECT_THROW(dagger::svd(dagger::distribute(dagger::Blocks(4), std::vector<double>(8, 1.0))), dagger::ArrayError);
  EXPECT_THROW(dagger::svd(dagger::ones<std::int64_t>(dagger::Blocks(4, 4), 8, 8)), dagger::ArrayError);
  EXPECT_THROW(dagger::svd(dagger::zeros(dagger::Blocks(4, 4), 0, 8)), dagger::ArrayError);
}

}  // namespace
