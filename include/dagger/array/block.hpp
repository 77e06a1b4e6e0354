// One block of an array: a column-major rows x cols buffer of one element
// type. A block is a small handle (copies share the buffer); kernels read
// and write it through typed views and never own Eigen objects, so the
// buffer can live in any memory space a processor has.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "dagger/array/dtype.hpp"
#include "dagger/detail/spill_codec.hpp"

namespace dagger {

namespace detail {
class DeviceBuffer;
class WireWriter;
class WireReader;
}

// Where a block's exact bytes lie on disk, for a block read from an array
// file: the chunk store then drops the block instead of spilling it, and
// reads it back from there. Holds the file open, so replacing or deleting
// the file by name does not change what it reads.
class BlockSource {
 public:
  virtual ~BlockSource() = default;
  // Fills `out` with the block's bytes; an empty string, or what went wrong.
  virtual std::string read_into(std::span<std::byte> out) const = 0;
};

struct Block {
  DType dtype = DType::f64;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::shared_ptr<std::byte[]> buffer;
  // Set only on blocks whose buffer is byte for byte a file's contents.
  std::shared_ptr<const BlockSource> source;
  // A block in a GPU's memory has this instead of `buffer` (which is then
  // null, so host code cannot read device memory by mistake).
  std::shared_ptr<detail::DeviceBuffer> device;

  // A new, uninitialized block.
  static Block make(DType dtype, std::int64_t rows, std::int64_t cols);

  std::int64_t size() const noexcept { return rows * cols; }
  bool on_device() const noexcept { return device != nullptr; }
  std::size_t bytes() const { return static_cast<std::size_t>(size()) * element_size(dtype); }
  template <class T>
  const T* data() const {
    return reinterpret_cast<const T*>(buffer.get());
  }
  template <class T>
  T* mutable_data() {
    return reinterpret_cast<T*>(buffer.get());
  }
};

// Memory accounting (events, chunk sizes) counts the buffer.
inline std::size_t dagger_byte_size(const Block& b) { return sizeof(Block) + b.bytes(); }
// Blocks in host memory may be spilled to disk under the memory limit.
const detail::SpillCodec* dagger_spill_codec(const Block*);
// Blocks travel to other processes as their shape and their bytes, sent from
// the block's own buffer (see detail/wire.hpp).
void dagger_wire_save(const Block& b, detail::WireWriter& out);
void dagger_wire_load(Block& b, detail::WireReader& in);

}  // namespace dagger
