#include "io/zarr/zarr_blocks.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <memory>
#include <cstring>
#include <filesystem>

#include "dagger/errors.hpp"
#include "core/file_io.hpp"
#include "io/zarr/zarr_codec.hpp"

namespace dagger::storage {
namespace {

// Chunk rows x cols (a 1-D chunk is a column).
std::int64_t chunk_rows(const ZarrMeta& m) { return m.chunks[0]; }
std::int64_t chunk_cols(const ZarrMeta& m) { return m.ndims() == 2 ? m.chunks[1] : 1; }

// Copies an h x w column-major block to or from a row-major chunk of
// cr x cc, element by element (the fixed size lets the copy be one move).
template <std::size_t Size, bool ToChunk>
void transpose_copy(std::byte* chunk, std::byte* block, std::int64_t h, std::int64_t w, std::int64_t cc) {
  for (std::int64_t r = 0; r < h; ++r) {
    for (std::int64_t c = 0; c < w; ++c) {
      std::byte* in_chunk = chunk + static_cast<std::size_t>(r * cc + c) * Size;
      std::byte* in_block = block + static_cast<std::size_t>(r + c * h) * Size;
      if constexpr (ToChunk) {
        std::memcpy(in_chunk, in_block, Size);
      } else {
        std::memcpy(in_block, in_chunk, Size);
      }
    }
  }
}

template <bool ToChunk>
void copy_block(std::byte* chunk, std::byte* block, std::int64_t h, std::int64_t w, const ZarrMeta& meta) {
  const std::size_t size = element_size(meta.dtype);
  const std::int64_t cr = chunk_rows(meta), cc = chunk_cols(meta);
  if (meta.order == 'F' || meta.ndims() == 1) {
    // Same element order: one copy per column (one in all for a full block).
    for (std::int64_t c = 0; c < w; ++c) {
      std::byte* in_chunk = chunk + static_cast<std::size_t>(c * cr) * size;
      std::byte* in_block = block + static_cast<std::size_t>(c * h) * size;
      if constexpr (ToChunk) {
        std::memcpy(in_chunk, in_block, static_cast<std::size_t>(h) * size);
      } else {
        std::memcpy(in_block, in_chunk, static_cast<std::size_t>(h) * size);
      }
    }
    return;
  }
  switch (size) {
    case 1: transpose_copy<1, ToChunk>(chunk, block, h, w, cc); break;
    case 2: transpose_copy<2, ToChunk>(chunk, block, h, w, cc); break;
    case 4: transpose_copy<4, ToChunk>(chunk, block, h, w, cc); break;
    case 8: transpose_copy<8, ToChunk>(chunk, block, h, w, cc); break;
    default: throw StorageError(meta.describe(), "no copy for elements of " + std::to_string(size) + " bytes");
  }
}

// "3.1" -> (3, 1); "2" -> (2, 0) for 1-D, and for the directory "2" of
// chunks "2/j" when the separator is "/"; anything else is not a chunk key.
bool parse_key(const std::string& name, const ZarrMeta& meta, std::int64_t& i, std::int64_t& j) {
  const char* p = name.data();
  const char* end = name.data() + name.size();
  auto r = std::from_chars(p, end, i);
  if (r.ec != std::errc() || i < 0) return false;
  j = 0;
  if (meta.ndims() == 1 || meta.separator == '/') return r.ptr == end;
  if (r.ptr == end || *r.ptr != '.') return false;
  auto r2 = std::from_chars(r.ptr + 1, end, j);
  return r2.ec == std::errc() && r2.ptr == end && j >= 0;
}

// A bool must be 0 or 1; a file may hold any byte.
void normalize_bools(Block& b) {
  auto* bytes = reinterpret_cast<unsigned char*>(b.buffer.get());
  for (std::int64_t k = 0; k < b.size(); ++k) bytes[k] = bytes[k] != 0;
}

// A block that is its file's contents reads them again from the open file
// (the chunk store drops such a block instead of spilling it). Open files
// are a limited resource: past kMaxOpen, blocks simply get no source.
class FileBlockSource final : public BlockSource {
 public:
  static std::shared_ptr<const BlockSource> make(std::shared_ptr<const OpenFile> file) {
    if (open_count().fetch_add(1) >= kMaxOpen) {
      open_count().fetch_sub(1);
      return nullptr;
    }
    return std::make_shared<const FileBlockSource>(std::move(file));
  }
  explicit FileBlockSource(std::shared_ptr<const OpenFile> file) : file_(std::move(file)) {}
  ~FileBlockSource() override { open_count().fetch_sub(1); }

