// Readable names for types and functions in messages.
#include <cxxabi.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <utility>

#include "dagger/detail/binder.hpp"
#include "dagger/detail/value.hpp"

namespace dagger::detail {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> text(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                              std::free);
  return status == 0 && text ? std::string(text.get()) : std::string(mangled);
}

namespace {

std::string find_function_name(const void* function_address, const std::type_info& type) {
  if (function_address != nullptr) {
    Dl_info info{};
    if (dladdr(function_address, &info) != 0 && info.dli_sname != nullptr &&
        info.dli_saddr == function_address) {
      return demangle(info.dli_sname);
    }
    char address[32];
    std::snprintf(address, sizeof address, " at %p", function_address);
    return demangle(type.name()) + address;
  }
  return demangle(type.name());
}

}  // namespace

// Names go into every call sent to a worker: dladdr and demangling are
// asked once per function.
std::string function_name(const void* function_address, const std::type_info& type) {
  static std::mutex mutex;
  static std::map<std::pair<const void*, std::type_index>, std::string> names;
  const auto key = std::make_pair(function_address, std::type_index(type));
  {
    std::lock_guard lock(mutex);
    if (auto it = names.find(key); it != names.end()) return it->second;
  }
  std::string name = find_function_name(function_address, type);
  std::lock_guard lock(mutex);
  return names.emplace(key, std::move(name)).first->second;
}

}  // namespace dagger::detail
