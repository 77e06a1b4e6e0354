// The wire form of values, closures and calls sent to other processes of the
// same executable. Every process runs the same binary, so a type is named by
// a hash of its mangled name and laid out identically everywhere.
//
// What can be sent (wire_capable<T>):
// - arithmetic types, enums, std::string, and std::vector, std::array,
//   std::pair, std::tuple, std::optional, std::map, std::unordered_map of
//   such types;
// - types with cereal serialization (a public `serialize` or `save`/`load`
//   member, or such a free function), in files that include
//   dagger/cereal.hpp, which is what brings cereal in;
// - types that opt in with dagger_wire_save/dagger_wire_load (found by ADL),
//   which may send large payloads without copying them (array blocks);
// - other trivially copyable types, as their bytes: plain structs and
//   lambdas whose captures are values. A raw pointer inside one would point
//   into another process: capture values, not pointers or references;
// - function pointers, by their offset in the executable or library that
//   holds them, checked on arrival to be the start of an exported function.
// Anything else (std::function, shared_ptr, lambdas capturing them) cannot
// leave its process: thunks that need one run only in the driver.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dagger/errors.hpp"

namespace dagger::detail {

// Stands in for a cereal archive when looking for a type's serialization
// functions, so that finding them needs no cereal header: only the files
// that send such a type pay for cereal (through dagger/cereal.hpp).
struct CerealProbeArchive {
  template <class... Values>
  void operator()(Values&&...) {}
};

// The forms cereal accepts (member or free, with or without a version).
template <class T, class A = CerealProbeArchive>
concept cereal_serialize = requires(T& v, A& a) { v.serialize(a); } ||
                           requires(T& v, A& a, std::uint32_t version) { v.serialize(a, version); } ||
                           requires(T& v, A& a) { serialize(a, v); } ||
                           requires(T& v, A& a, std::uint32_t version) { serialize(a, v, version); };
template <class T, class A = CerealProbeArchive>
concept cereal_save_load =
    requires(const T& cv, T& v, A& a) { cv.save(a); v.load(a); } ||
    requires(const T& cv, T& v, A& a, std::uint32_t version) { cv.save(a, version); v.load(a, version); } ||
    requires(const T& cv, T& v, A& a) { save(a, cv); load(a, v); } ||
    requires(const T& cv, T& v, A& a, std::uint32_t version) { save(a, cv, version); load(a, v, version); } ||
    requires(const T& cv, A& a) { cv.save_minimal(a); } || requires(const T& cv, A& a) { save_minimal(a, cv); };

template <class T>
constexpr bool has_cereal_functions = cereal_serialize<T> || cereal_save_load<T>;

}  // namespace dagger::detail

namespace dagger {
// Whether values of T travel through cereal. Found on its own for public
// serialization functions; a type whose functions are private (reached
// through `friend class cereal::access`) says so by specializing this.
template <class T>
struct uses_cereal : std::bool_constant<detail::has_cereal_functions<T>> {};
}  // namespace dagger

namespace dagger::detail {

// 64-bit FNV-1a of a name: the identity of a type or invoker on the wire.
constexpr std::uint64_t wire_hash(std::string_view name) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// Builds a message body: small fields copied into owned storage, large
// payloads referenced where they lie (sent by UCX straight from there).
class WireWriter {
 public:
  void bytes(const void* data, std::size_t n) {
    if (n == 0) return;
    std::vector<std::byte>& v = current();
    const std::size_t at = v.size();
    v.resize(at + n);
    std::memcpy(v.data() + at, data, n);
  }
  template <class T>
  void pod(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes(&v, sizeof(T));
  }
  void u64(std::uint64_t v) { pod(v); }
  void string(std::string_view s) {
    u64(s.size());
    bytes(s.data(), s.size());
  }
  // A payload sent from where it lies; the caller keeps it alive until sent.
  // Its size is written first, so the reader can take it as one span.
  void borrowed(std::span<const std::byte> payload) {
    u64(payload.size());
    if (payload.size() < kBorrowThreshold) {
      bytes(payload.data(), payload.size());
      return;
    }
    segments_.push_back({{}, payload});
    segments_.push_back({});
  }

