// Arrays as grids of thunks: materializing lazy element-wise arrays,
// re-blocking, computing, describing.
#include <algorithm>
#include <cstring>

#include "array/computed.hpp"
#include "dagger/array.hpp"
#include "dagger/array/block_operations.hpp"

namespace dagger::detail {

ArrayPtr make_array(Layout layout, DType dtype, std::vector<Thunk<Block>> blocks) {
  auto a = std::make_shared<ArrayImpl>(std::move(layout), dtype);
  a->blocks = std::move(blocks);
  return a;
}

ArrayPtr make_lazy(Layout layout, DType dtype, std::vector<ArrayPtr> sources, TileKernel kernel,
                   ProgramPtr program, std::string name) {
  auto a = std::make_shared<ArrayImpl>(std::move(layout), dtype);
  a->name = std::move(name);
  a->sources = std::move(sources);
  a->kernel = std::move(kernel);
  a->program = std::move(program);
  return a;
}

std::vector<Thunk<Block>> source_blocks(const std::vector<ArrayPtr>& sources, std::size_t k) {
  std::vector<Thunk<Block>> inputs;
  inputs.reserve(sources.size());
  for (const ArrayPtr& s : sources) inputs.push_back(block_thunks(s)[k]);
  return inputs;
}

std::vector<bool> transposed_sources(const std::vector<ArrayPtr>& sources) {
  std::vector<bool> transposed;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    if (!sources[s]->blocks_transposed) continue;
    transposed.resize(sources.size(), false);
    transposed[s] = true;
  }
  return transposed;
}

BlockPlace block_place(const Layout& layout, std::size_t k) {
  BlockPlace place;
  if (layout.ndims() <= 2) {
    const std::int64_t gi = layout.grid_row_of(k), gj = layout.grid_col_of(k);
    place.rows = layout.block_height(gi);
    place.cols = layout.block_width(gj);
    const std::int64_t stride = std::max<std::int64_t>(layout.rows(), 1);
    place.spot.origin = layout.row_start(gi) + layout.col_start(gj) * stride;
    place.spot.height = std::max<std::int64_t>(place.rows, 1);
    place.spot.stride = stride;
    return place;
  }
  // An N-d block is stored as a matrix of its first dimension by the rest.
  const std::vector<std::int64_t> start = layout.block_start(k), extents = layout.block_extents(k);
  place.rows = extents[0];
  place.cols = 1;
  std::int64_t array_stride = 1;
  for (int d = 0; d < layout.ndims(); ++d) {
    const auto ud = static_cast<std::size_t>(d);
    place.spot.origin += start[ud] * array_stride;
    if (d > 0) {
      place.cols *= extents[ud];
      place.spot.upper_extent[d - 1] = std::max<std::int64_t>(extents[ud], 1);
      place.spot.upper_stride[d - 1] = std::max<std::int64_t>(array_stride, 1);
    }
    array_stride *= layout.extent(d);
  }
  place.spot.height = std::max<std::int64_t>(place.rows, 1);
  place.spot.stride = std::max<std::int64_t>(layout.rows(), 1);
  place.spot.upper = layout.ndims() - 1;
  return place;
}

Block run_program(const kernels::ElementProgram& program, const BlockPlace& place, const std::vector<Block>& inputs) {
  Block out = Block::make(static_cast<DType>(kernels::result_type(program)), place.rows, place.cols);
  std::vector<const void*> pointers;
  for (const Block& b : inputs) pointers.push_back(b.buffer.get());
  kernels::evaluate_tile(program, pointers.data(), out.buffer.get(), out.size(), 0, place.spot);
  return out;
}

ProgramPtr program_at(const ProgramPtr& program, const BlockPlace& place) {
  // Made by the version that runs, not with every thunk: the CPU's fused
  // kernel is told the spot as it runs and never reads the copy.
  auto at = std::make_shared<kernels::ElementProgram>(*program);
  at->spot = place.spot;
  return at;
}

