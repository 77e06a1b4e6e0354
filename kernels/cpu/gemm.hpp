// Block kernels for the matrix product and transpose on the CPU.
#pragma once

#include "dagger/array/block.hpp"

namespace dagger::kernels::cpu {

// c += a * b (c already sized a.rows x b.cols; `first`: c = a * b).
void gemm(const Block& a, const Block& b, Block& c, bool first);
Block transpose(const Block& a);

}  // namespace dagger::kernels::cpu
