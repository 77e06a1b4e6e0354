#include "backends/cuda/cuda_proc.hpp"

#include <mutex>

#include "dagger/array/block.hpp"
#include "dagger/array/sparse.hpp"
#include "dagger/config.hpp"
#include "dagger/errors.hpp"
#include "backends/cuda/cuda_devices.hpp"
#include "backends/cuda/cuda_kernels.hpp"

namespace dagger {
namespace detail {
namespace {

thread_local CudaProc* driven = nullptr;

std::string device_label(const CudaDevice& d) {
  return "CudaProc " + std::to_string(d.ordinal) + " (" + d.name + ")";
}

class ModuleAllocator final : public DeviceAllocator {
 public:
  ModuleAllocator(const dagger_cuda_module& module, int ordinal, std::string name)
      : module_(module), ordinal_(ordinal), name_(std::move(name)) {}

  void* allocate(std::size_t bytes) override {
    void* pointer = nullptr;
    dagger_cuda_error error{};
    const int code = module_.allocate(ordinal_, bytes, &pointer, &error);
    if (code == DAGGER_CUDA_OUT_OF_MEMORY) return nullptr;
    check_cuda(code, name_, error);
    return pointer;
  }
  void release(void* pointer) noexcept override {
    dagger_cuda_error error{};
    module_.release(ordinal_, pointer, &error);  // nothing to do about a failed free
  }
  void to_device(void* dst, const void* src, std::size_t bytes) override {
    dagger_cuda_error error{};
    check_cuda(module_.to_device(ordinal_, dst, src, bytes, &error), name_, error);
  }
  void to_host(void* dst, const void* src, std::size_t bytes) override {
    dagger_cuda_error error{};
    check_cuda(module_.to_host(ordinal_, dst, src, bytes, &error), name_, error);
  }
  std::string name() const override { return name_; }
  const dagger_cuda_module& module() const noexcept { return module_; }
  int ordinal() const noexcept { return ordinal_; }

