// Arrays of any rank: boxes copied between column-major buffers, and the
// operations built on them (cutting flat data, gathering, re-blocking,
// permuting dimensions, the layout of a fold over dimensions).
#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>

#include "dagger/array.hpp"
#include "dagger/detail/wire.hpp"

namespace dagger::detail {

void copy_box(const std::byte* source, const std::vector<std::int64_t>& source_shape,
              const std::vector<std::int64_t>& from, std::byte* target, const std::vector<std::int64_t>& target_shape,
              const std::vector<std::int64_t>& to, const std::vector<std::int64_t>& extents, std::size_t element_bytes) {
  const std::size_t n = extents.size();
  for (std::int64_t e : extents) {
    if (e <= 0) return;
  }
  // Element strides of both buffers; runs along dimension 0 are contiguous.
  std::vector<std::int64_t> source_stride(n, 1), target_stride(n, 1);
  for (std::size_t d = 1; d < n; ++d) {
    source_stride[d] = source_stride[d - 1] * source_shape[d - 1];
    target_stride[d] = target_stride[d - 1] * target_shape[d - 1];
  }
  std::int64_t s = 0, t = 0;
  for (std::size_t d = 0; d < n; ++d) {
    s += from[d] * source_stride[d];
    t += to[d] * target_stride[d];
  }
  const std::size_t run = static_cast<std::size_t>(n ? extents[0] : 1) * element_bytes;
  std::vector<std::int64_t> at(n, 0);
  while (true) {
    std::memcpy(target + static_cast<std::size_t>(t) * element_bytes, source + static_cast<std::size_t>(s) * element_bytes,
                run);
    std::size_t d = 1;
    for (; d < n; ++d) {
      s += source_stride[d];
      t += target_stride[d];
      if (++at[d] < extents[d]) break;
      s -= at[d] * source_stride[d];
      t -= at[d] * target_stride[d];
      at[d] = 0;
    }
    if (d >= n) return;
  }
}

namespace {

std::vector<std::int64_t> zeros_like(const std::vector<std::int64_t>& v) { return std::vector<std::int64_t>(v.size(), 0); }

Block block_of(DType dtype, const std::vector<std::int64_t>& extents) {
  const std::int64_t rows = extents.empty() ? 1 : extents[0];
  std::int64_t cols = 1;
  for (std::size_t d = 1; d < extents.size(); ++d) cols *= extents[d];
  return Block::make(dtype, rows, cols);
}

// The part of one source block that lies in a box: where in the source
// block, where in the box, and its extents.
struct BoxPart {
  std::vector<std::int64_t> source_extents, from, to, extents;
};

// The blocks of `from` that overlap the box [lo, hi) in each dimension
// (block numbers in `blocks`), and for each the part that lies in it.
std::vector<BoxPart> overlaps_of(const Layout& from, const std::vector<std::int64_t>& lo,
                                 const std::vector<std::int64_t>& hi, std::vector<std::size_t>& blocks) {
  const int n = from.ndims();
  std::vector<std::int64_t> first(static_cast<std::size_t>(n)), last(static_cast<std::size_t>(n));
  for (int d = 0; d < n; ++d) {
    const auto u = static_cast<std::size_t>(d);
    first[u] = lo[u] / from.block_size(d);
    last[u] = (hi[u] - 1) / from.block_size(d);
  }
  std::vector<BoxPart> out;
  std::vector<std::int64_t> at = first;
  while (true) {
    const std::size_t block = from.block_at(at);
    BoxPart part{from.block_extents(block), {}, {}, {}};
    for (int d = 0; d < n; ++d) {
      const auto u = static_cast<std::size_t>(d);
      const std::int64_t start = at[u] * from.block_size(d);
      const std::int64_t a = std::max(lo[u], start), b = std::min(hi[u], start + from.block_size(d));
      part.from.push_back(a - start);
      part.to.push_back(a - lo[u]);
      part.extents.push_back(b - a);
    }
    blocks.push_back(block);
    out.push_back(std::move(part));
    int d = 0;
    for (; d < n; ++d) {
      const auto u = static_cast<std::size_t>(d);
      if (++at[u] <= last[u]) break;
      at[u] = first[u];
    }
    if (d >= n) return out;
  }
}

std::int64_t product(const std::vector<std::int64_t>& extents) {
  return std::accumulate(extents.begin(), extents.end(), std::int64_t{1}, std::multiplies<>());
}

bool valid_extents(const std::vector<std::int64_t>& extents) {
  return extents.size() <= static_cast<std::size_t>(Layout::kMaxDims) &&
         std::all_of(extents.begin(), extents.end(), [](std::int64_t e) { return e >= 0; });
}

// The task of one block gathered from the blocks it overlaps (rechunk, and
// the first step of a broadcast). It travels.
struct GatherBox {
  DType dtype = DType::f64;
  std::vector<std::int64_t> extents;
  std::vector<BoxPart> parts;  // one per input block, in order

