// Which processor makes each block: Dagger.jl's block ownership tests
// (section 10 of its array tests, "assignment"), on 1-D and 2-D arrays.
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <filesystem>
#include <memory>

#include "dagger/array.hpp"
#include "dagger/dagger.hpp"

namespace {

using dagger::Assignment;
using dagger::Processor;

// A processor that is never registered: only its address is used, as an
// owner in the maps below.
class Named final : public Processor {
 public:
  dagger::ProcKind kind() const override { return dagger::ProcKind::cpu(); }
  dagger::MemorySpace& memory() const override { return dagger::host_memory(); }
  std::string name() const override { return "named"; }
};

std::vector<Processor*> named(std::size_t n) {
  static std::array<Named, 8> pool;
  std::vector<Processor*> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(&pool[i]);
  return out;
}

// Contiguous runs, the first `extra` owners one longer: the owner of each
// index, counted out owner by owner.
std::vector<std::size_t> runs(std::int64_t extent, std::size_t owners) {
  std::vector<std::size_t> out;
  const auto n = static_cast<std::size_t>(extent);
  for (std::size_t p = 0; p < owners; ++p) {
    const std::size_t count = n / owners + (p < n % owners ? 1 : 0);
    out.insert(out.end(), count, p);
  }
  return out;
}

// Dagger.jl's shapes: v is 23 in Blocks(3) (8 blocks), M is 76x118 in
// Blocks(2, 3) (a 38x40 grid).
const dagger::Layout kVector({23}, dagger::Blocks(3));
const dagger::Layout kMatrix({76, 118}, dagger::Blocks(2, 3));

TEST(Assignment, BlockrowGivesContiguousRunsOfBlockRows) {
  for (std::size_t np : {1u, 3u, 5u, 7u}) {
    const auto p = named(np);
    const Assignment a = Assignment::blockrow(p);
    const auto rows = runs(kMatrix.grid_rows(), np);
    for (std::int64_t i = 0; i < kMatrix.grid_rows(); ++i) {
      for (std::int64_t j = 0; j < kMatrix.grid_cols(); ++j) {
        EXPECT_EQ(a.owner(kMatrix, i, j), p[rows[static_cast<std::size_t>(i)]]) << np << " " << i << " " << j;
      }
    }
    const auto vrows = runs(kVector.grid_rows(), np);
    for (std::int64_t i = 0; i < kVector.grid_rows(); ++i) {
      EXPECT_EQ(a.owner(kVector, i, 0), p[vrows[static_cast<std::size_t>(i)]]);
    }
  }
}

TEST(Assignment, BlockcolRunsOverTheLastDimension) {
  for (std::size_t np : {2u, 3u, 7u}) {
    const auto p = named(np);
    const Assignment a = Assignment::blockcol(p);
    const auto cols = runs(kMatrix.grid_cols(), np);
    for (std::int64_t i = 0; i < kMatrix.grid_rows(); ++i) {
      for (std::int64_t j = 0; j < kMatrix.grid_cols(); ++j) {
        EXPECT_EQ(a.owner(kMatrix, i, j), p[cols[static_cast<std::size_t>(j)]]);
      }
    }
    // A vector's last dimension is its rows.
    const auto vrows = runs(kVector.grid_rows(), np);
    for (std::int64_t i = 0; i < kVector.grid_rows(); ++i) {
      EXPECT_EQ(a.owner(kVector, i, 0), p[vrows[static_cast<std::size_t>(i)]]);
    }
  }
}

TEST(Assignment, CyclicAssignmentsDealRowsOrColumnsInTurn) {
  const auto p = named(3);
  const Assignment rows = Assignment::cyclicrow(p), cols = Assignment::cycliccol(p);
  for (std::int64_t i = 0; i < kMatrix.grid_rows(); ++i) {
    for (std::int64_t j = 0; j < kMatrix.grid_cols(); ++j) {
      EXPECT_EQ(rows.owner(kMatrix, i, j), p[static_cast<std::size_t>(i % 3)]);
      EXPECT_EQ(cols.owner(kMatrix, i, j), p[static_cast<std::size_t>(j % 3)]);
    }
  }
  for (std::int64_t i = 0; i < kVector.grid_rows(); ++i) {
    EXPECT_EQ(rows.owner(kVector, i, 0), p[static_cast<std::size_t>(i % 3)]);
    EXPECT_EQ(cols.owner(kVector, i, 0), p[static_cast<std::size_t>(i % 3)]);
  }
}

TEST(Assignment, AnExplicitGridIsTiledCyclicallyOverTheBlockGrid) {
  const auto p = named(8);
  // 2x4 processors over the 38x40 grid; a column of 3 over the vector's 8.
  const Assignment a = Assignment::grid({{p[0], p[1], p[2], p[3]}, {p[4], p[5], p[6], p[7]}});
  for (std::int64_t i = 0; i < kMatrix.grid_rows(); ++i) {
    for (std::int64_t j = 0; j < kMatrix.grid_cols(); ++j) {
      EXPECT_EQ(a.owner(kMatrix, i, j), p[static_cast<std::size_t>(4 * (i % 2) + j % 4)]);
    }
  }
  const Assignment column = Assignment::grid({{p[5]}, {p[6]}, {p[7]}});
  for (std::int64_t i = 0; i < kVector.grid_rows(); ++i) {
    EXPECT_EQ(column.owner(kVector, i, 0), p[static_cast<std::size_t>(5 + i % 3)]);
  }
}

TEST(Assignment, ArbitraryOwnsNothing) {
  EXPECT_TRUE(Assignment().is_arbitrary());
  EXPECT_EQ(Assignment::arbitrary().owner(kMatrix, 3, 4), nullptr);
  EXPECT_TRUE(Assignment().scope(kMatrix, 7).is_any());
}

TEST(Assignment, BadGridsAreArrayErrors) {
  const auto p = named(3);
  EXPECT_THROW(Assignment::grid({}), dagger::ArrayError);
  EXPECT_THROW(Assignment::grid({{}}), dagger::ArrayError);
  try {
    Assignment::grid({{p[0], p[1]}, {p[2]}});
    FAIL();
  } catch (const dagger::ArrayError& e) {
    EXPECT_NE(std::string(e.what()).find("row 1 has 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Assignment::grid({{p[0], nullptr}}), dagger::ArrayError);
  EXPECT_THROW(Assignment::cyclicrow({p[0], nullptr}), dagger::ArrayError);
}

TEST(Assignment, TheDefaultListIsEveryCpuThread) {
  std::vector<Processor*> threads;
  for (Processor* q : dagger::all_processors()) {
    if (q->executes() && q->kind() == dagger::ProcKind::cpu()) threads.push_back(q);
  }
  ASSERT_FALSE(threads.empty());
  const Assignment a = Assignment::cyclicrow();
  for (std::int64_t i = 0; i < kMatrix.grid_rows(); ++i) {
    EXPECT_EQ(a.owner(kMatrix, i, 0), threads[static_cast<std::size_t>(i) % threads.size()]);
  }
}

// The processor each of the blocks' thunks ran on (Block or SparseBlock),
// from the run's events.
template <class B>
std::vector<const Processor*> ran_on(const std::vector<dagger::Thunk<B>>& blocks) {
  auto all = dagger::delayed([](const std::vector<B>& b) { return b.size(); })(blocks);
  const auto run = dagger::debug_compute(all);
  std::vector<const Processor*> out(blocks.size(), nullptr);
  for (const dagger::Timespan& e : run.events) {
    if (e.category != dagger::Category::compute) continue;
    for (std::size_t k = 0; k < blocks.size(); ++k) {
      if (blocks[k].id() == e.id) out[k] = e.processor;
    }
  }
  return out;
}

// Every constructor makes each block on its owner, and the values are those
// of the same array unassigned (a value depends on its index alone).
TEST(Assignment, EveryConstructorMakesEachBlockOnItsOwner) {
  const Assignment a = Assignment::cyclicrow();
  const dagger::Layout layout({40, 30}, dagger::Blocks(10, 10));
  std::vector<dagger::DArray<double>> made = {
      dagger::rand(dagger::Blocks(10, 10), 40, 30, dagger::Seed{3}, a),
      dagger::randn(dagger::Blocks(10, 10), 40, 30, dagger::Seed{4}, a),
      dagger::ones(dagger::Blocks(10, 10), 40, 30, a),
      dagger::zeros(dagger::Blocks(10, 10), 40, 30, a),
      dagger::distribute(dagger::Blocks(10, 10), Eigen::MatrixXd::Random(40, 30).eval(), a)};
  for (const auto& m : made) {
    const auto where = ran_on(m.block_thunks());
    for (std::size_t k = 0; k < where.size(); ++k) {
      EXPECT_EQ(where[k], a.owner(layout, layout.grid_row_of(k), layout.grid_col_of(k))) << m << " block " << k;
    }
  }
  EXPECT_EQ(dagger::collect(made[0]), dagger::collect(dagger::rand(dagger::Blocks(10, 10), 40, 30, dagger::Seed{3})));
  EXPECT_EQ(dagger::collect(made[1]), dagger::collect(dagger::randn(dagger::Blocks(10, 10), 40, 30, dagger::Seed{4})));
  EXPECT_EQ(dagger::collect(dagger::sum(made[2])), 1200.0);
  auto v = dagger::rand<std::int32_t>(dagger::Blocks(3), 23, dagger::Seed{5}, Assignment::blockrow());
  EXPECT_EQ(dagger::collect(v), dagger::collect(dagger::rand<std::int32_t>(dagger::Blocks(3), 23, dagger::Seed{5})));
}

// Sparse constructors and load_sparse take an Assignment too: each block
// is made (or read) by its owner, with the values of the same array
// unassigned.
TEST(Assignment, SparseBlocksAreMadeAndReadOnTheirOwners) {
  const Assignment a = Assignment::cycliccol();
  const dagger::Layout layout({40, 30}, dagger::Blocks(10, 10));
  Eigen::SparseMatrix<double, Eigen::ColMajor, std::int64_t> m(40, 30);
  m.insert(3, 4) = 1.5;
  m.insert(39, 29) = -2.0;
  m.insert(17, 11) = 7.0;
  const auto dir = std::filesystem::temp_directory_path() / ("dagger-sparse-assignment-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto plain = dagger::sprand(dagger::Blocks(10, 10), 40, 30, 0.2, dagger::Seed{8});
  dagger::compute(dagger::save(plain, (dir / "s").string()));
  std::vector<dagger::SparseDArray<double>> made = {
      dagger::sprand(dagger::Blocks(10, 10), 40, 30, 0.2, dagger::Seed{8}, a),
      dagger::distribute(dagger::Blocks(10, 10), m, a),
      dagger::load_sparse<double>((dir / "s").string(), a)};
  for (std::size_t i = 0; i < made.size(); ++i) {
    const auto where = ran_on(made[i].block_thunks());
    for (std::size_t k = 0; k < where.size(); ++k) {
      EXPECT_EQ(where[k], a.owner(layout, layout.grid_row_of(k), layout.grid_col_of(k))) << "array " << i << " block " << k;
    }
  }
  const Eigen::MatrixXd expected = dagger::collect(dagger::dense(plain));
  EXPECT_EQ(dagger::collect(dagger::dense(made[0])), expected);
  EXPECT_EQ(dagger::collect(dagger::dense(made[2])), expected);
  EXPECT_EQ(dagger::collect(dagger::dense(made[1])), Eigen::MatrixXd(m));
  const auto v = dagger::sprand(dagger::Blocks(4), 23, 0.5, Assignment::blockrow());
  const auto vw = ran_on(v.block_thunks());
  EXPECT_EQ(vw.front(), Assignment::blockrow().owner(v.layout(), 0, 0));
  std::filesystem::remove_all(dir);
}

// A loaded array's blocks are read by their owners.
TEST(Assignment, LoadReadsEachBlockOnItsOwner) {
  const auto dir = std::filesystem::temp_directory_path() / ("dagger-assignment-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto x = dagger::rand(dagger::Blocks(10, 10), 40, 30, dagger::Seed{6});
  dagger::compute(dagger::save(x, (dir / "x").string()));
  const Assignment a = Assignment::cycliccol();
  auto loaded = dagger::load<double>((dir / "x").string(), a);
  const auto where = ran_on(loaded.block_thunks());
  for (std::size_t k = 0; k < where.size(); ++k) {
    EXPECT_EQ(where[k], a.owner(loaded.layout(), loaded.layout().grid_row_of(k), loaded.layout().grid_col_of(k)));
  }
  EXPECT_EQ(dagger::collect(loaded), dagger::collect(x));
  std::filesystem::remove_all(dir);
}

// A container stands for its threads: this process takes every block.
TEST(Assignment, AProcessStandsForItsThreads) {
  const Assignment here = Assignment::grid({{&dagger::this_process()}});
  auto m = dagger::ones<float>(dagger::Blocks(5, 5), 20, 20, here);
  for (const Processor* p : ran_on(m.block_thunks())) {
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->parent(), &dagger::this_process());
  }
  EXPECT_EQ(dagger::collect(dagger::sum(m)), 400.0f);
}

}  // namespace
