// Stencils: each element of the result is a function of the elements
// within `radius` of it, with a boundary rule for neighbours outside the
// array. Each block's task reads its own block and, from each neighbouring
// block, only the strip (or corner) within the radius, cut out by a small
// task of its own: whole blocks never move between processes for a halo.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "dagger/array/darray.hpp"
#include "dagger/array/elementwise.hpp"
#include "dagger/delayed.hpp"

namespace dagger {

// What lies beyond the edge of the array (for a neighbour at row -2 of an
// n-row array, say): the array again from its other end (Wrap, periodic),
// a constant (Pad(value)), the edge element (Clamp), or the array mirrored
// at its edge, edge included (Reflect: rows -1, -2 are rows 0, 1, as
// numpy's "symmetric" and dask's "reflect").
struct Boundary {
  enum class Kind : std::uint8_t { wrap, pad, clamp, reflect };
  Kind kind = Kind::pad;
  double value = 0;  // Pad's
};
inline constexpr Boundary Wrap{Boundary::Kind::wrap, 0};
inline constexpr Boundary Clamp{Boundary::Kind::clamp, 0};
inline constexpr Boundary Reflect{Boundary::Kind::reflect, 0};
constexpr Boundary Pad(double value) { return {Boundary::Kind::pad, value}; }

// The elements around one element, as the stencil's function sees them:
// x(di) in a vector, x(di, dj) in a matrix, offsets within the radius
// (x(0, 0) is the element itself).
template <class T>
struct Neighbors {
  const T* center;
  std::int64_t stride;  // between columns
  T operator()(std::int64_t di, std::int64_t dj = 0) const { return center[di + dj * stride]; }
};

namespace detail {

// Where a halo's rows (or columns) come from in their source block:
// `count` indices from `first` with `step` (1: in order, -1: mirrored, 0:
// one index repeated).
struct HaloAxis {
  std::int64_t block = 0;  // the source block's index along this dimension
  std::int64_t first = 0;
  std::int64_t count = 0;
  std::int64_t step = 1;
};

// The part of a neighbouring (or, at an edge, the same) block that one
// block's stencil reads beyond its own edge: direction dr, dc in -1, 0, 1.
struct HaloPiece {
  int direction = 0;  // (dr + 1) * 3 + (dc + 1); 4 is the block itself
  std::size_t source = 0;
  HaloAxis rows, cols;
};

struct HaloPlan {
  std::int64_t row_radius = 0;
  std::int64_t col_radius = 0;
  // Per block, its pieces in increasing direction; a direction with no
  // piece is padded.
  std::vector<std::vector<HaloPiece>> pieces;
};

// Throws ArrayError for a negative radius or a block smaller than the
// radius (its halo would reach past the next block).
HaloPlan plan_halos(const Layout& layout, std::int64_t radius, const Boundary& boundary);

// Cuts a halo piece out of its source block.
struct CutHalo {
  HaloAxis rows, cols;
  Block operator()(const Block& source) const;
};

// One block of the result: its own block is blocks[0], the present pieces
// follow in increasing direction (bit d of `present` is set for each).
template <class T, class R, class F>
struct StencilBlock {
  F f;
  std::int64_t rr = 0, rc = 0;  // radius along rows, along columns
  std::uint16_t present = 0;
  double pad = 0;

  // A function pointer travels by name; a lambda, by its bytes.
  bool travels() const { return function_travels(f); }

