// Must not compile: an in-place update of an int32 array from a double one
// would lose values. The compiler must print dagger's message (checked by
// ctest).
#include <dagger/array.hpp>

int main() {
  auto counts = dagger::zeros<std::int32_t>(dagger::Blocks(10), 100);
  dagger::assign(counts, dagger::rand(dagger::Blocks(10), 100));
  return 0;
}
