// Householder panels shared by the tiled QR and TSQR: a column of tiles
// factored as one tall block, its scales, and its reflectors applied.
#pragma once

#include <vector>

#include "dagger/array/block.hpp"
#include "dagger/thunk.hpp"

namespace dagger::detail::householder {

// The tiles stacked and factored by geqrf, as one task: R on and above the
// diagonal, the reflectors below it, and the scales in one extra last
// column.
Thunk<Block> panel(const std::vector<Thunk<Block>>& column);
// The scales in a panel's last column.
std::vector<double> scales_of(const Block& panel);
// Q' c (or Q c) for the tall block stacked from the tiles c, Q the
// product of the reflectors stacked from the tiles v with scales tau.
Block reflected(const std::vector<Block>& v, const std::vector<Block>& c, const std::vector<double>& tau,
                bool transpose);

}  // namespace dagger::detail::householder
