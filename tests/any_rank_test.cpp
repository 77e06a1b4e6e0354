// Arrays of 0 to 4 dimensions (Dagger.jl's allocation, reduction and
// permutedims tests, sections 10, 12 and 15 of its catalog): round trips,
// constructors, element-wise chains, folds over any set of dimensions,
// permutedims, re-blocking, and the errors of each.
#include <gtest/gtest.h>

#include <cstdint>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <numeric>
#include <sstream>
#include <vector>

namespace {

using Shape = std::vector<std::int64_t>;

std::int64_t count_of(const Shape& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
}

// Column-major position of `at` in `shape`.
std::int64_t linear(const Shape& shape, const Shape& at) {
  std::int64_t i = 0;
  for (std::size_t d = shape.size(); d-- > 0;) i = i * shape[d] + at[d];
  return i;
}

Shape coords(const Shape& shape, std::int64_t i) {
  Shape at(shape.size());
  for (std::size_t d = 0; d < shape.size(); ++d) {
    at[d] = i % shape[d];
    i /= shape[d];
  }
  return at;
}

template <class T>
std::vector<T> counting(std::int64_t n) {
  std::vector<T> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<T>(i % 97 + 1);
  return v;
}

template <class T>
class RoundTrip : public ::testing::Test {};
using RoundTripTypes = ::testing::Types<float, double, std::int32_t, std::int64_t>;
TYPED_TEST_SUITE(RoundTrip, RoundTripTypes);

// allocation.jl:1-32: 0-d, vector, matrix and 64^3 arrays keep their values,
// rank and element type.
TYPED_TEST(RoundTrip, EveryRankComesBackAsItWent) {
  using T = TypeParam;
  const std::vector<std::pair<Shape, dagger::Blocks>> cases = {
      {{}, dagger::Blocks(Shape{})},
      {{64}, dagger::Blocks(8)},
      {{64, 64}, dagger::Blocks(8, 8)},
      {{64, 64, 64}, dagger::Blocks(8, 8, 8)},
      {{5, 4, 3, 2}, dagger::Blocks(2, 3, 2, 1)},
  };
  for (const auto& [shape, blocks] : cases) {
    const std::vector<T> data = counting<T>(count_of(shape));
    const dagger::DArray<T> a = dagger::distribute(blocks, data, shape);
    EXPECT_EQ(a.ndims(), static_cast<int>(shape.size()));
    EXPECT_EQ(a.shape(), shape);
    EXPECT_EQ(a.size(), count_of(shape));
    EXPECT_EQ(dagger::collect_flat(a), data) << a.layout().shape_text();
  }
}

TEST(AnyRank, ZeroDimensionalArraysHoldOneValue) {
  const dagger::DArray<double> a = dagger::distribute(dagger::Blocks(Shape{}), std::vector<double>{4.5}, Shape{});
  EXPECT_EQ(a.layout().block_count(), 1u);
  EXPECT_EQ(dagger::collect_flat(a + a), std::vector<double>{9.0});
  EXPECT_EQ(dagger::collect(dagger::sum(a)), 4.5);
  std::ostringstream text;
  text << a;
  EXPECT_NE(text.str().find("() DArray<double>"), std::string::npos) << text.str();
}

// allocation.jl:63-131: constant and random arrays of 3 and 4 dimensions.
TEST(AnyRank, ConstructorsOfAnyRank) {
  const auto o = dagger::ones<std::int32_t>(dagger::Blocks(10, 10, 10), 20, 30, 25);
  EXPECT_EQ(o.shape(), (Shape{20, 30, 25}));
  const std::vector<std::int32_t> ones = dagger::collect_flat(o);
  EXPECT_EQ(ones, std::vector<std::int32_t>(20 * 30 * 25, 1));
  const auto z = dagger::zeros<float>(dagger::Blocks(3, 3, 3, 3), {4, 5, 6, 7});
  EXPECT_EQ(dagger::collect_flat(z), std::vector<float>(4 * 5 * 6 * 7, 0.0f));
  const auto r = dagger::rand(dagger::Blocks(10, 10, 10), {30, 20, 10});
  const std::vector<double> first = dagger::collect_flat(r), second = dagger::collect_flat(r);
  EXPECT_EQ(first, second);
  EXPECT_LT(std::count_if(first.begin(), first.end(), [](double x) { return x <= 0; }), 10);
  EXPECT_NE(dagger::collect_flat(dagger::rand(dagger::Blocks(10, 10, 10), {30, 20, 10})), first);
  const auto n = dagger::randn<float>(dagger::Blocks(4, 4, 4), {8, 8, 8});
  EXPECT_EQ(dagger::collect_flat(n).size(), 512u);
}

// A seeded random array has the same values however it is cut, and the
// same values as the matrix of its first dimension by the rest: each value
// is a function of the element's place in the whole array.
TEST(AnyRank, SeededValuesIgnoreTheBlocking) {
  const Shape shape{9, 7, 5, 3};
  const auto a = dagger::rand(dagger::Blocks(9, 7, 5, 3), shape, dagger::Seed{42});
  const auto b = dagger::rand(dagger::Blocks(2, 3, 4, 2), shape, dagger::Seed{42});
  const auto m = dagger::rand(dagger::Blocks(4, 10), 9, 7 * 5 * 3, dagger::Seed{42});
  const std::vector<double> values = dagger::collect_flat(a);
  EXPECT_EQ(dagger::collect_flat(b), values);
  EXPECT_EQ(dagger::collect_flat(m), values);
  const auto normal = dagger::randn(dagger::Blocks(2, 3, 4, 2), shape, dagger::Seed{3});
  EXPECT_EQ(dagger::collect_flat(normal), dagger::collect_flat(dagger::randn(dagger::Blocks(5, 5, 5, 5), shape, dagger::Seed{3})));
}

TEST(AnyRank, AutoBlocksCutOnlyTheLastDimension) {
  EXPECT_EQ(dagger::auto_blocks({100, 100, 100}, 4).sizes, (Shape{100, 100, 25}));
  EXPECT_EQ(dagger::auto_blocks({100}, 3).sizes, (Shape{34}));
  EXPECT_TRUE(dagger::auto_blocks({}, 3).sizes.empty());
  const auto a = dagger::ones(dagger::auto_blocks({6, 5, 9}, 2), {6, 5, 9});
  EXPECT_EQ(a.layout().grid_shape(), (Shape{1, 1, 2}));
  EXPECT_THROW(dagger::auto_blocks({4}, 0), dagger::ArrayError);
}

// core.jl, broadcast.jl: element-wise chains on 3-D arrays, including
// operands cut into other blocks.
TEST(AnyRank, ElementwiseChainsOnThreeDimensions) {
  const Shape shape{12, 10, 9};
  const std::vector<double> data = counting<double>(count_of(shape));
  const auto a = dagger::distribute(dagger::Blocks(5, 4, 3), data, shape);
  const auto b = dagger::distribute(dagger::Blocks(12, 3, 9), data, shape);
  const std::vector<double> got = dagger::collect_flat(a * 2.0 + b - dagger::map([](double x) { return x * x; }, a));
  for (std::size_t i = 0; i < data.size(); ++i) ASSERT_EQ(got[i], 3 * data[i] - data[i] * data[i]) << i;
  EXPECT_EQ(dagger::collect(dagger::sum(a + a)), 2 * std::accumulate(data.begin(), data.end(), 0.0));
  const auto reblocked = dagger::rechunk(a, dagger::Blocks(7, 7, 7));
  EXPECT_EQ(reblocked.layout().grid_shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(dagger::collect_flat(reblocked), data);
}

// broadcast.jl:4-23: a side of extent 1 along a dimension (or without
// that dimension) repeats along it, as Julia's A .+ v.
TEST(AnyRank, BroadcastingRepeatsDimensionsOfOne) {
  const auto a = dagger::ones(dagger::Blocks(5, 5), 10, 10);
  const auto v = dagger::ones(dagger::Blocks(5), 10);
  const Eigen::MatrixXd sum = dagger::collect(a + v);
  EXPECT_TRUE((sum.array() == 2.0).all());
  // A column vector in other blocks, and a row: each element once per line.
  const Shape column{7}, row{1, 6};
  const auto c = dagger::distribute(dagger::Blocks(3), counting<double>(7), column);
  const auto r = dagger::distribute(dagger::Blocks(1, 4), counting<double>(6), row);
  const auto m = dagger::zeros(dagger::Blocks(2, 5), 7, 6);
  const Eigen::MatrixXd cm = dagger::collect(m + c), rm = dagger::collect(r * 10.0 + m), both = dagger::collect(c - r);
  for (int j = 0; j < 6; ++j) {
    for (int i = 0; i < 7; ++i) {
      EXPECT_EQ(cm(i, j), i + 1);
      EXPECT_EQ(rm(i, j), 10.0 * (j + 1));
      EXPECT_EQ(both(i, j), (i + 1) - (j + 1));
    }
  }
  // 3-D with a matrix (its missing third dimension repeats) and with a 0-d array.
  const Shape cube{4, 3, 5};
  const auto x = dagger::distribute(dagger::Blocks(3, 2, 2), counting<std::int64_t>(60), cube);
  const auto plane = dagger::distribute(dagger::Blocks(4, 1), counting<std::int64_t>(12), Shape{4, 3});
  const auto scalar = dagger::distribute(dagger::Blocks(Shape{}), std::vector<std::int64_t>{100}, Shape{});
  const std::vector<std::int64_t> got = dagger::collect_flat(x + plane + scalar);
  const std::vector<std::int64_t> xs = counting<std::int64_t>(60), ps = counting<std::int64_t>(12);
  for (std::size_t i = 0; i < 60; ++i) ASSERT_EQ(got[i], xs[i] + ps[i % 12] + 100) << i;
  EXPECT_THROW((void)(a + dagger::ones(dagger::Blocks(5), 9)), dagger::ArrayError);
}

// core.jl:15-23 and random.jl on a 3-D array: map!, fill!, rand!, .=, copy
// and similar keep the shape and blocks; an older handle keeps its values.
TEST(AnyRank, InPlaceUpdatesOfThreeDimensions) {
  auto a = dagger::zeros<std::int32_t>(dagger::Blocks(4, 4, 4), {8, 8, 6});
  const auto before = a;
  dagger::map_into(a, [](std::int32_t) { return std::int32_t{1}; });
  EXPECT_EQ(dagger::collect(dagger::sum(a)), 8 * 8 * 6);
  dagger::fill(a, 3);
  EXPECT_EQ(dagger::collect(dagger::sum(a)), 3 * 8 * 8 * 6);
  EXPECT_EQ(dagger::collect(dagger::sum(before)), 0);
  dagger::assign(a, a * 2 + 1);
  EXPECT_EQ(dagger::collect(dagger::sum(a)), 7 * 8 * 8 * 6);
  auto r = dagger::similar<double>(a);
  EXPECT_EQ(r.shape(), a.shape());
  EXPECT_EQ(r.layout().blocks().sizes, a.layout().blocks().sizes);
  dagger::rand_into(r, dagger::Seed{9});
  EXPECT_EQ(dagger::collect_flat(r), dagger::collect_flat(dagger::rand(dagger::Blocks(8, 8, 6), {8, 8, 6}, dagger::Seed{9})));
  const auto c = dagger::copy(r);
  EXPECT_EQ(dagger::collect_flat(c), dagger::collect_flat(r));
}

// Folds over each set of dimensions of a 41x35x12 array in ragged blocks,
// against a plain loop.
TEST(AnyRank, FoldsOverAnySetOfDimensions) {
  const Shape shape{41, 35, 12};
  const std::vector<std::int32_t> data = counting<std::int32_t>(count_of(shape));
  const auto a = dagger::distribute(dagger::Blocks(4, 3, 5), data, shape);
  const std::vector<std::vector<int>> sets = {{1}, {2}, {3}, {1, 2}, {1, 3}, {2, 3}, {1, 2, 3}, {3, 1}};
  for (const auto& dims : sets) {
    Shape out_shape = shape;
    for (int d : dims) out_shape[static_cast<std::size_t>(d - 1)] = 1;
    std::vector<std::int64_t> sums(static_cast<std::size_t>(count_of(out_shape)), 0);
    std::vector<std::int32_t> lows(sums.size(), std::numeric_limits<std::int32_t>::max());
    for (std::int64_t i = 0; i < count_of(shape); ++i) {
      Shape at = coords(shape, i);
      for (int d : dims) at[static_cast<std::size_t>(d - 1)] = 0;
      const auto o = static_cast<std::size_t>(linear(out_shape, at));
      sums[o] += data[static_cast<std::size_t>(i)];
      lows[o] = std::min(lows[o], data[static_cast<std::size_t>(i)]);
    }
    const auto s = dagger::sum(a, dims);
    EXPECT_EQ(s.shape(), out_shape);
    EXPECT_EQ(dagger::collect_flat(s), sums) << dims.size() << " dims from " << dims[0];
    EXPECT_EQ(dagger::collect_flat(dagger::minimum(a, dims)), lows);
    const std::vector<double> means = dagger::collect_flat(dagger::mean(a, dims));
    const double n = static_cast<double>(count_of(shape) / count_of(out_shape));
    for (std::size_t o = 0; o < means.size(); ++o) ASSERT_DOUBLE_EQ(means[o], static_cast<double>(sums[o]) / n);
  }
  // One dimension as an int, as for matrices; and a user's fold.
  EXPECT_EQ(dagger::collect_flat(dagger::sum(a, 2)), dagger::collect_flat(dagger::sum(a, std::vector<int>{2})));
  const auto most = dagger::reduce([](std::int32_t x, std::int32_t y) { return std::max(x, y); }, a, std::vector<int>{1, 2});
  EXPECT_EQ(dagger::collect_flat(most), dagger::collect_flat(dagger::maximum(a, {1, 2})));
  // Matrices take sets of dimensions too.
  const auto m = dagger::distribute(dagger::Blocks(3, 3), counting<std::int64_t>(50), Shape{10, 5});
  EXPECT_EQ(dagger::collect_flat(dagger::sum(m, {1, 2})), std::vector<std::int64_t>{dagger::collect(dagger::sum(m))});
}

// permute.jl:54-131.
TEST(AnyRank, PermutedimsMovesDimensionsAndBlocks) {
  const Shape shape{6, 8, 10};
  const std::vector<double> data = counting<double>(count_of(shape));
  const auto a = dagger::distribute(dagger::Blocks(2, 4, 5), data, shape);
  struct Case {
    std::vector<int> perm;
    Shape shape, grid, blocks;
  };
  const std::vector<Case> cases = {
      {{2, 1, 3}, {8, 6, 10}, {2, 3, 2}, {4, 2, 5}},
      {{3, 2, 1}, {10, 8, 6}, {2, 2, 3}, {5, 4, 2}},
      {{1, 3, 2}, {6, 10, 8}, {3, 2, 2}, {2, 5, 4}},
      {{1, 2, 3}, {6, 8, 10}, {3, 2, 2}, {2, 4, 5}},
  };
  for (const Case& c : cases) {
    const auto p = dagger::permutedims(a, c.perm);
    EXPECT_EQ(p.shape(), c.shape);
    EXPECT_EQ(p.layout().grid_shape(), c.grid);
    EXPECT_EQ(p.layout().blocks().sizes, c.blocks);
    const std::vector<double> got = dagger::collect_flat(p);
    for (std::int64_t i = 0; i < count_of(c.shape); ++i) {
      const Shape at = coords(c.shape, i);
      Shape from(3);
      for (std::size_t d = 0; d < 3; ++d) from[static_cast<std::size_t>(c.perm[d] - 1)] = at[d];
      ASSERT_EQ(got[static_cast<std::size_t>(i)], data[static_cast<std::size_t>(linear(shape, from))]);
    }
  }
  // Ragged blocks, float kept.
  const Shape odd{5, 7, 9};
  const auto f = dagger::distribute(dagger::Blocks(3, 4, 5), counting<float>(count_of(odd)), odd);
  const auto back = dagger::permutedims(dagger::permutedims(f, {3, 1, 2}), {2, 3, 1});
  EXPECT_EQ(dagger::collect_flat(back), dagger::collect_flat(f));
}

// core.jl:1-6: an 8x8x8 array cut into its 2x2x2 blocks and joined again
// by concatenation along each dimension is the array; and matrices stacked
// along a third dimension.
TEST(AnyRank, ConcatenationAlongAnyDimension) {
  const Shape shape{8, 8, 8};
  const std::vector<std::int64_t> data = counting<std::int64_t>(512);
  const auto a = dagger::distribute(dagger::Blocks(3, 5, 2), data, shape);
  auto piece = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    std::vector<std::int64_t> part;
    for (std::int64_t z = 4 * k; z < 4 * k + 4; ++z)
      for (std::int64_t y = 4 * j; y < 4 * j + 4; ++y)
        for (std::int64_t x = 4 * i; x < 4 * i + 4; ++x) part.push_back(data[static_cast<std::size_t>(x + 8 * y + 64 * z)]);
    return dagger::distribute(dagger::Blocks(2, 2, 2), part, Shape{4, 4, 4});
  };
  std::vector<dagger::DArray<std::int64_t>> planes;
  for (std::int64_t k = 0; k < 2; ++k) {
    std::vector<dagger::DArray<std::int64_t>> rows;
    for (std::int64_t j = 0; j < 2; ++j) rows.push_back(dagger::cat(1, {piece(0, j, k), piece(1, j, k)}));
    planes.push_back(dagger::cat(2, rows));
  }
  const auto joined = dagger::cat(3, planes);
  EXPECT_EQ(joined.shape(), shape);
  EXPECT_EQ(joined.layout().blocks().sizes, (Shape{2, 2, 2}));
  EXPECT_EQ(dagger::collect_flat(joined), dagger::collect_flat(a));
  const auto m = dagger::distribute(dagger::Blocks(2, 2), counting<std::int64_t>(12), Shape{3, 4});
  const auto stack = dagger::cat(3, {m, m * 2});
  EXPECT_EQ(stack.shape(), (Shape{3, 4, 2}));
  const std::vector<std::int64_t> got = dagger::collect_flat(stack), ms = counting<std::int64_t>(12);
  for (std::size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(got[i], ms[i]);
    EXPECT_EQ(got[12 + i], 2 * ms[i]);
  }
  EXPECT_THROW(dagger::cat(3, {m, dagger::ones<std::int64_t>(dagger::Blocks(2, 2), 4, 4)}), dagger::ArrayError);
}

// reshape of any rank, where each block stays whole: a vector in blocks of
// 12 to 2x3x4 in Blocks(2, 3, 2), a 3-D array whose blocks span all but the
// last dimension to a matrix and to 0-d; otherwise an error naming the
// blocking that would do.
TEST(AnyRank, ReshapeKeepsEachBlockWhole) {
  const std::vector<std::int32_t> data = counting<std::int32_t>(48);
  const auto v = dagger::distribute(dagger::Blocks(12), data, Shape{48});
  const auto cube = dagger::reshape(v, {2, 3, 8});
  EXPECT_EQ(cube.layout().blocks().sizes, (Shape{2, 3, 2}));
  EXPECT_EQ(dagger::collect_flat(cube), data);
  const auto slab = dagger::reshape(cube, {6, 8});
  EXPECT_EQ(slab.layout().blocks().sizes, (Shape{6, 2}));
  EXPECT_EQ(dagger::collect_flat(slab), data);
  EXPECT_EQ(dagger::collect_flat(dagger::reshape(dagger::reshape(slab, {48}), {4, 3, 4})), data);
  const auto one = dagger::distribute(dagger::Blocks(1, 1, 1), std::vector<double>{7.0}, Shape{1, 1, 1});
  EXPECT_EQ(dagger::collect_flat(dagger::reshape(one, {})), std::vector<double>{7.0});
  const auto cut = dagger::distribute(dagger::Blocks(1, 3, 8), data, Shape{2, 3, 8});
  try {
    dagger::reshape(cut, {48});
    FAIL() << "expected ArrayError";
  } catch (const dagger::ArrayError& e) {
    EXPECT_NE(std::string(e.what()).find("Blocks(2, 3, 8)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dagger::reshape(v, {5, 5, 2}), dagger::ArrayError);
  EXPECT_THROW(dagger::reshape(v, {5, 48 / 5}), dagger::ArrayError);
}

TEST(AnyRank, MistakesAreArrayErrorsNamingTheShapes) {
  const auto a = dagger::ones(dagger::Blocks(2, 2, 2), {4, 4, 4});
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const dagger::ArrayError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { dagger::permutedims(a, {1, 1, 2}); }).find("4x4x4"), std::string::npos);
  EXPECT_NE(message([&] { dagger::sum(a, {4}); }).find("dimensions are 1 to 3"), std::string::npos);
  EXPECT_NE(message([&] { dagger::sum(a, {2, 2}); }).find("twice"), std::string::npos);
  EXPECT_NE(message([&] { dagger::distribute(dagger::Blocks(2, 2, 2), std::vector<double>(7), {2, 2, 2}); }).find("7 values"),
            std::string::npos);
  EXPECT_NE(message([&] { dagger::ones(dagger::Blocks(2, 2), {4, 4, 4}); }).find("dimensions"), std::string::npos);
  EXPECT_NE(message([&] { dagger::ones(dagger::Blocks(Shape(9, 1)), Shape(9, 1)); }).find("at most 8"), std::string::npos);
  // Operations defined on matrices refuse more dimensions rather than misread them.
  EXPECT_NE(message([&] { dagger::transpose(a); }).find("4x4x4"), std::string::npos);
  EXPECT_NE(message([&] { dagger::collect(a); }).find("3-D"), std::string::npos);
  // Shapes must agree element-wise.
  EXPECT_NE(message([&] { (void)(a + dagger::ones(dagger::Blocks(2, 2, 2), {4, 4, 5})); }).find("4x4x5"), std::string::npos);
  // And the runtime goes on.
  EXPECT_EQ(dagger::collect(dagger::sum(a)), 64.0);
}

}  // namespace
