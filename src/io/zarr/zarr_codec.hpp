// How a chunk's bytes are stored in its file: as they are, or compressed as
// numcodecs writes them (zstd, Blosc with any of its compressors and
// shuffles, zlib, gzip, LZ4 with its size header, bz2). Decoding checks
// the size, so a truncated or corrupt file is an error naming it, never
// wrong values.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "io/zarr/zarr_metadata.hpp"

namespace dagger::storage {

// A buffer one thread reuses chunk after chunk, so that reading or writing
// a chunk neither zero-fills a fresh buffer nor faults in fresh pages. One
// larger than kKeepBytes (or a sixteenth of the memory limit) is released
// after use (release_if_large), so an idle thread holds at most that much
// per buffer.
class ScratchBuffer {
 public:
  static constexpr std::size_t kKeepBytes = std::size_t{256} << 20;
  ScratchBuffer() = default;
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;
  ~ScratchBuffer();
  // n bytes of unspecified contents, valid until the next get.
  std::span<std::byte> get(std::size_t n);
  void release_if_large();

 private:
  void release();
  std::byte* data_ = nullptr;
  std::size_t capacity_ = 0;
};
// This thread's buffers: one for a file's (stored) bytes, one for a chunk's.
ScratchBuffer& stored_scratch();
ScratchBuffer& chunk_scratch();

// The file contents for a chunk's raw bytes: `raw` itself when there is no
// compressor, else compressed into `out`.
std::span<const std::byte> encode_chunk(std::span<const std::byte> raw, const ZarrMeta& meta, ScratchBuffer& out);
// Decodes the file contents into `raw`, exactly meta.chunk_bytes() long.
void decode_chunk(const std::string& file, std::span<const std::byte> stored, std::span<std::byte> raw,
                  const ZarrMeta& meta);
// numcodecs' Delta filter over a chunk's raw elements (native byte order),
// in place: each element minus the one before (the first kept), and back by
// running sums. Integers wrap around as numpy's do; floating types round
// as numpy's sequential sums do.
void delta_encode(std::span<std::byte> raw, DType dtype);
void delta_decode(std::span<std::byte> raw, DType dtype);
// "truncated block file: it holds 10 bytes, expected 800 bytes (...)"
[[noreturn]] void throw_wrong_size(const std::string& file, const std::string& what, unsigned long long got,
                                   const ZarrMeta& meta);
// Without reading the data: false when the file is missing (the chunk is
// all fill value); else checks what the file's size and header say (raw
// size, zstd frame, Blosc or LZ4 header) against a full chunk.
bool check_chunk_file(const std::string& file, const ZarrMeta& meta);

}  // namespace dagger::storage