  Block operator()(const std::vector<Block>& in) const {
    if (in.size() != parts.size()) throw ArrayError("a gathered block got " + std::to_string(in.size()) + " blocks, not " + std::to_string(parts.size()));
    Block b = block_of(dtype, extents);
    for (std::size_t p = 0; p < parts.size(); ++p) {
      if (in[p].size() != product(parts[p].source_extents) || in[p].dtype != dtype) {
        throw ArrayError("a gathered block's input " + std::to_string(p) + " is not the block it expects");
      }
      copy_box(in[p].buffer.get(), parts[p].source_extents, parts[p].from, b.buffer.get(), extents, parts[p].to,
               parts[p].extents, element_size(dtype));
    }
    return b;
  }
};

void dagger_wire_save(const GatherBox& g, WireWriter& out) {
  out.pod(g.dtype);
  wire_save(g.extents, out);
  out.u64(g.parts.size());
  for (const BoxPart& p : g.parts) {
    for (const auto* v : {&p.source_extents, &p.from, &p.to, &p.extents}) wire_save(*v, out);
  }
}
void dagger_wire_load(GatherBox& g, WireReader& in) {
  g.dtype = in.pod<DType>();
  wire_load(g.extents, in);
  g.parts.resize(in.count(1));
  bool valid = static_cast<unsigned>(g.dtype) < kElementTypeCount && valid_extents(g.extents);
  for (BoxPart& p : g.parts) {
    for (auto* v : {&p.source_extents, &p.from, &p.to, &p.extents}) wire_load(*v, in);
    const std::size_t n = g.extents.size();
    valid = valid && p.source_extents.size() == n && p.from.size() == n && p.to.size() == n && p.extents.size() == n &&
            valid_extents(p.source_extents) && valid_extents(p.from) && valid_extents(p.to) && valid_extents(p.extents);
    for (std::size_t d = 0; valid && d < n; ++d) {
      valid = p.from[d] + p.extents[d] <= p.source_extents[d] && p.to[d] + p.extents[d] <= g.extents[d];
    }
  }
  if (!valid) throw ProtocolError("a gathered block whose parts lie outside their blocks");
}

// A block whose elements repeat those of `source` (of source_extents, each
// equal to the block's or 1) along the dimensions where it has 1.
Block repeat_block(const Block& source, const std::vector<std::int64_t>& source_extents,
                   const std::vector<std::int64_t>& extents);

// The task of one block of a broadcast: gathered, then repeated. It travels.
struct BroadcastBlock {
  GatherBox gather;  // of the repeated side's part, extent 1 where it repeats
  std::vector<std::int64_t> extents;

