// Blocked matrix product and lazy transpose.
#include <cstring>

#include "dagger/array.hpp"
#include "dagger/array/block_operations.hpp"
#include "kernels/cpu/gemm.hpp"

namespace dagger::detail {

ProductPlan plan_product(const Layout& la, const ArrayPtr& right) {
  const Layout& lb = right->layout;
  if (la.ndims() != 2) throw ArrayError("matmul: the left operand must be a matrix, not " + la.shape_text());
  if (la.cols() != lb.rows()) {
    throw ArrayError("matmul: inner dimensions differ: " + la.shape_text() + " * " + lb.shape_text());
  }
  const bool matrix = lb.ndims() == 2;
  ArrayPtr b = right;
  if (lb.block_rows() != la.block_cols()) {
    b = rechunk(right, matrix ? Blocks(la.block_cols(), lb.block_cols()) : Blocks(la.block_cols()));
  }
  Layout out = matrix ? Layout({la.rows(), lb.cols()}, Blocks(la.block_rows(), lb.block_cols()))
                      : Layout({la.rows()}, Blocks(la.block_rows()));
  return {std::move(b), std::move(out)};
}

namespace {

// What block (i, j) of a product reads: the blocks a_at(p) of a's row of
// blocks and b_at(p) of b's column, for every p of the inner dimension.
struct InnerPanels {
  std::vector<Thunk<Block>> row, col;
};
template <class AAt, class BAt>
InnerPanels inner_panels(const std::vector<Thunk<Block>>& a, const std::vector<Thunk<Block>>& b, std::int64_t inner,
                         AAt a_at, BAt b_at) {
  InnerPanels panels;
  for (std::int64_t p = 0; p < inner; ++p) {
    panels.row.push_back(a[a_at(p)]);
    panels.col.push_back(b[b_at(p)]);
  }
  return panels;
}

// The CPU version of a product's block: the sum over p of as[p] * bs[p],
// each read transposed where the flags say (a zero block when the inner
// dimension is 0).
struct GemmBlock {
  DType dtype;
  std::int64_t rows, cols;
  bool transpose_a = false, transpose_b = false;

  Block operator()(const std::vector<Block>& as, const std::vector<Block>& bs) const {
    Block c = Block::make(dtype, rows, cols);
    if (as.empty()) std::memset(c.buffer.get(), 0, c.bytes());
    for (std::size_t p = 0; p < as.size(); ++p) kernels::cpu::gemm(as[p], bs[p], c, p == 0, transpose_a, transpose_b);
    return c;
  }
};

// a * b where a, b or both are transposes of matrices whose own blocks are
// read: block (i, p) of transpose(m) is block (p, i) of m, read transposed
// by the gemm. Without a materialized transpose, `A' * B` moves as many
// bytes as `A * B`.
ArrayPtr matmul_of_transposes(const ArrayPtr& a_in, const ArrayPtr& b_in) {
  const Layout& la = a_in->layout;
  const Layout& lb_in = b_in->layout;
  if (la.cols() != lb_in.rows()) {
    throw ArrayError("matmul: inner dimensions differ: " + la.shape_text() + " * " + lb_in.shape_text());
  }
  const bool ta = a_in->transpose_of != nullptr;
  // b's rows must be cut like a's columns: a transposed b is re-blocked at
  // its source (whose columns are b's rows), so it stays a view.
  ArrayPtr b_source = b_in->transpose_of;
  ArrayPtr b = b_in;
  if (b_source) {
    if (lb_in.block_rows() != la.block_cols()) {
      b_source = rechunk(b_source, Blocks(b_source->layout.block_rows(), la.block_cols()));
    }
  } else if (lb_in.block_rows() != la.block_cols()) {
    b = rechunk(b_in, Blocks(la.block_cols(), lb_in.block_cols()));
  }
  const bool tb = b_source != nullptr;
  const Layout lb = tb ? Layout({b_source->layout.cols(), b_source->layout.rows()},
                                Blocks(b_source->layout.block_cols(), b_source->layout.block_rows()))
                       : b->layout;
  const auto& ablocks = block_thunks(ta ? a_in->transpose_of : a_in);
  const auto& bblocks = block_thunks(tb ? b_source : b);
  const Layout& a_source_layout = ta ? a_in->transpose_of->layout : la;
  const Layout& b_source_layout = tb ? b_source->layout : lb;
  Layout out({la.rows(), lb.cols()}, Blocks(la.block_rows(), lb.block_cols()));
  const DType dtype = a_in->dtype;
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const std::int64_t i = out.grid_row_of(k), j = out.grid_col_of(k);
    InnerPanels in = inner_panels(
        ablocks, bblocks, la.grid_cols(),
        [&](std::int64_t p) { return ta ? a_source_layout.block_index(p, i) : la.block_index(i, p); },
        [&](std::int64_t p) { return tb ? b_source_layout.block_index(j, p) : lb.block_index(p, j); });
    const std::int64_t h = out.block_height(i), w = out.block_width(j);
    blocks.push_back(run_operation<ops::MatmulTransposed>({.name = "matmul"}, GemmBlock{dtype, h, w, ta, tb},
                                                          TransposedShape{{dtype, h, w}, ta, tb}, in.row, in.col));
  }
  return make_array(std::move(out), dtype, std::move(blocks));
}

}  // namespace

