// A value that travels through cereal, in a file that does not include
// dagger/cereal.hpp, must be one readable static_assert.
#include <dagger/dagger.hpp>

#include <string>

struct Named {
  std::string name;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(name);
  }
};

std::size_t length(Named n) { return n.name.size(); }

int main() { return static_cast<int>(dagger::collect(dagger::delayed(length)(Named{"abc"}))); }