  Block operator()(const std::vector<Block>& blocks) const {
    const Block& own = blocks.front();
    const std::int64_t h = own.rows, w = own.cols;
    Block out = Block::make(dtype_of<R>(), h, w);
    const T* __restrict x = own.data<T>();
    R* __restrict o = out.mutable_data<R>();
    std::array<const Block*, 9> piece{};
    for (int d = 0, next = 1; d < 9; ++d) {
      if (d != 4 && (present >> d & 1u)) piece[static_cast<std::size_t>(d)] = &blocks[static_cast<std::size_t>(next++)];
    }
    // Elements whose neighbours all lie in the block read it in place.
    for (std::int64_t j = rc; j < w - rc; ++j) {
      for (std::int64_t i = rr; i < h - rr; ++i) o[i + j * h] = static_cast<R>(f(Neighbors<T>{x + i + j * h, h}));
    }
    // The ring within the radius of the block's edge (a small share of it)
    // reads through a window of its neighbourhood.
    const std::int64_t wh = 2 * rr + 1;
    std::vector<T> window(static_cast<std::size_t>(wh * (2 * rc + 1)));
    auto value_at = [&](std::int64_t y, std::int64_t z) -> T {
      const int dr = y < 0 ? -1 : y >= h ? 1 : 0, dc = z < 0 ? -1 : z >= w ? 1 : 0;
      if (dr == 0 && dc == 0) return x[y + z * h];
      const Block* p = piece[static_cast<std::size_t>((dr + 1) * 3 + (dc + 1))];
      if (p == nullptr) return static_cast<T>(pad);
      const std::int64_t py = dr < 0 ? y + rr : dr > 0 ? y - h : y, pz = dc < 0 ? z + rc : dc > 0 ? z - w : z;
      return p->data<T>()[py + pz * p->rows];
    };
    for (std::int64_t j = 0; j < w; ++j) {
      const bool edge_column = j < rc || j >= w - rc;
      for (std::int64_t i = 0; i < h; ++i) {
        if (!edge_column && i >= rr && i < h - rr) {
          i = h - rr - 1;  // skip the inside, done above
          continue;
        }
        for (std::int64_t dj = -rc; dj <= rc; ++dj) {
          for (std::int64_t di = -rr; di <= rr; ++di) window[static_cast<std::size_t>((di + rr) + (dj + rc) * wh)] = value_at(i + di, j + dj);
        }
        o[i + j * h] = static_cast<R>(f(Neighbors<T>{window.data() + rr + rc * wh, wh}));
      }
    }
    return out;
  }
};

// A function pointer is sent as what it names, never as an address (the
// worker's copy of the executable lies elsewhere in its memory).
template <class T, class R, class F>
  requires is_function_pointer<F>
void dagger_wire_save(const StencilBlock<T, R, F>& s, WireWriter& out) {
  wire_save(s.f, out);
  out.pod(s.rr);
  out.pod(s.rc);
  out.pod(s.present);
  out.pod(s.pad);
}
template <class T, class R, class F>
  requires is_function_pointer<F>
void dagger_wire_load(StencilBlock<T, R, F>& s, WireReader& in) {
  wire_load(s.f, in);
  s.rr = in.pod<std::int64_t>();
  s.rc = in.pod<std::int64_t>();
  s.present = in.pod<std::uint16_t>();
  s.pad = in.pod<double>();
}

}  // namespace detail

// stencil(a, radius, boundary, f): f(x) of each element's neighbourhood x
// (Neighbors: x(di) or x(di, dj), |di|, |dj| <= radius), on a vector or a
// matrix; the result has a's shape and blocks and f's element type. Every
// block must be at least `radius` long in each dimension (else
// ArrayError). For a 5-point Jacobi sweep:
//   stencil(u, 1, Pad(0), [](auto x) { return 0.25 * (x(-1, 0) + x(1, 0) + x(0, -1) + x(0, 1)); })
template <class T, class F>
auto stencil(const DArray<T>& a, std::int64_t radius, Boundary boundary, F f) {
  using R = detail::element_t<std::invoke_result_t<F&, const Neighbors<T>&>>;
  const detail::HaloPlan plan = detail::plan_halos(a.layout(), radius, boundary);
  const std::vector<Thunk<Block>>& blocks = a.block_thunks();
  std::vector<Thunk<Block>> out;
  out.reserve(blocks.size());
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    std::vector<Thunk<Block>> inputs{blocks[k]};
    std::uint16_t present = 0;
    for (const detail::HaloPiece& p : plan.pieces[k]) {
      present = static_cast<std::uint16_t>(present | (1u << p.direction));
      inputs.push_back(delayed(detail::CutHalo{p.rows, p.cols}, {.name = "halo"})(blocks[p.source]));
    }
    detail::StencilBlock<T, R, F> kernel{f, plan.row_radius, plan.col_radius, present, boundary.value};
    out.push_back(delayed(kernel, {.name = "stencil"})(inputs));
  }
  return DArray<R>(detail::make_array(a.layout(), dtype_of<R>(), std::move(out)));
}

}  // namespace dagger