  Block operator()(const std::vector<Block>& in) const { return repeat_block(gather(in), gather.extents, extents); }
};

void dagger_wire_save(const BroadcastBlock& b, WireWriter& out) {
  dagger_wire_save(b.gather, out);
  wire_save(b.extents, out);
}
void dagger_wire_load(BroadcastBlock& b, WireReader& in) {
  dagger_wire_load(b.gather, in);
  wire_load(b.extents, in);
  bool valid = valid_extents(b.extents) && b.extents.size() == b.gather.extents.size();
  for (std::size_t d = 0; valid && d < b.extents.size(); ++d) {
    valid = b.gather.extents[d] == b.extents[d] || b.gather.extents[d] == 1;
  }
  if (!valid) throw ProtocolError("a broadcast block that is no repetition of its source");
}

// Block `b` (of source_extents) with dimension perm[i] (from 1) as its
// dimension i. It travels.
struct PermuteBlock {
  DType dtype = DType::f64;
  std::vector<int> perm;
  std::vector<std::int64_t> extents, source_extents;

  Block operator()(const Block& b) const;
};

void dagger_wire_save(const PermuteBlock& p, WireWriter& out) {
  out.pod(p.dtype);
  wire_save(p.perm, out);
  wire_save(p.extents, out);
  wire_save(p.source_extents, out);
}
void dagger_wire_load(PermuteBlock& p, WireReader& in) {
  p.dtype = in.pod<DType>();
  wire_load(p.perm, in);
  wire_load(p.extents, in);
  wire_load(p.source_extents, in);
  const std::size_t n = p.perm.size();
  bool valid = static_cast<unsigned>(p.dtype) < kElementTypeCount && valid_extents(p.extents) &&
               p.extents.size() == n && p.source_extents.size() == n && valid_extents(p.source_extents);
  std::vector<bool> seen(n, false);
  for (std::size_t i = 0; valid && i < n; ++i) {
    const int from = p.perm[i] - 1;
    valid = from >= 0 && static_cast<std::size_t>(from) < n && !seen[static_cast<std::size_t>(from)] &&
            p.extents[i] == p.source_extents[static_cast<std::size_t>(from)];
    if (valid) seen[static_cast<std::size_t>(from)] = true;
  }
  if (!valid) throw ProtocolError("a permutedims block with an impossible permutation");
}

// A block made from data the caller gave: the block itself, which travels
// as the task's argument.
struct GivenBlock {
  Block operator()(const Block& b) const { return b; }
};
void dagger_wire_save(const GivenBlock&, WireWriter&) {}
void dagger_wire_load(GivenBlock&, WireReader&) {}

static_assert(wire_capable<GatherBox> && wire_capable<BroadcastBlock> && wire_capable<PermuteBlock> &&
                  wire_capable<GivenBlock>,
              "the tasks of any-rank arrays travel to workers");

}  // namespace

ArrayPtr cut_flat(Layout layout, DType dtype, const std::vector<std::byte>& whole, const Assignment& assignment) {
  const std::size_t bytes = element_size(dtype);
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < layout.block_count(); ++k) {
    const std::vector<std::int64_t> extents = layout.block_extents(k);
    Block part = block_of(dtype, extents);
    copy_box(whole.data(), layout.shape(), layout.block_start(k), part.buffer.get(), extents, zeros_like(extents), extents,
             bytes);
    blocks.push_back(delayed(GivenBlock{}, {.scope = assignment.scope(layout, k), .name = "distribute"})(std::move(part)));
  }
  return make_array(std::move(layout), dtype, std::move(blocks));
}

std::vector<std::byte> gather_flat(const Context& context, const ArrayPtr& array) {
  const Layout& layout = array->layout;
  const std::size_t bytes = element_size(array->dtype);
  std::vector<std::byte> whole(static_cast<std::size_t>(layout.size()) * bytes);
  // Blocks computed on a GPU or in a worker are brought here first.
  const std::vector<ChunkPtr> chunks = results_here(context, block_thunks(array));
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    // Pinned while copied, not held: the computed blocks may spill again.
    ScopedPin pin(*chunks[k]);
    const Block& b = chunks[k]->value.get<Block>();
    const std::vector<std::int64_t> extents = layout.block_extents(k);
    copy_box(b.buffer.get(), extents, zeros_like(extents), whole.data(), layout.shape(), layout.block_start(k), extents,
             bytes);
  }
  return whole;
}

