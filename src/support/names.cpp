// Readable names for types and functions in messages.
#include <cxxabi.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <typeinfo>

#include "dagger/detail/binder.hpp"
#include "dagger/detail/value.hpp"

namespace dagger::detail {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> text(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                              std::free);
  return status == 0 && text ? std::string(text.get()) : std::string(mangled);
}

std::string function_name(const void* function_address, const std::type_info& type) {
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

}  // namespace dagger::detail
