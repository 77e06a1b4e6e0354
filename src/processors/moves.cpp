#include "processors/moves.hpp"

#include <map>
#include <mutex>
#include <shared_mutex>
#include <utility>


namespace dagger {
namespace {

struct MoveTable {
  std::shared_mutex mutex;
  std::map<std::pair<std::uint16_t, std::uint16_t>, MoveFunction> moves;
};

MoveTable& move_table() {
  static MoveTable* table = new MoveTable();
  return *table;
}

}  // namespace

void register_move(ProcKind from, ProcKind to, MoveFunction move) {
  MoveTable& t = move_table();
  std::unique_lock lock(t.mutex);
  t.moves[{from.index(), to.index()}] = std::move(move);
}

namespace detail {

MoveFunction find_move(ProcKind from, ProcKind to) {
  MoveTable& t = move_table();
  std::shared_lock lock(t.mutex);
  auto it = t.moves.find({from.index(), to.index()});
  return it == t.moves.end() ? MoveFunction{} : it->second;
}

}  // namespace detail
}  // namespace dagger