ArrayPtr rechunk_any_rank(const ArrayPtr& array, Layout out) {
  const std::vector<Thunk<Block>>& sources = block_thunks(array);
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const std::vector<std::int64_t> lo = out.block_start(k), extents = out.block_extents(k);
    std::vector<std::int64_t> hi = lo;
    for (std::size_t d = 0; d < hi.size(); ++d) hi[d] += extents[d];
    std::vector<std::size_t> read;
    GatherBox gather{array->dtype, extents, overlaps_of(array->layout, lo, hi, read)};
    std::vector<Thunk<Block>> inputs;
    for (std::size_t s : read) inputs.push_back(sources[s]);
    blocks.push_back(delayed(std::move(gather), {.name = "rechunk"})(std::move(inputs)));
  }
  return make_array(std::move(out), array->dtype, std::move(blocks));
}

namespace {

// A walk over the result in its order, reading the source through its
// strides permuted.
Block PermuteBlock::operator()(const Block& b) const {
  if (b.size() != product(source_extents) || b.dtype != dtype) {
    throw ArrayError("permutedims got a block that is not the one it permutes");
  }
  Block result = block_of(dtype, extents);
  const std::size_t bytes = element_size(dtype), rank = extents.size();
  std::array<std::int64_t, Layout::kMaxDims> source_stride{}, stride{}, at{};
  for (std::size_t d = 0; d < rank; ++d) source_stride[d] = d == 0 ? 1 : source_stride[d - 1] * source_extents[d - 1];
  for (std::size_t i = 0; i < rank; ++i) stride[i] = source_stride[static_cast<std::size_t>(perm[i] - 1)];
  const std::byte* x = b.buffer.get();
  std::byte* o = result.buffer.get();
  std::int64_t s = 0;
  for (std::int64_t i = 0; i < result.size(); ++i) {
    std::memcpy(o + static_cast<std::size_t>(i) * bytes, x + static_cast<std::size_t>(s) * bytes, bytes);
    for (std::size_t d = 0; d < rank; ++d) {
      s += stride[d];
      if (++at[d] < extents[d]) break;
      s -= at[d] * stride[d];
      at[d] = 0;
    }
  }
  return result;
}

}  // namespace

ArrayPtr permuted(const ArrayPtr& array, const std::vector<int>& perm) {
  const Layout& in = array->layout;
  const int n = in.ndims();
  std::vector<std::int64_t> shape, sizes;
  for (int p : perm) {
    shape.push_back(in.extent(p - 1));
    sizes.push_back(in.block_size(p - 1));
  }
  Layout out(std::move(shape), Blocks(std::move(sizes)));
  const DType dtype = array->dtype;
  const std::vector<Thunk<Block>>& sources = block_thunks(array);
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const std::vector<std::int64_t> at = out.block_coords(k);
    std::vector<std::int64_t> source_at(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) source_at[static_cast<std::size_t>(perm[static_cast<std::size_t>(i)] - 1)] = at[static_cast<std::size_t>(i)];
    const std::size_t source = in.block_at(source_at);
    blocks.push_back(delayed(PermuteBlock{dtype, perm, out.block_extents(k), in.block_extents(source)},
                             {.name = "permutedims"})(sources[source]));
  }
  return make_array(std::move(out), dtype, std::move(blocks));
}

std::vector<bool> folded_dimensions(const char* operation, const Layout& layout, const std::vector<int>& dims) {
  std::vector<bool> folded(static_cast<std::size_t>(layout.ndims()), false);
  for (int d : dims) {
    if (d < 1 || d > layout.ndims()) {
      throw ArrayError(std::string(operation) + " along dimension " + std::to_string(d) + " of the " +
                       layout.shape_text() + " array: its dimensions are 1 to " + std::to_string(layout.ndims()));
    }
    if (folded[static_cast<std::size_t>(d - 1)]) {
      throw ArrayError(std::string(operation) + " names dimension " + std::to_string(d) + " twice");
    }
    folded[static_cast<std::size_t>(d - 1)] = true;
  }
  return folded;
}

