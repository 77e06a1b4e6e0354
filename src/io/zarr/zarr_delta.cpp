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

// Replaces each element of `raw`, in order, by step(element), both in the
// arithmetic type.
template <class T, class Step>
void rewrite(std::span<std::byte> raw, Step step) {
  for (std::size_t at = 0; at + sizeof(T) <= raw.size(); at += sizeof(T)) {
    Arithmetic<T> value;
    std::memcpy(&value, raw.data() + at, sizeof(T));
    value = step(value);
    std::memcpy(raw.data() + at, &value, sizeof(T));
  }
}

template <class T>
void encode(std::span<std::byte> raw) {
  using A = Arithmetic<T>;
  A previous{};  // the first element minus zero: itself, -0.0 included
  rewrite<T>(raw, [&](A value) {
    const A difference = static_cast<A>(value - previous);
    previous = value;
    return difference;
  });
}

template <class T>
void decode(std::span<std::byte> raw) {
  using A = Arithmetic<T>;
  A sum{};
  bool first = true;  // kept as it is, as numpy.cumsum does (0.0 + -0.0 would be +0.0)
  rewrite<T>(raw, [&](A difference) {
    sum = first ? difference : static_cast<A>(sum + difference);
    first = false;
    return sum;
  });
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
