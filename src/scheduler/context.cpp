#include "dagger/context.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace dagger {
namespace {

bool progress_from_environment() {
  const char* env = std::getenv("DAGGER_PROGRESS");
  return env != nullptr && std::strcmp(env, "0") != 0 && *env != '\0';
}

void add_executing(Processor* p, std::vector<Processor*>& out) {
  if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
}

}  // namespace

Context::Context() : progress_(progress_from_environment()) {
  for (Processor* p : all_processors()) {
    if (p->executes()) processors_.push_back(p);
  }
}

Context::Context(std::vector<Processor*> processors) : progress_(progress_from_environment()) {
  for (Processor* p : processors) {
    if (p == nullptr) continue;
    if (p->executes()) {
      add_executing(p, processors_);
    } else {
      for (Processor* child : all_processors()) {
        if (child->parent() == p && child->executes()) add_executing(child, processors_);
      }
    }
  }
}

Context Context::only(ProcKind kind) {
  std::vector<Processor*> chosen;
  for (Processor* p : all_processors()) {
    if (p->executes() && p->kind() == kind) chosen.push_back(p);
  }
  return Context(std::move(chosen));
}

Context Context::excluding(ProcKind kind) {
  std::vector<Processor*> chosen;
  for (Processor* p : all_processors()) {
    if (p->executes() && !(p->kind() == kind)) chosen.push_back(p);
  }
  return Context(std::move(chosen));
}

}  // namespace dagger