Layout folded_layout(const Layout& in, const std::vector<bool>& folded) {
  std::vector<std::int64_t> shape = in.shape(), sizes = in.blocks().sizes;
  for (std::size_t d = 0; d < folded.size(); ++d) {
    if (folded[d]) shape[d] = sizes[d] = 1;
  }
  return Layout(std::move(shape), Blocks(std::move(sizes)));
}

}  // namespace dagger::detail

namespace dagger::detail {

std::vector<std::int64_t> broadcast_shape(const char* operation, const Layout& a, const Layout& b) {
  const std::size_t rank = static_cast<std::size_t>(std::max(a.ndims(), b.ndims()));
  std::vector<std::int64_t> shape(rank);
  for (std::size_t d = 0; d < rank; ++d) {
    const std::int64_t x = d < a.shape().size() ? a.shape()[d] : 1, y = d < b.shape().size() ? b.shape()[d] : 1;
    if (x != y && x != 1 && y != 1) {
      throw ArrayError(std::string("shape mismatch in ") + operation + ": " + a.shape_text() + " vs " + b.shape_text() +
                       " (dimension " + std::to_string(d + 1) + " is " + std::to_string(x) + " against " +
                       std::to_string(y) + ", and neither is 1 to broadcast)");
    }
    shape[d] = x == 1 ? y : x;
  }
  return shape;
}

namespace {

Block repeat_block(const Block& source, const std::vector<std::int64_t>& source_extents,
                   const std::vector<std::int64_t>& extents) {
  Block out = block_of(source.dtype, extents);
  const std::size_t bytes = element_size(source.dtype), rank = extents.size();
  const std::int64_t height = rank ? extents[0] : 1;
  const bool repeat_rows = rank && source_extents[0] == 1 && height != 1;
  std::array<std::int64_t, Layout::kMaxDims> stride{}, at{};
  for (std::size_t d = 1; d < rank; ++d) stride[d] = d == 1 ? source_extents[0] : stride[d - 1] * source_extents[d - 1];
  std::int64_t columns = 1;
  for (std::size_t d = 1; d < rank; ++d) columns *= extents[d];
  std::byte* o = out.buffer.get();
  for (std::int64_t c = 0; c < columns; ++c) {
    std::int64_t s = 0;  // the source's offset of this column's first element
    for (std::size_t d = 1; d < rank; ++d) s += (source_extents[d] == 1 ? 0 : at[d]) * stride[d];
    const std::byte* from = source.buffer.get() + static_cast<std::size_t>(s) * bytes;
    std::byte* to = o + static_cast<std::size_t>(c * height) * bytes;
    if (repeat_rows) {
      for (std::int64_t i = 0; i < height; ++i) std::memcpy(to + static_cast<std::size_t>(i) * bytes, from, bytes);
    } else {
      std::memcpy(to, from, static_cast<std::size_t>(height) * bytes);
    }
    for (std::size_t d = 1; d < rank; ++d) {
      if (++at[d] < extents[d]) break;
      at[d] = 0;
    }
  }
  return out;
}

}  // namespace

ArrayPtr broadcast_to(const ArrayPtr& array, const Layout& out) {
  // The array as one of out's rank: trailing dimensions of extent 1 keep
  // its blocks' numbering.
  std::vector<std::int64_t> shape = array->layout.shape(), sizes = array->layout.blocks().sizes;
  shape.resize(static_cast<std::size_t>(out.ndims()), 1);
  sizes.resize(static_cast<std::size_t>(out.ndims()), 1);
  const Layout in(shape, Blocks(sizes));
  const DType dtype = array->dtype;
  const std::vector<Thunk<Block>>& sources = block_thunks(array);
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const std::vector<std::int64_t> start = out.block_start(k), extents = out.block_extents(k);
    std::vector<std::int64_t> lo(start.size()), hi(start.size()), source_extents(start.size());
    for (std::size_t d = 0; d < start.size(); ++d) {
      const bool repeated = shape[d] == 1;
      lo[d] = repeated ? 0 : start[d];
      source_extents[d] = repeated ? 1 : extents[d];
      hi[d] = lo[d] + source_extents[d];
    }
    std::vector<std::size_t> read;
    BroadcastBlock task{{dtype, source_extents, overlaps_of(in, lo, hi, read)}, extents};
    std::vector<Thunk<Block>> inputs;
    for (std::size_t s : read) inputs.push_back(sources[s]);
    blocks.push_back(delayed(std::move(task), {.name = "broadcast"})(std::move(inputs)));
  }
  return make_array(out, dtype, std::move(blocks));
}

}  // namespace dagger::detail