  std::string read_into(std::span<std::byte> out) const override {
    try {
      file_->read_all(out);
      return {};
    } catch (const StorageError& e) {
      return e.what();
    }
  }

 private:
  static constexpr int kMaxOpen = 512;
  static std::atomic<int>& open_count() {
    static std::atomic<int> count{0};
    return count;
  }
  std::shared_ptr<const OpenFile> file_;
};

// A raw chunk that is byte for byte the block's buffer: a full-size block in
// column-major order, uncompressed. Such blocks go between file and buffer
// with no copy in between.
bool stored_as_is(const ZarrMeta& meta, std::int64_t h, std::int64_t w) {
  return meta.codec == Codec::none && !meta.big_endian && (meta.order == 'F' || meta.ndims() == 1) &&
         h == chunk_rows(meta) && w == chunk_cols(meta);
}

// Big-endian elements to ours, in place.
void swap_bytes(std::vector<std::byte>& raw, std::size_t size) {
  if (size == 1) return;
  for (std::size_t k = 0; k + size <= raw.size(); k += size) std::reverse(raw.begin() + k, raw.begin() + k + size);
}

// A chunk whose file is missing: every element the fill value.
Block filled_block(const ZarrMeta& meta, std::int64_t h, std::int64_t w) {
  Block b = Block::make(meta.dtype, h, w);
  const std::size_t size = element_size(meta.dtype);
  for (std::int64_t k = 0; k < b.size(); ++k) std::memcpy(b.buffer.get() + static_cast<std::size_t>(k) * size, &meta.fill_bits, size);
  return b;
}

}  // namespace

std::vector<std::byte> chunk_from_block(const Block& b, const ZarrMeta& meta) {
  // Zero bytes are the fill value of every dtype we write (0, 0.0, false).
  std::vector<std::byte> raw(meta.chunk_bytes(), std::byte{0});
  copy_block<true>(raw.data(), b.buffer.get(), b.rows, b.cols, meta);
  return raw;
}

Block block_from_chunk(const std::vector<std::byte>& raw, const ZarrMeta& meta, std::int64_t h, std::int64_t w) {
  Block b = Block::make(meta.dtype, h, w);
  copy_block<false>(const_cast<std::byte*>(raw.data()), b.buffer.get(), h, w, meta);
  if (meta.dtype == DType::b8) normalize_bools(b);
  return b;
}

std::uint64_t write_block_file(const std::string& file, const Block& b, const ZarrMeta& meta) {
  if (stored_as_is(meta, b.rows, b.cols)) {
    write_file(file, std::span<const std::byte>(b.buffer.get(), b.bytes()));
    return b.bytes();
  }
  const std::vector<std::byte> stored = encode_chunk(chunk_from_block(b, meta), meta);
  write_file(file, stored);
  return stored.size();
}

Block read_block_file(const std::string& file, const ZarrMeta& meta, std::int64_t h, std::int64_t w) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 && errno == ENOENT) return filled_block(meta, h, w);
  if (stored_as_is(meta, h, w)) {
    Block b = Block::make(meta.dtype, h, w);
    auto source = std::make_shared<const OpenFile>(file);
    const std::size_t size = source->size();
    if (size != b.bytes()) throw_wrong_size(file, "it holds", size, meta);
    source->read_all(std::span<std::byte>(b.buffer.get(), b.bytes()));
    if (meta.dtype == DType::b8) {
      normalize_bools(b);  // no longer the file's bytes
    } else {
      b.source = FileBlockSource::make(std::move(source));
    }
    return b;
  }
  std::vector<std::byte> raw = decode_chunk(file, read_file(file), meta);
  if (meta.big_endian) swap_bytes(raw, element_size(meta.dtype));
  return block_from_chunk(raw, meta, h, w);
}

void check_block_files(const std::string& dir, const ZarrMeta& meta) {
  for (std::int64_t j = 0; j < (meta.ndims() == 2 ? meta.grid(1) : 1); ++j) {
    // A missing file is a chunk of fill values, as Zarr defines.
    for (std::int64_t i = 0; i < meta.grid(0); ++i) check_chunk_file(dir + "/" + meta.chunk_key(i, j), meta);
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    std::int64_t i = 0, j = 0;
    if (!parse_key(name, meta, i, j)) continue;
    if (i >= meta.grid(0) || (meta.ndims() == 2 && j >= meta.grid(1))) {
      throw StorageError(dir + "/" + name, "block file outside the grid: .zarray (" + meta.describe() +
                                               ") is inconsistent with the block files");
    }
  }
  if (ec) throw_errno(dir, "cannot list directory", ec.value());
}

}  // namespace dagger::storage
