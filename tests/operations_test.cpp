// A third kind of processor, added as a backend would add one: a processor,
// its memory space, the moves in and out, and a table of add_version calls
// for the array's block operations. Nothing in the array library or the
// scheduler names it, yet array expressions run their blocks on it.
#include <gtest/gtest.h>

#include <atomic>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>

#include "dagger/array/block_operations.hpp"
#include "turned_block.hpp"

namespace {

using dagger::Block;
using dagger::DType;

dagger::ProcKind simarray() { return dagger::ProcKind::named("simarray"); }

class SimArrayMemory final : public dagger::MemorySpace {
 public:
  SimArrayMemory() : MemorySpace("simarray0", simarray()) {}
};

class SimArrayProc final : public dagger::Processor {
 public:
  dagger::ProcKind kind() const override { return simarray(); }
  dagger::MemorySpace& memory() const override { return memory_; }
  std::string name() const override { return "SimArrayProc(0)"; }

 private:
  mutable SimArrayMemory memory_;
};

std::atomic<int> moves_in{0}, transposes{0}, elementwise_blocks{0}, folds{0}, products{0};

// Its versions: plain host code, counted, so the test sees which ran.
Block transpose_here(const dagger::NoRequest&, const Block& b) {
  ++transposes;
  return turned(b);
}
// The element program's interpreter over whole blocks, as a device runs
// the program: sources read transposed are turned first, as the CUDA
// versions do.
Block program_here(const dagger::detail::ElementKernel& k, const dagger::detail::BlockPlace& place,
                   const std::vector<Block>& in) {
  dagger::detail::check_sources(k, place, in);
  return dagger::detail::run_program(*dagger::detail::program_at(k.program, place), place,
                                     dagger::detail::upright_sources(k, in, turned));
}
Block elementwise_here(const dagger::detail::ElementRequest& r, const std::vector<Block>& in) {
  ++elementwise_blocks;
  return program_here(r.kernel, r.place, in);
}
double sum_here(const dagger::detail::FoldRequest& r, const std::vector<Block>& in) {
  ++folds;
  EXPECT_EQ(r.fold, dagger::kernels::Fold::sum);
  const Block values = program_here(r.kernel, r.place, in);
  double s = 0;
  for (std::int64_t i = 0; i < values.size(); ++i) s += values.data<double>()[i];
  return s;
}
Block product_here(const dagger::detail::BlockShape& s, const std::vector<Block>& as, const std::vector<Block>& bs) {
  ++products;
  Block c = Block::make(s.dtype, s.rows, s.cols);
  double* o = c.mutable_data<double>();
  std::fill(o, o + c.size(), 0.0);
  for (std::size_t p = 0; p < as.size(); ++p) {
    for (std::int64_t j = 0; j < s.cols; ++j) {
      for (std::int64_t k = 0; k < as[p].cols; ++k) {
        for (std::int64_t i = 0; i < s.rows; ++i) {
          o[j * s.rows + i] += as[p].data<double>()[k * s.rows + i] * bs[p].data<double>()[j * as[p].cols + k];
        }
      }
    }
  }
  return c;
}
bool doubles_only(const dagger::detail::BlockShape& s) { return s.dtype == DType::f64; }

dagger::Processor& sim_processor() {
  static dagger::Processor& proc = []() -> dagger::Processor& {
    auto copy = [](const dagger::detail::Value& v, const dagger::MemorySpace&, const dagger::MemorySpace&) {
      return v.copy();
    };
    dagger::register_move(dagger::ProcKind::named("host"), simarray(),
                          [copy](const dagger::detail::Value& v, const dagger::MemorySpace& from,
                                 const dagger::MemorySpace& to) {
                            ++moves_in;
                            return copy(v, from, to);
                          });
    dagger::register_move(simarray(), dagger::ProcKind::named("host"), copy);
    namespace ops = dagger::detail::ops;
    dagger::add_version<ops::Transpose>(simarray(), &transpose_here);
    dagger::add_version<ops::Elementwise>(simarray(), &elementwise_here);
    dagger::add_version<ops::FoldAll<double>>(simarray(), &sum_here);
    dagger::add_version<ops::Matmul>(simarray(), &product_here, &doubles_only);
    dagger::runs_host_functions(simarray());  // it may combine partial sums
    return dagger::add_processor(std::make_unique<SimArrayProc>());
  }();
  return proc;
}

Eigen::MatrixXd ramp(Eigen::Index rows, Eigen::Index cols) {
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = static_cast<double>(i * 10 + j);
  }
  return m;
}

