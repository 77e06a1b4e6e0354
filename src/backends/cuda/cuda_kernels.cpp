// The array library's GPU block kernels: pin the input blocks in device
// memory, allocate the output there, and call the CUDA module. The end of
// the file registers them as the cuda versions of the array's operations.
#include "backends/cuda/cuda_kernels.hpp"

#include <cstring>
#include <mutex>

#include "dagger/array/block_operations.hpp"
#include "dagger/array/darray.hpp"
#include "dagger/array/sparse.hpp"
#include "dagger/errors.hpp"
#include "backends/cuda/cuda_devices.hpp"
#include "backends/cuda/cuda_proc.hpp"

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
    check(d, d.module->zero(d.ordinal, static_cast<long long>(c.block.bytes()), c.pin.data(), &error), error);
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

Block gpu_sorted(const Block& host_values, bool descending) {
  const Device d = this_device();
  Output out = new_block(d, host_values.dtype, host_values.rows, host_values.cols);
  if (host_values.bytes() > 0) d.pool->allocator().to_device(out.pin.data(), host_values.buffer.get(), host_values.bytes());
  dagger_cuda_error error{};
  check(d,
        d.module->sort(d.ordinal, static_cast<int>(host_values.dtype), host_values.size(), out.pin.data(),
                       descending ? 1 : 0, &error),
        error);
  return out.block;
}

Block gpu_sparse_times_dense(const std::vector<SparseBlock>& sparse, const std::vector<Block>& dense, DType dtype,
                             std::int64_t h, std::int64_t w) {
  const Device d = this_device();
  Output out = new_block(d, dtype, h, w);
  dagger_cuda_error error{};
  if (sparse.empty()) {
    check(d, d.module->zero(d.ordinal, static_cast<long long>(out.block.bytes()), out.pin.data(), &error), error);
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

namespace {

// The versions as the operations call them: the request and the blocks.
// The program reads whole blocks, so a source read transposed is turned on
// the device first (into a scratch block freed when the kernel is done).
std::vector<Block> upright(const ElementKernel& k, const std::vector<Block>& in) {
  return upright_sources(k, in, [](const Block& b) { return gpu_transpose(b); });
}
Block elementwise_version(const ElementRequest& r, const std::vector<Block>& in) {
  check_sources(r.kernel, r.place, in);
  return gpu_elementwise(*program_at(r.kernel.program, r.place), r.place.rows, r.place.cols, upright(r.kernel, in));
}
template <class Acc>
Acc fold_version(const FoldRequest& r, const std::vector<Block>& in) {
  check_sources(r.kernel, r.place, in);
  Acc out{};
  gpu_fold(*program_at(r.kernel.program, r.place), r.place.rows, r.place.cols, upright(r.kernel, in), r.fold,
           dtype_of<Acc>(), &out);
  return out;
}
template <class Acc>
Block fold_lines_version(const FoldRequest& r, const std::vector<Block>& in) {
  check_sources(r.kernel, r.place, in);
  return gpu_fold_lines(*program_at(r.kernel.program, r.place), r.place.rows, r.place.cols, upright(r.kernel, in),
                        r.fold, dtype_of<Acc>(), r.dim);
}
// A chain without an element program is a user's C++ function: host only.
bool has_program(const ElementRequest& r) { return r.kernel.program != nullptr; }
bool folds_a_program(const FoldRequest& r) { return r.kernel.program != nullptr; }

Block matmul_version(const BlockShape& s, const std::vector<Block>& as, const std::vector<Block>& bs) {
  return gpu_matmul(as, bs, s.dtype, s.rows, s.cols);
}
Block spmm_version(const BlockShape& s, const std::vector<SparseBlock>& as, const std::vector<Block>& xs) {
  return gpu_sparse_times_dense(as, xs, s.dtype, s.rows, s.cols);
}
// What cuBLAS and cuSPARSE multiply.
bool floating(const BlockShape& s) { return s.dtype == DType::f64 || s.dtype == DType::f32; }

Block transpose_version(const NoRequest&, const Block& b) { return gpu_transpose(b); }
// The module sorts the first four element types (one Thrust sort each, the
// longest part of its build); a bucket of narrow or unsigned integers is
// sorted by this thread on the host, with the CPU version's kernel.
bool module_sorts(DType dtype) {
  return dtype == DType::f64 || dtype == DType::f32 || dtype == DType::i64 || dtype == DType::b8;
}
Block sort_bucket_version(const BucketRequest& r, const std::vector<std::vector<Block>>& parts, const Block&) {
  Block bucket = sorting::gathered(parts, r.bucket);
  if (module_sorts(bucket.dtype)) return gpu_sorted(bucket, r.descending);
  sorting::sort_in_order(bucket, r.descending);
  return bucket;
}

template <class Acc>
void add_folds() {
  add_version<ops::FoldAll<Acc>>(ProcKind::cuda(), &fold_version<Acc>, &folds_a_program);
  add_version<ops::FoldLines<Acc>>(ProcKind::cuda(), &fold_lines_version<Acc>, &folds_a_program);
}

}  // namespace

void register_cuda_block_operations() {
  static std::once_flag once;
  std::call_once(once, [] {
    add_version<ops::Elementwise>(ProcKind::cuda(), &elementwise_version, &has_program);
    add_folds<double>();
    add_folds<float>();
    add_folds<std::int64_t>();
    add_folds<bool>();
    add_version<ops::Matmul>(ProcKind::cuda(), &matmul_version, &floating);
    add_version<ops::SparseTimesDense>(ProcKind::cuda(), &spmm_version, &floating);
    add_version<ops::Transpose>(ProcKind::cuda(), &transpose_version);
    add_version<ops::SortBucket>(ProcKind::cuda(), &sort_bucket_version);
    // Combining two partial results is host work the thread driving a GPU
    // may do between kernels, rather than wait for a CPU thread.
    runs_host_functions(ProcKind::cuda());
  });
}

}  // namespace dagger::detail