ArrayPtr matmul_arrays(const ArrayPtr& a_in, const ArrayPtr& b_in) {
  if (a_in->dtype == DType::b8) throw_unsupported("matmul", a_in->dtype);
  if (a_in->transpose_of || b_in->transpose_of) return matmul_of_transposes(a_in, b_in);
  const Layout& la = a_in->layout;
  auto [b, out] = plan_product(la, b_in);
  const Layout& lb = b->layout;
  const auto& ablocks = block_thunks(a_in);
  const auto& bblocks = block_thunks(b);
  const DType dtype = a_in->dtype;
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const std::int64_t i = out.grid_row_of(k), j = out.grid_col_of(k);
    InnerPanels in = inner_panels(ablocks, bblocks, la.grid_cols(), [&](std::int64_t p) { return la.block_index(i, p); },
                                  [&](std::int64_t p) { return lb.block_index(p, j); });
    const std::int64_t h = out.block_height(i), w = out.block_width(j);
    blocks.push_back(run_operation<ops::Matmul>({.name = "matmul"}, GemmBlock{dtype, h, w}, {dtype, h, w}, in.row, in.col));
  }
  return make_array(std::move(out), dtype, std::move(blocks));
}

namespace {

// A lazy array that reads no blocks: random and constant sources and
// element-wise operations on them.
bool made_from_nothing(const ArrayPtr& a) { return a->lazy() && a->sources.empty(); }

// The transpose of a matrix made from nothing is made from nothing too: its
// kernel runs a's kernel on the transposed spot of each tile, so that its
// random sources draw a's elements (c, r) for its (r, c). `A + transpose(A)`
// with A = rand(...) then holds no block of A and no transposed block: it
// draws A's elements twice, which costs less than writing A to memory and
// reading it back. Null when a has no program to transpose (a user's
// function is in its chain: its kernel cannot be told apart from one that
// already reads a transposed place), or the program cannot be transposed
// (it reads a transpose itself, or has no room for the constants).
ArrayPtr transposed_from_nothing(const ArrayPtr& a, Layout out) {
  const std::int64_t rows = std::max<std::int64_t>(a->layout.rows(), 1);
  ProgramPtr program = transposed_program(a->program, rows);
  if (!program) return nullptr;
  TileKernel kernel = [inner = a->kernel, rows](const std::byte* const* in, std::byte* o, std::int64_t n,
                                                const TileAt& at) {
    inner(in, o, n, TileAt{kernels::transposed_spot(at.block, rows), at.offset});
  };
  auto result = std::make_shared<ArrayImpl>(std::move(out), a->dtype);
  result->kernel = std::move(kernel);
  result->program = std::move(program);
  result->name = "transpose";
  result->transpose_of = a;
  return result;
}

}  // namespace

ArrayPtr made_once(const ArrayPtr& x, const ArrayPtr& other) {
  if (!x->lazy()) return x;
  // A transpose that reads x's blocks (one that makes its own elements
  // has no transposed_blocks).
  bool reads_x = other->transpose_of == x && other->transposed_blocks;
  for (const ArrayPtr& s : other->sources) reads_x = reads_x || s->transpose_of == x;
  return reads_x ? make_array(x->layout, x->dtype, block_thunks(x)) : x;
}

ArrayPtr transpose_array(const ArrayPtr& a) {
  const Layout& l = a->layout;
  Layout out = Layout({l.cols(), l.rows()}, Blocks(l.block_cols(), l.block_rows()));
  if (l.ndims() == 1) out = Layout({1, l.rows()}, Blocks(1, l.block_rows()));
  if (l.ndims() == 2 && made_from_nothing(a)) {
    // transpose(transpose(x)) is x.
    if (a->transpose_of && made_from_nothing(a->transpose_of)) return a->transpose_of;
    if (ArrayPtr t = transposed_from_nothing(a, out)) return t;
  }
  const auto& source = block_thunks(a);
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const std::int64_t i = out.grid_row_of(k), j = out.grid_col_of(k);
    blocks.push_back(run_operation<ops::Transpose>({.name = "transpose"},
                                                   [](const Block& b) {
                                                     Block t = Block::make(b.dtype, b.cols, b.rows);
                                                     kernels::cpu::transpose(b, t);
                                                     return t;
                                                   },
                                                   NoRequest{}, source[l.block_index(j, i)]));
  }
  auto result = std::make_shared<ArrayImpl>(out, a->dtype);
  result->blocks = std::move(blocks);
  if (l.ndims() == 2) {
    result->transpose_of = a;
    std::vector<Thunk<Block>> own;
    own.reserve(out.block_count());
    for (std::size_t k = 0; k < out.block_count(); ++k) own.push_back(source[l.block_index(out.grid_col_of(k), out.grid_row_of(k))]);
    auto turned = std::make_shared<ArrayImpl>(std::move(out), a->dtype);
    turned->blocks = std::move(own);
    turned->blocks_transposed = true;
    turned->transpose_of = a;
    result->transposed_blocks = std::move(turned);
  }
  return result;
}

}  // namespace dagger::detail
