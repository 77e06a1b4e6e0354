// The tables every process of an executable builds identically at static
// init: value types and invokers by the hash of their mangled names. A key
// read from the network is only ever looked up here, so no address read from
// a message is ever called, except a function pointer that is checked to be
// the start of an exported function first.
#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "dagger/detail/callable.hpp"
#include "dagger/detail/value.hpp"
#include "dagger/detail/wire.hpp"
#include "core/wire_tables.hpp"

namespace dagger::detail {
namespace {

template <class Entry>
struct Table {
  std::mutex mutex;
  std::unordered_map<std::uint64_t, Entry> entries;
  std::unordered_map<std::uint64_t, std::string> names;
  std::vector<std::uint64_t> ambiguous;  // two names, one hash: refused on arrival

  std::uint64_t add(const char* name, Entry entry) {
    const std::uint64_t key = wire_hash(name);
    std::lock_guard lock(mutex);
    auto [it, inserted] = names.emplace(key, name);
    if (inserted) {
      entries.emplace(key, entry);
    } else if (it->second != name) {
      ambiguous.push_back(key);
    }
    return key;
  }

  Entry find(std::uint64_t key, const char* what) {
    std::lock_guard lock(mutex);
    auto it = entries.find(key);
    if (it == entries.end() || std::find(ambiguous.begin(), ambiguous.end(), key) != ambiguous.end()) {
      throw ProtocolError("unknown " + std::string(what) + " key " + std::to_string(key) +
                          " (not in this executable's table)");
    }
    return it->second;
  }

