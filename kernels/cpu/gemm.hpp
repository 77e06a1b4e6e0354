// Block kernels for the matrix product and transpose on the CPU.
#pragma once

#include "dagger/array/block.hpp"

namespace dagger::kernels::cpu {

// Each block kernel runs on one dagger thread: OpenBLAS must not start
// threads of its own on top of ours. Called before every BLAS or LAPACK call.
void single_threaded_blas();

// c += op(a) op(b) (c already sized; `first`: c = op(a) op(b)), op(x) = x'
// when its flag is set.
void gemm(const Block& a, const Block& b, Block& c, bool first, bool transpose_a = false, bool transpose_b = false);
// t = a' (t already sized a.cols x a.rows, of a's element type). Kernels
// write into blocks their caller made: they sit below the array library.
void transpose(const Block& a, Block& t);

}  // namespace dagger::kernels::cpu