namespace {
// One fused thunk per block of a lazy array, each in its assigned scope.
std::vector<Thunk<Block>> fused_blocks(const ArrayImpl& array, const Assignment& assignment) {
  std::vector<Thunk<Block>> blocks;
  blocks.reserve(array.layout.block_count());
  ElementwiseBlock on_cpu{element_kernel_of(array), array.dtype, {}};
  const std::string name = array.sources.empty() ? array.name : "elementwise";
  for (std::size_t k = 0; k < array.layout.block_count(); ++k) {
    on_cpu.place = block_place(array.layout, k);
    const Options options{.scope = assignment.scope(array.layout, k), .name = name};
    if (array.program) {
      blocks.push_back(run_operation<ops::Elementwise>(options, on_cpu, {on_cpu.kernel, on_cpu.place},
                                                       source_blocks(array.sources, k)));
    } else {
      blocks.push_back(delayed(on_cpu, options)(source_blocks(array.sources, k)));
    }
  }
  return blocks;
}
}  // namespace

const std::vector<Thunk<Block>>& block_thunks(const ArrayPtr& array) {
  if (!array->lazy()) return array->blocks;
  std::lock_guard lock(array->materialize_mutex);
  if (array->materialized.empty() && array->layout.block_count() > 0) {
    array->materialized = fused_blocks(*array, Assignment::arbitrary());
  }
  return array->materialized;
}

ArrayPtr placed(const ArrayPtr& array, const Assignment& assignment) {
  if (assignment.is_arbitrary()) return array;
  return make_array(array->layout, array->dtype, fused_blocks(*array, assignment));
}

ArrayPtr compute_array(const Context& context, const ArrayPtr& array) {
  auto out = std::make_shared<ArrayImpl>(array->layout, array->dtype);
  out->blocks = computed_blocks(context, block_thunks(array));
  out->computed = true;
  return out;
}

std::vector<Thunk<Block>> computed_blocks(const Context& context, const std::vector<Thunk<Block>>& lazy) {
  return known_blocks(compute(context, lazy));
}

std::vector<Thunk<Block>> known_blocks(std::vector<Chunk<Block>> chunks) {
  std::vector<Thunk<Block>> blocks;
  blocks.reserve(chunks.size());
  for (auto& c : chunks) {
    // A thunk whose result is known: runs never call it, and its consumers
    // read the computed block's own chunk (no second handle on the buffer,
    // so the chunk store may spill it between runs).
    auto known = delayed([](const Block& b) { return b; }, {.persist = true, .name = "computed"})(c);
    std::lock_guard lock(retained_mutex_for(known.node()->id));
    known.node()->persisted = c.data();
    blocks.push_back(std::move(known));
  }
  return blocks;
}

std::string describe(const ArrayImpl& a) {
  const Layout& l = a.layout;
  std::string grid, max_block;
  for (int d = 0; d < l.ndims(); ++d) {
    grid += (d ? "x" : "") + std::to_string(l.grid(d));
    max_block += (d ? "x" : "") + std::to_string(std::min(l.block_size(d), l.extent(d)));
  }
  if (l.ndims() == 0) grid = max_block = "()";
  return std::string(a.computed ? "Computed" : "Lazy") + "(" + l.shape_text() + " DArray<" + to_string(a.dtype) +
         "> in " + grid + " parts each of (max size) " + max_block + ")";
}

void throw_dtype_mismatch(DType stored, DType wanted) {
  throw TypeError("array holds " + to_string(stored) + " elements, not " + to_string(wanted));
}

void throw_shape_mismatch(const char* operation, const Layout& a, const Layout& b) {
  throw ArrayError(std::string("shape mismatch in ") + operation + ": " + a.shape_text() + " vs " +
                   b.shape_text());
}

void throw_unsupported(const char* operation, DType dtype) {
  throw ArrayError(std::string(operation) + " does not support " + to_string(dtype) + " elements");
}

void throw_scalar_out_of_range(const std::string& scalar, DType array) {
  throw ArrayError("the scalar " + scalar + " is out of range for an array of " + to_string(array) + " elements");
}

void throw_empty_reduction(const char* operation) {
  throw ArrayError(std::string(operation) + " of an empty array");
}

void throw_bad_dimension(const char* operation, int dim, const Layout& layout) {
  throw ArrayError(std::string(operation) + " along dimension " + std::to_string(dim) + " of a " +
                   layout.shape_text() + " array: dimensions are 1 and 2");
}

}  // namespace dagger::detail
