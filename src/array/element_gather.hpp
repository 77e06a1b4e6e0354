// Reading single elements of an array from the blocks that hold them: what
// indexing gathers and what assignment into a region scatters from.
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include "dagger/array.hpp"
#include "dagger/detail/wire.hpp"

namespace dagger::detail {

// Where element (r, c) of an array lies among a task's input blocks: the
// array's blocks that hold the elements a task reads, each passed once, in
// the order first needed. A task's captures carry this by value.
struct ElementSources {
  std::map<std::size_t, std::size_t> position;  // block index -> input number
  std::int64_t block_rows = 1, block_cols = 1, grid_rows = 1;
  std::size_t first_input = 0;                   // inputs before the array's blocks

  // The block's thunks the elements (rows[i], cols[j]) need, added to inputs.
  static ElementSources of(const Layout& from, const std::vector<Thunk<Block>>& blocks,
                           const std::vector<std::int64_t>& rows, const std::vector<std::int64_t>& cols,
                           std::vector<Thunk<Block>>& inputs) {
    ElementSources s{{}, from.block_rows(), from.block_cols(), from.grid_rows(), inputs.size()};
    for (std::int64_t c : cols) {
      for (std::int64_t r : rows) {
        const std::size_t k = from.block_index(r / s.block_rows, c / s.block_cols);
        if (s.position.emplace(k, inputs.size() - s.first_input).second) inputs.push_back(blocks[k]);
      }
    }
    return s;
  }

  const std::byte* element(const std::vector<Block>& in, std::int64_t r, std::int64_t c, std::size_t esize) const {
    const Block& b = in[first_input + position.at(static_cast<std::size_t>(r / block_rows + (c / block_cols) * grid_rows))];
    return b.buffer.get() + static_cast<std::size_t>(r % block_rows + (c % block_cols) * b.rows) * esize;
  }
};

// It travels with the task that reads through it.
inline void dagger_wire_save(const ElementSources& s, WireWriter& out) {
  wire_save(s.position, out);
  out.pod(s.block_rows);
  out.pod(s.block_cols);
  out.pod(s.grid_rows);
  out.pod(s.first_input);
}
inline void dagger_wire_load(ElementSources& s, WireReader& in) {
  wire_load(s.position, in);
  s.block_rows = in.pod<std::int64_t>();
  s.block_cols = in.pod<std::int64_t>();
  s.grid_rows = in.pod<std::int64_t>();
  s.first_input = in.pod<std::size_t>();
  if (s.block_rows <= 0 || s.block_cols <= 0 || s.grid_rows <= 0) throw ProtocolError("element sources of no size");
}

}  // namespace dagger::detail
