// The warning for a generic OpenBLAS kernel: the decision on its own, and in
// a real process whose OpenBLAS is told to run its generic kernel.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "dagger/array.hpp"
#include "dagger/dagger.hpp"
#include "kernels/cpu/blas_kernel_check.hpp"

extern char** environ;

namespace {

using dagger::kernels::cpu::generic_blas_kernel_warning;
using dagger::kernels::cpu::VectorUnits;

constexpr VectorUnits kZen{.avx2 = true, .avx512 = false, .avx512_bf16 = false, .amd = true};
constexpr VectorUnits kCooperLake{.avx2 = true, .avx512 = true, .avx512_bf16 = true, .amd = false};
constexpr VectorUnits kSkylakeX{.avx2 = true, .avx512 = true, .avx512_bf16 = false, .amd = false};
constexpr VectorUnits kOld{};

TEST(BlasKernel, AGenericKernelOnAVectorCpuNamesTheVariableAndAValue) {
  const std::string on_xeon = generic_blas_kernel_warning("Prescott", kCooperLake);
  EXPECT_NE(on_xeon.find("generic Prescott kernel"), std::string::npos) << on_xeon;
  EXPECT_NE(on_xeon.find("AVX-512"), std::string::npos) << on_xeon;
  EXPECT_NE(on_xeon.find("OPENBLAS_CORETYPE=Cooperlake"), std::string::npos) << on_xeon;
  EXPECT_NE(generic_blas_kernel_warning("Prescott", kSkylakeX).find("OPENBLAS_CORETYPE=SkylakeX"), std::string::npos);
  EXPECT_NE(generic_blas_kernel_warning("Sandybridge", kZen).find("OPENBLAS_CORETYPE=Zen"), std::string::npos);
}

TEST(BlasKernel, AVectorKernelOrAnOldCpuGetsNoWarning) {
  EXPECT_EQ(generic_blas_kernel_warning("Zen", kZen), "");
  EXPECT_EQ(generic_blas_kernel_warning("SKYLAKEX", kCooperLake), "");
  EXPECT_EQ(generic_blas_kernel_warning("Haswell", kSkylakeX), "");
  EXPECT_EQ(generic_blas_kernel_warning("Prescott", kOld), "");
  EXPECT_EQ(generic_blas_kernel_warning("", kZen), "");
}

// Run in a child: two matrix products, so that a warning would show twice
// if it were not printed once only.
TEST(BlasKernel, ChildTwoMatrixProducts) {
  if (std::getenv("DAGGER_BLAS_CHILD") == nullptr) GTEST_SKIP() << "run by WarnsOnceInAProcessOnAGenericKernel";
  auto a = dagger::ones<double>(dagger::Blocks(64, 64), 128, 128);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(dagger::collect(dagger::sum(dagger::matmul(a, a))), 128.0 * 128 * 128);
}

// The child's standard error, run with `coretype` as OPENBLAS_CORETYPE
// (empty: unset).
std::string child_stderr(const std::string& coretype) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "pipe failed";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<std::string> env_text = {"DAGGER_BLAS_CHILD=1"};
  if (!coretype.empty()) env_text.push_back("OPENBLAS_CORETYPE=" + coretype);
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (entry.rfind("OPENBLAS_CORETYPE=", 0) != 0) env_text.push_back(entry);
  }
  std::vector<char*> env;
  for (std::string& e : env_text) env.push_back(e.data());
  env.push_back(nullptr);
  std::string self = "/proc/self/exe", filter = "--gtest_filter=BlasKernel.ChildTwoMatrixProducts";
  char* argv[] = {self.data(), filter.data(), nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, self.c_str(), &actions, nullptr, argv, env.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  if (spawned == 0) ::waitpid(pid, &status, 0);
  EXPECT_EQ(spawned, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  return out;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(BlasKernel, WarnsOnceInAProcessOnAGenericKernel) {
  const VectorUnits cpu = dagger::kernels::cpu::this_cpu_vector_units();
  const std::string told_generic = child_stderr("Prescott");
  EXPECT_EQ(count(told_generic, "OPENBLAS_CORETYPE="), cpu.avx2 ? 1u : 0u) << told_generic;
  if (cpu.avx2) {
    EXPECT_NE(told_generic.find("generic Prescott kernel"), std::string::npos) << told_generic;
    // Told a kernel that fits (Haswell runs on every AVX2 CPU): silent.
    EXPECT_EQ(count(child_stderr("Haswell"), "OPENBLAS_CORETYPE="), 0u);
  }
}

}  // namespace
