#include "dagger/proc_kind.hpp"

#include <deque>
#include <mutex>
#include <stdexcept>

namespace dagger {
namespace {

struct KindTable {
  std::mutex mutex;
  std::deque<std::string> names;  // deque: references stay valid as it grows
};

KindTable& table() {
  static KindTable* t = new KindTable();
  return *t;
}

}  // namespace

ProcKind ProcKind::named(std::string_view name) {
  KindTable& t = table();
  std::lock_guard lock(t.mutex);
  for (std::size_t i = 0; i < t.names.size(); ++i) {
    if (t.names[i] == name) return ProcKind(static_cast<std::uint16_t>(i));
  }
  if (t.names.size() >= 0xFFFF) throw std::length_error("too many processor kinds");
  t.names.emplace_back(name);
  return ProcKind(static_cast<std::uint16_t>(t.names.size() - 1));
}

ProcKind ProcKind::cpu() {
  static const ProcKind kind = named("cpu");
  return kind;
}

ProcKind ProcKind::cuda() {
  static const ProcKind kind = named("cuda");
  return kind;
}

const std::string& ProcKind::name() const {
  KindTable& t = table();
  std::lock_guard lock(t.mutex);
  return t.names[index_];
}

}  // namespace dagger
