#include "io/zarr/zarr_codec.hpp"

#include <blosc.h>
#include <bzlib.h>
#include <lz4.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <climits>
#include <new>
#include <cstring>
#include <stdexcept>

#include "dagger/config.hpp"
#include "dagger/errors.hpp"
#include "core/file_io.hpp"

namespace dagger::storage {
namespace {

// The largest zstd frame header: enough bytes to learn the content size.
// (zstd.h exposes it as ZSTD_FRAMEHEADERSIZE_MAX only to static linking.)
constexpr std::size_t kFrameHeaderMax = 18;
// numcodecs.LZ4 writes the raw size, 4 bytes little-endian, before the block.
constexpr std::size_t kLz4SizeHeader = 4;

std::string chunk_text(const ZarrMeta& meta) {
  return std::to_string(meta.chunk_bytes()) + " bytes (one chunk of " + meta.describe() + ")";
}

std::uint32_t little_endian_u32(const std::byte* p) {
  std::uint32_t v = 0;
  for (int k = 3; k >= 0; --k) v = (v << 8) | std::to_integer<std::uint32_t>(p[k]);
  return v;
}

// The sizes a stored chunk declares where its format has them cheaply
// (zstd, Blosc, LZ4), checked against a full chunk and the file's size.
void check_declared_size(const std::string& file, std::span<const std::byte> head, std::size_t file_size,
                         const ZarrMeta& meta) {
  switch (meta.codec) {
    case Codec::zstd: {
      const unsigned long long declared = ZSTD_getFrameContentSize(head.data(), head.size());
      if (declared == ZSTD_CONTENTSIZE_ERROR) {
        throw StorageError(file, head.empty() ? "truncated block file: empty" : "corrupt block file: not a zstd frame");
      }
      if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != meta.chunk_bytes()) {
        throw_wrong_size(file, "its zstd frame holds", declared, meta);
      }
      return;
    }
    case Codec::blosc: {
      if (head.size() < BLOSC_MIN_HEADER_LENGTH) {
        throw StorageError(file, "truncated block file: " + std::to_string(file_size) + " bytes, less than a Blosc header");
      }
      std::size_t raw = 0, stored = 0, block = 0;
      blosc_cbuffer_sizes(head.data(), &raw, &stored, &block);
      if (raw != meta.chunk_bytes()) throw_wrong_size(file, "its Blosc header declares", raw, meta);
      if (stored != file_size) {
        throw StorageError(file, (file_size < stored ? "truncated block file: " : "corrupt block file: ") +
                                     std::to_string(file_size) + " bytes, its Blosc header says " +
                                     std::to_string(stored));
      }
      return;
    }
    case Codec::lz4: {
      if (head.size() < kLz4SizeHeader) throw StorageError(file, "truncated block file: less than an LZ4 size header");
      const std::uint32_t declared = little_endian_u32(head.data());
      if (declared != meta.chunk_bytes()) throw_wrong_size(file, "its LZ4 header declares", declared, meta);
      return;
    }
    case Codec::zlib:
    case Codec::gzip:
    case Codec::bz2:
      if (file_size == 0) throw StorageError(file, "truncated block file: empty");
      return;
    case Codec::none:
      if (file_size != meta.chunk_bytes()) throw_wrong_size(file, "it holds", file_size, meta);
      return;
  }
}

// zlib's inflate over the whole stream: a zlib stream (window bits 15) or
// a gzip one (31). The output must be exactly one chunk.
void inflate_all(const std::string& file, std::span<const std::byte> stored, std::span<std::byte> raw, int window_bits,
                 const ZarrMeta& meta) {
  z_stream z{};
  if (inflateInit2(&z, window_bits) != Z_OK) throw StorageError(file, "zlib could not start inflating");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(stored.data()));
  z.avail_in = static_cast<uInt>(stored.size());
  z.next_out = reinterpret_cast<Bytef*>(raw.data());
  z.avail_out = static_cast<uInt>(raw.size());
  const int status = inflate(&z, Z_FINISH);
  const std::size_t produced = raw.size() - z.avail_out;
  inflateEnd(&z);
  const char* kind = window_bits > MAX_WBITS ? "gzip" : "zlib";
  if (status == Z_STREAM_END) {
    if (produced != raw.size()) throw_wrong_size(file, std::string("its ") + kind + " stream holds", produced, meta);
    return;
  }
  if (status == Z_BUF_ERROR && z.avail_out == 0) {
    throw StorageError(file, std::string("block file of the wrong size: its ") + kind + " stream holds more than " +
                                 chunk_text(meta));
  }
  throw StorageError(file, std::string("corrupt or truncated ") + kind + " block file" + (z.msg ? std::string(": ") + z.msg : ""));
}

