// Blocked matrix product and lazy transpose.
#include <cstring>

#include "dagger/array.hpp"
#include "kernels/cpu/gemm.hpp"

namespace dagger::detail {

ArrayPtr matmul_arrays(const ArrayPtr& a_in, const ArrayPtr& b_in) {
  const Layout& la = a_in->layout;
  const Layout& lb0 = b_in->layout;
  if (la.ndims() != 2) throw ArrayError("matmul: the left operand must be a matrix, not " + la.shape_text());
  if (a_in->dtype == DType::b8) throw_unsupported("matmul", a_in->dtype);
  if (la.cols() != lb0.rows()) {
    throw ArrayError("matmul: inner dimensions differ: " + la.shape_text() + " * " + lb0.shape_text());
  }
  // b's rows must be cut like a's columns.
  ArrayPtr b = b_in;
  if (lb0.block_rows() != la.block_cols()) {
    b = rechunk(b_in, lb0.ndims() == 2 ? Blocks(la.block_cols(), lb0.block_cols()) : Blocks(la.block_cols()));
  }
  const Layout& lb = b->layout;
  Layout out = lb.ndims() == 2 ? Layout({la.rows(), lb.cols()}, Blocks(la.block_rows(), lb.block_cols()))
                               : Layout({la.rows()}, Blocks(la.block_rows()));
  const auto& ablocks = block_thunks(a_in);
  const auto& bblocks = block_thunks(b);
  const DType dtype = a_in->dtype;
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const std::int64_t i = out.grid_row_of(k), j = out.grid_col_of(k);
    std::vector<Thunk<Block>> row, col;
    for (std::int64_t p = 0; p < la.grid_cols(); ++p) {
      row.push_back(ablocks[la.block_index(i, p)]);
      col.push_back(bblocks[lb.block_index(p, j)]);
    }
    const std::int64_t h = out.block_height(i), w = out.block_width(j);
    blocks.push_back(delayed([dtype, h, w](const std::vector<Block>& as, const std::vector<Block>& bs) {
      Block c = Block::make(dtype, h, w);
      if (as.empty()) {  // inner dimension 0: a zero matrix
        std::memset(c.buffer.get(), 0, c.bytes());
      }
      for (std::size_t p = 0; p < as.size(); ++p) kernels::cpu::gemm(as[p], bs[p], c, p == 0);
      return c;
    }, {.name = "matmul"})(row, col));
  }
  return make_array(std::move(out), dtype, std::move(blocks));
}

ArrayPtr transpose_array(const ArrayPtr& a) {
  const Layout& l = a->layout;
  Layout out = Layout({l.cols(), l.rows()}, Blocks(l.block_cols(), l.block_rows()));
  if (l.ndims() == 1) out = Layout({1, l.rows()}, Blocks(1, l.block_rows()));
  const auto& source = block_thunks(a);
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const std::int64_t i = out.grid_row_of(k), j = out.grid_col_of(k);
    blocks.push_back(delayed([](const Block& b) { return kernels::cpu::transpose(b); },
                             {.name = "transpose"})(source[l.block_index(j, i)]));
  }
  return make_array(std::move(out), a->dtype, std::move(blocks));
}

}  // namespace dagger::detail
