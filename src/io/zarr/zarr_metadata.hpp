// The `.zarray` metadata of a Zarr v2 array: what dagger writes and what it
// accepts when reading (0 to 8 dimensions; numpy's dtypes of dagger's element types, either
// byte order; no compressor, zstd, Blosc, zlib, gzip, lz4 or bz2; order C
// or F; "." or "/" between chunk indices; any fill value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dagger/array/dtype.hpp"

namespace dagger {
struct Compressor;
}

namespace dagger::storage {

// numcodecs' compressors, by the id they write.
enum class Codec : std::uint8_t { none, zstd, blosc, zlib, gzip, lz4, bz2 };
inline constexpr Codec kLastCodec = Codec::bz2;
const char* codec_id(Codec codec);

// Blosc's settings (numcodecs.Blosc): its inner compressor and shuffle.
struct BloscSettings {
  char cname[8] = "lz4";  // lz4, lz4hc, blosclz, zstd, zlib
  int shuffle = 1;        // 0 none, 1 byte shuffle, 2 bit shuffle
};

struct ZarrMeta {
  std::vector<std::int64_t> shape;   // 0 to 8 dimensions
  std::vector<std::int64_t> chunks;  // same length, each > 0
  DType dtype = DType::f64;
  char order = 'F';                  // 'C' (row-major chunks) or 'F'
  Codec codec = Codec::none;
  int level = 0;                     // the compressor's level
  BloscSettings blosc;
  bool big_endian = false;           // '>' dtypes: read, swapped to ours
  char separator = '.';              // between chunk indices in file names
  bool delta = false;                // numcodecs' Delta filter, of the array's own dtype
  // The fill value's bytes, as one element of dtype (little-endian): what
  // a chunk whose file is missing holds, as Zarr defines.
  std::uint64_t fill_bits = 0;

  int ndims() const { return static_cast<int>(shape.size()); }
  // Chunks along dimension d (0 when the array is empty along it).
  std::int64_t grid(int d) const { return (shape[d] + chunks[d] - 1) / chunks[d]; }
  std::int64_t chunk_count() const {
    std::int64_t n = 1;
    for (int d = 0; d < ndims(); ++d) n *= grid(d);
    return n;
  }
  std::int64_t chunk_elements() const {
    std::int64_t n = 1;
    for (std::int64_t c : chunks) n *= c;
    return n;
  }
  std::size_t chunk_bytes() const { return static_cast<std::size_t>(chunk_elements()) * element_size(dtype); }
  // The file name of the chunk at grid coordinates `at`: "i.j.k" (or
  // "i/j/k"), "i" for a 1-D array, "0" for a 0-d one.
  std::string chunk_key(const std::vector<std::int64_t>& at) const;
  // The same for chunk (i, j) of a matrix, or chunk i of a vector.
  std::string chunk_key(std::int64_t i, std::int64_t j) const;
  // "7x5 in chunks of 4x4 (<f8)" for messages.
  std::string describe() const;
};

// The user's compressor as the metadata's codec and settings; a Blosc
// compressor Blosc does not have is a UsageError.
void apply_compressor(const Compressor& compressor, ZarrMeta& meta);
// The user's Delta filter choice (meta.dtype set first); a UsageError for
// bool, which numpy cannot subtract.
void apply_delta(bool delta, ZarrMeta& meta);

std::string zarr_dtype(DType dtype);  // "<f8", "<f4", "<i8", "|u1", "|b1", ...

// The text of `.zarray`.
std::string zarray_json(const ZarrMeta& meta);
// Parses `.zarray` text; `file` is named in errors (StorageError).
ZarrMeta parse_zarray(const std::string& file, const std::string& text);
// Reads and parses `<dir>/.zarray`; a missing directory or file is a
// StorageError saying which.
ZarrMeta read_zarray(const std::string& dir);

}  // namespace dagger::storage
