// Element-wise kernels on the wire: the element program goes, the fused C++
// kernel is rebuilt on arrival as the program's interpreter.
#include "dagger/array/element_kernel.hpp"

#include <cstring>
#include <string>

#include "dagger/array/tile_walk.hpp"

namespace dagger::detail {
namespace {

using kernels::ElementInstruction;
using kernels::ElementProgram;
using kernels::ElementType;

bool valid_type(ElementType t) { return static_cast<int>(t) < DAGGER_ELEMENT_TYPE_COUNT; }

// Every index in range and the stack within bounds, so evaluate() cannot
// read or write outside the program, its constants or its sources.
void check_program(const ElementProgram& p) {
  auto bad = [](const std::string& why) { throw ProtocolError("an element program that " + why); };
  if (p.length == 0 || p.length > ElementProgram::kMaxInstructions) bad("has " + std::to_string(p.length) + " instructions");
  if (p.sources > ElementProgram::kMaxSources) bad("reads too many sources");
  if (p.constants > ElementProgram::kMaxConstants) bad("has too many constants");
  int depth = 0;
  for (int k = 0; k < p.length; ++k) {
    const ElementInstruction& in = p.code[k];
    if (!valid_type(in.left) || !valid_type(in.right) || !valid_type(in.compute) || !valid_type(in.result)) {
      bad("names an unknown element type");
    }
    switch (in.code) {
      case ElementInstruction::load:
        if (in.index >= p.sources) bad("loads a source it does not have");
        ++depth;
        break;
      case ElementInstruction::constant:
        if (in.index >= p.constants) bad("reads a constant it does not have");
        ++depth;
        break;
      case ElementInstruction::generate:
        if (in.index >= p.constants) bad("seeds a random source with a constant it does not have");
        if (in.op > static_cast<std::uint8_t>(kernels::RandomKind::normal)) bad("names an unknown random source");
        ++depth;
        break;
      case ElementInstruction::generate_transposed:
        if (in.index + 1 >= p.constants) bad("seeds a transposed random source with constants it does not have");
        if (in.op > static_cast<std::uint8_t>(kernels::RandomKind::normal)) bad("names an unknown random source");
        if (p.constant[in.index + 1].i64 < 1) bad("transposes a random source of no rows");
        ++depth;
        break;
      case ElementInstruction::unary:
        if (in.op > static_cast<std::uint8_t>(kernels::UnaryOp::square) || depth < 1) bad("has a bad unary step");
        break;
      case ElementInstruction::binary:
        if (in.op > static_cast<std::uint8_t>(kernels::BinaryOp::greater_equal) || depth < 2) bad("has a bad binary step");
        --depth;
        break;
      default: bad("has an unknown instruction");
    }
    if (depth > ElementProgram::kMaxDepth) bad("overflows its stack");
  }
  if (depth != 1) bad("does not leave one value");
}

}  // namespace

void check_sources(const ElementKernel& k, const BlockPlace& place, const std::vector<Block>& in) {
  if (in.empty() && k.program && k.program->sources > 0) throw Error("an element-wise kernel given no blocks");
  for (std::size_t s = 0; s < in.size(); ++s) {
    if (in[s].size() != place.size()) throw Error("an element-wise kernel given blocks of different sizes");
    if (k.reads_transposed(s) && (in[s].rows != place.cols || in[s].cols != place.rows)) {
      throw Error("an element-wise kernel given a " + std::to_string(in[s].rows) + "x" + std::to_string(in[s].cols) +
                  " block to read transposed for a " + std::to_string(place.rows) + "x" +
                  std::to_string(place.cols) + " block");
    }
  }
  if (k.transposed.size() > in.size()) throw Error("an element-wise kernel that reads more sources transposed than it has");
  if (!k.program) return;
  const ElementProgram& p = *k.program;
  if (in.size() < p.sources) {
    throw Error("an element-wise kernel given " + std::to_string(in.size()) + " of its " + std::to_string(p.sources) +
                " sources");
  }
  for (int i = 0; i < p.length; ++i) {
    const ElementInstruction& step = p.code[i];
    if (step.code == ElementInstruction::load && static_cast<std::uint8_t>(in[step.index].dtype) != static_cast<std::uint8_t>(step.result)) {
      throw Error("an element-wise kernel given a block of another element type than its program reads");
    }
  }
}

void dagger_wire_save(const ElementKernel& k, WireWriter& out) {
  if (!k.program) throw Error("an element-wise chain with a user's function cannot be sent to another process");
  out.pod<std::uint8_t>(k.kernel ? 1 : 0);
  out.pod(*k.program);
  out.pod<std::uint32_t>(static_cast<std::uint32_t>(k.transposed.size()));
  for (bool t : k.transposed) out.pod<std::uint8_t>(t ? 1 : 0);
}

void dagger_wire_load(ElementKernel& k, WireReader& in) {
  const bool has_kernel = in.pod<std::uint8_t>() != 0;
  auto program = std::make_shared<const ElementProgram>(in.pod<ElementProgram>());
  check_program(*program);
  const auto transposed = in.pod<std::uint32_t>();
  if (transposed > ElementProgram::kMaxSources) throw ProtocolError("an element program that reads too many sources transposed");
  k.transposed.clear();
  for (std::uint32_t s = 0; s < transposed; ++s) k.transposed.push_back(in.pod<std::uint8_t>() != 0);
  k.program = program;
  k.kernel = nullptr;
  if (has_kernel) {
    k.kernel = [program](const std::byte* const* inputs, std::byte* out, std::int64_t n, const TileAt& at) {
      kernels::evaluate_tile(*program, reinterpret_cast<const void* const*>(inputs), out, n, at.offset, at.block);
    };
  }
}

Block run_elementwise(const ElementKernel& kernel, DType dtype, const BlockPlace& place, const std::vector<Block>& inputs) {
  Block out = Block::make(dtype, place.rows, place.cols);
  const std::size_t out_size = element_size(dtype);
  for (TileWalk walk(place, inputs, kernel.transposed); walk.next();) {
    std::byte* tile = out.buffer.get() + static_cast<std::size_t>(walk.at().offset) * out_size;
    if (kernel.kernel) {
      kernel.kernel(walk.pointers(), tile, walk.size(), walk.at());
    } else {  // the single source's elements, as they are (or turned upright)
      std::memcpy(tile, walk.pointers()[0], static_cast<std::size_t>(walk.size()) * out_size);
    }
  }
  return out;
}

Block ElementwiseBlock::operator()(const std::vector<Block>& in) const {
  check_sources(kernel, place, in);
  return run_elementwise(kernel, dtype, place, in);
}

void dagger_wire_save(const BlockPlace& place, WireWriter& out) { out.pod(place); }

void dagger_wire_load(BlockPlace& place, WireReader& in) {
  place = in.pod<BlockPlace>();
  const kernels::ElementSpot& s = place.spot;
  if (place.rows < 0 || place.cols < 0 || s.origin < 0 || s.height < 1 || s.stride < 1 || s.step < 1 || s.upper < 0 ||
      s.upper > kernels::kMaxUpperDims) {
    throw ProtocolError("a block place with a negative shape");
  }
  for (int d = 0; d < s.upper; ++d) {
    if (s.upper_extent[d] < 1 || s.upper_stride[d] < 1) throw ProtocolError("a block place with a negative shape");
  }
}

void dagger_wire_save(const ElementwiseBlock& f, WireWriter& out) {
  dagger_wire_save(f.kernel, out);
  out.pod(f.dtype);
  dagger_wire_save(f.place, out);
}

void dagger_wire_load(ElementwiseBlock& f, WireReader& in) {
  dagger_wire_load(f.kernel, in);
  const auto dtype = in.pod<std::uint8_t>();
  if (dtype >= kElementTypeCount) throw ProtocolError("an unknown element type");
  f.dtype = static_cast<DType>(dtype);
  dagger_wire_load(f.place, in);
}

}  // namespace dagger::detail
