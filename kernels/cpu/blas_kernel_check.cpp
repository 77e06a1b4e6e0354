#include "kernels/cpu/blas_kernel_check.hpp"

#include <cblas.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <iostream>

namespace dagger::kernels::cpu {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

// OpenBLAS's x86-64 kernels that use AVX2 or AVX-512; every other one
// (Prescott, Core2, Nehalem, Sandybridge, Barcelona, Bulldozer, ...) is
// older than what an AVX2 CPU can do.
constexpr std::array<std::string_view, 6> kVectorKernels = {"Haswell",    "Zen",           "SkylakeX",
                                                            "Cooperlake", "SapphireRapids", "Excavator"};

std::string_view likely_coretype(const VectorUnits& cpu) {
  if (cpu.avx512_bf16) return "Cooperlake";
  if (cpu.avx512) return "SkylakeX";
  return cpu.amd ? "Zen" : "Haswell";
}

}  // namespace

VectorUnits this_cpu_vector_units() {
  __builtin_cpu_init();
  VectorUnits cpu;
  cpu.avx2 = __builtin_cpu_supports("avx2");
  cpu.avx512 = __builtin_cpu_supports("avx512f");
  cpu.avx512_bf16 = __builtin_cpu_supports("avx512bf16");
  cpu.amd = __builtin_cpu_is("amd");
  return cpu;
}

std::string generic_blas_kernel_warning(std::string_view corename, const VectorUnits& cpu) {
  if (!cpu.avx2 || corename.empty()) return {};
  for (std::string_view k : kVectorKernels) {
    if (same_name(corename, k)) return {};
  }
  const std::string_view units = cpu.avx512 ? "AVX-512" : "AVX2";
  const std::string_view value = likely_coretype(cpu);
  return "dagger: OpenBLAS runs its generic " + std::string(corename) + " kernel on a CPU with " +
         std::string(units) + ", which makes matrix products several times slower; if your OpenBLAS supports it, "
         "set OPENBLAS_CORETYPE=" + std::string(value) + " in the environment before the program starts";
}

void check_blas_kernel_once() {
  static const bool checked = [] {
    const char* corename = openblas_get_corename();
    const std::string warning = generic_blas_kernel_warning(corename ? corename : "", this_cpu_vector_units());
    if (!warning.empty()) std::cerr << warning << "\n";
    return true;
  }();
  (void)checked;
}

}  // namespace dagger::kernels::cpu
