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

ArrayPtr matmul_arrays(const ArrayPtr& a_in, const ArrayPtr& b_in) {
  if (a_in->dtype == DType::b8) throw_unsupported("matmul", a_in->dtype);
  const Layout& la = a_in->layout;
  auto [b, out] = plan_product(la, b_in);
  const Layout& lb = b->layout;
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
    auto on_cpu = [dtype, h, w](const std::vector<Block>& as, const std::vector<Block>& bs) {
      Block c = Block::make(dtype, h, w);
      if (as.empty()) {  // inner dimension 0: a zero matrix
        std::memset(c.buffer.get(), 0, c.bytes());
      }
      for (std::size_t p = 0; p < as.size(); ++p) kernels::cpu::gemm(as[p], bs[p], c, p == 0);
      return c;
    };
    blocks.push_back(run_operation<ops::Matmul>({.name = "matmul"}, on_cpu, {dtype, h, w}, row, col));
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
    blocks.push_back(run_operation<ops::Transpose>({.name = "transpose"},
                                                   [](const Block& b) {
                                                     Block t = Block::make(b.dtype, b.cols, b.rows);
                                                     kernels::cpu::transpose(b, t);
                                                     return t;
                                                   },
                                                   NoRequest{}, source[l.block_index(j, i)]));
  }
  return make_array(std::move(out), a->dtype, std::move(blocks));
}

}  // namespace dagger::detail
