// The CUDA versions of the array library's block kernels, as the array code
// sees them: functions on blocks in the memory of the CudaProc that the
// calling thread drives. They throw CudaError naming the call that failed.
// A block operation with a GPU version becomes a thunk with two versions
// (cpu_or_gpu), and the scheduler picks one per thunk; without CudaProcs it
// stays a plain CPU thunk, so the CPU-only path costs nothing.
#pragma once

#include <utility>
#include <vector>

#include "dagger/array/block.hpp"
#include "dagger/delayed.hpp"
#include "dagger/kernels/element_program.hpp"
#include "dagger/kernels/folds.hpp"
#include "dagger/versions.hpp"

namespace dagger {
struct SparseBlock;
}

namespace dagger::detail {

// True once this process has a CudaProc.
bool gpus_present();

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
// kind: DAGGER_CUDA_ZEROS, _ONES, _UNIFORM or _NORMAL.
Block gpu_fill(DType dtype, std::int64_t h, std::int64_t w, int kind, std::uint64_t seed);
// The elements of a host block, sorted, in device memory.
Block gpu_sorted(const Block& host_values);
// sum over p of sparse[p] * dense[p], an h x w block (double or float).
Block gpu_sparse_times_dense(const std::vector<SparseBlock>& sparse, const std::vector<Block>& dense, DType dtype,
                             std::int64_t h, std::int64_t w);

template <class Acc>
Acc gpu_fold_as(const kernels::ElementProgram& program, std::int64_t rows, std::int64_t cols,
                const std::vector<Block>& inputs, kernels::Fold fold) {
  Acc out{};
  gpu_fold(program, rows, cols, inputs, fold, dtype_of<Acc>(), &out);
  return out;
}

// A thunk with a CPU and a GPU version where there are GPUs, else just the
// CPU version.
template <class Cpu, class Gpu, class... Args>
auto cpu_or_gpu(Options options, Cpu cpu, Gpu gpu, Args&&... args) {
  if (gpus_present()) {
    return delayed(versions(impl(ProcKind::cpu(), std::move(cpu)), impl(ProcKind::cuda(), std::move(gpu))),
                   std::move(options))(std::forward<Args>(args)...);
  }
  return delayed(std::move(cpu), std::move(options))(std::forward<Args>(args)...);
}

}  // namespace dagger::detail
