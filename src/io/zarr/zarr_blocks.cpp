#include "io/zarr/zarr_blocks.hpp"

#include <sys/stat.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

// Chunk rows x cols: a 1-D chunk is a column, a 0-d one 1 x 1, and one of
// more dimensions its first dimension by the rest (as our blocks are).
std::int64_t chunk_rows(const ZarrMeta& m) { return m.chunks.empty() ? 1 : m.chunks[0]; }
std::int64_t chunk_cols(const ZarrMeta& m) {
  std::int64_t n = 1;
  for (std::size_t d = 1; d < m.chunks.size(); ++d) n *= m.chunks[d];
  return n;
}
// Whether a chunk's elements lie in our (column-major) order.
bool column_major(const ZarrMeta& m) { return m.order == 'F' || m.ndims() <= 1; }
// A block's rows and columns, as a matrix of its first dimension by the rest.
std::int64_t rows_of(const std::vector<std::int64_t>& extents) { return extents.empty() ? 1 : extents[0]; }
std::int64_t cols_of(const std::vector<std::int64_t>& extents) {
  std::int64_t n = 1;
  for (std::size_t d = 1; d < extents.size(); ++d) n *= extents[d];
  return n;
}

// Copies a block of 3 or more dimensions to or from its chunk, in either
// order: element x of the block (column-major over `extents`) is element
// sum(x[d] * stride[d]) of the chunk, whose strides follow its order over
// the full chunk size.
template <bool ToChunk>
void copy_any_rank(std::byte* chunk, std::byte* block, const std::vector<std::int64_t>& extents, const ZarrMeta& meta) {
  const std::size_t n = extents.size(), size = element_size(meta.dtype);
  for (std::int64_t e : extents) {
    if (e == 0) return;
  }
  std::vector<std::int64_t> stride(n, 1);
  if (meta.order == 'F') {
    for (std::size_t d = 1; d < n; ++d) stride[d] = stride[d - 1] * meta.chunks[d - 1];
  } else {
    for (std::size_t d = n - 1; d-- > 0;) stride[d] = stride[d + 1] * meta.chunks[d + 1];
  }
  std::vector<std::int64_t> at(n, 0);
  std::int64_t offset = 0;
  std::byte* b = block;
  const std::int64_t height = extents[0];
  while (true) {
    std::byte* c = chunk + static_cast<std::size_t>(offset) * size;
    if (stride[0] == 1) {
      if constexpr (ToChunk) {
        std::memcpy(c, b, static_cast<std::size_t>(height) * size);
      } else {
        std::memcpy(b, c, static_cast<std::size_t>(height) * size);
      }
    } else {
      for (std::int64_t i = 0; i < height; ++i) {
        std::byte* e = c + static_cast<std::size_t>(i * stride[0]) * size;
        if constexpr (ToChunk) {
          std::memcpy(e, b + static_cast<std::size_t>(i) * size, size);
        } else {
          std::memcpy(b + static_cast<std::size_t>(i) * size, e, size);
        }
      }
    }
    b += static_cast<std::size_t>(height) * size;
    std::size_t d = 1;
    for (; d < n; ++d) {
      offset += stride[d];
      if (++at[d] < extents[d]) break;
      offset -= at[d] * stride[d];
      at[d] = 0;
    }
    if (d >= n) return;
  }
}

// Copies an h x w column-major block to or from a row-major chunk of
// cr x cc through a square tile of one cache line's worth of elements each
// way, kept in L1: every line of either side is then read or written once,
// whole. (Walking one side element by element with a stride of a power of
// two, as chunks of 4096 have, maps every row of a tile to the same cache
// set and misses on each element.)
// A memcpy of `bytes`, of a fixed size when it is a whole line (two vector
// moves rather than a string instruction for a size known only at run time).
template <std::size_t Line>
void copy_line(std::byte* to, const std::byte* from, std::size_t bytes) {
  if (bytes == Line) {
    std::memcpy(to, from, Line);
  } else {
    std::memcpy(to, from, bytes);
  }
}

