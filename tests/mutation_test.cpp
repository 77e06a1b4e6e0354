// In-place updates: assign, fill, map_into, rand_into, assignment into an
// indexed region, copy and similar. Dagger.jl's cases from sections 10 and
// 11 of its array tests (map!, .=, .+=, copy, similar), and the versioning
// rules README states: a mutation is a new version of this handle only.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <stdexcept>

#include "dagger/array.hpp"
#include "dagger/dagger.hpp"

namespace {

using dagger::all;
using dagger::Blocks;
using dagger::range;

TEST(Mutation, MapIntoAnIntegerArrayAsDaggerJl) {
  auto a = dagger::zeros<std::int64_t>(Blocks(10, 10), 40, 40);
  dagger::map_into(a, [](std::int64_t) { return std::int64_t{1}; });
  EXPECT_EQ(dagger::collect(dagger::sum(a)), 1600);
  const auto dense = dagger::copy(a);
  dagger::map_into(a, [](std::int64_t x) { return 2 * x + 1; }, dense);
  EXPECT_EQ(dagger::collect(dagger::sum(a)), 4800);
}

TEST(Mutation, SequentialUpdatesAsDaggerJlsBroadcastTests) {
  auto a = dagger::ones(Blocks(5, 5), 10, 10);
  const auto b = dagger::ones(Blocks(5, 5), 10, 10);
  dagger::assign(a, a + b);  // A .+= B
  EXPECT_TRUE((dagger::collect(a).array() == 2.0).all());
  dagger::assign(a, a * 2.0);  // A .*= 2.0
  EXPECT_TRUE((dagger::collect(a).array() == 4.0).all());
  auto c = dagger::zeros(Blocks(5, 5), 10, 10);
  dagger::assign(c, a + b);  // C .= A .+ B
  EXPECT_TRUE((dagger::collect(c).array() == 5.0).all());
  // A user's function into a preallocated array.
  const auto x = dagger::rand(Blocks(5, 5), 10, 10, dagger::Seed{1});
  const auto y = dagger::rand(Blocks(5, 5), 10, 10, dagger::Seed{2});
  auto dest = dagger::similar(x);
  dagger::assign(dest, dagger::map([](double v) { return v * v; }, x) + dagger::map([](double v) { return v * v; }, y));
  const Eigen::MatrixXd ex = dagger::collect(x), ey = dagger::collect(y);
  EXPECT_TRUE(dagger::collect(dest).isApprox((ex.array().square() + ey.array().square()).matrix()));
}

// The new version keeps the destination's blocks and type, whatever the
// source's; a source of a narrower type converts exactly.
TEST(Mutation, AssignKeepsTheDestinationsBlocksAndConvertsExactly) {
  auto d = dagger::zeros(Blocks(7, 3), 20, 9);
  const auto f = dagger::rand<float>(Blocks(4, 4), 20, 9, dagger::Seed{3});
  dagger::assign(d, f);
  EXPECT_EQ(d.layout().block_rows(), 7);
  EXPECT_EQ(d.layout().block_cols(), 3);
  EXPECT_EQ(dagger::collect(d), dagger::collect(f).cast<double>());
  auto i = dagger::zeros<std::int32_t>(Blocks(8), 30);
  const auto narrow = dagger::rand<std::int8_t>(Blocks(5), 30, dagger::Seed{4});
  dagger::assign(i, narrow);
  EXPECT_EQ(dagger::collect(i), dagger::collect(narrow).cast<std::int32_t>());
  try {
    dagger::assign(d, dagger::ones(Blocks(4, 4), 20, 8));
    FAIL();
  } catch (const dagger::ArrayError& e) {
    EXPECT_NE(std::string(e.what()).find("20x8"), std::string::npos) << e.what();
  }
  EXPECT_EQ(dagger::collect(d), dagger::collect(f).cast<double>());  // unchanged
}

TEST(Mutation, FillAndRandIntoGiveTheConstructorsValues) {
  auto a = dagger::rand(Blocks(6, 5), 13, 11, dagger::Seed{5});
  dagger::fill(a, 2.5);
  EXPECT_TRUE((dagger::collect(a).array() == 2.5).all());
  dagger::rand_into(a, dagger::Seed{6});
  EXPECT_EQ(dagger::collect(a), dagger::collect(dagger::rand(Blocks(100, 100), 13, 11, dagger::Seed{6})));
  dagger::randn_into(a, dagger::Seed{7});
  EXPECT_EQ(dagger::collect(a), dagger::collect(dagger::randn(Blocks(2, 2), 13, 11, dagger::Seed{7})));
  auto u = dagger::zeros<std::uint8_t>(Blocks(4), 10);
  dagger::fill(u, 200);
  EXPECT_TRUE((dagger::collect(u).array() == std::uint8_t{200}).all());
  EXPECT_THROW(dagger::fill(u, 300), dagger::ArrayError);
  EXPECT_TRUE((dagger::collect(u).array() == std::uint8_t{200}).all());
}

// Eigen's view of the same assignment, to compare against.
Eigen::MatrixXd assigned_dense(Eigen::MatrixXd m, const std::vector<std::int64_t>& rows,
                               const std::vector<std::int64_t>& cols, const Eigen::MatrixXd& v) {
  for (std::size_t j = 0; j < cols.size(); ++j) {
    for (std::size_t i = 0; i < rows.size(); ++i) m(rows[i], cols[j]) = v(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
  }
  return m;
}

TEST(Mutation, AssignmentIntoRegionsOfEveryKind) {
  const auto start = dagger::rand(Blocks(4, 5), 17, 13, dagger::Seed{8});
  const Eigen::MatrixXd before = dagger::collect(start);
  {
    auto a = start;
    const auto b = dagger::randn(Blocks(3, 3), 6, 13, dagger::Seed{9});
    a(range(3, 9), all) = b;
    std::vector<std::int64_t> rows = {3, 4, 5, 6, 7, 8}, cols;
    for (std::int64_t c = 0; c < 13; ++c) cols.push_back(c);
    EXPECT_EQ(dagger::collect(a), assigned_dense(before, rows, cols, dagger::collect(b)));
  }
  {
    // Lists, out of order and repeated: the last of equal indices wins.
    auto a = start;
    const auto b = dagger::rand(Blocks(2, 2), 4, 3, dagger::Seed{10});
    a({16, 0, 9, 0}, {12, 5, 6}) = b;
    EXPECT_EQ(dagger::collect(a), assigned_dense(before, {16, 0, 9, 0}, {12, 5, 6}, dagger::collect(b)));
  }
  {
    // A vector into one column, and a scalar into a region.
    auto a = start;
    const auto v = dagger::ones(Blocks(5), 17);
    a(all, {7}) = v;
    a(range(1, 3), range(10, 13)) = -1.0;
    Eigen::MatrixXd want = before;
    want.col(7).setOnes();
    want.block(1, 10, 2, 3).setConstant(-1.0);
    EXPECT_EQ(dagger::collect(a), want);
  }
  {
    // A 1-D array, and a float source into double.
    auto x = dagger::zeros(Blocks(4), 10);
    x(range(2, 7)) = dagger::ones<float>(Blocks(2), 5);
    x({9}) = 3.0;
    Eigen::VectorXd want = Eigen::VectorXd::Zero(10);
    want.segment(2, 5).setOnes();
    want(9) = 3.0;
    EXPECT_EQ(dagger::collect(x), want);
  }
}

// Only touched blocks are new; the region's shape, its indices and the
// handle are checked before anything changes.
TEST(Mutation, UntouchedBlocksStayTheirThunksAndErrorsChangeNothing) {
  auto a = dagger::compute(dagger::rand(Blocks(4, 4), 12, 12, dagger::Seed{11}));
  const auto old = a.block_thunks();
  a(range(0, 2), range(0, 2)) = 7.0;  // inside block (0, 0) alone
  for (std::size_t k = 1; k < old.size(); ++k) EXPECT_EQ(a.block_thunks()[k].id(), old[k].id()) << k;
  EXPECT_NE(a.block_thunks()[0].id(), old[0].id());
  const auto now = a.block_thunks();
  const Eigen::MatrixXd values = dagger::collect(a);
  try {
    a(range(0, 3), all) = dagger::ones(Blocks(4, 4), 3, 11);
    FAIL();
  } catch (const dagger::ArrayError& e) {
    EXPECT_NE(std::string(e.what()).find("3x11"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("3x12"), std::string::npos) << e.what();
  }
  EXPECT_THROW(a(range(0, 13), all) = 1.0, dagger::ArrayError);
  EXPECT_THROW(a({12}, {0}) = 1.0, dagger::ArrayError);
  // Only an indexed array can be assigned into.
  EXPECT_THROW(std::move(a) = 1.0, dagger::ArrayError);
  auto copied = a(range(0, 2), all);
  dagger::DArray<double> plain = copied;
  EXPECT_THROW(std::move(plain) = 1.0, dagger::ArrayError);
  for (std::size_t k = 0; k < now.size(); ++k) EXPECT_EQ(a.block_thunks()[k].id(), now[k].id());
  EXPECT_EQ(dagger::collect(a), values);
}

// A mutation is a new version of this handle: copies of the handle and
// expressions built before it keep the old values.
TEST(Mutation, EarlierExpressionsAndCopiesSeeTheOldVersion) {
  auto a = dagger::ones(Blocks(3, 3), 6, 6);
  const auto before = a;
  const auto plus_one = a + 1.0;
  const auto part = a(range(0, 3), all);
  a(range(0, 3), all) = 5.0;
  dagger::fill(a, 9.0);
  EXPECT_TRUE((dagger::collect(before).array() == 1.0).all());
  EXPECT_TRUE((dagger::collect(plus_one).array() == 2.0).all());
  EXPECT_TRUE((dagger::collect(part).array() == 1.0).all());
  EXPECT_TRUE((dagger::collect(a).array() == 9.0).all());
}

// A block the region covers whole is made afresh, without its old value:
// an old version that fails is not computed for it. A partly covered one
// reads the old block, and its failure names the task that threw.
TEST(Mutation, ACoveredBlockDoesNotComputeItsOldValue) {
  const auto source = dagger::ones(Blocks(4, 4), 8, 8);
  auto failing = dagger::map([](double x) -> double {
    if (x > 0) throw std::runtime_error("old value computed");
    return x;
  }, source);
  auto a = failing;
  dagger::fill(a, 3.0);
  EXPECT_EQ(dagger::collect(dagger::sum(a)), 192.0);
  auto b = failing;
  b(range(0, 4), range(0, 4)) = 2.0;  // block (0, 0) whole; the others are old
  b(range(4, 8), all) = 0.0;          // blocks (1, 0) and (1, 1) whole
  EXPECT_EQ(dagger::collect(dagger::sum(b(range(0, 4), range(0, 4)))), 32.0);
  b(range(0, 2), range(4, 8)) = 1.0;  // half of block (0, 1): reads the old one
  try {
    dagger::collect(b);
    FAIL();
  } catch (const dagger::ThunkError& e) {
    EXPECT_EQ(e.original_message(), "old value computed");
  }
}

// Many updates in a row stay one task per block each: the chain does not
// grow into one ever deeper fused kernel.
TEST(Mutation, ALoopOfUpdatesStaysOneTaskPerBlockPerStep) {
  auto a = dagger::zeros(Blocks(50, 50), 100, 100);
  const auto one = dagger::ones(Blocks(50, 50), 100, 100);
  for (int i = 0; i < 300; ++i) dagger::assign(a, a + one);
  EXPECT_EQ(dagger::collect(dagger::sum(a)), 300.0 * 100 * 100);
}

TEST(Mutation, CopyAndSimilarAsDaggerJl) {
  const auto a = dagger::rand(Blocks(8, 8), 64, 64, dagger::Seed{12});
  const auto c = dagger::copy(a);
  EXPECT_EQ(dagger::collect(c), dagger::collect(a));
  EXPECT_EQ(c.layout().block_rows(), 8);
  const auto s = dagger::similar(a);
  EXPECT_EQ(s.shape(), a.shape());
  EXPECT_EQ(s.layout().block_cols(), 8);
  const auto si = dagger::similar<std::int16_t>(a);
  static_assert(std::is_same_v<decltype(si), const dagger::DArray<std::int16_t>>);
  EXPECT_EQ(si.shape(), a.shape());
  // copy fuses a lazy expression into one task per block.
  const auto e = dagger::copy(a + 1.0);
  EXPECT_EQ(e.block_thunks().size(), 64u);
  EXPECT_EQ(dagger::collect(e), (dagger::collect(a).array() + 1.0).matrix());
}

}  // namespace

namespace {

// rechunk keeps every value whatever the blockings: all-to-all (row blocks
// to column blocks, through pieces), merging, splitting, ragged edges.
// Section 14 of Dagger.jl's array tests (copyto.jl): copyto between every
// pair of blockings of five shapes, blocks larger than the array and ragged
// edges included (125 pairs per shape), for every element type it names
// that dagger has (complex is not yet one), and into a sub-region. Dagger.jl
// refuses strided views; here a strided region is an index list and copies
// like any other, while a region of another shape is still an error.
TEST(Mutation, CopytoBetweenEveryPairOfBlockingsAsDaggerJl) {
  const std::vector<std::pair<std::int64_t, std::int64_t>> shapes = {{3, 7}, {32, 16}, {32, 32}, {57, 83}, {128, 128}};
  for (const auto& [m, n] : shapes) {
    const Eigen::MatrixXd want = Eigen::MatrixXd::Random(m, n);
    for (const auto& [sr, sc] : shapes) {
      const auto src = dagger::distribute(Blocks(sr, sc), want);
      for (const auto& [dr, dc] : shapes) {
        auto dst = dagger::zeros(Blocks(dr, dc), m, n);
        dagger::copyto(dst, src);
        EXPECT_EQ(dst.layout().block_rows(), dr);
        EXPECT_EQ(dst.layout().block_cols(), dc);
        ASSERT_EQ(dagger::collect(dst), want) << m << "x" << n << " from " << sr << "x" << sc << " into " << dr << "x" << dc;
      }
    }
  }
  auto every_type = [&]<class T>() {
    const auto src = dagger::rand<T>(Blocks(32, 32), 128, 128, dagger::Seed{60});
    auto dst = dagger::zeros<T>(Blocks(16, 64), 128, 128);
    dagger::copyto(dst, src);
    EXPECT_EQ(dagger::collect(dst), dagger::collect(src));
  };
  every_type.operator()<std::int8_t>();
  every_type.operator()<std::int32_t>();
  every_type.operator()<std::int64_t>();
  every_type.operator()<double>();
  for (const auto& [m, n] : shapes) {
    const std::int64_t hm = (m + 1) / 2, hn = (n + 1) / 2;
    const auto src = dagger::rand(Blocks(5, 9), m, n, dagger::Seed{61});
    auto dst = dagger::zeros(Blocks(8, 8), m, n);
    dst(range(0, hm), range(0, hn)) = src(range(0, hm), range(0, hn));
    Eigen::MatrixXd want = Eigen::MatrixXd::Zero(m, n);
    want.topLeftCorner(hm, hn) = dagger::collect(src).topLeftCorner(hm, hn);
    EXPECT_EQ(dagger::collect(dst), want) << m << "x" << n;
  }
  const auto src = dagger::rand(Blocks(4, 4), 10, 10, dagger::Seed{62});
  auto dst = dagger::zeros(Blocks(3, 3), 10, 10);
  const std::vector<std::int64_t> even = {0, 2, 4, 6, 8};
  dst(even, even) = src(even, even);
  Eigen::MatrixXd want = Eigen::MatrixXd::Zero(10, 10);
  const Eigen::MatrixXd values = dagger::collect(src);
  for (std::int64_t i : even) {
    for (std::int64_t j : even) want(i, j) = values(i, j);
  }
  EXPECT_EQ(dagger::collect(dst), want);
  EXPECT_THROW(dst(even, even) = src, dagger::ArrayError);
  EXPECT_EQ(dagger::collect(dst), want);  // the failed copy changed nothing
}

TEST(Rechunk, EveryBlockingKeepsTheValues) {
  const auto a = dagger::rand(Blocks(5, 37), 37, 41, dagger::Seed{20});
  const Eigen::MatrixXd want = dagger::collect(a);
  for (const Blocks& b : {Blocks(37, 5), Blocks(37, 41), Blocks(10, 74), Blocks(3, 3), Blocks(40, 50), Blocks(1, 41)}) {
    const auto r = dagger::rechunk(a, b);
    EXPECT_EQ(r.layout().block_rows(), b.sizes[0]);
    EXPECT_EQ(r.layout().block_cols(), b.sizes[1]);
    EXPECT_EQ(dagger::collect(r), want) << b.sizes[0] << "x" << b.sizes[1];
  }
  const auto v = dagger::rand<std::int16_t>(Blocks(7), 50, dagger::Seed{21});
  EXPECT_EQ(dagger::collect(dagger::rechunk(v, Blocks(3))), dagger::collect(v));
  try {
    dagger::rechunk(a, Blocks(5));
    FAIL();
  } catch (const dagger::ArrayError& e) {
    EXPECT_NE(std::string(e.what()).find("37x41"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dagger::rechunk(a, Blocks(0, 5)), dagger::ArrayError);
}

// From row blocks to column blocks every output block meets every input
// block: the re-blocking goes through pieces, and no task reads more than
// one output block's worth.
TEST(Rechunk, RowBlocksToColumnBlocksGoThroughPiecesWhenTheyDoNotFit) {
  const auto a = dagger::compute(dagger::rand(Blocks(10, 80), 80, 80, dagger::Seed{22}));
  // 51 KB fits in memory: one copy, no pieces.
  const auto direct = dagger::debug_compute(dagger::sum(dagger::rechunk(a, Blocks(80, 10))));
  for (const dagger::Timespan& e : direct.events) EXPECT_NE(e.function, "rechunk piece");
  const dagger::Config saved = dagger::config();
  dagger::Config small = saved;
  small.memory_limit = 100000;
  dagger::configure(small);
  const auto r = dagger::rechunk(a, Blocks(80, 10));
  dagger::configure(saved);
  const auto run = dagger::debug_compute(dagger::sum(r));
  std::size_t pieces = 0;
  for (const dagger::Timespan& e : run.events) {
    if (e.category == dagger::Category::compute && e.function == "rechunk piece") ++pieces;
  }
  EXPECT_EQ(pieces, 64u);  // 8 input blocks x 8 output blocks, cut by 8 tasks
  EXPECT_DOUBLE_EQ(dagger::collect(run.chunk), dagger::collect(dagger::sum(a)));
  EXPECT_DOUBLE_EQ(dagger::collect(direct.chunk), dagger::collect(dagger::sum(a)));
  dagger::DArray<double> dst = dagger::zeros(Blocks(80, 10), 80, 80);
  dagger::copyto(dst, a);
  EXPECT_EQ(dagger::collect(dst), dagger::collect(a));
}

}  // namespace
