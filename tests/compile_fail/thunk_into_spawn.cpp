// A lazy Thunk passed to spawn must be one readable static_assert.
#include <dagger/dagger.hpp>

int add1(int v) { return v + 1; }

int main() {
  auto lazy = dagger::delayed(add1)(1);
  auto task = dagger::spawn(add1, lazy);
  return task.fetch();
}