template <std::size_t Size, bool ToChunk>
void transpose_copy(std::byte* chunk, std::byte* block, std::int64_t h, std::int64_t w, std::int64_t cc) {
  constexpr std::int64_t kTile = 64 / static_cast<std::int64_t>(Size);
  std::byte tile[kTile * kTile * Size];  // column-major, as the block
  auto in_tile = [&](std::int64_t r, std::int64_t c) { return tile + static_cast<std::size_t>(r + c * kTile) * Size; };
  // Along the chunk's rows: its side is then a few sequential streams the
  // prefetcher follows, and the block's lines of one band of rows stay in L2
  // until the next band fills them.
  for (std::int64_t r0 = 0; r0 < h; r0 += kTile) {
    const std::int64_t rn = std::min(h - r0, kTile);
    const std::size_t column_bytes = static_cast<std::size_t>(rn) * Size;
    for (std::int64_t c0 = 0; c0 < w; c0 += kTile) {
      const std::int64_t cn = std::min(w - c0, kTile);
      if constexpr (ToChunk) {
        for (std::int64_t c = 0; c < cn; ++c) {
          copy_line<kTile * Size>(in_tile(0, c), block + static_cast<std::size_t>(r0 + (c0 + c) * h) * Size, column_bytes);
        }
        for (std::int64_t r = 0; r < rn; ++r) {
          std::byte* row = chunk + static_cast<std::size_t>((r0 + r) * cc + c0) * Size;
          for (std::int64_t c = 0; c < cn; ++c) std::memcpy(row + static_cast<std::size_t>(c) * Size, in_tile(r, c), Size);
        }
      } else {
        for (std::int64_t r = 0; r < rn; ++r) {
          const std::byte* row = chunk + static_cast<std::size_t>((r0 + r) * cc + c0) * Size;
          for (std::int64_t c = 0; c < cn; ++c) std::memcpy(in_tile(r, c), row + static_cast<std::size_t>(c) * Size, Size);
        }
        for (std::int64_t c = 0; c < cn; ++c) {
          copy_line<kTile * Size>(block + static_cast<std::size_t>(r0 + (c0 + c) * h) * Size, in_tile(0, c), column_bytes);
        }
      }
    }
  }
}

#if defined(__x86_64__)
// to(j, i) = from(i, j) for 4 x 4 doubles, rows ld_from and ld_to apart.
__attribute__((target("avx2"))) inline void transpose_4_by_4(const double* from, std::int64_t ld_from, double* to,
                                                               std::int64_t ld_to) {
  const __m256d a0 = _mm256_loadu_pd(from), a1 = _mm256_loadu_pd(from + ld_from);
  const __m256d a2 = _mm256_loadu_pd(from + 2 * ld_from), a3 = _mm256_loadu_pd(from + 3 * ld_from);
  const __m256d t0 = _mm256_unpacklo_pd(a0, a1), t1 = _mm256_unpackhi_pd(a0, a1);
  const __m256d t2 = _mm256_unpacklo_pd(a2, a3), t3 = _mm256_unpackhi_pd(a2, a3);
  _mm256_storeu_pd(to, _mm256_permute2f128_pd(t0, t2, 0x20));
  _mm256_storeu_pd(to + ld_to, _mm256_permute2f128_pd(t1, t3, 0x20));
  _mm256_storeu_pd(to + 2 * ld_to, _mm256_permute2f128_pd(t0, t2, 0x31));
  _mm256_storeu_pd(to + 3 * ld_to, _mm256_permute2f128_pd(t1, t3, 0x31));
}

