// A type-erased, move-only box for one value of any type: the payload of a
// chunk. Small trivially-movable values live inline (no allocation), so a
// task that returns an int costs no heap traffic for its value.
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "dagger/detail/byte_size.hpp"
#include "dagger/detail/spill_codec.hpp"
#include "dagger/detail/wire.hpp"

namespace dagger::detail {

std::string demangle(const char* mangled);

[[noreturn]] void throw_value_type_mismatch(const std::type_info& stored,
                                            const std::type_info& wanted);
[[noreturn]] void throw_not_copyable(const std::type_info& stored);
[[noreturn]] void throw_empty_value(const std::type_info& wanted);

// The result of a function returning void.
struct Void {};

class Value;

// Values of every wire-capable type stored in a Value are registered at
// static-init time (the same table in every process of the executable), so
// a process can rebuild a value another one sent by its type key alone.
using ValueLoader = Value (*)(WireReader& in);
std::uint64_t register_value_type(const char* mangled_name, ValueLoader load);
// The loader of a type key; throws ProtocolError for a key not in the table.
ValueLoader value_loader(std::uint64_t key);

class Value {
  static constexpr std::size_t kInline = 32;

  struct VTable {
    const std::type_info& type;
    bool stored_inline;
    void (*destroy)(void* object);
    void (*relocate)(void* from_storage, void* to_storage);  // inline only
    void (*copy_into)(const void* object, Value& to);        // null: move-only
    std::size_t (*bytes)(const void* object);
    const SpillCodec* (*spill)();                             // null result: never spilled
    void (*wire_save)(const void* object, WireWriter& out);   // null: cannot leave the process
    std::uint64_t (*wire_key)();
  };

  template <class T>
  struct WireRegistration {
    static Value load(WireReader& in) {
      WireObject<T> object(in);
      return Value::make<T>(std::move(object.get()));
    }
    static inline const std::uint64_t key = register_value_type(typeid(T).name(), &load);
  };

  template <class T>
  static constexpr bool fits_inline = sizeof(T) <= kInline &&
                                      alignof(T) <= alignof(std::max_align_t) &&
                                      std::is_nothrow_move_constructible_v<T>;

  template <class T>
  static const VTable* vtable_for() {
    static const VTable table{
        typeid(T),
        fits_inline<T>,
        [](void* object) {
          if constexpr (fits_inline<T>) {
            static_cast<T*>(object)->~T();
          } else {
            delete static_cast<T*>(object);
          }
        },
        [](void* from, void* to) {
          if constexpr (fits_inline<T>) {
            T* source = std::launder(reinterpret_cast<T*>(from));
            ::new (to) T(std::move(*source));
            source->~T();
          }
        },
        copy_function<T>(),
        [](const void* object) { return byte_size(*static_cast<const T*>(object)); },
        &spill_codec_of<T>,
        wire_function<T>(),
        [] {
          if constexpr (::dagger::detail::wire_capable<T> && std::is_move_constructible_v<T>) {
            return WireRegistration<T>::key;
          } else {
            return std::uint64_t{0};
          }
        },
    };
    return &table;
  }

  template <class T>
  static constexpr void (*wire_function())(const void*, WireWriter&) {
    if constexpr (::dagger::detail::wire_capable<T> && std::is_move_constructible_v<T>) {
      return [](const void* object, WireWriter& out) { wire_save_object(*static_cast<const T*>(object), out); };
    } else {
      return nullptr;
    }
  }

  template <class T>
  static constexpr void (*copy_function())(const void*, Value&) {
    if constexpr (std::is_copy_constructible_v<T>) {
      return [](const void* object, Value& to) { to.emplace<T>(*static_cast<const T*>(object)); };
    } else {
      return nullptr;
    }
  }

 public:
  Value() noexcept = default;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
  Value(Value&& other) noexcept { take(other); }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  ~Value() { reset(); }

  template <class T, class... Args>
  static Value make(Args&&... args) {
    Value v;
    v.emplace<T>(std::forward<Args>(args)...);
    return v;
  }

  template <class T, class... Args>
  T& emplace(Args&&... args) {
    reset();
    T* object;
    if constexpr (fits_inline<T>) {
      object = ::new (static_cast<void*>(storage_)) T(std::forward<Args>(args)...);
    } else {
      object = new T(std::forward<Args>(args)...);
      std::memcpy(storage_, &object, sizeof(object));
    }
    vtable_ = vtable_for<T>();
    return *object;
  }

  bool has_value() const noexcept { return vtable_ != nullptr; }
  const std::type_info& type() const noexcept { return vtable_ ? vtable_->type : typeid(void); }
  bool copyable() const noexcept { return vtable_ && vtable_->copy_into; }
  std::size_t bytes() const { return vtable_ ? vtable_->bytes(object()) : 0; }
  const SpillCodec* spill_codec() const { return vtable_ ? vtable_->spill() : nullptr; }
  // Whether the value can be sent to another process, and how.
  bool wire_capable() const noexcept { return vtable_ && vtable_->wire_save; }
  std::uint64_t wire_key() const { return vtable_ ? vtable_->wire_key() : 0; }
  // Writes the value (type key first); throws Error if it cannot leave the process.
  void wire_save(WireWriter& out) const;
  // Reads a value written by wire_save.
  static Value wire_load(WireReader& in);

  template <class T>
  T& get() {
    check<T>();
    return *static_cast<T*>(object());
  }
  template <class T>
  const T& get() const {
    check<T>();
    return *static_cast<const T*>(object());
  }

  Value copy() const {
    Value out;
    if (!vtable_) return out;
    if (!vtable_->copy_into) throw_not_copyable(vtable_->type);
    vtable_->copy_into(object(), out);
    return out;
  }

  void reset() noexcept {
    if (vtable_) {
      vtable_->destroy(object());
      vtable_ = nullptr;
    }
  }

  void* object() const noexcept {
    if (!vtable_) return nullptr;
    if (vtable_->stored_inline) return const_cast<unsigned char*>(storage_);
    void* pointer;
    std::memcpy(&pointer, storage_, sizeof(pointer));
    return pointer;
  }

 private:
  template <class T>
  void check() const {
    if (!vtable_) throw_empty_value(typeid(T));
    if (vtable_->type != typeid(T)) throw_value_type_mismatch(vtable_->type, typeid(T));
  }

  void take(Value& other) noexcept {
    vtable_ = other.vtable_;
    if (!vtable_) return;
    if (vtable_->stored_inline) {
      vtable_->relocate(other.storage_, storage_);
    } else {
      std::memcpy(storage_, other.storage_, sizeof(void*));
    }
    other.vtable_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char storage_[kInline];
  const VTable* vtable_ = nullptr;
};

}  // namespace dagger::detail
