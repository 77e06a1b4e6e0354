// Which kernel OpenBLAS runs. A DYNAMIC_ARCH OpenBLAS picks one for the CPU
// it finds; one that does not know the CPU (0.3.21 on recent Xeons) falls
// back to a generic pre-AVX kernel, several times slower. dagger then warns
// once, naming OPENBLAS_CORETYPE and the value that likely fits, and never
// sets it itself: older OpenBLAS builds miscompute on some CPUs.
#pragma once

#include <string>
#include <string_view>

namespace dagger::kernels::cpu {

struct VectorUnits {
  bool avx2 = false;
  bool avx512 = false;       // AVX-512 F
  bool avx512_bf16 = false;  // Cooper Lake and later
  bool amd = false;
};

VectorUnits this_cpu_vector_units();

// The warning for OpenBLAS kernel `corename` on a CPU with `cpu`, or empty
// when the kernel uses what the CPU has (or the CPU has no AVX2).
std::string generic_blas_kernel_warning(std::string_view corename, const VectorUnits& cpu);

// Prints the warning to standard error, the first time only.
void check_blas_kernel_once();

}  // namespace dagger::kernels::cpu
