// Which processor makes each block of a new array: Dagger.jl's `assignment`
// keyword of its constructors and `distribute`.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <vector>

#include "dagger/options.hpp"
#include "dagger/processor.hpp"

namespace dagger {

class Layout;

// By default (arbitrary) the scheduler places blocks where it likes, and
// random and constant arrays are not made at all until a consumer generates
// them tile by tile. Any other assignment pins block (i, j) of the block grid
// to one processor, which makes it there and keeps it there.
//
// The processor lists default to every CPU processor that has joined, in
// the order of all_processors(): this process's threads, then each worker's.
// A container (a WorkerProc, this_process()) stands for all of its threads.
class Assignment {
 public:
  // Processors, from dagger::workers() or any list of processor pointers.
  struct Processors {
    std::vector<Processor*> list;
    Processors() = default;
    Processors(std::initializer_list<Processor*> processors) : list(processors) {}
    template <class P>
      requires std::is_base_of_v<Processor, P>
    Processors(const std::vector<P*>& processors) : list(processors.begin(), processors.end()) {}  // NOLINT: converts
  };

  enum class Kind { arbitrary, blockrow, blockcol, cyclicrow, cycliccol, grid };

  Assignment() = default;
  static Assignment arbitrary() { return {}; }
  // Contiguous runs of block rows per processor: with R block rows and p
  // processors, each gets R / p rows and the first R % p one more.
  static Assignment blockrow(Processors processors = {});
  // The same over block columns (the last dimension: block rows for a vector).
  static Assignment blockcol(Processors processors = {});
  // Block row i goes to processor i mod p.
  static Assignment cyclicrow(Processors processors = {});
  static Assignment cycliccol(Processors processors = {});
  // An explicit grid of processors, given as rows, tiled cyclically over the
  // block grid: block (i, j) goes to rows[i mod rows.size()][j mod width].
  static Assignment grid(std::vector<std::vector<Processor*>> rows);

  Kind kind() const noexcept { return kind_; }
  bool is_arbitrary() const noexcept { return kind_ == Kind::arbitrary; }
  // The processor of block (grid_row, grid_col) of a layout's block grid;
  // null when arbitrary.
  Processor* owner(const Layout& layout, std::int64_t grid_row, std::int64_t grid_col) const;
  // The scope a block's thunk gets: that processor alone (any when arbitrary).
  Scope scope(const Layout& layout, std::size_t block) const;

 private:
  Assignment(Kind kind, std::vector<std::vector<Processor*>> grid);
  static Assignment along(Kind kind, Processors processors);

  Kind kind_ = Kind::arbitrary;
  // One row for the four named kinds; the user's rows for grid.
  std::vector<std::vector<Processor*>> grid_;
};

}  // namespace dagger
