// Stencils against a plain loop over the whole matrix, on every boundary
// rule, radius 1 and 2, ragged blocks, vectors and matrices; the halos are
// strips, not blocks; a Jacobi iteration converges.
#include <gtest/gtest.h>

#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <random>

namespace {

using Matrix = Eigen::MatrixXd;

Matrix random_matrix(std::int64_t r, std::int64_t c, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Matrix m(r, c);
  for (std::int64_t j = 0; j < c; ++j)
    for (std::int64_t i = 0; i < r; ++i) m(i, j) = u(g);
  return m;
}

// Index i of an n-long dimension under a boundary rule; -1 for Pad.
std::int64_t resolve(std::int64_t i, std::int64_t n, dagger::Boundary::Kind kind) {
  if (i >= 0 && i < n) return i;
  switch (kind) {
    case dagger::Boundary::Kind::wrap: return ((i % n) + n) % n;
    case dagger::Boundary::Kind::clamp: return i < 0 ? 0 : n - 1;
    case dagger::Boundary::Kind::reflect: return i < 0 ? -1 - i : 2 * n - 1 - i;
    case dagger::Boundary::Kind::pad: return -1;
  }
  return -1;
}

// Every offset gets its own weight, so a halo in the wrong place or the
// wrong orientation shows.
double weight(std::int64_t di, std::int64_t dj) { return 1.0 + 0.1 * static_cast<double>(di + 3) + 0.01 * static_cast<double>(dj + 3); }

Matrix reference(const Matrix& m, std::int64_t radius, dagger::Boundary b, bool vector) {
  const std::int64_t rc = vector ? 0 : radius;
  Matrix out(m.rows(), m.cols());
  for (std::int64_t j = 0; j < m.cols(); ++j) {
    for (std::int64_t i = 0; i < m.rows(); ++i) {
      double acc = 0;
      for (std::int64_t dj = -rc; dj <= rc; ++dj) {
        for (std::int64_t di = -radius; di <= radius; ++di) {
          const std::int64_t y = resolve(i + di, m.rows(), b.kind), z = resolve(j + dj, m.cols(), b.kind);
          acc += weight(di, dj) * (y < 0 || z < 0 ? b.value : m(y, z));
        }
      }
      out(i, j) = acc;
    }
  }
  return out;
}

template <int R>
double weighted(const dagger::Neighbors<double>& x) {
  double acc = 0;
  for (std::int64_t dj = -R; dj <= R; ++dj)
    for (std::int64_t di = -R; di <= R; ++di) acc += weight(di, dj) * x(di, dj);
  return acc;
}
template <int R>
double weighted_vector(const dagger::Neighbors<double>& x) {
  double acc = 0;
  for (std::int64_t di = -R; di <= R; ++di) acc += weight(di, 0) * x(di);
  return acc;
}

const dagger::Boundary kBoundaries[] = {dagger::Wrap, dagger::Pad(0.5), dagger::Clamp, dagger::Reflect};

struct Shape {
  std::int64_t rows, cols, block_rows, block_cols;
};
// Ragged last blocks, one block, blocks exactly the radius, one row.
const Shape kShapes[] = {{11, 9, 4, 3}, {6, 6, 6, 6}, {8, 10, 2, 5}, {2, 7, 2, 3}, {9, 2, 3, 2}};

TEST(Stencil, MatchesAPlainLoopOnEveryBoundary) {
  for (const Shape& s : kShapes) {
    Matrix m = random_matrix(s.rows, s.cols, 3);
    auto d = dagger::distribute(dagger::Blocks(s.block_rows, s.block_cols), m);
    for (const dagger::Boundary& b : kBoundaries) {
      SCOPED_TRACE(testing::Message() << s.rows << "x" << s.cols << " in " << s.block_rows << "x" << s.block_cols
                                      << ", boundary " << static_cast<int>(b.kind));
      EXPECT_TRUE(dagger::collect(dagger::stencil(d, 1, b, weighted<1>)).isApprox(reference(m, 1, b, false), 1e-12));
      if (std::min(s.block_rows, s.block_cols) >= 2 && s.rows % s.block_rows != 1 && s.cols % s.block_cols != 1) {
        EXPECT_TRUE(dagger::collect(dagger::stencil(d, 2, b, weighted<2>)).isApprox(reference(m, 2, b, false), 1e-12));
      }
    }
  }
}

TEST(Stencil, VectorsAndOtherElementTypes) {
  Matrix m = random_matrix(23, 1, 4);
  std::vector<double> v(m.data(), m.data() + m.size());
  auto d = dagger::distribute(dagger::Blocks(5), v);
  for (const dagger::Boundary& b : kBoundaries) {
    EXPECT_TRUE(dagger::collect(dagger::stencil(d, 2, b, weighted_vector<2>)).isApprox(reference(m, 2, b, true), 1e-12));
  }
  // An integer stencil whose result is bool: local maxima.
  auto ints = dagger::distribute(dagger::Blocks(3), std::vector<std::int64_t>{1, 5, 2, 2, 7, 3, 0, 4});
  auto peaks = dagger::stencil(ints, 1, dagger::Pad(-1), [](const dagger::Neighbors<std::int64_t>& x) {
    return x(0) > x(-1) && x(0) > x(1);
  });
  const Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic> got = dagger::collect(peaks);
  const std::vector<bool> expected{false, true, false, false, true, false, false, true};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(got(static_cast<Eigen::Index>(i), 0), expected[i]) << i;
}

TEST(Stencil, HalosAreStripsNotBlocks) {
  auto x = dagger::compute(dagger::rand(dagger::Blocks(100, 80), 300, 240, dagger::Seed{1}));
  auto debug = dagger::debug_compute(dagger::sum(dagger::stencil(x, 2, dagger::Wrap, weighted<2>)));
  int halos = 0;
  for (const dagger::Timespan& e : debug.events) {
    if (e.category != dagger::Category::compute || e.function != "halo") continue;
    ++halos;
    EXPECT_LE(e.bytes, sizeof(dagger::Block) + 2u * 100u * sizeof(double)) << "a halo of " << e.bytes << " bytes";
  }
  EXPECT_EQ(halos, 9 * 8);  // 8 pieces for each of the 3x3 blocks (all wrap)
}

TEST(Stencil, ARadiusLargerThanABlockIsAnError) {
  auto d = dagger::distribute(dagger::Blocks(4, 4), random_matrix(10, 10, 5));  // the last blocks are 2 long
  EXPECT_NO_THROW(dagger::stencil(d, 2, dagger::Wrap, weighted<2>));
  try {
    dagger::stencil(d, 3, dagger::Wrap, weighted<2>);
    FAIL() << "expected ArrayError";
  } catch (const dagger::ArrayError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("radius 3"), std::string::npos) << what;
    EXPECT_NE(what.find("10x10"), std::string::npos) << what;
    EXPECT_NE(what.find("only 2"), std::string::npos) << what;
  }
  EXPECT_THROW(dagger::stencil(d, -1, dagger::Clamp, weighted<1>), dagger::ArrayError);
}

// The example's problem: Laplace's equation on a square whose edges are held
// at 1 (Pad(1)); Jacobi sweeps converge to 1 everywhere.
TEST(Stencil, JacobiIterationConverges) {
  auto u = dagger::zeros<double>(dagger::Blocks(8, 8), 24, 24);
  auto sweep = [](const dagger::Neighbors<double>& x) { return 0.25 * (x(-1, 0) + x(1, 0) + x(0, -1) + x(0, 1)); };
  double change = 1;
  int sweeps = 0;
  while (change > 1e-6 && sweeps < 5000) {
    // Ten sweeps as one graph, then one look at how far they moved.
    auto before = u;
    for (int i = 0; i < 10; ++i) u = dagger::stencil(u, 1, dagger::Pad(1.0), sweep);
    u = dagger::compute(u);
    change = dagger::collect(dagger::maximum(dagger::map([](double v) { return std::fabs(v); }, u - before)));
    sweeps += 10;
  }
  EXPECT_LT(sweeps, 5000);
  EXPECT_NEAR(dagger::collect(dagger::minimum(u)), 1.0, 1e-3);
}

}  // namespace