// out(j, i) = in(i, j) for an m x n row-major `in` (rows ld_in apart) and
// an n x m row-major `out` (rows ld_out apart), 8-byte elements, by AVX2
// 4 x 4 transposes in 16 x 16 tiles walked along in's rows: faster than
// the scalar tiles by half on a 4096 x 4096 chunk. Whoever calls it checks
// that the CPU has AVX2.
__attribute__((target("avx2"))) void transpose_8_byte_avx2(const std::byte* in_bytes, std::int64_t ld_in,
                                                             std::byte* out_bytes, std::int64_t ld_out, std::int64_t m,
                                                             std::int64_t n) {
  const auto* in = reinterpret_cast<const double*>(in_bytes);
  auto* out = reinterpret_cast<double*>(out_bytes);
  constexpr std::int64_t kTile = 16;
  for (std::int64_t i0 = 0; i0 < m; i0 += kTile) {
    for (std::int64_t j0 = 0; j0 < n; j0 += kTile) {
      if (i0 + kTile <= m && j0 + kTile <= n) {
        for (std::int64_t j = j0; j < j0 + kTile; j += 4) {
          for (std::int64_t i = i0; i < i0 + kTile; i += 4) {
            transpose_4_by_4(in + i * ld_in + j, ld_in, out + j * ld_out + i, ld_out);
          }
        }
        continue;
      }
      for (std::int64_t i = i0; i < std::min(m, i0 + kTile); ++i) {
        for (std::int64_t j = j0; j < std::min(n, j0 + kTile); ++j) {
          std::memcpy(out + j * ld_out + i, in + i * ld_in + j, sizeof(double));
        }
      }
    }
  }
}

bool has_avx2() {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
}
#endif

template <bool ToChunk>
void copy_block(std::byte* chunk, std::byte* block, const std::vector<std::int64_t>& extents, const ZarrMeta& meta) {
  if (meta.ndims() > 2) return copy_any_rank<ToChunk>(chunk, block, extents, meta);
  const std::int64_t h = rows_of(extents), w = cols_of(extents);
  const std::size_t size = element_size(meta.dtype);
  const std::int64_t cr = chunk_rows(meta), cc = chunk_cols(meta);
  if (column_major(meta)) {
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
    case 8:
#if defined(__x86_64__)
      if (has_avx2()) {
        // The block is h x w column-major: as row-major, w rows of h.
        if constexpr (ToChunk) {
          transpose_8_byte_avx2(block, h, chunk, cc, w, h);
        } else {
          transpose_8_byte_avx2(chunk, cc, block, h, h, w);
        }
        break;
      }
#endif
      transpose_copy<8, ToChunk>(chunk, block, h, w, cc);
      break;
    default: throw StorageError(meta.describe(), "no copy for elements of " + std::to_string(size) + " bytes");
  }
}

// "3.1.4" -> (3, 1, 4); "2" -> (2) for 1-D, and for the directory "2" of
// chunks "2/j/k" when the separator is "/" (then only the first index is
// read); anything else is not a chunk key.
bool parse_key(const std::string& name, const ZarrMeta& meta, std::vector<std::int64_t>& at) {
  const char* p = name.data();
  const char* end = name.data() + name.size();
  const std::size_t count = meta.separator == '/' ? std::min<std::size_t>(meta.chunks.size(), 1) : meta.chunks.size();
  at.assign(count, 0);
  if (count == 0) return name == "0";
  for (std::size_t d = 0; d < count; ++d) {
    if (d > 0) {
      if (p == end || *p != '.') return false;
      ++p;
    }
    auto r = std::from_chars(p, end, at[d]);
    if (r.ec != std::errc() || at[d] < 0) return false;
    p = r.ptr;
  }
  return p == end;
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
  return meta.codec == Codec::none && !meta.big_endian && !meta.delta && column_major(meta) && h == chunk_rows(meta) &&
         w == chunk_cols(meta);
}

