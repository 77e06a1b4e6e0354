// CUDA support as far as a machine without a GPU can check it: the module
// is built, found and loaded, and no device (or no driver) is an empty list
// with a reason, never an error. Device descriptions are checked against
// what the CUDA runtime reports for real cards.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <string>

#include <dagger/cuda.hpp>
#include "backends/cuda/cuda_devices.hpp"
#include "stand_in_device.hpp"

namespace {

// This test binary, run again with one test selected and the environment
// given: cuda_status() is computed once per process.
std::string run_self(const std::string& environment, const std::string& test) {
  const std::string command = environment + " /proc/" + std::to_string(::getpid()) +
                              "/exe --gtest_filter=" + test + " 2>&1";
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    std::array<char, 512> buffer;
    while (std::fgets(buffer.data(), buffer.size(), pipe)) out += buffer.data();
    ::pclose(pipe);
  }
  return out;
}

}  // namespace

TEST(Cuda, NoDeviceIsAnEmptyListWithAReason) {
  const dagger::CudaStatus& s = dagger::cuda_status();
  EXPECT_EQ(s.built, DAGGER_TEST_CUDA_BUILT != 0);
  if (s.built) {
    EXPECT_TRUE(s.loaded) << s.reason;
    EXPECT_GE(s.runtime_version, 12000);
    EXPECT_NE(s.module.find("libdagger_cuda.so"), std::string::npos);
  } else {
    EXPECT_FALSE(s.loaded);
    EXPECT_NE(s.reason.find("no CUDA module"), std::string::npos) << s.reason;
  }
  if (s.devices.empty()) {
    EXPECT_FALSE(s.reason.empty());
    std::cout << "CUDA devices: none (" << s.reason << ")\n";
  } else {
    EXPECT_TRUE(s.reason.empty()) << s.reason;
    for (const auto& d : s.devices) {
      std::cout << "CUDA device " << d.ordinal << ": " << d.name << ", " << d.memory_bytes / (1 << 20) << " MiB\n";
      EXPECT_GT(d.memory_bandwidth, 1e11);
    }
  }
}

// Prints the status when run by the tests below (skipped otherwise).
TEST(Cuda, PrintStatus) {
  if (!std::getenv("DAGGER_TEST_PRINT_CUDA_STATUS")) GTEST_SKIP() << "run by other tests";
  const dagger::CudaStatus& s = dagger::cuda_status();
  std::cout << "loaded=" << s.loaded << " reason=" << s.reason << "\n";
}

TEST(Cuda, AModuleNamedByTheEnvironmentIsTheOnlyOneTried) {
  const std::string out = run_self("DAGGER_TEST_PRINT_CUDA_STATUS=1 DAGGER_CUDA_MODULE=/nonexistent/libdagger_cuda.so",
                                   "Cuda.PrintStatus");
  EXPECT_NE(out.find("loaded=0 reason=the CUDA module was not found (looked for /nonexistent/libdagger_cuda.so)"),
            std::string::npos)
      << out;
}

TEST(Cuda, ALibraryThatIsNotTheModuleIsRefused) {
  // This test binary is no CUDA module: dlopen refuses an executable, and
  // a library without the entry point is refused by name.
  const std::string out = run_self("DAGGER_TEST_PRINT_CUDA_STATUS=1 DAGGER_CUDA_MODULE=/proc/" +
                                       std::to_string(::getpid()) + "/exe",
                                   "Cuda.PrintStatus");
  EXPECT_NE(out.find("loaded=0 reason="), std::string::npos) << out;
  EXPECT_TRUE(out.find("cannot load the CUDA module") != std::string::npos ||
              out.find("built for another version") != std::string::npos)
      << out;
}

