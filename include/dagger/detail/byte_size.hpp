// How many bytes a value holds, counting the heap storage of contiguous
// containers. Events and memory accounting use it. A type can say its own
// size by declaring `std::size_t dagger_byte_size(const T&)` found by ADL.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

namespace dagger::detail {

template <class T, class = void>
struct has_adl_byte_size : std::false_type {};
template <class T>
struct has_adl_byte_size<T, std::void_t<decltype(dagger_byte_size(std::declval<const T&>()))>>
    : std::true_type {};

template <class T>
std::size_t byte_size(const T& value);

template <class T>
struct is_std_vector : std::false_type {};
template <class T, class A>
struct is_std_vector<std::vector<T, A>> : std::true_type {};

template <class T, class A>
std::size_t byte_size_of_elements(const std::vector<T, A>& v) {
  if constexpr (std::is_trivially_copyable_v<T>) {
    return v.capacity() * sizeof(T);
  } else {
    std::size_t total = (v.capacity() - v.size()) * sizeof(T);
    for (const T& e : v) total += byte_size(e);
    return total;
  }
}

template <class T>
std::size_t byte_size(const T& value) {
  if constexpr (has_adl_byte_size<T>::value) {
    return dagger_byte_size(value);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return sizeof(T) + (value.capacity() > 15 ? value.capacity() : 0);
  } else if constexpr (is_std_vector<T>::value) {
    return sizeof(T) + byte_size_of_elements(value);
  } else {
    return sizeof(T);
  }
}

}  // namespace dagger::detail
