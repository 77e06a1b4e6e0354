// The table of move functions between kinds of memory space
// (register_move); memory/chunk_moves.hpp moves chunks with it.
#pragma once

#include "dagger/processor.hpp"

namespace dagger::detail {

// The move registered from spaces of kind `from` to spaces of kind `to`, or
// an empty function.
MoveFunction find_move(ProcKind from, ProcKind to);

}  // namespace dagger::detail