namespace dagger::detail {

ArrayPtr concatenate_any_rank(const std::vector<ArrayPtr>& arrays, int dim) {
  int rank = dim;
  for (const ArrayPtr& a : arrays) rank = std::max(rank, a->layout.ndims());
  std::string shapes;
  for (const ArrayPtr& a : arrays) shapes += (shapes.empty() ? "" : ", ") + a->layout.shape_text();
  if (dim < 1 || rank > Layout::kMaxDims) {
    throw ArrayError("cat along dimension " + std::to_string(dim) + " of arrays " + shapes + ": dimensions are 1 to " +
                     std::to_string(Layout::kMaxDims));
  }
  const auto along = static_cast<std::size_t>(dim - 1);
  // Each array as one of the result's rank.
  std::vector<Layout> padded;
  for (const ArrayPtr& a : arrays) {
    std::vector<std::int64_t> shape = a->layout.shape(), sizes = a->layout.blocks().sizes;
    shape.resize(static_cast<std::size_t>(rank), 1);
    sizes.resize(static_cast<std::size_t>(rank), 1);
    padded.emplace_back(std::move(shape), Blocks(std::move(sizes)));
  }
  std::vector<std::int64_t> shape = padded.front().shape(), offsets;
  shape[along] = 0;
  for (const Layout& l : padded) {
    for (std::size_t d = 0; d < shape.size(); ++d) {
      if (d != along && l.shape()[d] != padded.front().shape()[d]) {
        throw ArrayError("cat along dimension " + std::to_string(dim) + " of arrays " + shapes +
                         ": their extents differ in dimension " + std::to_string(d + 1));
      }
    }
    offsets.push_back(shape[along]);
    shape[along] += l.shape()[along];
  }
  Layout out(std::move(shape), padded.front().blocks());
  const DType dtype = arrays.front()->dtype;
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const std::vector<std::int64_t> lo = out.block_start(k), extents = out.block_extents(k);
    GatherBox gather{dtype, extents, {}};
    std::vector<Thunk<Block>> inputs;
    for (std::size_t i = 0; i < arrays.size(); ++i) {
      const std::int64_t first = std::max(lo[along], offsets[i]);
      const std::int64_t last = std::min(lo[along] + extents[along], offsets[i] + padded[i].shape()[along]);
      if (first >= last) continue;
      std::vector<std::int64_t> from = lo, to = lo;
      for (std::size_t d = 0; d < to.size(); ++d) to[d] += extents[d];
      from[along] = first - offsets[i];
      to[along] = last - offsets[i];
      std::vector<std::size_t> read;
      for (BoxPart& part : overlaps_of(padded[i], from, to, read)) {
        part.to[along] += first - lo[along];
        gather.parts.push_back(std::move(part));
      }
      const std::vector<Thunk<Block>>& sources = block_thunks(arrays[i]);
      for (std::size_t s : read) inputs.push_back(sources[s]);
    }
    blocks.push_back(delayed(std::move(gather), {.name = "cat"})(std::move(inputs)));
  }
  return make_array(std::move(out), dtype, std::move(blocks));
}

}  // namespace dagger::detail