// Big-endian elements to ours, in place.
void swap_bytes(std::span<std::byte> raw, std::size_t size) {
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

namespace {

// Releases this thread's scratch buffers if they grew large, however the
// read or write ends.
struct ScratchRelease {
  ~ScratchRelease() {
    chunk_scratch().release_if_large();
    stored_scratch().release_if_large();
  }
};

// The raw bytes of the chunk holding block `b`, filtered, in this thread's
// chunk scratch buffer.
std::span<const std::byte> chunk_from_block(const Block& b, const ZarrMeta& meta, const std::vector<std::int64_t>& extents) {
  const std::span<std::byte> raw = chunk_scratch().get(meta.chunk_bytes());
  // Zero bytes are the fill value of every dtype we write (0, 0.0, false);
  // only an edge block leaves padding to fill.
  if (b.rows != chunk_rows(meta) || b.cols != chunk_cols(meta)) std::memset(raw.data(), 0, raw.size());
  copy_block<true>(raw.data(), b.buffer.get(), extents, meta);
  if (meta.delta) delta_encode(raw, meta.dtype);
  return raw;
}

// The block of `extents` held by a chunk's raw bytes (meta.chunk_bytes() of them).
Block block_from_chunk(std::span<std::byte> raw, const ZarrMeta& meta, const std::vector<std::int64_t>& extents) {
  Block b = Block::make(meta.dtype, rows_of(extents), cols_of(extents));
  copy_block<false>(raw.data(), b.buffer.get(), extents, meta);
  if (meta.dtype == DType::b8) normalize_bools(b);
  return b;
}

}  // namespace

std::uint64_t write_block_file(const std::string& file, const Block& b, const ZarrMeta& meta,
                               const std::vector<std::int64_t>& extents) {
  if (b.rows != rows_of(extents) || b.cols != cols_of(extents)) {
    throw StorageError(file, "a block of " + std::to_string(b.rows) + "x" + std::to_string(b.cols) +
                                 " elements is not the block this chunk holds");
  }
  if (stored_as_is(meta, b.rows, b.cols)) {
    write_file(file, std::span<const std::byte>(b.buffer.get(), b.bytes()));
    return b.bytes();
  }
  ScratchRelease release;
  const std::span<const std::byte> stored = encode_chunk(chunk_from_block(b, meta, extents), meta, stored_scratch());
  write_file(file, stored);
  return stored.size();
}

Block read_block_file(const std::string& file, const ZarrMeta& meta, const std::vector<std::int64_t>& extents) {
  const std::int64_t h = rows_of(extents), w = cols_of(extents);
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
  ScratchRelease release;
  const OpenFile source(file);
  const std::span<std::byte> stored = stored_scratch().get(source.size());
  source.read_all(stored);
  if (column_major(meta) && !meta.big_endian && h == chunk_rows(meta) && w == chunk_cols(meta)) {
    // The chunk's elements in the block's order: decompressed in place.
    Block b = Block::make(meta.dtype, h, w);
    const std::span<std::byte> raw(b.buffer.get(), b.bytes());
    decode_chunk(file, stored, raw, meta);
    if (meta.delta) delta_decode(raw, meta.dtype);
    if (meta.dtype == DType::b8) normalize_bools(b);
    return b;
  }
  // Uncompressed, the file's bytes are the chunk's: no copy between them.
  std::span<std::byte> raw = stored;
  if (meta.codec == Codec::none) {
    if (stored.size() != meta.chunk_bytes()) throw_wrong_size(file, "it holds", stored.size(), meta);
  } else {
    raw = chunk_scratch().get(meta.chunk_bytes());
    decode_chunk(file, stored, raw, meta);
  }
  if (meta.big_endian) swap_bytes(raw, element_size(meta.dtype));
  if (meta.delta) delta_decode(raw, meta.dtype);
  return block_from_chunk(raw, meta, extents);
}

void check_block_files(const std::string& dir, const ZarrMeta& meta) {
  // A missing file is a chunk of fill values, as Zarr defines.
  std::vector<std::int64_t> at(meta.chunks.size(), 0);
  for (std::int64_t k = 0; k < meta.chunk_count(); ++k) {
    check_chunk_file(dir + "/" + meta.chunk_key(at), meta);
    for (std::size_t d = 0; d < at.size(); ++d) {
      if (++at[d] < meta.grid(static_cast<int>(d))) break;
      at[d] = 0;
    }
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    std::vector<std::int64_t> key;
    if (!parse_key(name, meta, key)) continue;
    bool outside = false;
    for (std::size_t d = 0; d < key.size(); ++d) outside = outside || key[d] >= meta.grid(static_cast<int>(d));
    if (outside) {
      throw StorageError(dir + "/" + name, "block file outside the grid: .zarray (" + meta.describe() +
                                               ") is inconsistent with the block files");
    }
  }
  if (ec) throw_errno(dir, "cannot list directory", ec.value());
}

}  // namespace dagger::storage