 private:
  const dagger_cuda_module& module_;
  int ordinal_;
  std::string name_;
};

// ---- moves of blocks between host memory and devices. Other values (the
// scalars and small structs thunks pass around) are host data wherever
// their chunk lives, and are copied.

const CudaMemorySpace& as_cuda(const MemorySpace& space) { return static_cast<const CudaMemorySpace&>(space); }

// A block shaped like `like` whose elements are in `buffer`.
Value on_device(const Block& like, std::shared_ptr<DeviceBuffer> buffer) {
  Block b;
  b.dtype = like.dtype;
  b.rows = like.rows;
  b.cols = like.cols;
  b.device = std::move(buffer);
  return Value::make<Block>(std::move(b));
}

Value copied(const Value& value, const MemorySpace& from, const MemorySpace& to) {
  if (!value.copyable()) {
    throw Error("cannot move a value of this type from " + from.name() + " to " + to.name());
  }
  return value.copy();
}

// A sparse block's three arrays, one after the other in one device buffer.
Value sparse_to_device(const SparseBlock& host, const MemorySpace& to) {
  DeviceMemory& pool = as_cuda(to).pool();
  const SparseDeviceLayout layout = device_layout(host);
  DevicePin pin = pool.allocate(layout.bytes);
  auto* base = static_cast<std::byte*>(pin.data());
  DeviceAllocator& copy = pool.allocator();
  copy.to_device(base + layout.col_start, host.col_start->data(), layout.row_index - layout.col_start);
  if (host.nonzeros() > 0) {
    copy.to_device(base + layout.row_index, host.row_index->data(), layout.values - layout.row_index);
    copy.to_device(base + layout.values, host.values->data(), layout.bytes - layout.values);
  }
  SparseBlock device;
  device.dtype = host.dtype;
  device.rows = host.rows;
  device.cols = host.cols;
  device.device = pin.buffer();
  device.device_nonzeros = host.nonzeros();
  return Value::make<SparseBlock>(std::move(device));
}

Value sparse_to_host(const SparseBlock& device, const MemorySpace& from) {
  const SparseDeviceLayout layout = device_layout(device);
  SparseBlock host;
  host.dtype = device.dtype;
  host.rows = device.rows;
  host.cols = device.cols;
  host.col_start = std::make_shared<std::vector<std::int64_t>>(static_cast<std::size_t>(device.cols + 1));
  host.row_index = std::make_shared<std::vector<std::int64_t>>(static_cast<std::size_t>(device.nonzeros()));
  host.values = std::make_shared<std::vector<std::byte>>(layout.bytes - layout.values);
  DevicePin pin(device.device);
  const auto* base = static_cast<const std::byte*>(pin.data());
  DeviceAllocator& copy = as_cuda(from).pool().allocator();
  copy.to_host(host.col_start->data(), base + layout.col_start, layout.row_index - layout.col_start);
  if (device.nonzeros() > 0) {
    copy.to_host(host.row_index->data(), base + layout.row_index, layout.values - layout.row_index);
    copy.to_host(host.values->data(), base + layout.values, layout.bytes - layout.values);
  }
  return Value::make<SparseBlock>(std::move(host));
}

Value host_to_device(const Value& value, const MemorySpace& from, const MemorySpace& to) {
  if (value.type() == typeid(SparseBlock)) return sparse_to_device(value.get<SparseBlock>(), to);
  if (value.type() != typeid(Block)) return copied(value, from, to);
  const Block& host = value.get<Block>();
  DeviceMemory& pool = as_cuda(to).pool();
  DevicePin pin = pool.allocate(host.bytes());
  if (host.bytes() > 0) pool.allocator().to_device(pin.data(), host.buffer.get(), host.bytes());
  return on_device(host, pin.buffer());
}

Value device_to_host(const Value& value, const MemorySpace& from, const MemorySpace& to) {
  if (value.type() == typeid(SparseBlock)) return sparse_to_host(value.get<SparseBlock>(), from);
  if (value.type() != typeid(Block)) return copied(value, from, to);
  const Block& device = value.get<Block>();
  Block host = Block::make(device.dtype, device.rows, device.cols);
  DevicePin pin(device.device);
  if (host.bytes() > 0) as_cuda(from).pool().allocator().to_host(host.buffer.get(), pin.data(), host.bytes());
  return Value::make<Block>(std::move(host));
}

Value device_to_device(const Value& value, const MemorySpace& from, const MemorySpace& to) {
  if (value.type() == typeid(SparseBlock)) {
    return host_to_device(device_to_host(value, from, host_memory()), host_memory(), to);
  }
  if (value.type() != typeid(Block)) return copied(value, from, to);
  const auto* source = dynamic_cast<const ModuleAllocator*>(&as_cuda(from).pool().allocator());
  const auto* target = dynamic_cast<const ModuleAllocator*>(&as_cuda(to).pool().allocator());
  if (source == nullptr || target == nullptr) {
    // Not both devices of the CUDA module: through host memory.
    const Value host = device_to_host(value, from, host_memory());
    return host_to_device(host, host_memory(), to);
  }
  // A peer copy (or, where the devices cannot reach each other, one the
  // driver stages itself).
  const Block& block = value.get<Block>();
  DevicePin in(block.device);
  DevicePin out = as_cuda(to).pool().allocate(block.bytes());
  dagger_cuda_error error{};
  check_cuda(target->module().peer_copy(target->ordinal(), out.data(), source->ordinal(), in.data(), block.bytes(),
                                        &error),
             target->name(), error);
  return on_device(block, out.buffer());
}

void register_cuda_moves() {
  static std::once_flag once;
  std::call_once(once, [] {
    const ProcKind host = host_memory().kind();
    register_move(host, ProcKind::cuda(), host_to_device);
    register_move(ProcKind::cuda(), host, device_to_host);
    register_move(ProcKind::cuda(), ProcKind::cuda(), device_to_device);
  });
}

}  // namespace

std::size_t device_memory_limit_for(std::size_t configured, std::size_t memory_bytes) {
  return configured != 0 ? configured : memory_bytes / 10 * 9;
}

std::vector<std::unique_ptr<Processor>> make_cuda_processors(OSProc& owner) {
  std::vector<std::unique_ptr<Processor>> out;
  const dagger_cuda_module* module = cuda_module();
  if (module == nullptr) return out;
  for (const CudaDevice& d : cuda_status().devices) {
    out.push_back(std::make_unique<CudaProc>(owner, d, module_allocator(*module, d.ordinal, device_label(d))));
  }
  return out;
}

std::unique_ptr<DeviceAllocator> module_allocator(const dagger_cuda_module& module, int ordinal, std::string name) {
  return std::make_unique<ModuleAllocator>(module, ordinal, std::move(name));
}

CudaProc* current_cuda_proc() { return driven; }

void apply_device_memory_limit(std::size_t limit) {
  for (CudaProc* p : cuda_processors()) {
    auto& space = static_cast<CudaMemorySpace&>(p->memory());
    space.pool().set_limit(device_memory_limit_for(limit, p->device().memory_bytes));
  }
}

void throw_cuda_error(const std::string& device, const dagger_cuda_error& error) {
  const std::string text = error.text;
  const std::size_t colon = text.find(':');
  throw CudaError(device, colon == std::string::npos ? text : text.substr(0, colon), text);
}

}  // namespace detail

CudaMemorySpace::CudaMemorySpace(const CudaDevice& device, std::unique_ptr<detail::DeviceAllocator> allocator)
    : MemorySpace("cuda:" + std::to_string(device.ordinal), ProcKind::cuda()),
      device_(device),
      pool_(std::make_unique<detail::DeviceMemory>(
          std::move(allocator), detail::device_memory_limit_for(config().device_memory_limit, device.memory_bytes))) {
  detail::register_cuda_moves();
}

CudaMemorySpace::~CudaMemorySpace() = default;

double CudaMemorySpace::bandwidth_to(const MemorySpace& to) const {
  if (&to == this) return device_.memory_bandwidth > 0 ? device_.memory_bandwidth : 1e12;
  // A PCIe 4.0 x16 link moves about 25 GB/s each way in practice.
  return 25e9;
}

CudaProc::CudaProc(OSProc& owner, const CudaDevice& device, std::unique_ptr<detail::DeviceAllocator> allocator)
    : owner_(&owner), memory_(std::make_unique<CudaMemorySpace>(device, std::move(allocator))) {
  detail::register_cuda_block_operations();
}

std::string CudaProc::name() const {
  return "CudaProc(" + std::to_string(owner_->pid()) + ", " + std::to_string(device().ordinal) + ": " +
         device().name + ")";
}

void CudaProc::on_driver_start() { detail::driven = this; }

DeviceMemoryStats CudaProc::memory_stats() const { return memory_->pool().stats(); }

std::vector<CudaProc*> cuda_processors() {
  std::vector<CudaProc*> out;
  for (Processor* p : all_processors()) {
    if (auto* c = dynamic_cast<CudaProc*>(p)) out.push_back(c);
  }
  return out;
}

}  // namespace dagger
