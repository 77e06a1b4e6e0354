#include "io/zarr/zarr_codec.hpp"

#include <sys/stat.h>
#include <zstd.h>

#include <cerrno>

#include "dagger/errors.hpp"
#include "core/file_io.hpp"

namespace dagger::storage {
namespace {

// The largest zstd frame header: enough bytes to learn the content size.
// (zstd.h exposes it as ZSTD_FRAMEHEADERSIZE_MAX only to static linking.)
constexpr std::size_t kFrameHeaderMax = 18;

std::string chunk_text(const ZarrMeta& meta) {
  return std::to_string(meta.chunk_bytes()) + " bytes (one chunk of " + meta.describe() + ")";
}

}  // namespace

void throw_wrong_size(const std::string& file, const std::string& what, unsigned long long got,
                      const ZarrMeta& meta) {
  throw StorageError(file, (got < meta.chunk_bytes() ? "truncated block file: " : "block file of the wrong size: ") +
                               what + " " + std::to_string(got) + " bytes, expected " + chunk_text(meta));
}

std::vector<std::byte> encode_chunk(std::vector<std::byte> raw, const ZarrMeta& meta) {
  if (meta.codec == Codec::none) return raw;
  std::vector<std::byte> out(ZSTD_compressBound(raw.size()));
  // ZSTD_compress records the content size in the frame header, which lets
  // load() check every file without decompressing it.
  const std::size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), meta.level);
  if (ZSTD_isError(n)) throw StorageError("<memory>", std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

std::vector<std::byte> decode_chunk(const std::string& file, std::vector<std::byte> stored, const ZarrMeta& meta) {
  if (meta.codec == Codec::none) {
    if (stored.size() != meta.chunk_bytes()) throw_wrong_size(file, "it holds", stored.size(), meta);
    return stored;
  }
  const unsigned long long declared = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) throw StorageError(file, "corrupt block file: not a zstd frame");
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != meta.chunk_bytes()) {
    throw_wrong_size(file, "its zstd frame holds", declared, meta);
  }
  std::vector<std::byte> raw(meta.chunk_bytes());
  const std::size_t n = ZSTD_decompress(raw.data(), raw.size(), stored.data(), stored.size());
  if (ZSTD_isError(n)) {
    throw StorageError(file, std::string("corrupt or truncated zstd block file: ") + ZSTD_getErrorName(n));
  }
  if (n != raw.size()) throw_wrong_size(file, "it decompresses to", n, meta);
  return raw;
}

void check_chunk_file(const std::string& file, const ZarrMeta& meta) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      throw StorageError(file, "missing block file (the array is " + meta.describe() + ", " +
                                   std::to_string(meta.chunk_count()) + " block files)");
    }
    throw_errno(file, "cannot stat block file", errno);
  }
  if (!S_ISREG(st.st_mode)) throw StorageError(file, "block file is not a regular file");
  if (meta.codec == Codec::none) {
    if (static_cast<std::size_t>(st.st_size) != meta.chunk_bytes()) {
      throw_wrong_size(file, "it holds", static_cast<unsigned long long>(st.st_size), meta);
    }
    return;
  }
  const std::vector<std::byte> header = read_prefix(file, kFrameHeaderMax);
  const unsigned long long declared = ZSTD_getFrameContentSize(header.data(), header.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) {
    throw StorageError(file, header.empty() ? "truncated block file: empty" : "corrupt block file: not a zstd frame");
  }
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != meta.chunk_bytes()) {
    throw_wrong_size(file, "its zstd frame holds", declared, meta);
  }
}

}  // namespace dagger::storage