class Operations : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_processor();
    moves_in = transposes = elementwise_blocks = folds = products = 0;
  }
  dagger::Context only_sim() const { return dagger::Context({&sim_processor()}); }
};

}  // namespace

TEST_F(Operations, AThirdKindRunsItsOwnTranspose) {
  const Eigen::MatrixXd m = ramp(6, 4);
  auto a = dagger::compute(dagger::distribute(dagger::Blocks(3, 2), m));  // its blocks made on the CPU
  auto t = dagger::compute(only_sim(), dagger::transpose(a));
  EXPECT_EQ(transposes.load(), 4);  // one per block, all here
  EXPECT_GE(moves_in.load(), 4);    // the blocks came into its memory
  EXPECT_EQ(dagger::collect(t), m.transpose());
}

TEST_F(Operations, ElementwiseChainsAndSumsRunThereFromTheirPrograms) {
  const Eigen::MatrixXd m = ramp(8, 6);
  auto a = dagger::compute(dagger::distribute(dagger::Blocks(4, 3), m));  // its blocks made on the CPU
  auto b = dagger::compute(only_sim(), a * 2.0 + 1.0);
  EXPECT_EQ(elementwise_blocks.load(), 4);
  EXPECT_EQ(dagger::collect(b), (m.array() * 2.0 + 1.0).matrix());
  // The partial sums are folded there and combined there (a host step).
  const double s = dagger::collect(dagger::compute(only_sim(), dagger::sum(a * 2.0)));
  EXPECT_EQ(folds.load(), 4);
  EXPECT_DOUBLE_EQ(s, 2.0 * m.sum());
}

// A transposed operand reaches the device as its source's own block, read
// transposed: the device turns it, and no transpose task runs anywhere.
TEST_F(Operations, ChainsOverATransposeRunThereWithoutATransposeTask) {
  const Eigen::MatrixXd m = ramp(9, 6);
  auto a = dagger::compute(dagger::distribute(dagger::Blocks(4, 3), m));  // ragged, its blocks made on the CPU
  auto b = dagger::compute(only_sim(), dagger::transpose(a) * 2.0 - 1.0);
  EXPECT_EQ(transposes.load(), 0);
  EXPECT_EQ(elementwise_blocks.load(), 6);
  EXPECT_EQ(dagger::collect(b), (m.transpose().array() * 2.0 - 1.0).matrix());
  const double s = dagger::collect(dagger::compute(only_sim(), dagger::sum(dagger::transpose(a) * 3.0)));
  EXPECT_EQ(folds.load(), 6);
  EXPECT_EQ(transposes.load(), 0);
  EXPECT_DOUBLE_EQ(s, 3.0 * m.sum());
}

TEST_F(Operations, AVersionMayDeclineACall) {
  const Eigen::MatrixXd m = ramp(4, 4);
  auto a = dagger::compute(dagger::distribute(dagger::Blocks(2, 2), m));  // its blocks made on the CPU
  auto p = dagger::compute(only_sim(), dagger::matmul(a, a));
  EXPECT_EQ(products.load(), 4);
  EXPECT_TRUE(dagger::collect(p).isApprox(m * m));
  // Its matmul takes doubles only: an int64 product has no version there.
  Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic> k = m.cast<std::int64_t>();
  auto ka = dagger::compute(dagger::distribute(dagger::Blocks(2, 2), k));  // its blocks made on the CPU
  EXPECT_THROW(dagger::compute(only_sim(), dagger::matmul(ka, ka)), dagger::NoProcessorError);
  EXPECT_EQ(products.load(), 4);
  // On the CPU it runs as before.
  EXPECT_EQ(dagger::collect(dagger::matmul(ka, ka)), k * k);
}

TEST_F(Operations, WithoutItsProcessorsAThunkHasOnlyTheCpuVersion) {
  const Eigen::MatrixXd m = ramp(4, 2);
  auto a = dagger::compute(dagger::distribute(dagger::Blocks(2, 2), m));  // its blocks made on the CPU
  auto debug = dagger::debug_compute(dagger::Context::excluding(simarray()), dagger::sum(dagger::transpose(a)));
  EXPECT_DOUBLE_EQ(dagger::collect(debug.chunk), m.sum());
  EXPECT_EQ(transposes.load(), 0);
  EXPECT_EQ(folds.load(), 0);
  for (const auto& e : debug.events) {
    if (e.category == dagger::Category::compute) {
      EXPECT_EQ(e.processor->kind(), dagger::ProcKind::cpu());
    }
  }
}