std::span<const std::byte> compressed(std::span<const std::byte> raw, const ZarrMeta& meta, ScratchBuffer& scratch) {
  const std::size_t element = element_size(meta.dtype);
  switch (meta.codec) {
    case Codec::zstd: {
      const std::span<std::byte> out = scratch.get(ZSTD_compressBound(raw.size()));
      // ZSTD_compress records the content size in the frame header, which
      // lets load() check every file without decompressing it.
      const std::size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), meta.level);
      if (ZSTD_isError(n)) throw StorageError("<memory>", std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
      return out.first(n);
    }
    case Codec::blosc: {
      const std::span<std::byte> out = scratch.get(raw.size() + BLOSC_MAX_OVERHEAD);
      const int n = blosc_compress_ctx(meta.level, meta.blosc.shuffle, element, raw.size(), raw.data(), out.data(),
                                       out.size(), meta.blosc.cname, 0, 1);
      if (n <= 0) throw StorageError("<memory>", std::string("Blosc compression (") + meta.blosc.cname + ") failed");
      return out.first(static_cast<std::size_t>(n));
    }
    case Codec::zlib:
    case Codec::gzip: {
      z_stream z{};
      const int bits = meta.codec == Codec::gzip ? MAX_WBITS + 16 : MAX_WBITS;
      if (deflateInit2(&z, meta.level, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw StorageError("<memory>", "zlib could not start deflating");
      }
      const std::span<std::byte> out = scratch.get(deflateBound(&z, static_cast<uLong>(raw.size())));
      z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(raw.data()));
      z.avail_in = static_cast<uInt>(raw.size());
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      const int status = deflate(&z, Z_FINISH);
      const std::size_t n = out.size() - z.avail_out;
      deflateEnd(&z);
      if (status != Z_STREAM_END) throw StorageError("<memory>", "zlib compression failed");
      return out.first(n);
    }
    case Codec::lz4: {
      const std::span<std::byte> out =
          scratch.get(kLz4SizeHeader + static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(raw.size()))));
      const auto size = static_cast<std::uint32_t>(raw.size());
      for (std::size_t k = 0; k < kLz4SizeHeader; ++k) out[k] = static_cast<std::byte>((size >> (8 * k)) & 0xff);
      // numcodecs' "acceleration", kept in level: higher is faster, larger.
      const int n = LZ4_compress_fast(reinterpret_cast<const char*>(raw.data()),
                                      reinterpret_cast<char*>(out.data() + kLz4SizeHeader), static_cast<int>(raw.size()),
                                      static_cast<int>(out.size() - kLz4SizeHeader), std::max(meta.level, 1));
      if (n <= 0) throw StorageError("<memory>", "LZ4 compression failed");
      return out.first(kLz4SizeHeader + static_cast<std::size_t>(n));
    }
    case Codec::bz2: {
      unsigned int length = static_cast<unsigned int>(raw.size() + raw.size() / 100 + 600);
      const std::span<std::byte> out = scratch.get(length);
      const int status = BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &length,
                                                  reinterpret_cast<char*>(const_cast<std::byte*>(raw.data())),
                                                  static_cast<unsigned int>(raw.size()), meta.level > 0 ? meta.level : 9, 0, 0);
      if (status != BZ_OK) throw StorageError("<memory>", "bz2 compression failed");
      return out.first(length);
    }
    case Codec::none:
      break;
  }
  return raw;
}

}  // namespace

void throw_wrong_size(const std::string& file, const std::string& what, unsigned long long got,
                      const ZarrMeta& meta) {
  throw StorageError(file, (got < meta.chunk_bytes() ? "truncated block file: " : "block file of the wrong size: ") +
                               what + " " + std::to_string(got) + " bytes, expected " + chunk_text(meta));
}

ScratchBuffer::~ScratchBuffer() { release(); }

void ScratchBuffer::release() {
  if (data_ != nullptr) ::munmap(data_, capacity_);
  data_ = nullptr;
  capacity_ = 0;
}

std::span<std::byte> ScratchBuffer::get(std::size_t n) {
  if (n > capacity_) {
    release();  // the old one goes first: never both at once
    // A mapping of its own (it outlives the runtime's allocator in a
    // thread's exit), on huge pages where the system offers them, sized up
    // to a power of two so that chunks of slightly different sizes reuse
    // it; pages never touched cost nothing.
    const std::size_t size = std::bit_ceil(std::max<std::size_t>(n, 4096));
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    ::madvise(p, size, MADV_HUGEPAGE);
    data_ = static_cast<std::byte*>(p);
    capacity_ = size;
  }
  return {data_, n};
}

void ScratchBuffer::release_if_large() {
  // The memory limit bounds what the chunk store holds; buffers kept
  // outside it stay a small part of it.
  if (capacity_ > std::min(kKeepBytes, config().memory_limit / 16)) release();
}

