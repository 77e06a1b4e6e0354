// Drawing the elements of the transpose of a random array of doubles, a run
// down one column of its block at a time: the source's elements `step`
// apart.
//
// A draw makes two neighbouring elements of the source, 2j and 2j + 1, which
// in the transpose lie side by side in one row, in neighbouring columns. A
// strided fill keeps one of each and wastes the other. Here a run keeps its
// draws' other halves for a while, and the run down the neighbouring column,
// which the tile walk reaches next, takes them instead of drawing again: each
// draw is used whole, as in an upright fill.
#pragma once

#include <cstdint>

#include "dagger/kernels/element_program.hpp"

namespace dagger::detail {

// out[k] is element first + k step of the random array of this kind and
// seed. The step is even: every element of the run has first's parity, and
// the other halves of its draws are the run from first ^ 1. (With an odd
// step they lie in the columns on either side, not in one run to keep.)
void draw_transposed_run(kernels::RandomKind kind, std::uint64_t seed, std::uint64_t first, std::uint64_t step,
                         std::int64_t n, double* out);

}  // namespace dagger::detail
