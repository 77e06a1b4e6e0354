// The `.zarray` metadata of a Zarr v2 array: what dagger writes and what it
// accepts when reading (little-endian <f8 <f4 <i8 |b1, no compressor or
// zstd, order C or F, "." between chunk indices).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dagger/array/dtype.hpp"

namespace dagger::storage {

enum class Codec { none, zstd };

struct ZarrMeta {
  std::vector<std::int64_t> shape;   // 1 or 2 dimensions
  std::vector<std::int64_t> chunks;  // same length, each > 0
  DType dtype = DType::f64;
  char order = 'F';                  // 'C' (row-major chunks) or 'F'
  Codec codec = Codec::none;
  int level = 0;                     // zstd level

  int ndims() const { return static_cast<int>(shape.size()); }
  // Chunks along dimension d (0 when the array is empty along it).
  std::int64_t grid(int d) const { return (shape[d] + chunks[d] - 1) / chunks[d]; }
  std::int64_t chunk_count() const { return ndims() == 2 ? grid(0) * grid(1) : grid(0); }
  std::int64_t chunk_elements() const { return ndims() == 2 ? chunks[0] * chunks[1] : chunks[0]; }
  std::size_t chunk_bytes() const { return static_cast<std::size_t>(chunk_elements()) * element_size(dtype); }
  // The file name of chunk (i, j): "i.j", or "i" for a 1-D array.
  std::string chunk_key(std::int64_t i, std::int64_t j) const;
  // "7x5 in chunks of 4x4 (<f8)" for messages.
  std::string describe() const;
};

std::string zarr_dtype(DType dtype);  // "<f8", "<f4", "<i8", "|u1", "|b1", ...

// The text of `.zarray`.
std::string zarray_json(const ZarrMeta& meta);
// Parses `.zarray` text; `file` is named in errors (StorageError).
ZarrMeta parse_zarray(const std::string& file, const std::string& text);
// Reads and parses `<dir>/.zarray`; a missing directory or file is a
// StorageError saying which.
ZarrMeta read_zarray(const std::string& dir);

}  // namespace dagger::storage
