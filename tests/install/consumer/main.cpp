#include <dagger/dagger.hpp>

#include <cstdio>

int main() {
  auto p = dagger::delayed([](int v) { return v + 1; })(4);
  auto q = dagger::delayed([](int a, int b) { return a * b; })(p, p);
  int v = dagger::collect(q);
  std::printf("consumer computed %d\n", v);
  return v == 25 ? 0 : 1;
}
