// The CPU kernel of an element-wise chain as a thunk's function holds it. In
// this process it runs the chain's fused C++ kernel; it can also travel to a
// worker process when the chain has an element program (every built-in
// operation records one), where the program's interpreter runs it: the same
// values, bit for bit (see test_element_program). A chain with a user's
// lambda has no program and stays in the driver.
#pragma once

#include "dagger/array/darray.hpp"
#include "dagger/detail/wire.hpp"

namespace dagger::detail {

struct ElementKernel {
  TileKernel kernel;   // empty: the single source's elements, as they are
  ProgramPtr program;  // null: the chain holds a user's function
  // transposed[s]: source s is read transposed (its block is the transpose
  // of the block the kernel makes); empty when none is.
  std::vector<bool> transposed;

  bool travels() const { return program != nullptr; }
  bool reads_transposed(std::size_t s) const { return s < transposed.size() && transposed[s]; }
};

// What a lazy array's block thunks run: its kernel, its program, and which
// of its sources it reads transposed.
inline ElementKernel element_kernel_of(const ArrayImpl& lazy) {
  return {lazy.kernel, lazy.program, transposed_sources(lazy.sources)};
}

// Throws Error unless the blocks fit the kernel at this place: its size (a
// source read transposed has the place's shape turned), and the element
// types and number of sources its program reads.
void check_sources(const ElementKernel& k, const BlockPlace& place, const std::vector<Block>& in);

// The sources as the kernel's program reads them, each block at the place's
// own shape: those read transposed are turned by `transpose` (a processor
// that runs the program over whole blocks, as a GPU does, calls this first).
template <class Transpose>
std::vector<Block> upright_sources(const ElementKernel& k, const std::vector<Block>& in, Transpose transpose) {
  std::vector<Block> upright = in;
  for (std::size_t s = 0; s < upright.size(); ++s) {
    if (k.reads_transposed(s)) upright[s] = transpose(upright[s]);
  }
  return upright;
}

// Block k of a lazy array from block k of each of its sources, tile by tile
// (what its fused thunks run; a consumer may run it inside its own thunk).
Block run_elementwise(const ElementKernel& kernel, DType dtype, const BlockPlace& place, const std::vector<Block>& inputs);

void dagger_wire_save(const ElementKernel& k, WireWriter& out);
// Throws ProtocolError for a program that would read or write out of bounds.
void dagger_wire_load(ElementKernel& k, WireReader& in);

// A block's elements computed by a chain: the thunk function of lazy arrays.
struct ElementwiseBlock {
  ElementKernel kernel;
  DType dtype = DType::f64;
  BlockPlace place;  // of the block this thunk makes

  Block operator()(const std::vector<Block>& in) const;
  bool travels() const { return kernel.travels(); }
};
void dagger_wire_save(const ElementwiseBlock& f, WireWriter& out);
void dagger_wire_load(ElementwiseBlock& f, WireReader& in);
void dagger_wire_save(const BlockPlace& place, WireWriter& out);
// Throws ProtocolError for a negative or inconsistent shape.
void dagger_wire_load(BlockPlace& place, WireReader& in);

}  // namespace dagger::detail
