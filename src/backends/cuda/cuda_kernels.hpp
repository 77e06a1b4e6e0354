// The CUDA versions of the array library's block kernels: functions on
// blocks in the memory of the CudaProc that the calling thread drives. They
// throw CudaError naming the call that failed. cuda_kernels.cpp registers
// them as the "cuda" versions of the operations of
// dagger/array/block_operations.hpp; the array code never names them.
#pragma once

#include <vector>

#include "dagger/array/block.hpp"
#include "dagger/kernels/element_program.hpp"
#include "dagger/kernels/folds.hpp"

namespace dagger {
struct SparseBlock;
}

namespace dagger::detail {

// The program's rows x cols block (its inputs are blocks of that shape, or
// none for a random or constant array).
Block gpu_elementwise(const kernels::ElementProgram& program, std::int64_t rows, std::int64_t cols,
                      const std::vector<Block>& inputs);
// Folds the program's elements into *out, of element type `accumulate`.
void gpu_fold(const kernels::ElementProgram& program, std::int64_t rows, std::int64_t cols,
              const std::vector<Block>& inputs, kernels::Fold fold, DType accumulate, void* out);
// Folds each column (dim 1: a 1 x cols block) or row (dim 2: rows x 1) of the
// program's elements, into a block of element type `accumulate`.
Block gpu_fold_lines(const kernels::ElementProgram& program, std::int64_t rows, std::int64_t cols,
                     const std::vector<Block>& inputs, kernels::Fold fold, DType accumulate, int dim);
// sum over p of as[p] * bs[p], an h x w block (double or float).
Block gpu_matmul(const std::vector<Block>& as, const std::vector<Block>& bs, DType dtype, std::int64_t h,
                 std::int64_t w);
Block gpu_transpose(const Block& block);
// The elements of a host block, sorted ascending or descending, in device memory.
Block gpu_sorted(const Block& host_values, bool descending);
// sum over p of sparse[p] * dense[p], an h x w block (double or float).
Block gpu_sparse_times_dense(const std::vector<SparseBlock>& sparse, const std::vector<Block>& dense, DType dtype,
                             std::int64_t h, std::int64_t w);

// Registers the functions above as the cuda versions of the array's block
// operations, once; the CudaProcs call it when they are made.
void register_cuda_block_operations();

}  // namespace dagger::detail
