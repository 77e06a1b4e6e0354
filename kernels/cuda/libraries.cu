#include <dlfcn.h>

#include <cstdio>
#include <mutex>

#include "device_state.cuh"
#include "libraries.cuh"

#define DAGGER_TEXT(x) #x
#define DAGGER_NAME(x) DAGGER_TEXT(x)

namespace dagger::cuda {
namespace {

Libraries table;
int status = 0;
dagger_cuda_error problem{};

// By soname: found through the module's run path (the toolkit's library
// directory it was built against) or the system's.
int open(const char* file, void** handle, dagger_cuda_error* error) {
  *handle = ::dlopen(file, RTLD_NOW | RTLD_LOCAL);
  if (*handle == nullptr) return fail_with(error, "dlopen", ::dlerror());
  return 0;
}

template <class T>
int find(void* handle, const char* name, T& out, dagger_cuda_error* error) {
  out = reinterpret_cast<T>(::dlsym(handle, name));
  if (out == nullptr) return fail_with(error, "dlsym", name);
  return 0;
}

int load(dagger_cuda_error* error) {
  void* library = nullptr;
#define DAGGER_FIND(name) \
  if (int code = find(library, DAGGER_NAME(name), table.name, error)) return code;
  if (int code = open("libcublas.so." DAGGER_NAME(CUBLAS_VER_MAJOR), &library, error)) return code;
  DAGGER_CUBLAS_ENTRIES(DAGGER_FIND)
  if (int code = open("libcusparse.so." DAGGER_NAME(CUSPARSE_VER_MAJOR), &library, error)) return code;
  DAGGER_CUSPARSE_ENTRIES(DAGGER_FIND)
#undef DAGGER_FIND
  return 0;
}

}  // namespace

int libraries(const Libraries** out, dagger_cuda_error* error) {
  static std::once_flag once;
  std::call_once(once, [] { status = load(&problem); });
  if (status != 0) {
    if (error) *error = problem;
    return status;
  }
  *out = &table;
  return 0;
}

int load_libraries(dagger_cuda_error* error) {
  const Libraries* unused = nullptr;
  return libraries(&unused, error);
}

}  // namespace dagger::cuda
