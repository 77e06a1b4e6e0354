// Householder panels shared by the tiled QR and TSQR.
#include "array/householder.hpp"

#include <algorithm>

#include "array/tiles.hpp"
#include "dagger/array/block_operations.hpp"
#include "kernels/cpu/lapack.hpp"

namespace dagger::detail::householder {

Thunk<Block> panel(const std::vector<Thunk<Block>>& column) {
  auto on_cpu = [](const std::vector<Block>& tiles) {
    Block panel = tiles::stacked(tiles, 1);
    const std::int64_t w = panel.cols - 1;
    Block factored{panel.dtype, panel.rows, w, panel.buffer, nullptr, nullptr};  // the first w columns, in place
    std::vector<double> tau;
    kernels::cpu::qr_in_place(factored, tau);
    for (std::size_t r = 0; r < tau.size(); ++r) {
      const std::size_t at = r + static_cast<std::size_t>(w * panel.rows);
      if (panel.dtype == DType::f64) {
        panel.mutable_data<double>()[at] = tau[r];
      } else {
        panel.mutable_data<float>()[at] = static_cast<float>(tau[r]);
      }
    }
    return panel;
  };
  return run_operation<ops::QrPanel>({.name = "geqrf"}, on_cpu, NoRequest{}, column);
}

std::vector<double> scales_of(const Block& panel) {
  const std::int64_t w = panel.cols - 1, k = std::min(panel.rows, w);
  std::vector<double> tau(static_cast<std::size_t>(k));
  for (std::int64_t r = 0; r < k; ++r) {
    const std::int64_t at = r + w * panel.rows;
    tau[static_cast<std::size_t>(r)] = panel.dtype == DType::f64 ? panel.data<double>()[at] : panel.data<float>()[at];
  }
  return tau;
}

Block reflected(const std::vector<Block>& v, const std::vector<Block>& c, const std::vector<double>& tau,
                bool transpose) {
  Block tall_c = tiles::stacked(c, 0);
  kernels::cpu::apply_reflectors(tiles::stacked(v, 0), tau, tall_c, transpose);
  return tall_c;
}

}  // namespace dagger::detail::householder
