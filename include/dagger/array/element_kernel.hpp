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

  bool travels() const { return program != nullptr; }
};

// Throws Error unless the blocks fit the kernel at this place: its size, and
// the element types and number of sources its program reads.
void check_sources(const ElementKernel& k, const BlockPlace& place, const std::vector<Block>& in);

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
