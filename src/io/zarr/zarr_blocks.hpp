// Our blocks as Zarr chunks. A block is column-major and as large as it is;
// a chunk is always the full chunk size (edge blocks padded with zeros, the
// fill value) in the array's order, C (row-major) or F (column-major).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "dagger/array/block.hpp"
#include "io/zarr/zarr_metadata.hpp"

namespace dagger::storage {

// Writes block `b` as chunk file `file`; returns the bytes written.
std::uint64_t write_block_file(const std::string& file, const Block& b, const ZarrMeta& meta);
// Reads chunk file `file` as an h x w block.
Block read_block_file(const std::string& file, const ZarrMeta& meta, std::int64_t h, std::int64_t w);

// Every chunk file of the array at `dir` is there with the right size, and
// no chunk file lies outside the grid .zarray describes.
void check_block_files(const std::string& dir, const ZarrMeta& meta);

}  // namespace dagger::storage