ScratchBuffer& stored_scratch() {
  thread_local ScratchBuffer buffer;
  return buffer;
}

ScratchBuffer& chunk_scratch() {
  thread_local ScratchBuffer buffer;
  return buffer;
}

std::span<const std::byte> encode_chunk(std::span<const std::byte> raw, const ZarrMeta& meta, ScratchBuffer& out) {
  if (meta.codec == Codec::none) return raw;
  if (raw.size() > INT_MAX) {
    throw StorageError("<memory>", std::string("a chunk of ") + std::to_string(raw.size()) + " bytes is too large for " +
                                       codec_id(meta.codec) + " (at most 2 GiB)");
  }
  return compressed(raw, meta, out);
}

void decode_chunk(const std::string& file, std::span<const std::byte> stored, std::span<std::byte> raw,
                  const ZarrMeta& meta) {
  if (raw.size() != meta.chunk_bytes()) throw std::logic_error("decode_chunk: the output is not one chunk");
  if (meta.codec == Codec::none) {
    if (stored.size() != meta.chunk_bytes()) throw_wrong_size(file, "it holds", stored.size(), meta);
    std::memcpy(raw.data(), stored.data(), raw.size());
    return;
  }
  check_declared_size(file, stored, stored.size(), meta);
  switch (meta.codec) {
    case Codec::zstd: {
      const std::size_t n = ZSTD_decompress(raw.data(), raw.size(), stored.data(), stored.size());
      if (ZSTD_isError(n)) {
        throw StorageError(file, std::string("corrupt or truncated zstd block file: ") + ZSTD_getErrorName(n));
      }
      if (n != raw.size()) throw_wrong_size(file, "it decompresses to", n, meta);
      break;
    }
    case Codec::blosc: {
      // Blosc trusts its header's sizes; validating them against the
      // buffer first is what makes decompressing a corrupt file safe.
      std::size_t declared = 0;
      if (blosc_cbuffer_validate(stored.data(), stored.size(), &declared) != 0) {
        throw StorageError(file, "corrupt Blosc block file: its header does not fit the file");
      }
      const int n = blosc_decompress_ctx(stored.data(), raw.data(), raw.size(), 1);
      if (n < 0) throw StorageError(file, "corrupt Blosc block file (blosc_decompress said " + std::to_string(n) + ")");
      if (static_cast<std::size_t>(n) != raw.size()) throw_wrong_size(file, "it decompresses to", static_cast<unsigned>(n), meta);
      break;
    }
    case Codec::zlib:
    case Codec::gzip:
      inflate_all(file, stored, raw, meta.codec == Codec::gzip ? MAX_WBITS + 16 : MAX_WBITS, meta);
      break;
    case Codec::lz4: {
      const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(stored.data() + kLz4SizeHeader),
                                        reinterpret_cast<char*>(raw.data()), static_cast<int>(stored.size() - kLz4SizeHeader),
                                        static_cast<int>(raw.size()));
      if (n < 0) throw StorageError(file, "corrupt or truncated LZ4 block file");
      if (static_cast<std::size_t>(n) != raw.size()) throw_wrong_size(file, "it decompresses to", static_cast<unsigned>(n), meta);
      break;
    }
    case Codec::bz2: {
      unsigned int length = static_cast<unsigned int>(raw.size());
      const int status = BZ2_bzBuffToBuffDecompress(reinterpret_cast<char*>(raw.data()), &length,
                                                    reinterpret_cast<char*>(const_cast<std::byte*>(stored.data())),
                                                    static_cast<unsigned int>(stored.size()), 0, 0);
      if (status == BZ_OUTBUFF_FULL) {
        throw StorageError(file, "block file of the wrong size: its bz2 stream holds more than " + chunk_text(meta));
      }
      if (status != BZ_OK) throw StorageError(file, "corrupt or truncated bz2 block file (" + std::to_string(status) + ")");
      if (length != raw.size()) throw_wrong_size(file, "its bz2 stream holds", length, meta);
      break;
    }
    case Codec::none:
      break;
  }
}

bool check_chunk_file(const std::string& file, const ZarrMeta& meta) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    throw_errno(file, "cannot stat block file", errno);
  }
  if (!S_ISREG(st.st_mode)) throw StorageError(file, "block file is not a regular file");
  const auto size = static_cast<std::size_t>(st.st_size);
  const bool has_header = meta.codec == Codec::zstd || meta.codec == Codec::blosc || meta.codec == Codec::lz4;
  const std::size_t header = meta.codec == Codec::blosc ? BLOSC_MIN_HEADER_LENGTH : kFrameHeaderMax;
  check_declared_size(file, has_header ? read_prefix(file, header) : std::vector<std::byte>{}, size, meta);
  return true;
}

}  // namespace dagger::storage
