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

// Writes block `b`, of `extents` in each dimension, as chunk file `file`;
// returns the bytes written.
std::uint64_t write_block_file(const std::string& file, const Block& b, const ZarrMeta& meta,
                               const std::vector<std::int64_t>& extents);
// Reads chunk file `file` as a block of `extents`.
Block read_block_file(const std::string& file, const ZarrMeta& meta, const std::vector<std::int64_t>& extents);

// Every chunk file of the array at `dir` is there with the right size, and
// no chunk file lies outside the grid .zarray describes.
void check_block_files(const std::string& dir, const ZarrMeta& meta);

}  // namespace dagger::storage
