// Placement on CUDA devices, decided on the host: CudaProcs made from what
// the CUDA runtime reports of real H100 and A100 cards, with a stand-in
// device memory (host memory), so that the scheduler's choices, the moves
// of blocks to and from device memory, and the errors of GPU kernels run
// here for real. Only the kernels themselves need a GPU: forced onto one
// here, they fail with a CudaError that names the device and the call.
#include <gtest/gtest.h>

#include <dagger/array.hpp>
#include <dagger/cuda.hpp>
#include <dagger/dagger.hpp>
#include <dagger/distributed.hpp>
#include <numeric>

#include "scheduler/cost_model.hpp"
#include "stand_in_device.hpp"

namespace {

using dagger::Block;
using dagger::ProcKind;

dagger::CudaProc& gpu(int which) {
  static dagger::CudaProc* procs[2] = {
      &static_cast<dagger::CudaProc&>(dagger::add_processor(std::make_unique<dagger::CudaProc>(
          dagger::this_process(), dagger::testing::h100(0),
          std::make_unique<dagger::testing::StandInAllocator>(std::size_t{1} << 30, "CudaProc 0 (stand-in H100)")))),
      &static_cast<dagger::CudaProc&>(dagger::add_processor(std::make_unique<dagger::CudaProc>(
          dagger::this_process(), dagger::testing::a100(1),
          std::make_unique<dagger::testing::StandInAllocator>(std::size_t{1} << 30, "CudaProc 1 (stand-in A100)")))),
  };
  return *procs[which];
}

Block ramp(std::int64_t n) {
  Block b = Block::make(dagger::DType::f64, n, 1);
  std::iota(b.mutable_data<double>(), b.mutable_data<double>() + n, 0.0);
  return b;
}
double total(const Block& b) { return std::accumulate(b.data<double>(), b.data<double>() + b.size(), 0.0); }
// On a device, a kernel would make a new block; here the stand-in returns
// its input (a device block), which is all placement needs.
Block same_block(const Block& b) { return b; }
Block host_copy(const Block& b) { return ramp(b.rows); }

const dagger::Processor* ran_on(const std::vector<dagger::Timespan>& events, std::uint64_t id) {
  for (const auto& e : events) {
    if (e.category == dagger::Category::compute && e.id == id) return e.processor;
  }
  return nullptr;
}

class CudaPlacement : public ::testing::Test {
 protected:
  void SetUp() override {
    gpu(0);
    dagger::detail::cost_model().clear();
  }
};

TEST_F(CudaPlacement, DevicesAreProcessorsWithTheirCardsBandwidths) {
  const auto procs = dagger::cuda_processors();
  ASSERT_GE(procs.size(), 2u);
  EXPECT_EQ(gpu(0).kind(), ProcKind::cuda());
  EXPECT_EQ(gpu(0).parent(), &dagger::this_process());
  EXPECT_NE(gpu(0).name().find("NVIDIA H100 80GB HBM3"), std::string::npos);
  const dagger::MemorySpace& h = gpu(0).memory();
  EXPECT_NEAR(h.bandwidth_to(h), 3.35e12, 0.01e12);  // within the device: its memory
  EXPECT_LT(h.bandwidth_to(dagger::host_memory()), 100e9);  // across PCIe
  EXPECT_EQ(gpu(0).memory_stats().limit, std::size_t{85'017'886'720ull} / 10 * 9);  // 90% by default
  EXPECT_TRUE(dagger::has_processors(dagger::ProcKind::cuda()));
}

// The CUDA backend hears configure() through the listener it adds from its
// own static initializer (src/backends/cuda/cuda_backend.cpp).
TEST_F(CudaPlacement, AConfiguredDeviceLimitReachesEveryDevice) {
  const dagger::Config saved = dagger::config();
  dagger::Config limited = saved;
  limited.device_memory_limit = std::size_t{1} << 30;
  dagger::configure(limited);
  EXPECT_EQ(gpu(0).memory_stats().limit, std::size_t{1} << 30);
  EXPECT_EQ(gpu(1).memory_stats().limit, std::size_t{1} << 30);
  dagger::configure(saved);
  EXPECT_EQ(gpu(0).memory_stats().limit, std::size_t{85'017'886'720ull} / 10 * 9);
}

TEST_F(CudaPlacement, AThunkCanAskForAGpuOrForbidOne) {
  auto either = dagger::versions(dagger::impl(ProcKind::cpu(), host_copy), dagger::impl(ProcKind::cuda(), same_block));
  auto input = dagger::delayed(ramp)(1000);
  auto on_gpu = dagger::delayed(either, {.scope = dagger::Scope::kind(ProcKind::cuda())})(input);
  auto on_cpu = dagger::delayed(either, {.scope = dagger::Scope::excluding(ProcKind::cuda())})(input);
  auto debug_gpu = dagger::debug_compute(on_gpu);
  auto debug_cpu = dagger::debug_compute(on_cpu);
  EXPECT_EQ(ran_on(debug_gpu.events, on_gpu.id())->kind(), ProcKind::cuda());
  EXPECT_EQ(ran_on(debug_cpu.events, on_cpu.id())->kind(), ProcKind::cpu());
  // Only the GPU's processor of choice may be named, too.
  auto on_a100 = dagger::delayed(either, {.scope = dagger::Scope::processor(gpu(1))})(input);
  auto debug_a100 = dagger::debug_compute(on_a100);
  EXPECT_EQ(ran_on(debug_a100.events, on_a100.id()), &gpu(1));
}

TEST_F(CudaPlacement, BlocksMoveIntoDeviceMemoryAndBackWithTheirBytes) {
  const auto baseline = dagger::live_chunks();
  auto on_gpu_only = dagger::versions(dagger::impl(ProcKind::cuda(), same_block));
  auto a = dagger::delayed(ramp)(1 << 16);
  auto b = dagger::delayed(on_gpu_only)(a);
  auto c = dagger::delayed(total)(b);
  auto debug = dagger::debug_compute(c);
  EXPECT_DOUBLE_EQ(dagger::collect(debug.chunk), (65536.0 - 1) * 65536.0 / 2);
  int moves = 0;
  for (const auto& e : debug.events) {
    if (e.category == dagger::Category::move) {
      ++moves;
      EXPECT_EQ(e.bytes, sizeof(Block) + (1u << 16) * sizeof(double));
    }
  }
  EXPECT_EQ(moves, 2);  // to the device and back
  const dagger::CudaProc& used = static_cast<const dagger::CudaProc&>(*ran_on(debug.events, b.id()));
  debug = {};
  EXPECT_EQ(dagger::live_chunks(), baseline);
  EXPECT_EQ(used.memory_stats().resident_bytes, 0u);  // released with the chunks
}

TEST_F(CudaPlacement, BlocksMoveFromDeviceToDevice) {
  auto on_gpu_only = dagger::versions(dagger::impl(ProcKind::cuda(), same_block));
  auto a = dagger::delayed(ramp)(1000);
  auto b = dagger::delayed(on_gpu_only, {.scope = dagger::Scope::processor(gpu(0))})(a);
  auto c = dagger::delayed(on_gpu_only, {.scope = dagger::Scope::processor(gpu(1))})(b);
  auto d = dagger::delayed(total)(c);
  auto debug = dagger::debug_compute(d);
  EXPECT_DOUBLE_EQ(dagger::collect(debug.chunk), 999.0 * 1000.0 / 2);
  EXPECT_EQ(ran_on(debug.events, b.id()), &gpu(0));
  EXPECT_EQ(ran_on(debug.events, c.id()), &gpu(1));
  int moves = 0;
  for (const auto& e : debug.events) moves += e.category == dagger::Category::move;
  EXPECT_EQ(moves, 3);  // host -> H100 -> A100 -> host
}

dagger::SparseBlock small_sparse() {
  Eigen::SparseMatrix<double, Eigen::ColMajor, std::int64_t> m(5, 4);
  m.insert(0, 0) = 1.5;
  m.insert(3, 0) = -2;
  m.insert(2, 2) = 7;
  m.insert(4, 3) = 0.25;
  m.makeCompressed();
  dagger::SparseBlock b;
  b.rows = 5;
  b.cols = 4;
  b.col_start = std::make_shared<std::vector<std::int64_t>>(m.outerIndexPtr(), m.outerIndexPtr() + 5);
  b.row_index = std::make_shared<std::vector<std::int64_t>>(m.innerIndexPtr(), m.innerIndexPtr() + 4);
  b.values = std::make_shared<std::vector<std::byte>>(reinterpret_cast<const std::byte*>(m.valuePtr()),
                                                      reinterpret_cast<const std::byte*>(m.valuePtr() + 4));
  return b;
}
dagger::SparseBlock same_sparse(const dagger::SparseBlock& b) { return b; }
std::vector<double> dense_of(const dagger::SparseBlock& b) {
  Eigen::MatrixXd d = b.view<double>();
  return std::vector<double>(d.data(), d.data() + d.size());
}

TEST_F(CudaPlacement, SparseBlocksMoveToDeviceMemoryAsOneBufferAndBack) {
  auto on_gpu_only = dagger::versions(dagger::impl(ProcKind::cuda(), same_sparse));
  auto on_device = dagger::delayed(on_gpu_only)(dagger::delayed(small_sparse)());
  auto back = dagger::delayed(dense_of)(on_device);
  auto debug = dagger::debug_compute(back);
  const std::vector<double> got = dagger::collect(debug.chunk);
  Eigen::MatrixXd expected = small_sparse().view<double>();
  EXPECT_EQ(got, std::vector<double>(expected.data(), expected.data() + expected.size()));
  int moves = 0;
  for (const auto& e : debug.events) {
    if (e.category == dagger::Category::move) {
      ++moves;
      EXPECT_EQ(e.bytes, sizeof(dagger::SparseBlock) + 5 * 8 + 4 * 8 + 4 * 8);  // col_start, rows, values
    }
  }
  EXPECT_EQ(moves, 2);
}

TEST_F(CudaPlacement, LearnedRuntimesDecide) {
  auto work = dagger::versions(dagger::impl(ProcKind::cpu(), host_copy), dagger::impl(ProcKind::cuda(), same_block));
  auto& model = dagger::detail::cost_model();
  model.record(typeid(decltype(work)), ProcKind::cpu(), 50e6);  // 50 ms on a core
  model.record(typeid(decltype(work)), ProcKind::cuda(), 1e5);  // 0.1 ms on a GPU
  auto fast_on_gpu = dagger::delayed(work)(dagger::delayed(ramp)(1000));
  EXPECT_EQ(ran_on(dagger::debug_compute(fast_on_gpu).events, fast_on_gpu.id())->kind(), ProcKind::cuda());

  model.clear();
  model.record(typeid(decltype(work)), ProcKind::cpu(), 1e3);
  model.record(typeid(decltype(work)), ProcKind::cuda(), 1e6);
  auto fast_on_cpu = dagger::delayed(work)(dagger::delayed(ramp)(1000));
  EXPECT_EQ(ran_on(dagger::debug_compute(fast_on_cpu).events, fast_on_cpu.id())->kind(), ProcKind::cpu());
}

TEST_F(CudaPlacement, AGpuThatHoldsTheInputsWins) {
  // Equal runtimes everywhere: moving 32 MiB over PCIe decides.
  auto work = dagger::versions(dagger::impl(ProcKind::cpu(), host_copy), dagger::impl(ProcKind::cuda(), same_block));
  auto& model = dagger::detail::cost_model();
  model.record(typeid(decltype(work)), ProcKind::cpu(), 1e5);
  model.record(typeid(decltype(work)), ProcKind::cuda(), 1e5);
  auto on_a100 = dagger::versions(dagger::impl(ProcKind::cuda(), same_block));
  auto held = dagger::delayed(on_a100, {.scope = dagger::Scope::processor(gpu(1))})(dagger::delayed(ramp)(1 << 22));
  auto next = dagger::delayed(work)(held);
  EXPECT_EQ(ran_on(dagger::debug_compute(next).events, next.id()), &gpu(1));
}

bool has_gpu_version(const dagger::Thunk<Block>& t) {
  const auto& kinds = t.node()->fn->kinds();
  return std::find(kinds.begin(), kinds.end(), ProcKind::cuda()) != kinds.end();
}

TEST_F(CudaPlacement, BlockOperationsGetAGpuVersionWhereTheyHaveOne) {
  auto a = dagger::rand<double>(dagger::Blocks(50, 50), 100, 100, dagger::Seed{3});
  auto v = dagger::rand<double>(dagger::Blocks(50), 100, dagger::Seed{4});
  EXPECT_TRUE(has_gpu_version(a.block_thunks()[0]));
  EXPECT_TRUE(has_gpu_version(dagger::exp(a * 2.0).block_thunks()[0]));
  EXPECT_TRUE(has_gpu_version((a * a).block_thunks()[0]));  // matmul
  EXPECT_TRUE(has_gpu_version(dagger::transpose(a).block_thunks()[0]));
  // sort: cutting the output is host work; the sorted buckets it reads have a GPU version.
  const auto sorted = dagger::sort(v);
  const auto& bucket = sorted.block_thunks()[0].node()->deps.front().thunk;
  EXPECT_EQ(bucket->name(), "sort bucket");
  EXPECT_EQ(bucket->fn->kinds().size(), 2u);
  EXPECT_EQ(dagger::sum(a).node()->fn->kinds().size(), 2u);
  // A user's lambda has no element program: CPUs only.
  EXPECT_FALSE(has_gpu_version(dagger::map([](double x) { return x * 2; }, a).block_thunks()[0]));
  // Integer matmul has no cuBLAS version.
  auto i = dagger::zeros<std::int64_t>(dagger::Blocks(50, 50), 100, 100);
  EXPECT_FALSE(has_gpu_version((i * i).block_thunks()[0]));
}

TEST_F(CudaPlacement, ArraysCanBeKeptOffTheGpus) {
  auto a = dagger::rand<double>(dagger::Blocks(50, 50), 100, 100, dagger::Seed{3});
  const double on_cpus = dagger::collect(dagger::Context::excluding(ProcKind::cuda()), dagger::sum(a * 2.0));
  const double reference = dagger::collect(dagger::Context::excluding(ProcKind::cuda()), a).sum() * 2.0;
  EXPECT_NEAR(on_cpus, reference, 1e-9 * reference);
}

TEST_F(CudaPlacement, AFailingGpuKernelIsACudaErrorNamingTheDeviceAndTheCall) {
  // No GPU here: the CUDA module's first call on the device fails (or, in a
  // build without CUDA, there is no module to call).
  auto a = dagger::rand<double>(dagger::Blocks(50, 50), 100, 100, dagger::Seed{3});
  try {
    dagger::compute(dagger::Context::only(ProcKind::cuda()), a);
    FAIL() << "a GPU kernel ran without a GPU";
  } catch (const dagger::ThunkError& e) {
    EXPECT_EQ(e.function(), "rand");
    try {
      e.rethrow_original();
    } catch (const dagger::CudaError& cuda) {
      EXPECT_TRUE(cuda.device() == "CudaProc 0 (stand-in H100)" || cuda.device() == "CudaProc 1 (stand-in A100)")
          << cuda.what();
      EXPECT_EQ(std::string(cuda.what()).rfind(cuda.device() + ": ", 0), 0u) << cuda.what();
      EXPECT_TRUE(cuda.call() == "cudaSetDevice" || cuda.call() == "dlopen") << cuda.what();
    }
  }
  // The runtime goes on.
  const double sum = dagger::collect(dagger::Context::excluding(ProcKind::cuda()), dagger::sum(a));
  EXPECT_GT(sum, 0);
}

}  // namespace
