#include "dagger/array/stencil.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

namespace dagger::detail {

namespace {

// One dimension of the grid of blocks.
struct GridAxis {
  std::int64_t extent;
  std::int64_t blocks;
  std::int64_t block_size;
  std::int64_t size(std::int64_t g) const { return std::min(block_size, extent - g * block_size); }
};

// Where the `radius` indices beyond block g's edge in direction d (-1
// before it, 1 after it, 0 the block's own) come from; none for Pad.
std::optional<HaloAxis> halo_axis(const GridAxis& axis, std::int64_t g, int d, std::int64_t radius,
                                  Boundary::Kind kind) {
  if (d == 0) return HaloAxis{g, 0, axis.size(g), 1};
  std::int64_t next = g + d;
  const bool outside = next < 0 || next >= axis.blocks;
  if (outside) {
    switch (kind) {
      case Boundary::Kind::pad: return std::nullopt;
      case Boundary::Kind::clamp: return HaloAxis{g, d < 0 ? 0 : axis.size(g) - 1, radius, 0};
      case Boundary::Kind::reflect: return HaloAxis{g, d < 0 ? radius - 1 : axis.size(g) - 1, radius, -1};
      case Boundary::Kind::wrap: next = (next + axis.blocks) % axis.blocks; break;
    }
  }
  return HaloAxis{next, d < 0 ? axis.size(next) - radius : 0, radius, 1};
}

void check_radius(const Layout& layout, const GridAxis& axis, int dim, std::int64_t radius) {
  if (axis.blocks == 0 || radius == 0) return;
  const std::int64_t smallest = std::min(axis.block_size, axis.size(axis.blocks - 1));
  if (smallest < radius) {
    throw ArrayError("stencil of radius " + std::to_string(radius) + " on a " + layout.shape_text() +
                     " array in Blocks(" + layout.block_text() + "): a block along dimension " + std::to_string(dim) +
                     " has only " + std::to_string(smallest) +
                     " elements, and every block must be at least as long as the radius");
  }
}

}  // namespace

HaloPlan plan_halos(const Layout& layout, std::int64_t radius, const Boundary& boundary) {
  if (radius < 0) throw ArrayError("stencil radius must not be negative, not " + std::to_string(radius));
  HaloPlan plan;
  plan.row_radius = radius;
  plan.col_radius = layout.ndims() == 2 ? radius : 0;
  const GridAxis rows{layout.rows(), layout.grid_rows(), layout.block_rows()};
  const GridAxis cols{layout.cols(), layout.grid_cols(), layout.block_cols()};
  check_radius(layout, rows, 1, plan.row_radius);
  check_radius(layout, cols, 2, plan.col_radius);
  plan.pieces.resize(layout.block_count());
  for (std::size_t k = 0; k < layout.block_count(); ++k) {
    const std::int64_t gi = layout.grid_row_of(k), gj = layout.grid_col_of(k);
    // In increasing direction, as StencilBlock reads them.
    for (int dr = -1; dr <= 1; ++dr) {
      for (int dc = -1; dc <= 1; ++dc) {
        if ((dr == 0 && dc == 0) || (dr != 0 && plan.row_radius == 0) || (dc != 0 && plan.col_radius == 0)) continue;
        auto r = halo_axis(rows, gi, dr, plan.row_radius, boundary.kind);
        auto c = halo_axis(cols, gj, dc, plan.col_radius, boundary.kind);
        if (!r || !c) continue;
        plan.pieces[k].push_back(HaloPiece{(dr + 1) * 3 + (dc + 1), layout.block_index(r->block, c->block), *r, *c});
      }
    }
  }
  return plan;
}

Block CutHalo::operator()(const Block& source) const {
  auto in_range = [](const HaloAxis& a, std::int64_t extent) {
    const std::int64_t last = a.first + (a.count - 1) * a.step;
    return a.count >= 0 && a.first >= 0 && a.first < extent && last >= 0 && last < extent;
  };
  if (rows.count > 0 && cols.count > 0 && (!in_range(rows, source.rows) || !in_range(cols, source.cols))) {
    throw ArrayError("a halo of " + std::to_string(rows.count) + "x" + std::to_string(cols.count) +
                     " reaches outside its " + std::to_string(source.rows) + "x" + std::to_string(source.cols) +
                     " source block");
  }
  Block out = Block::make(source.dtype, rows.count, cols.count);
  const std::size_t es = element_size(source.dtype);
  const auto* from = source.buffer.get();
  std::byte* to = out.buffer.get();
  for (std::int64_t c = 0; c < cols.count; ++c) {
    const std::int64_t sc = cols.first + c * cols.step;
    if (rows.step == 1) {  // a run of one column
      std::memcpy(to + static_cast<std::size_t>(c * rows.count) * es,
                  from + static_cast<std::size_t>(rows.first + sc * source.rows) * es,
                  static_cast<std::size_t>(rows.count) * es);
      continue;
    }
    for (std::int64_t r = 0; r < rows.count; ++r) {
      const std::int64_t sr = rows.first + r * rows.step;
      std::memcpy(to + static_cast<std::size_t>(r + c * rows.count) * es,
                  from + static_cast<std::size_t>(sr + sc * source.rows) * es, es);
    }
  }
  return out;
}

}  // namespace dagger::detail
