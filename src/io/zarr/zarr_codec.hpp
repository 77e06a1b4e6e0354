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

// The file contents for a chunk's raw bytes.
std::vector<std::byte> encode_chunk(std::vector<std::byte> raw, const ZarrMeta& meta);
// The raw bytes (exactly meta.chunk_bytes()) from the file contents.
std::vector<std::byte> decode_chunk(const std::string& file, std::vector<std::byte> stored, const ZarrMeta& meta);
// "truncated block file: it holds 10 bytes, expected 800 bytes (...)"
[[noreturn]] void throw_wrong_size(const std::string& file, const std::string& what, unsigned long long got,
                                   const ZarrMeta& meta);
// Without reading the data: false when the file is missing (the chunk is
// all fill value); else checks what the file's size and header say (raw
// size, zstd frame, Blosc or LZ4 header) against a full chunk.
bool check_chunk_file(const std::string& file, const ZarrMeta& meta);

}  // namespace dagger::storage
