// Array blocks on the wire: a small description, then the payload sent from
// where it lies. Every size read back is checked against the description
// before anything is allocated, so a forged message cannot ask for more.
#include <cstring>
#include <limits>

#include "dagger/array/block.hpp"
#include "dagger/array/sparse.hpp"
#include "dagger/detail/wire.hpp"
#include "dagger/detail/wire_adopt.hpp"

namespace dagger {
namespace {

struct Shape {
  DType dtype;
  std::int64_t rows, cols;
};

void save_shape(DType dtype, std::int64_t rows, std::int64_t cols, detail::WireWriter& out) {
  out.pod(static_cast<std::uint8_t>(dtype));
  out.pod(rows);
  out.pod(cols);
}

Shape load_shape(detail::WireReader& in) {
  const auto dtype = in.pod<std::uint8_t>();
  if (dtype >= kElementTypeCount) {
    throw detail::ProtocolError("a block of unknown element type " + std::to_string(dtype));
  }
  Shape s{static_cast<DType>(dtype), in.pod<std::int64_t>(), in.pod<std::int64_t>()};
  if (s.rows < 0 || s.cols < 0 || (s.cols > 0 && s.rows > std::numeric_limits<std::int64_t>::max() / 8 / s.cols)) {
    throw detail::ProtocolError("a block of impossible shape " + std::to_string(s.rows) + " x " +
                                std::to_string(s.cols));
  }
  return s;
}

[[noreturn]] void throw_on_device() {
  throw Error("a block in GPU memory cannot be sent to another process; copy it to host memory first");
}

template <class T>
void load_vector(std::vector<T>& v, std::span<const std::byte> bytes) {
  if (bytes.size() % sizeof(T) != 0) throw detail::ProtocolError("a sparse block array of ragged size");
  v.resize(bytes.size() / sizeof(T));
  if (!bytes.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
}

}  // namespace

void dagger_wire_save(const Block& b, detail::WireWriter& out) {
  if (b.on_device()) throw_on_device();
  if (!b.buffer && b.bytes() > 0) throw Error("a block without its buffer cannot be sent to another process");
  save_shape(b.dtype, b.rows, b.cols, out);
  out.borrowed(std::span<const std::byte>(b.buffer.get(), b.bytes()));
}

void dagger_wire_load(Block& b, detail::WireReader& in) {
  Shape s = load_shape(in);
  auto payload = in.borrowed();
  const std::size_t expected = static_cast<std::size_t>(s.rows * s.cols) * element_size(s.dtype);
  if (payload.size() != expected) {
    throw detail::ProtocolError("a " + std::to_string(s.rows) + " x " + std::to_string(s.cols) + " " +
                                to_string(s.dtype) + " block sent with " + std::to_string(payload.size()) + " bytes");
  }
  // A payload in a received message's buffer becomes the block's own buffer.
  if (std::shared_ptr<std::byte[]> shared = detail::ReceivedBuffer::share(payload)) {
    b = Block{};
    b.dtype = s.dtype;
    b.rows = s.rows;
    b.cols = s.cols;
    b.buffer = std::move(shared);
    return;
  }
  b = Block::make(s.dtype, s.rows, s.cols);
  if (expected > 0) std::memcpy(b.buffer.get(), payload.data(), expected);
}

void dagger_wire_save(const SparseBlock& b, detail::WireWriter& out) {
  if (b.on_device()) throw_on_device();
  save_shape(b.dtype, b.rows, b.cols, out);
  out.borrowed(std::as_bytes(std::span(*b.col_start)));
  out.borrowed(std::as_bytes(std::span(*b.row_index)));
  out.borrowed(std::span<const std::byte>(*b.values));
}

void dagger_wire_load(SparseBlock& b, detail::WireReader& in) {
  Shape s = load_shape(in);
  b = SparseBlock{};
  b.dtype = s.dtype;
  b.rows = s.rows;
  b.cols = s.cols;
  b.col_start = std::make_shared<std::vector<std::int64_t>>();
  b.row_index = std::make_shared<std::vector<std::int64_t>>();
  b.values = std::make_shared<std::vector<std::byte>>();
  load_vector(*b.col_start, in.borrowed());
  load_vector(*b.row_index, in.borrowed());
  load_vector(*b.values, in.borrowed());
  const auto nnz = static_cast<std::int64_t>(b.row_index->size());
  bool valid = static_cast<std::int64_t>(b.col_start->size()) == s.cols + 1 &&
               b.values->size() == static_cast<std::size_t>(nnz) * element_size(s.dtype) &&
               b.col_start->front() == 0 && b.col_start->back() == nnz;
  for (std::size_t c = 0; valid && c + 1 < b.col_start->size(); ++c) valid = (*b.col_start)[c] <= (*b.col_start)[c + 1];
  for (std::int64_t r : *b.row_index) valid = valid && r >= 0 && r < s.rows;
  if (!valid) throw detail::ProtocolError("a sparse block whose arrays do not match its shape");
}

}  // namespace dagger
