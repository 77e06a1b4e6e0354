// Owner maps of Assignment, and arrays whose blocks are made where assigned.
#include "dagger/array/assignment.hpp"

#include "dagger/array.hpp"

namespace dagger {
namespace {

std::vector<Processor*> cpu_processors() {
  std::vector<Processor*> out;
  for (Processor* p : all_processors()) {
    if (p->executes() && p->kind() == ProcKind::cpu() && !p->lost()) out.push_back(p);
  }
  return out;
}

// Which of `count` owners gets index i of `extent` when each owner takes a
// contiguous run: extent / count each, the first extent % count one more.
std::int64_t run_owner(std::int64_t i, std::int64_t extent, std::int64_t count) {
  const std::int64_t base = extent / count, extra = extent % count;
  const std::int64_t long_runs = extra * (base + 1);
  if (i < long_runs) return i / (base + 1);
  return extra + (i - long_runs) / base;
}

// The rows, if they make a grid of processors; else an ArrayError.
std::vector<std::vector<Processor*>> checked(std::vector<std::vector<Processor*>> rows) {
  if (rows.empty() || rows.front().empty()) throw ArrayError("an assignment grid needs at least one processor");
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != rows.front().size()) {
      throw ArrayError("an assignment grid's rows must be equally long: row 0 has " +
                       std::to_string(rows.front().size()) + " processors, row " + std::to_string(r) + " has " +
                       std::to_string(rows[r].size()));
    }
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      if (rows[r][c] == nullptr) {
        throw ArrayError("an assignment names a null processor (row " + std::to_string(r) + ", column " +
                         std::to_string(c) + ")");
      }
    }
  }
  return rows;
}

}  // namespace

Assignment::Assignment(Kind kind, std::vector<std::vector<Processor*>> grid) : kind_(kind), grid_(std::move(grid)) {}

Assignment Assignment::along(Kind kind, Processors processors) {
  std::vector<Processor*> list = processors.list.empty() ? cpu_processors() : std::move(processors.list);
  if (list.empty()) throw ArrayError("an assignment needs at least one processor, and no CPU processor has joined");
  return Assignment(kind, checked({std::move(list)}));
}

Assignment Assignment::blockrow(Processors processors) { return along(Kind::blockrow, std::move(processors)); }
Assignment Assignment::blockcol(Processors processors) { return along(Kind::blockcol, std::move(processors)); }
Assignment Assignment::cyclicrow(Processors processors) { return along(Kind::cyclicrow, std::move(processors)); }
Assignment Assignment::cycliccol(Processors processors) { return along(Kind::cycliccol, std::move(processors)); }

Assignment Assignment::grid(std::vector<std::vector<Processor*>> rows) {
  return Assignment(Kind::grid, checked(std::move(rows)));
}

Processor* Assignment::owner(const Layout& layout, std::int64_t grid_row, std::int64_t grid_col) const {
  if (kind_ == Kind::arbitrary) return nullptr;
  const std::vector<Processor*>& list = grid_.front();
  const auto count = static_cast<std::int64_t>(list.size());
  // The last dimension of a vector is its only one.
  const bool vector = layout.ndims() == 1;
  const std::int64_t last_index = vector ? grid_row : grid_col;
  const std::int64_t last_extent = vector ? layout.grid_rows() : layout.grid_cols();
  auto at = [&list](std::int64_t i) { return list[static_cast<std::size_t>(i)]; };
  switch (kind_) {
    case Kind::blockrow: return at(run_owner(grid_row, layout.grid_rows(), count));
    case Kind::blockcol: return at(run_owner(last_index, last_extent, count));
    case Kind::cyclicrow: return at(grid_row % count);
    case Kind::cycliccol: return at(last_index % count);
    case Kind::grid: {
      const auto& row = grid_[static_cast<std::size_t>(grid_row) % grid_.size()];
      return row[static_cast<std::size_t>(grid_col) % row.size()];
    }
    case Kind::arbitrary: break;
  }
  return nullptr;
}

Scope Assignment::scope(const Layout& layout, std::size_t block) const {
  Processor* p = owner(layout, layout.grid_row_of(block), layout.grid_col_of(block));
  return p == nullptr ? Scope::any() : Scope::processor(*p);
}

}  // namespace dagger
