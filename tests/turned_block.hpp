// A block's transpose, element by element, any element type: the plain
// reference the tests hold transposing code to (and what a device does
// first with a source its element program reads transposed).
#pragma once

#include <cstring>

#include "dagger/array/block.hpp"

inline dagger::Block turned(const dagger::Block& b) {
  dagger::Block out = dagger::Block::make(b.dtype, b.cols, b.rows);
  const std::size_t size = dagger::element_size(b.dtype);
  for (std::int64_t j = 0; j < b.cols; ++j) {
    for (std::int64_t i = 0; i < b.rows; ++i) {
      std::memcpy(out.buffer.get() + static_cast<std::size_t>(i * b.cols + j) * size,
                  b.buffer.get() + static_cast<std::size_t>(j * b.rows + i) * size, size);
    }
  }
  return out;
}
