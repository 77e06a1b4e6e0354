// Every array operation with a GPU version, run on the CUDA devices of this
// machine and checked against the CPU result. Skipped where there is no
// device (ctest -L gpu).
#include <gtest/gtest.h>

#include <dagger/array.hpp>
#include <dagger/cuda.hpp>
#include <dagger/dagger.hpp>

namespace {

using dagger::Context;
using dagger::DArray;
using dagger::ProcKind;

const Context& gpus() {
  static const Context c = Context::only(ProcKind::cuda());
  return c;
}
const Context& cpus() {
  static const Context c = Context::excluding(ProcKind::cuda());
  return c;
}

class GpuArrays : public ::testing::Test {
 protected:
  void SetUp() override {
    if (dagger::cuda_processors().empty()) GTEST_SKIP() << "no CUDA device: " << dagger::cuda_status().reason;
  }
};

const dagger::Blocks kBlocks(300, 200);

DArray<double> doubles() { return dagger::compute(cpus(), dagger::randn<double>(kBlocks, 1000, 700, dagger::Seed{1})); }
DArray<float> floats() { return dagger::compute(cpus(), dagger::rand<float>(kBlocks, 1000, 700, dagger::Seed{2})); }
DArray<std::int64_t> integers() {
  return dagger::compute(cpus(), dagger::map([](double x) { return static_cast<std::int64_t>(x * 100); }, doubles()));
}

// The same lazy array computed on the GPUs and on the CPUs.
template <class T>
void expect_same_on_gpu(const DArray<T>& a, double relative, const std::string& what) {
  SCOPED_TRACE(what);
  const auto on_gpu = dagger::collect(dagger::compute(gpus(), a));
  const auto on_cpu = dagger::collect(cpus(), a);
  ASSERT_EQ(on_gpu.rows(), on_cpu.rows());
  ASSERT_EQ(on_gpu.cols(), on_cpu.cols());
  for (Eigen::Index j = 0; j < on_cpu.cols(); ++j) {
    for (Eigen::Index i = 0; i < on_cpu.rows(); ++i) {
      if constexpr (std::is_floating_point_v<T>) {
        const double x = on_gpu(i, j), y = on_cpu(i, j);
        if (std::isnan(y)) {
          ASSERT_TRUE(std::isnan(x)) << i << "," << j;
        } else {
          ASSERT_NEAR(x, y, relative * std::max(1.0, std::abs(y))) << i << "," << j;
        }
      } else {
        ASSERT_EQ(on_gpu(i, j), on_cpu(i, j)) << i << "," << j;
      }
    }
  }
}

TEST_F(GpuArrays, ConstantsAndRandomValues) {
  expect_same_on_gpu(dagger::ones<double>(kBlocks, 1000, 700), 0, "ones");
  expect_same_on_gpu(dagger::zeros<std::int64_t>(kBlocks, 1000, 700), 0, "zeros");
  // Random values come from the element programs' counter-based generator,
  // the same code the CPU runs: the same bits for uniform values (normals
  // may differ in the last place, the device's log and sin against glibc's).
  expect_same_on_gpu(dagger::rand<double>(kBlocks, 1000, 700, dagger::Seed{9}), 0, "rand<double>");
  expect_same_on_gpu(dagger::rand<float>(kBlocks, 1000, 700, dagger::Seed{9}), 0, "rand<float>");
  expect_same_on_gpu(dagger::rand<std::int64_t>(kBlocks, 1000, 700, dagger::Seed{9}), 0, "rand<int64>");
  expect_same_on_gpu(dagger::randn<double>(kBlocks, 1000, 700, dagger::Seed{9}), 1e-14, "randn<double>");
  const auto u1 = dagger::collect(dagger::compute(gpus(), dagger::rand<double>(kBlocks, 1000, 700, dagger::Seed{9})));
  const auto u2 = dagger::collect(dagger::compute(gpus(), dagger::rand<double>(kBlocks, 1000, 700, dagger::Seed{9})));
  const auto u3 = dagger::collect(dagger::compute(gpus(), dagger::rand<double>(kBlocks, 1000, 700, dagger::Seed{10})));
  EXPECT_EQ(u1, u2);
  EXPECT_NE(u1, u3);
  EXPECT_GE(u1.minCoeff(), 0.0);
  EXPECT_LT(u1.maxCoeff(), 1.0);
  EXPECT_NEAR(u1.mean(), 0.5, 0.01);
  const auto n = dagger::collect(dagger::compute(gpus(), dagger::randn<float>(kBlocks, 1001, 701, dagger::Seed{4})));
  EXPECT_NEAR(n.mean(), 0.0, 0.01);
  EXPECT_NEAR((n.array() * n.array()).mean(), 1.0, 0.01);
}

TEST_F(GpuArrays, FusedElementwiseChains) {
  const auto d = doubles();
  const auto f = floats();
  const auto i = integers();
  expect_same_on_gpu(dagger::exp(-(d * 0.5)) + dagger::sin(i), 1e-13, "exp(-(d * 0.5)) + sin(i)");
  expect_same_on_gpu(dagger::pow(d, 2) - 3.0 * d, 1e-14, "pow(d, 2) - 3d");
  expect_same_on_gpu((d > 0.5) & (i < 20), 0, "(d > 0.5) & (i < 20)");
  expect_same_on_gpu(f * 2.0f + 1.0f, 1e-6, "f * 2 + 1");
  expect_same_on_gpu(dagger::tanh(dagger::log1p(dagger::square(f))), 1e-5, "tanh(log1p(f^2))");
  expect_same_on_gpu(i % 7 + dagger::int_div(i, 3), 0, "i % 7 + i ÷ 3");
  expect_same_on_gpu(dagger::sinpi(d) / (dagger::cospi(d) + 2.0), 1e-13, "sinpi / cospi");
}

TEST_F(GpuArrays, Reductions) {
  const auto d = doubles();
  const auto i = integers();
  const double s_gpu = dagger::collect(gpus(), dagger::sum(dagger::pow(d, 2)));
  const double s_cpu = dagger::collect(cpus(), dagger::sum(dagger::pow(d, 2)));
  EXPECT_NEAR(s_gpu, s_cpu, 1e-10 * s_cpu);  // another order of additions
  EXPECT_EQ(dagger::collect(gpus(), dagger::sum(i)), dagger::collect(cpus(), dagger::sum(i)));
  EXPECT_EQ(dagger::collect(gpus(), dagger::minimum(i)), dagger::collect(cpus(), dagger::minimum(i)));
  EXPECT_EQ(dagger::collect(gpus(), dagger::maximum(d)), dagger::collect(cpus(), dagger::maximum(d)));
  EXPECT_EQ(dagger::collect(gpus(), dagger::sum(d > 1.0)), dagger::collect(cpus(), dagger::sum(d > 1.0)));
  // Along a dimension the partial folds may run on a GPU, the combining on
  // a CPU: the whole context.
  const Eigen::MatrixXd columns = dagger::collect(dagger::sum(dagger::pow(d, 2), 1));
  const Eigen::MatrixXd columns_cpu = dagger::collect(cpus(), dagger::sum(dagger::pow(d, 2), 1));
  EXPECT_LT((columns - columns_cpu).cwiseAbs().maxCoeff(), 1e-10 * columns_cpu.cwiseAbs().maxCoeff());
  EXPECT_EQ(dagger::collect(dagger::minimum(i, 2)), dagger::collect(cpus(), dagger::minimum(i, 2)));
  const double p_gpu = dagger::collect(gpus(), dagger::prod(1.0 + d * 1e-4));
  const double p_cpu = dagger::collect(cpus(), dagger::prod(1.0 + d * 1e-4));
  EXPECT_NEAR(p_gpu, p_cpu, 1e-10 * std::abs(p_cpu));
}

TEST_F(GpuArrays, MatrixProductAndTranspose) {
  const auto a = doubles();
  const auto b = dagger::compute(cpus(), dagger::transpose(doubles()) * 0.5);
  expect_same_on_gpu(a * b, 1e-12, "a * b (double)");
  const auto v = dagger::compute(cpus(), dagger::randn<double>(dagger::Blocks(200, 1), 700, 1, dagger::Seed{8}));
  expect_same_on_gpu(a * v, 1e-12, "a * v (gemv)");
  // A transpose inside a chain or a fold: the source's own blocks, turned on
  // the device before the program reads them.
  expect_same_on_gpu(dagger::transpose(a) * 2.0 + b, 1e-15, "transpose(a) * 2 + b");
  const double t_gpu = dagger::collect(gpus(), dagger::sum(dagger::transpose(a) + b));
  const double t_cpu = dagger::collect(cpus(), dagger::sum(dagger::transpose(a) + b));
  EXPECT_NEAR(t_gpu, t_cpu, 1e-10 * std::max(1.0, std::abs(t_cpu)));
  const auto f = floats();
  const auto g = dagger::compute(cpus(), dagger::transpose(floats()));
  expect_same_on_gpu(f * g, 1e-4, "f * g (float)");
  expect_same_on_gpu(dagger::transpose(a), 0, "transpose(a)");
  expect_same_on_gpu(dagger::transpose(integers()), 0, "transpose(int64)");
  // The transpose of a random array: its program's generate_transposed
  // steps draw the same bits on the device, beside an upright draw.
  const auto r = dagger::randn(dagger::Blocks(300, 200), 700, 500, dagger::Seed{9});
  expect_same_on_gpu(dagger::transpose(r) + dagger::rand(dagger::Blocks(200, 300), 500, 700, dagger::Seed{10}), 1e-12,
                     "transpose(randn) + rand");
  const double r_gpu = dagger::collect(gpus(), dagger::sum(dagger::transpose(r) * 2.0));
  const double r_cpu = dagger::collect(cpus(), dagger::sum(dagger::transpose(r) * 2.0));
  EXPECT_NEAR(r_gpu, r_cpu, 1e-9 * std::max(1.0, std::abs(r_cpu)));
}

TEST_F(GpuArrays, SortAndSparseProducts) {
  // Their graphs mix CPU-only steps (splitters, sparse construction) with
  // GPU ones; the scheduler places each, and the result must not change.
  const auto v = dagger::compute(cpus(), dagger::randn<double>(dagger::Blocks(10000), 100000, dagger::Seed{5}));
  EXPECT_EQ(dagger::collect(dagger::sort(v)), dagger::collect(cpus(), dagger::sort(v)));
  EXPECT_EQ(dagger::collect(dagger::sort(v, dagger::SortOrder::descending)),
            dagger::collect(cpus(), dagger::sort(v, dagger::SortOrder::descending)));
  const auto k = dagger::compute(cpus(), dagger::rand<std::int64_t>(dagger::Blocks(10000), 100000, dagger::Seed{7}));
  EXPECT_EQ(dagger::collect(dagger::sort(k, dagger::SortOrder::descending)),
            dagger::collect(cpus(), dagger::sort(k, dagger::SortOrder::descending)));
  const auto s = dagger::sprand<double>(kBlocks, 1000, 700, 0.01, dagger::Seed{6});
  const auto x = dagger::compute(cpus(), dagger::transpose(doubles()));
  const auto on_any = dagger::collect(s * x);
  const auto on_cpu = dagger::collect(cpus(), s * x);
  EXPECT_LT((on_any - on_cpu).cwiseAbs().maxCoeff(), 1e-12 * std::max(1.0, on_cpu.cwiseAbs().maxCoeff()));
}

TEST_F(GpuArrays, ASmallDeviceMemoryLimitEvictsAndStillComputes) {
  const dagger::Config before = dagger::config();
  dagger::Config small = before;
  small.device_memory_limit = 2 << 20;  // 4 blocks of 480 KB; the inputs alone are 12 blocks
  dagger::configure(small);
  const auto d = doubles();
  expect_same_on_gpu(dagger::exp(d) + d * 2.0, 1e-13, "under a 2 MiB device limit");
  std::uint64_t evictions = 0;
  for (const dagger::CudaProc* p : dagger::cuda_processors()) evictions += p->memory_stats().evictions;
  dagger::configure(before);
  EXPECT_GT(evictions, 0u);
}

}  // namespace