// cudaDeviceProp / cudaDeviceGetAttribute values of real cards.
TEST(Cuda, DescribesDevicesFromWhatTheRuntimeReports) {
  const dagger::CudaDevice d =
      dagger::testing::described(0, "NVIDIA H100 80GB HBM3", 85'017'886'720ull, 9, 132, 2'619'000, 5120);
  EXPECT_EQ(d.name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(d.memory_bytes, 85'017'886'720ull);
  EXPECT_EQ(d.compute_major, 9);
  EXPECT_EQ(d.multiprocessors, 132);
  EXPECT_NEAR(d.memory_bandwidth, 3.35e12, 0.01e12);  // the card's 3.35 TB/s

  const dagger::CudaDevice e =
      dagger::testing::described(1, "NVIDIA A100-SXM4-40GB", 42'505'273'344ull, 8, 108, 1'215'000, 5120);
  EXPECT_EQ(e.ordinal, 1);
  EXPECT_NEAR(e.memory_bandwidth, 1.555e12, 0.01e12);  // the card's 1,555 GB/s
}

TEST(Cuda, NoDeviceMeansNoCudaProcs) {
  if (!dagger::cuda_status().devices.empty()) GTEST_SKIP() << "this machine has CUDA devices";
  EXPECT_TRUE(dagger::cuda_processors().empty());
  EXPECT_FALSE(dagger::has_processors(dagger::ProcKind::cuda()));
  // Array operations stay plain CPU thunks: no second version to weigh.
  const auto a = dagger::exp(dagger::rand<double>(dagger::Blocks(10, 10), 20, 20));
  const auto& kinds = a.block_thunks()[0].node()->fn->kinds();
  EXPECT_EQ(kinds.size(), 1u);
  EXPECT_EQ(kinds[0], dagger::ProcKind::cpu());
}

TEST(Cuda, TheModuleHasEveryEntryAndNamesTheCallThatFailed) {
  const dagger_cuda_module* module = dagger::detail::cuda_module();
  if (module == nullptr) GTEST_SKIP() << "no CUDA module: " << dagger::cuda_status().reason;
  for (const void* entry : {reinterpret_cast<const void*>(module->load_libraries), reinterpret_cast<const void*>(module->allocate), reinterpret_cast<const void*>(module->release),
                            reinterpret_cast<const void*>(module->to_device), reinterpret_cast<const void*>(module->to_host),
                            reinterpret_cast<const void*>(module->peer_copy), reinterpret_cast<const void*>(module->elementwise),
                            reinterpret_cast<const void*>(module->reduce), reinterpret_cast<const void*>(module->reduce_lines), reinterpret_cast<const void*>(module->gemm),
                            reinterpret_cast<const void*>(module->transpose), reinterpret_cast<const void*>(module->zero),
                            reinterpret_cast<const void*>(module->sort), reinterpret_cast<const void*>(module->spmm)}) {
    EXPECT_NE(entry, nullptr);
  }
  if (!dagger::cuda_status().devices.empty()) return;
  // Without a device every call fails, saying which CUDA call refused.
  dagger_cuda_error error{};
  void* pointer = nullptr;
  EXPECT_NE(module->allocate(0, 1024, &pointer, &error), 0);
  EXPECT_EQ(pointer, nullptr);
  EXPECT_EQ(std::string(error.text).rfind("cudaSetDevice: ", 0), 0u) << error.text;
  error = {};
  EXPECT_NE(module->zero(0, 80, nullptr, &error), 0);
  EXPECT_EQ(std::string(error.text).rfind("cudaSetDevice: ", 0), 0u) << error.text;
  error = {};
  EXPECT_NE(module->allocate(-1, 8, &pointer, &error), 0);
  EXPECT_NE(std::string(error.text).find("no such device"), std::string::npos) << error.text;
}

bool mapped(const std::string& library) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find(library) != std::string::npos) return true;
  }
  return false;
}

// Prints which CUDA libraries are mapped before and after the module
// opens them (run in a process of its own by the test below).
TEST(Cuda, PrintLibraries) {
  if (!std::getenv("DAGGER_TEST_PRINT_CUDA_LIBRARIES")) GTEST_SKIP() << "run by other tests";
  const dagger_cuda_module* module = dagger::detail::cuda_module();
  if (module == nullptr) GTEST_SKIP() << "no CUDA module";
  std::cout << "before: cublas=" << mapped("libcublas") << " cusparse=" << mapped("libcusparse") << "\n";
  dagger_cuda_error error{};
  const int code = module->load_libraries(&error);
  std::cout << "load: " << code << " " << error.text << "\n";
  std::cout << "after: cublas=" << mapped("libcublas") << " cusparse=" << mapped("libcusparse") << "\n";
}

TEST(Cuda, TheCudaLibrariesAreOpenedOnFirstUseOnly) {
  if (dagger::detail::cuda_module() == nullptr) GTEST_SKIP() << "no CUDA module";
  const std::string out = run_self("DAGGER_TEST_PRINT_CUDA_LIBRARIES=1", "Cuda.PrintLibraries");
  EXPECT_NE(out.find("before: cublas=0 cusparse=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("load: 0 "), std::string::npos) << out;
  EXPECT_NE(out.find("after: cublas=1 cusparse=1\n"), std::string::npos) << out;
}