  std::size_t size() const {
    std::size_t n = 0;
    for (const Segment& s : segments_) n += s.borrowed.empty() ? s.owned.size() : s.borrowed.size();
    return n;
  }
  // The body as a list of byte ranges, in order.
  std::vector<std::span<const std::byte>> parts() const {
    std::vector<std::span<const std::byte>> out;
    for (const Segment& s : segments_) {
      if (!s.borrowed.empty()) {
        out.push_back(s.borrowed);
      } else if (!s.owned.empty()) {
        out.emplace_back(s.owned.data(), s.owned.size());
      }
    }
    return out;
  }
  // The body in one string (for tests, and for small messages).
  std::string flat() const {
    std::string out;
    for (auto p : parts()) out.append(reinterpret_cast<const char*>(p.data()), p.size());
    return out;
  }

 private:
  static constexpr std::size_t kBorrowThreshold = 64 * 1024;
  struct Segment {
    std::vector<std::byte> owned;
    std::span<const std::byte> borrowed;
  };
  std::vector<std::byte>& current() {
    if (segments_.empty() || !segments_.back().borrowed.empty()) segments_.push_back({});
    return segments_.back().owned;
  }
  std::vector<Segment> segments_;
};

// A malformed message: truncated, oversized, naming an unknown type or
// function. The connection that sent it is dropped.
class ProtocolError : public Error {
 public:
  using Error::Error;
};

// Reads a message body; every read is bounds-checked.
class WireReader {
 public:
  WireReader(const std::byte* data, std::size_t size) : data_(data), size_(size) {}
  explicit WireReader(std::span<const std::byte> s) : WireReader(s.data(), s.size()) {}

  std::span<const std::byte> take(std::size_t n) {
    if (n > size_ - at_) throw ProtocolError("message truncated: wanted " + std::to_string(n) +
                                             " more bytes, " + std::to_string(size_ - at_) + " left");
    std::span<const std::byte> out(data_ + at_, n);
    at_ += n;
    return out;
  }
  template <class T>
  T pod() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    std::memcpy(&v, take(sizeof(T)).data(), sizeof(T));
    return v;
  }
  std::uint64_t u64() { return pod<std::uint64_t>(); }
  // A count of items each at least `min_item_bytes` long: never more than
  // the bytes left could hold, so a forged count cannot allocate much.
  std::size_t count(std::size_t min_item_bytes) {
    const std::uint64_t n = u64();
    if (min_item_bytes > 0 && n > remaining() / min_item_bytes) {
      throw ProtocolError("message truncated: a count of " + std::to_string(n) + " exceeds what is left");
    }
    return static_cast<std::size_t>(n);
  }
  std::string string() {
    auto s = take(count(1));
    return std::string(reinterpret_cast<const char*>(s.data()), s.size());
  }
  std::span<const std::byte> borrowed() { return take(count(1)); }
  std::size_t remaining() const { return size_ - at_; }
  void expect_end() const {
    if (at_ != size_) throw ProtocolError(std::to_string(size_ - at_) + " unexpected bytes after the message");
  }

