// The requests of the array's block operations on the wire, checked on
// arrival like every value a worker reads.
#include "dagger/array/block_operations.hpp"

#include <string>

#include "dagger/errors.hpp"

namespace dagger::detail {

void dagger_wire_save(const ElementRequest& r, WireWriter& out) {
  dagger_wire_save(r.kernel, out);
  dagger_wire_save(r.place, out);
}
void dagger_wire_load(ElementRequest& r, WireReader& in) {
  dagger_wire_load(r.kernel, in);
  dagger_wire_load(r.place, in);
}

void dagger_wire_save(const FoldRequest& r, WireWriter& out) {
  dagger_wire_save(r.kernel, out);
  dagger_wire_save(r.place, out);
  out.pod(static_cast<std::int32_t>(r.fold));
  out.pod(static_cast<std::int32_t>(r.dim));
}
void dagger_wire_load(FoldRequest& r, WireReader& in) {
  dagger_wire_load(r.kernel, in);
  dagger_wire_load(r.place, in);
  const auto fold = in.pod<std::int32_t>();
  if (fold < static_cast<int>(kernels::Fold::sum) || fold > static_cast<int>(kernels::Fold::max)) {
    throw ProtocolError("a fold of unknown kind " + std::to_string(fold));
  }
  r.fold = static_cast<kernels::Fold>(fold);
  r.dim = in.pod<std::int32_t>();
  if (r.dim < 0 || r.dim > 2) throw ProtocolError("a fold along dimension " + std::to_string(r.dim));
}

void dagger_wire_save(const BlockShape& s, WireWriter& out) {
  out.pod(static_cast<std::uint8_t>(s.dtype));
  out.pod(s.rows);
  out.pod(s.cols);
}
void dagger_wire_load(BlockShape& s, WireReader& in) {
  const auto dtype = in.pod<std::uint8_t>();
  if (dtype > static_cast<std::uint8_t>(DType::b8)) {
    throw ProtocolError("a block of unknown element type " + std::to_string(dtype));
  }
  s.dtype = static_cast<DType>(dtype);
  s.rows = in.pod<std::int64_t>();
  s.cols = in.pod<std::int64_t>();
  if (s.rows < 0 || s.cols < 0) throw ProtocolError("a block shape with a negative extent");
}

}  // namespace dagger::detail
