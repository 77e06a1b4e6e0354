// Element types of arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

namespace dagger {

enum class DType : std::uint8_t { f64, f32, i64, b8 };

std::size_t element_size(DType dtype);
std::string to_string(DType dtype);  // "double", "float", "int64", "bool"

template <class T>
constexpr bool is_element_type_v = std::is_same_v<T, double> || std::is_same_v<T, float> ||
                                   std::is_same_v<T, std::int64_t> || std::is_same_v<T, bool>;

template <class T>
constexpr DType dtype_of() {
  static_assert(is_element_type_v<T>,
                "dagger arrays hold double, float, std::int64_t or bool elements");
  if constexpr (std::is_same_v<T, double>) {
    return DType::f64;
  } else if constexpr (std::is_same_v<T, float>) {
    return DType::f32;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return DType::i64;
  } else {
    return DType::b8;
  }
}

}  // namespace dagger
