// The singular value decomposition by QR first (Chan's R-SVD): A = Q R by
// the tiled Householder QR, then R = U_R diag(S) Vt by LAPACK's gesdd in
// one task, and U = Q U_R by the tiled product. For the tall matrices a
// distributed SVD is mostly asked of (m >> n) the O(m n^2) work is the
// tiled QR and product, spread over every processor, and only R's n x n
// SVD runs in one task; a wide matrix is decomposed as its transpose. A
// one-sided Jacobi SVD over tiles would spread the n x n part too, but it
// sweeps the whole matrix until convergence (several times the QR's work),
// and tile bidiagonalization is the two-stage reduction of PLASMA: much
// more code for the square case only. This is the one LAPACK-quality path
// that fits the tiles we have; the square case's serial part is stated in
// README.
#include <algorithm>
#include <tuple>

#include "dagger/array/factorizations.hpp"
#include "dagger/array/reshape.hpp"
#include "kernels/cpu/lapack.hpp"

namespace dagger::detail {
namespace {

using SvdBlocks = std::tuple<Block, Block, Block>;  // U_R, S, Vt

void check_operand(const char* operation, const ArrayPtr& a) {
  const Layout& l = a->layout;
  if (l.ndims() != 2) throw ArrayError(std::string(operation) + ": the operand must be a matrix, not " + l.shape_text());
  if (a->dtype != DType::f64 && a->dtype != DType::f32) throw_unsupported(operation, a->dtype);
  if (l.rows() == 0 || l.cols() == 0) {
    throw ArrayError(std::string(operation) + ": the matrix is empty (" + l.shape_text() + ")");
  }
}

// R of a's QR as one n x n block (a: m >= n).
Thunk<Block> r_in_one_block(const QrParts& f, std::int64_t n) {
  return block_thunks(rechunk(qr_r(f), Blocks(n, n))).front();
}

// An n x n matrix in one block.
ArrayPtr one_block(std::int64_t n, DType dtype, Thunk<Block> block) {
  return make_array(Layout({n, n}, Blocks(n, n)), dtype, {std::move(block)});
}

}  // namespace

SvdParts svd_factor(const Context& context, const ArrayPtr& a) {
  check_operand("svd", a);
  const Layout& l = a->layout;
  if (l.rows() < l.cols()) {
    // A' = U' S V'', so A = V' S U'': the factors of the transpose, swapped.
    const SvdParts t = svd_factor(context, compute_array(context, transpose_array(a)));
    return {compute_array(context, transpose_array(t.vt)), t.s, compute_array(context, transpose_array(t.u))};
  }
  const std::int64_t n = l.cols();
  const DType dtype = a->dtype;
  const QrParts f = qr_factor(context, a);
  const Thunk<SvdBlocks> parts = delayed([](const Block& r) {
    Block u = Block::make(r.dtype, r.rows, r.rows), s = Block::make(r.dtype, r.rows, 1);
    Block vt = Block::make(r.dtype, r.rows, r.rows);
    kernels::cpu::singular_values(r, s, &u, &vt);
    return SvdBlocks{std::move(u), std::move(s), std::move(vt)};
  }, {.name = "gesdd"})(r_in_one_block(f, n));
  const auto u_r = delayed([](const SvdBlocks& p) { return std::get<0>(p); }, {.name = "svd U"})(parts);
  const auto s = delayed([](const SvdBlocks& p) { return std::get<1>(p); }, {.name = "svd S"})(parts);
  const auto vt = delayed([](const SvdBlocks& p) { return std::get<2>(p); }, {.name = "svd Vt"})(parts);
  const Blocks tiles(l.block_rows(), l.block_cols());
  const ArrayPtr u = rechunk(matmul_arrays(qr_q(f), one_block(n, dtype, u_r)), tiles);
  const ArrayPtr v = rechunk(one_block(n, dtype, vt), Blocks(std::min(n, l.block_cols()), l.block_cols()));
  const ArrayPtr values = make_array(Layout({n}, Blocks(n)), dtype, {s});
  return {compute_array(context, u), compute_array(context, values), compute_array(context, v)};
}

Thunk<double> largest_singular_value(const ArrayPtr& a) {
  check_operand("opnorm", a);
  const ArrayPtr tall = a->layout.rows() < a->layout.cols() ? compute_array(Context(), transpose_array(a)) : a;
  const std::int64_t n = tall->layout.cols();
  const QrParts f = qr_factor(Context(), tall);
  return delayed([](const Block& r) {
    Block s = Block::make(r.dtype, r.rows, 1);
    kernels::cpu::singular_values(r, s, nullptr, nullptr);
    return s.dtype == DType::f64 ? s.data<double>()[0] : static_cast<double>(s.data<float>()[0]);
  }, {.name = "largest singular value"})(r_in_one_block(f, n));
}

}  // namespace dagger::detail