 private:
  const std::byte* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

// ---------------------------------------------------------------- traits

template <class T>
struct WireHook {
  template <class U>
  static auto test(int) -> decltype(dagger_wire_save(std::declval<const U&>(), std::declval<WireWriter&>()),
                                    dagger_wire_load(std::declval<U&>(), std::declval<WireReader&>()), std::true_type{});
  template <class>
  static std::false_type test(...);
  static constexpr bool value = decltype(test<T>(0))::value;
};

// Sends T through cereal; defined by dagger/cereal.hpp.
template <class T>
struct CerealWire;

template <class T>
constexpr bool cereal_capable = std::is_class_v<T> && std::is_default_constructible_v<T> && dagger::uses_cereal<T>::value;

template <class>
constexpr bool cereal_header_missing = false;

// Whether an object's bytes make a valid copy of it. Not
// std::is_trivially_copyable: for a lambda with captures, GCC's answer
// changes once its (deleted) copy assignment has been declared somewhere.
template <class T>
constexpr bool bitwise_copyable = std::is_trivially_copy_constructible_v<T> && std::is_trivially_destructible_v<T>;

template <class T>
constexpr bool is_function_pointer = std::is_pointer_v<T> && std::is_function_v<std::remove_pointer_t<T>>;

template <class T>
struct WireContainer : std::false_type {};

template <class T>
constexpr bool wire_capable_v_of();
template <class T>
inline constexpr bool wire_capable = wire_capable_v_of<std::remove_cv_t<T>>();

template <class T>
constexpr bool wire_capable_v = [] {
  static_assert(!std::is_const_v<T>);
  if constexpr (std::is_reference_v<T>) {
    return false;
  } else if constexpr (is_function_pointer<T>) {
    return true;
  } else if constexpr (std::is_pointer_v<T> || std::is_member_pointer_v<T>) {
    return false;
  } else if constexpr (WireHook<T>::value) {
    return std::is_default_constructible_v<T>;  // built empty, then loaded
  } else if constexpr (WireContainer<T>::value || cereal_capable<T>) {
    return true;
  } else {
    return bitwise_copyable<T>;
  }
}();

template <class T>
constexpr bool wire_capable_v_of() {
  return wire_capable_v<T>;
}

template <>
struct WireContainer<std::string> : std::true_type {};
template <class T, class A>
struct WireContainer<std::vector<T, A>> : std::bool_constant<wire_capable<T>> {};
template <class T, std::size_t N>
struct WireContainer<std::array<T, N>> : std::bool_constant<wire_capable<T> && !bitwise_copyable<T>> {};
template <class A, class B>
struct WireContainer<std::pair<A, B>> : std::bool_constant<wire_capable<A> && wire_capable<B>> {};
template <class... T>
struct WireContainer<std::tuple<T...>> : std::bool_constant<(wire_capable<T> && ...)> {};
template <class T>
struct WireContainer<std::optional<T>> : std::bool_constant<wire_capable<T>> {};
template <class K, class V, class C, class A>
struct WireContainer<std::map<K, V, C, A>> : std::bool_constant<wire_capable<K> && wire_capable<V>> {};
template <class K, class V, class H, class E, class A>
struct WireContainer<std::unordered_map<K, V, H, E, A>>
    : std::bool_constant<wire_capable<K> && wire_capable<V>> {};

// Function pointers travel as (library, offset); see wire.cpp.
void save_function_address(const void* address, WireWriter& out);
const void* load_function_address(WireReader& in);

[[noreturn]] void throw_not_wire_capable(const std::type_info& type);

// ---------------------------------------------------------------- save

template <class T>
void wire_save(const T& v, WireWriter& out);
template <class T>
void wire_load(T& v, WireReader& in);

template <class T>
void wire_save_range(const T& range, WireWriter& out) {
  out.u64(range.size());
  for (const auto& item : range) {
    const typename T::value_type& value = item;  // vector<bool>: the bool, not its proxy
    wire_save(value, out);
  }
}

template <class T>
void wire_save(const T& v, WireWriter& out) {
  if constexpr (!wire_capable<T>) {
    throw_not_wire_capable(typeid(T));
  } else if constexpr (is_function_pointer<T>) {
    save_function_address(reinterpret_cast<const void*>(v), out);
  } else if constexpr (WireHook<T>::value) {
    dagger_wire_save(v, out);
  } else if constexpr (std::is_same_v<T, std::string>) {
    out.string(v);
  } else if constexpr (WireContainer<T>::value) {
    if constexpr (requires { v.first; v.second; }) {
      wire_save(v.first, out);
      wire_save(v.second, out);
    } else if constexpr (requires { std::tuple_size<T>::value; } && !requires { v.size(); }) {
      std::apply([&](const auto&... item) { (wire_save(item, out), ...); }, v);
    } else if constexpr (requires { v.has_value(); }) {
      out.pod<std::uint8_t>(v.has_value() ? 1 : 0);
      if (v) wire_save(*v, out);
    } else if constexpr (requires { typename T::value_type; } && std::is_trivially_copyable_v<typename T::value_type> &&
                         requires { v.data(); } && !std::is_same_v<typename T::value_type, bool>) {
      out.u64(v.size());
      out.bytes(v.data(), v.size() * sizeof(typename T::value_type));
    } else {
      wire_save_range(v, out);
    }
  } else if constexpr (cereal_capable<T>) {
    if constexpr (requires { CerealWire<T>::save; }) {
      CerealWire<T>::save(v, out);
    } else {
      static_assert(cereal_header_missing<T>,
                    "this type travels through cereal: include <dagger/cereal.hpp> in the file that uses it");
    }
  } else {
    out.bytes(&v, sizeof(T));
  }
}

// ---------------------------------------------------------------- load

template <class T>
void wire_load(T& v, WireReader& in) {
  if constexpr (!wire_capable<T>) {
    throw_not_wire_capable(typeid(T));
  } else if constexpr (is_function_pointer<T>) {
    v = reinterpret_cast<T>(const_cast<void*>(load_function_address(in)));
  } else if constexpr (WireHook<T>::value) {
    dagger_wire_load(v, in);
  } else if constexpr (std::is_same_v<T, std::string>) {
    v = in.string();
  } else if constexpr (WireContainer<T>::value) {
    if constexpr (requires { v.first; v.second; }) {
      wire_load(const_cast<std::remove_const_t<decltype(v.first)>&>(v.first), in);
      wire_load(v.second, in);
    } else if constexpr (requires { std::tuple_size<T>::value; } && !requires { v.size(); }) {
      std::apply([&](auto&... item) { (wire_load(item, in), ...); }, v);
    } else if constexpr (requires { v.has_value(); }) {
      v.reset();
      if (in.pod<std::uint8_t>() != 0) wire_load(v.emplace(), in);
    } else if constexpr (requires { typename T::value_type; } && std::is_trivially_copyable_v<typename T::value_type> &&
                         requires { v.data(); } && !std::is_same_v<typename T::value_type, bool>) {
      using Item = typename T::value_type;
      const std::size_t n = in.count(sizeof(Item) > 0 ? sizeof(Item) : 1);
      auto bytes = in.take(n * sizeof(Item));
      v.resize(n);
      if (n > 0) std::memcpy(v.data(), bytes.data(), bytes.size());
    } else if constexpr (requires { v.push_back(std::declval<typename T::value_type>()); }) {
      const std::size_t n = in.count(1);
      v.clear();
      for (std::size_t i = 0; i < n; ++i) {
        typename T::value_type item{};
        wire_load(item, in);
        v.push_back(std::move(item));
      }
    } else if constexpr (requires { v.size(); v.begin(); typename T::key_type; }) {
      const std::size_t n = in.count(1);
      v.clear();
      for (std::size_t i = 0; i < n; ++i) {
        std::pair<typename T::key_type, typename T::mapped_type> item{};
        wire_load(item.first, in);
        wire_load(item.second, in);
        v.insert(std::move(item));
      }
    } else {
      const std::size_t n = in.count(1);
      if (n != v.size()) throw ProtocolError("fixed-size array of " + std::to_string(v.size()) + " items sent as " + std::to_string(n));
      for (auto& item : v) wire_load(item, in);
    }
  } else if constexpr (cereal_capable<T>) {
    if constexpr (requires { CerealWire<T>::load; }) {
      CerealWire<T>::load(v, in);
    } else {
      static_assert(cereal_header_missing<T>,
                    "this type travels through cereal: include <dagger/cereal.hpp> in the file that uses it");
    }
  } else {
    std::memcpy(static_cast<void*>(&v), in.take(sizeof(T)).data(), sizeof(T));
  }
}

// An object of a wire-capable type read from the wire, also for types that
// cannot be default-constructed (lambdas with captures: trivially copyable,
// so their bytes make the object).
template <class T>
class WireObject {
 public:
  explicit WireObject(WireReader& in) {
    if constexpr (std::is_default_constructible_v<T>) {
      object_ = ::new (static_cast<void*>(storage_)) T();
      wire_load(*object_, in);
    } else {
      static_assert(bitwise_copyable<T>, "only bitwise-copyable types may lack a default constructor");
      std::memcpy(storage_, in.take(sizeof(T)).data(), sizeof(T));
      object_ = std::launder(reinterpret_cast<T*>(storage_));
    }
  }
  ~WireObject() { object_->~T(); }
  WireObject(const WireObject&) = delete;
  WireObject& operator=(const WireObject&) = delete;
  T& get() { return *object_; }

 private:
  alignas(T) unsigned char storage_[sizeof(T)];
  T* object_;
};

template <class T>
void wire_save_object(const T& v, WireWriter& out) {
  if constexpr (std::is_default_constructible_v<T> || !bitwise_copyable<T>) {
    wire_save(v, out);
  } else {
    out.bytes(&v, sizeof(T));
  }
}

}  // namespace dagger::detail
