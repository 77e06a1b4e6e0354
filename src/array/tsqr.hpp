// TSQR: the QR of a tall matrix of one column of tiles, by a tree of
// small factorizations (see tsqr.cpp).
#pragma once

#include <vector>

#include "dagger/array/factorizations.hpp"

namespace dagger::detail {

// Whether `l` (square tiles) is one column of at least two row tiles.
bool tsqr_fits(const Layout& l);
// The factors (computed): QrParts with its tree.
QrParts tsqr_factor(const Context& context, const ArrayPtr& a);
// Q' (transpose) or Q applied to the blocks `t` of layout `lt`, whose row
// tiles are the factors'.
void tsqr_apply(const QrParts& qr, const Layout& lt, std::vector<Thunk<Block>>& t, bool transpose);
// R, n x n, in one block.
ArrayPtr tsqr_r(const QrParts& qr);

}  // namespace dagger::detail
