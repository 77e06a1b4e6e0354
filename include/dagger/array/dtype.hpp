// Element types of arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "dagger/kernels/element_types.hpp"

namespace dagger {

#define DAGGER_ENUMERATOR(e, ...) e,
enum class DType : std::uint8_t { DAGGER_ELEMENT_TYPES(DAGGER_ENUMERATOR) };
#undef DAGGER_ENUMERATOR

inline constexpr int kElementTypeCount = DAGGER_ELEMENT_TYPE_COUNT;

std::size_t element_size(DType dtype);
std::string to_string(DType dtype);  // "double", "float", "int64", "uint8", "bool", ...

template <class T>
constexpr bool is_element_type_v = false;
#define DAGGER_ELEMENT_TYPE(e, T, ...) \
  template <>                          \
  inline constexpr bool is_element_type_v<T> = true;
DAGGER_ELEMENT_TYPES(DAGGER_ELEMENT_TYPE)
#undef DAGGER_ELEMENT_TYPE

template <class T>
constexpr bool is_integer_element_v = is_element_type_v<T> && std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <class T>
constexpr DType dtype_of() {
  static_assert(is_element_type_v<T>,
                "dagger arrays hold double, float, bool, or a signed or unsigned integer of 8, 16, 32 or 64 bits");
#define DAGGER_CASE(e, E, ...) \
  if constexpr (std::is_same_v<T, E>) return DType::e;
  DAGGER_ELEMENT_TYPES(DAGGER_CASE)
#undef DAGGER_CASE
}

// f.template operator()<T>() for the element type T of `dtype`: one switch
// for the code that handles blocks of any type.
template <class F>
decltype(auto) visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
#define DAGGER_CASE(e, E, ...) \
  case DType::e: return f.template operator()<E>();
    DAGGER_ELEMENT_TYPES(DAGGER_CASE)
#undef DAGGER_CASE
  }
  return f.template operator()<double>();  // not reached: every DType has a case
}

}  // namespace dagger
