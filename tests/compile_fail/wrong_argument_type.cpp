// Must not compile: add1 takes an int, the thunk gives a std::string. The
// compiler must print dagger's message (checked by ctest).
#include <dagger/dagger.hpp>
#include <string>

int add1(int v) { return v + 1; }

int main() {
  auto text = dagger::delayed([] { return std::string("x"); })();
  auto bad = dagger::delayed(add1)(text);
  dagger::compute(bad);
  return 0;
}
