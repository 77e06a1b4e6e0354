#include "backends/cuda/cuda_devices.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace dagger {
namespace detail {
namespace {

constexpr const char* kModuleFile = "libdagger_cuda.so";

// Where this build and its installation put the module (set by CMake when
// the module is built; empty otherwise).
#ifdef DAGGER_CUDA_MODULE_DIRS
constexpr bool kBuilt = true;
constexpr const char* kModuleDirs = DAGGER_CUDA_MODULE_DIRS;
#else
constexpr bool kBuilt = false;
constexpr const char* kModuleDirs = "";
#endif

std::vector<std::string> candidate_paths() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("DAGGER_CUDA_MODULE"); env && *env) {
    out.emplace_back(env);
    return out;  // asked for this one: do not silently take another
  }
  std::string dirs = kModuleDirs;
  for (std::size_t start = 0; start < dirs.size();) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    if (end > start) out.push_back(dirs.substr(start, end - start) + "/" + kModuleFile);
    start = end + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p;
  return out;
}

struct Probe {
  CudaStatus status;
  const dagger_cuda_module* module = nullptr;  // once loaded
};

Probe probe() {
  Probe result;
  CudaStatus& s = result.status;
  s.built = kBuilt;
  const std::vector<std::string> candidates = candidate_paths();
  for (const auto& path : candidates) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
      s.module = path;
      break;
    }
  }
  if (s.module.empty()) {
    s.reason = candidates.empty() ? "this build has no CUDA module (built with DAGGER_CUDA=OFF or without nvcc)"
                                  : "the CUDA module was not found (looked for " + joined(candidates) + ")";
    return result;
  }
  // Never unloaded: the CUDA runtime inside keeps threads and handlers.
  void* handle = ::dlopen(s.module.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    s.reason = "cannot load the CUDA module " + s.module + ": " + ::dlerror();
    return result;
  }
  auto entry = reinterpret_cast<dagger_cuda_module_entry>(::dlsym(handle, DAGGER_CUDA_MODULE_ENTRY));
  const dagger_cuda_module* module = entry ? entry() : nullptr;
  if (!module || module->abi_version != DAGGER_CUDA_MODULE_ABI_VERSION) {
    s.reason = "the CUDA module " + s.module + " was built for another version of dagger";
    return result;
  }
  s.loaded = true;
  result.module = module;
  s.runtime_version = module->runtime_version;
  dagger_cuda_error message{};
  int count = 0;
  if (module->device_count(&count, &message) != 0 || count == 0) {
    s.reason = message.text;
    return result;
  }
  for (int d = 0; d < count; ++d) {
    dagger_cuda_device_info info;
    if (module->describe(d, &info, &message) != 0) {
      s.reason = "device " + std::to_string(d) + ": " + message.text;
      s.devices.clear();
      return result;
    }
    s.devices.push_back(device_from_info(info));
  }
  return result;
}

const Probe& probed() {
  static const Probe result = probe();
  return result;
}

}  // namespace

CudaDevice device_from_info(const dagger_cuda_device_info& info) {
  CudaDevice d;
  d.ordinal = info.ordinal;
  d.name = info.name;
  d.memory_bytes = info.memory_bytes;
  d.compute_major = info.compute_major;
  d.compute_minor = info.compute_minor;
  d.multiprocessors = info.multiprocessors;
  // Double data rate: two transfers per clock, bus width in bits.
  d.memory_bandwidth = 2.0 * info.memory_clock_khz * 1e3 * info.memory_bus_bits / 8.0;
  return d;
}

const dagger_cuda_module* cuda_module() { return probed().module; }

}  // namespace detail

const CudaStatus& cuda_status() { return detail::probed().status; }

}  // namespace dagger
