// The array library's GPU block kernels: pin the input blocks in device
// memory, allocate the output there, and call the CUDA module.
#include <cstring>

#include "dagger/array/device_kernels.hpp"
#include "dagger/array/sparse.hpp"
#include "dagger/errors.hpp"
#include "processors/cuda_devices.hpp"
#include "processors/cuda_proc.hpp"

namespace dagger::detail {
namespace {

// What a kernel call needs: the module, the device and its memory.
struct Device {
  const dagger_cuda_module* module;
  int ordinal;
  std::string name;
  DeviceMemory* pool;
};

Device this_device() {
  CudaProc* proc = current_cuda_proc();
  if (proc == nullptr) throw Error("a GPU kernel ran on a thread that drives no CudaProc");
  DeviceMemory& pool = static_cast<CudaMemorySpace&>(proc->memory()).pool();
  // Named as the memory pool names it, so that every error of a device reads alike.
  Device d{cuda_module(), proc->device().ordinal, pool.allocator().name(), &pool};
  if (d.module == nullptr) throw CudaError(d.name, "dlopen", "no CUDA module is loaded: " + cuda_status().reason);
  return d;
}

DevicePin pin_input(const Block& b, const Device& d) {
  if (!b.on_device()) throw Error("a GPU kernel on " + d.name + " was given a block in host memory");
  return DevicePin(b.device);
}

// The device addresses of a kernel's input blocks, pinned while it runs.
struct PinnedInputs {
  std::vector<DevicePin> pins;
  std::vector<const void*> pointers;
};

PinnedInputs pin_inputs(const std::vector<Block>& inputs, const Device& d) {
  PinnedInputs in;
  for (const Block& b : inputs) {
    in.pins.push_back(pin_input(b, d));
    in.pointers.push_back(in.pins.back().data());
  }
  return in;
}

// A new block of the device, pinned while the kernel writes it.
struct Output {
  Block block;
  DevicePin pin;
};

Output new_block(const Device& d, DType dtype, std::int64_t rows, std::int64_t cols) {
  Output out;
  out.block.dtype = dtype;
  out.block.rows = rows;
  out.block.cols = cols;
  out.pin = d.pool->allocate(out.block.bytes());
  out.block.device = out.pin.buffer();
  return out;
}

void check(const Device& d, int code, const dagger_cuda_error& error) { check_cuda(code, d.name, error); }

}  // namespace

bool gpus_present() { return cuda_processor_count() > 0; }

Block gpu_elementwise(const kernels::ElementProgram& program, std::int64_t rows, std::int64_t cols,
                      const std::vector<Block>& inputs) {
  const Device d = this_device();
  const PinnedInputs in = pin_inputs(inputs, d);
  Output out = new_block(d, static_cast<DType>(kernels::result_type(program)), rows, cols);
  dagger_cuda_error error{};
  check(d, d.module->elementwise(d.ordinal, &program, in.pointers.data(), static_cast<int>(in.pointers.size()),
                                 out.pin.data(), rows * cols, &error),
        error);
  return out.block;
}

void gpu_fold(const kernels::ElementProgram& program, std::int64_t rows, std::int64_t cols,
              const std::vector<Block>& inputs, kernels::Fold fold, DType accumulate, void* result) {
  const Device d = this_device();
  const PinnedInputs in = pin_inputs(inputs, d);
  dagger_cuda_error error{};
  check(d, d.module->reduce(d.ordinal, &program, in.pointers.data(), static_cast<int>(in.pointers.size()),
                            rows * cols, static_cast<int>(fold), static_cast<int>(accumulate), result, &error),
        error);
}

Block gpu_fold_lines(const kernels::ElementProgram& program, std::int64_t rows, std::int64_t cols,
                     const std::vector<Block>& inputs, kernels::Fold fold, DType accumulate, int dim) {
  const Device d = this_device();
  const PinnedInputs in = pin_inputs(inputs, d);
  Output out = new_block(d, accumulate, dim == 1 ? 1 : rows, dim == 1 ? cols : 1);
  dagger_cuda_error error{};
  check(d, d.module->reduce_lines(d.ordinal, &program, in.pointers.data(), static_cast<int>(in.pointers.size()),
                                  rows, cols, dim, static_cast<int>(fold), static_cast<int>(accumulate),
                                  out.pin.data(), &error),
        error);
  return out.block;
}

Block gpu_matmul(const std::vector<Block>& as, const std::vector<Block>& bs, DType dtype, std::int64_t h,
                 std::int64_t w) {
  const Device d = this_device();
  Output c = new_block(d, dtype, h, w);
  dagger_cuda_error error{};
  if (as.empty()) {  // inner dimension 0: a zero matrix
    check(d, d.module->fill(d.ordinal, static_cast<int>(dtype), DAGGER_CUDA_ZEROS, 0, h * w, c.pin.data(), &error),
          error);
  }
  for (std::size_t p = 0; p < as.size(); ++p) {
    DevicePin a = pin_input(as[p], d), b = pin_input(bs[p], d);
    check(d, d.module->gemm(d.ordinal, static_cast<int>(dtype), h, w, as[p].cols, a.data(), b.data(), c.pin.data(),
                            p > 0, &error),
          error);
  }
  return c.block;
}

Block gpu_transpose(const Block& block) {
  const Device d = this_device();
  DevicePin in = pin_input(block, d);
  Output out = new_block(d, block.dtype, block.cols, block.rows);
  dagger_cuda_error error{};
  check(d, d.module->transpose(d.ordinal, static_cast<int>(block.dtype), block.rows, block.cols, in.data(),
                               out.pin.data(), &error),
        error);
  return out.block;
}

Block gpu_fill(DType dtype, std::int64_t h, std::int64_t w, int kind, std::uint64_t seed) {
  const Device d = this_device();
  Output out = new_block(d, dtype, h, w);
  dagger_cuda_error error{};
  check(d, d.module->fill(d.ordinal, static_cast<int>(dtype), kind, seed, h * w, out.pin.data(), &error), error);
  return out.block;
}

Block gpu_sorted(const Block& host_values) {
  const Device d = this_device();
  Output out = new_block(d, host_values.dtype, host_values.rows, host_values.cols);
  if (host_values.bytes() > 0) d.pool->allocator().to_device(out.pin.data(), host_values.buffer.get(), host_values.bytes());
  dagger_cuda_error error{};
  check(d, d.module->sort(d.ordinal, static_cast<int>(host_values.dtype), host_values.size(), out.pin.data(), &error),
        error);
  return out.block;
}

Block gpu_sparse_times_dense(const std::vector<SparseBlock>& sparse, const std::vector<Block>& dense, DType dtype,
                             std::int64_t h, std::int64_t w) {
  const Device d = this_device();
  Output out = new_block(d, dtype, h, w);
  dagger_cuda_error error{};
  if (sparse.empty()) {
    check(d, d.module->fill(d.ordinal, static_cast<int>(dtype), DAGGER_CUDA_ZEROS, 0, h * w, out.pin.data(), &error),
          error);
  }
  for (std::size_t p = 0; p < sparse.size(); ++p) {
    const SparseBlock& s = sparse[p];
    if (!s.on_device()) throw Error("a GPU kernel on " + d.name + " was given a sparse block in host memory");
    DevicePin a(s.device);
    const auto* base = static_cast<const std::byte*>(a.data());
    const SparseDeviceLayout layout = device_layout(s);
    DevicePin x = pin_input(dense[p], d);
    check(d, d.module->spmm(d.ordinal, static_cast<int>(dtype), h, s.cols, w, s.nonzeros(),
                            reinterpret_cast<const long long*>(base + layout.col_start),
                            reinterpret_cast<const long long*>(base + layout.row_index), base + layout.values,
                            x.data(), out.pin.data(), p > 0, &error),
          error);
  }
  return out.block;
}

}  // namespace dagger::detail
