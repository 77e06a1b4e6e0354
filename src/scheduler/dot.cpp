// The DAG as Graphviz DOT: one node per thunk, one edge per dependency,
// user chunks as boxes.
#include <string>
#include <unordered_set>
#include <vector>

#include "dagger/events.hpp"

namespace dagger::detail {
namespace {

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string dot_of(const std::vector<NodePtr>& heads) {
  std::string out = "digraph dagger {\n  rankdir=BT;\n  node [shape=ellipse];\n";
  std::unordered_set<const ThunkNode*> seen;
  std::unordered_set<const ChunkData*> seen_chunks;
  std::vector<const ThunkNode*> stack;
  for (const NodePtr& h : heads) {
    if (h && seen.insert(h.get()).second) stack.push_back(h.get());
  }
  while (!stack.empty()) {
    const ThunkNode* n = stack.back();
    stack.pop_back();
    const std::string id = "t" + std::to_string(n->id);
    out += "  " + id + " [label=\"" + std::to_string(n->id) + ": " + dot_escape(n->name()) + "\"];\n";
    for (const Dep& d : n->deps) {
      if (d.thunk) {
        out += "  t" + std::to_string(d.thunk->id) + " -> " + id + ";\n";
        if (seen.insert(d.thunk.get()).second) stack.push_back(d.thunk.get());
      } else if (d.chunk) {
        char name[32];
        std::snprintf(name, sizeof name, "c%p", static_cast<const void*>(d.chunk.get()));
        if (seen_chunks.insert(d.chunk.get()).second) {
          out += std::string("  ") + name + " [shape=box,label=\"Chunk (" +
                 std::to_string(d.chunk->bytes) + " bytes)\"];\n";
        }
        out += std::string("  ") + name + " -> " + id + ";\n";
      }
    }
  }
  out += "}\n";
  return out;
}

}  // namespace dagger::detail