  std::uint64_t digest() {
    std::lock_guard lock(mutex);
    std::vector<std::uint64_t> keys;
    for (const auto& [key, name] : names) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    std::uint64_t h = 1469598103934665603ull;
    for (std::uint64_t k : keys) h = (h ^ k) * 1099511628211ull;
    return h;
  }
};

Table<ValueLoader>& value_table() {
  static auto* table = new Table<ValueLoader>();
  return *table;
}
Table<Invoker>& invoker_table() {
  static auto* table = new Table<Invoker>();
  return *table;
}

// The loaded object (executable or library) that holds an address.
struct LoadedObject {
  std::string name;
  std::uintptr_t base = 0;
  bool found = false;
};

LoadedObject object_holding(const void* address) {
  Dl_info info{};
  LoadedObject out;
  if (::dladdr(address, &info) == 0) return out;
  struct Search {
    std::uintptr_t base;
    LoadedObject* out;
  } search{reinterpret_cast<std::uintptr_t>(info.dli_fbase), &out};
  ::dl_iterate_phdr(
      [](dl_phdr_info* object, std::size_t, void* data) {
        auto* s = static_cast<Search*>(data);
        for (int i = 0; i < object->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = object->dlpi_phdr[i];
          if (ph.p_type == PT_LOAD && ph.p_offset == 0 && object->dlpi_addr + ph.p_vaddr == s->base) {
            s->out->name = object->dlpi_name ? object->dlpi_name : "";
            s->out->base = object->dlpi_addr;
            s->out->found = true;
            return 1;
          }
        }
        return 0;
      },
      &search);
  return out;
}

std::uintptr_t base_of_object(const std::string& name) {
  struct Search {
    const std::string* name;
    std::uintptr_t base;
    bool found;
  } search{&name, 0, false};
  ::dl_iterate_phdr(
      [](dl_phdr_info* object, std::size_t, void* data) {
        auto* s = static_cast<Search*>(data);
        if (*s->name == (object->dlpi_name ? object->dlpi_name : "")) {
          s->base = object->dlpi_addr;
          s->found = true;
          return 1;
        }
        return 0;
      },
      &search);
  if (!search.found) throw ProtocolError("a function of '" + name + "', which this process has not loaded");
  return search.base;
}

bool starts_exported_function(const void* address) {
  Dl_info info{};
  return ::dladdr(address, &info) != 0 && info.dli_saddr == address && info.dli_sname != nullptr;
}

}  // namespace

std::uint64_t register_value_type(const char* mangled_name, ValueLoader load) {
  return value_table().add(mangled_name, load);
}
ValueLoader value_loader(std::uint64_t key) { return value_table().find(key, "value type"); }

std::uint64_t register_invoker(const char* mangled_name, Invoker invoker) {
  return invoker_table().add(mangled_name, invoker);
}
Invoker invoker_of(std::uint64_t key) { return invoker_table().find(key, "function (invoker)"); }

namespace {

// dladdr and dl_iterate_phdr walk symbol tables: far too slow to ask on
// every call sent or received (they were a fifth of the driver's time with
// tiny tasks). What they say of an address is remembered; an object
// unloaded with dlclose leaves stale entries, but a pointer into it could
// not be called anyway.
struct FunctionAddressCache {
  struct Saved {
    bool exported;
    LoadedObject object;
  };
  std::mutex mutex;
  std::unordered_map<const void*, Saved> saved;
  std::unordered_map<std::string, std::unordered_map<std::uint64_t, bool>> loaded;  // object → offset → exported
  std::unordered_map<std::string, std::uintptr_t> bases;
};

FunctionAddressCache& address_cache() {
  static FunctionAddressCache cache;
  return cache;
}

// The lookups run under the cache's lock: only the first use of an address
// pays for them.
FunctionAddressCache::Saved saved_address(const void* address) {
  FunctionAddressCache& cache = address_cache();
  std::lock_guard lock(cache.mutex);
  auto [it, added] = cache.saved.try_emplace(address);
  if (added) {
    it->second.exported = starts_exported_function(address);
    if (it->second.exported) it->second.object = object_holding(address);
  }
  return it->second;
}

}  // namespace

bool function_address_travels(const void* address) {
  const auto saved = saved_address(address);
  return saved.exported && saved.object.found;
}

void save_function_address(const void* address, WireWriter& out) {
  const auto saved = saved_address(address);
  if (!saved.exported) {
    throw Error("a function pointer can only be sent to another process when the function is exported "
                "(link the executable with ENABLE_EXPORTS / -rdynamic)");
  }
  if (!saved.object.found) throw Error("no loaded object holds the function at this address");
  out.string(saved.object.name);
  out.u64(reinterpret_cast<std::uintptr_t>(address) - saved.object.base);
}

const void* load_function_address(WireReader& in) {
  const std::string object = in.string();
  const std::uint64_t offset = in.u64();
  FunctionAddressCache& cache = address_cache();
  std::lock_guard lock(cache.mutex);
  auto base = cache.bases.find(object);
  if (base == cache.bases.end()) {
    base = cache.bases.emplace(object, base_of_object(object)).first;  // throws for an object not loaded here
  }
  const auto* address = reinterpret_cast<const void*>(base->second + offset);
  auto& offsets = cache.loaded[object];
  auto known = offsets.find(offset);
  const bool exported = known != offsets.end() ? known->second : starts_exported_function(address);
  // A forged message could try many offsets: remember at most a few thousand.
  if (known == offsets.end() && offsets.size() < 4096) offsets.emplace(offset, exported);
  if (!exported) throw ProtocolError("a function pointer that is not the start of an exported function");
  return address;
}

void throw_not_wire_capable(const std::type_info& type) {
  throw Error("a value of type " + demangle(type.name()) +
              " cannot be sent to another process (see dagger/detail/wire.hpp for what can)");
}

void Value::wire_save(WireWriter& out) const {
  if (!wire_capable()) {
    if (!vtable_) throw Error("an empty value cannot be sent to another process");
    throw_not_wire_capable(vtable_->type);
  }
  out.u64(vtable_->wire_key());
  vtable_->wire_save(object(), out);
}

Value Value::wire_load(WireReader& in) {
  ValueLoader load = value_loader(in.u64());
  return load(in);
}

std::uint64_t executable_fingerprint() {
  // The build id the linker stamps into the executable, where there is one.
  std::uint64_t h = 1469598103934665603ull;
  ::dl_iterate_phdr(
      [](dl_phdr_info* object, std::size_t index, void* data) {
        if (index != 0) return 1;  // the executable comes first
        auto* hash = static_cast<std::uint64_t*>(data);
        for (int i = 0; i < object->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = object->dlpi_phdr[i];
          if (ph.p_type != PT_NOTE) continue;
          const auto* p = reinterpret_cast<const unsigned char*>(object->dlpi_addr + ph.p_vaddr);
          const unsigned char* end = p + ph.p_memsz;
          while (p + sizeof(ElfW(Nhdr)) <= end) {
            const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
            const unsigned char* desc = p + sizeof(ElfW(Nhdr)) + ((note->n_namesz + 3) & ~3u);
            if (note->n_type == NT_GNU_BUILD_ID) {
              for (unsigned k = 0; k < note->n_descsz; ++k) *hash = (*hash ^ desc[k]) * 1099511628211ull;
            }
            p = desc + ((note->n_descsz + 3) & ~3u);
          }
        }
        return 1;
      },
      &h);
  h = (h ^ value_table().digest()) * 1099511628211ull;
  h = (h ^ invoker_table().digest()) * 1099511628211ull;
  return h;
}

}  // namespace dagger::detail
