// numcodecs' Delta filter: a chunk's elements as differences from the one
// before. Integers are differenced and summed in their unsigned form, which
// wraps around exactly as numpy's fixed-width integers do (and is defined
// in C++); floating types in their own precision, one element after the
// other, as numpy.diff and numpy.cumsum compute them.
#include <cstring>
#include <type_traits>

#include "io/zarr/zarr_codec.hpp"

namespace dagger::storage {
namespace {

// The type the differences are computed in: unsigned for integers.
template <class T>
struct ArithmeticOf {
  using type = T;
};
template <class T>
  requires std::is_integral_v<T>
struct ArithmeticOf<T> {
  using type = std::make_unsigned_t<T>;
};
template <class T>
using Arithmetic = typename ArithmeticOf<T>::type;

template <class T>
void encode(std::span<std::byte> raw) {
  using A = Arithmetic<T>;
  const std::size_t n = raw.size() / sizeof(T);
  A previous{};
  for (std::size_t k = 0; k < n; ++k) {
    A value;
    std::memcpy(&value, raw.data() + k * sizeof(T), sizeof(T));
    const A difference = k == 0 ? value : static_cast<A>(value - previous);
    std::memcpy(raw.data() + k * sizeof(T), &difference, sizeof(T));
    previous = value;
  }
}

template <class T>
void decode(std::span<std::byte> raw) {
  using A = Arithmetic<T>;
  const std::size_t n = raw.size() / sizeof(T);
  A sum{};
  for (std::size_t k = 0; k < n; ++k) {
    A difference;
    std::memcpy(&difference, raw.data() + k * sizeof(T), sizeof(T));
    sum = k == 0 ? difference : static_cast<A>(sum + difference);
    std::memcpy(raw.data() + k * sizeof(T), &sum, sizeof(T));
  }
}

}  // namespace

void delta_encode(std::span<std::byte> raw, DType dtype) {
  visit_dtype(dtype, [&]<class T>() {
    if constexpr (!std::is_same_v<T, bool>) encode<T>(raw);
  });
}

void delta_decode(std::span<std::byte> raw, DType dtype) {
  visit_dtype(dtype, [&]<class T>() {
    if constexpr (!std::is_same_v<T, bool>) decode<T>(raw);
  });
}

}  // namespace dagger::storage
