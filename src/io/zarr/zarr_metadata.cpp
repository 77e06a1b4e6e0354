#include "io/zarr/zarr_metadata.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "dagger/array/save_load.hpp"
#include "dagger/errors.hpp"
#include "core/file_io.hpp"

namespace dagger::storage {
namespace {

using nlohmann::json;

struct DTypeName {
  const char* zarr;
  DType dtype;
};
// numpy's names; the first name of a type is the one dagger writes.
constexpr DTypeName kDTypes[] = {
    {"<f8", DType::f64}, {"<f4", DType::f32}, {"<i8", DType::i64}, {"|b1", DType::b8}, {"|i1", DType::i8},
    {"<i2", DType::i16}, {"<i4", DType::i32}, {"|u1", DType::u8},  {"<u2", DType::u16}, {"<u4", DType::u32},
    {"<u8", DType::u64}, {"<i1", DType::i8},  {"<u1", DType::u8},  {"<b1", DType::b8}};

DType parse_dtype(const std::string& file, const json& value, bool& big_endian) {
  if (!value.is_string()) throw StorageError(file, "'dtype' is not a string (structured dtypes are not supported)");
  const std::string name = value.get<std::string>();
  // '>' is numpy's big-endian: the same type, its bytes swapped when read.
  big_endian = !name.empty() && name[0] == '>';
  const std::string little = big_endian ? "<" + name.substr(1) : name;
  for (const DTypeName& d : kDTypes) {
    if (little == d.zarr || (big_endian && "|" + name.substr(1) == d.zarr)) return d.dtype;
  }
  throw StorageError(file, "unsupported dtype '" + name +
                               "' (dagger reads <f8 <f4 <i8 <i4 <i2 |i1 <u8 <u4 <u2 |u1 |b1, and their '>' forms)");
}

std::vector<std::int64_t> parse_sizes(const std::string& file, const json& z, const char* key) {
  if (!z.contains(key)) throw StorageError(file, std::string("missing '") + key + "'");
  const json& v = z.at(key);
  if (!v.is_array()) throw StorageError(file, std::string("'") + key + "' is not a list of integers");
  std::vector<std::int64_t> out;
  for (const json& e : v) {
    if (!e.is_number_integer()) throw StorageError(file, std::string("'") + key + "' is not a list of integers");
    out.push_back(e.get<std::int64_t>());
  }
  return out;
}

int integer_or(const json& object, const char* key, int otherwise) {
  return object.contains(key) && object.at(key).is_number_integer() ? object.at(key).get<int>() : otherwise;
}

// Blosc's inner compressors, as numcodecs names them.
constexpr const char* kBloscCompressors = "lz4, lz4hc, blosclz, zstd, zlib";
bool is_blosc_compressor(const std::string& name) {
  return name == "lz4" || name == "lz4hc" || name == "blosclz" || name == "zstd" || name == "zlib";
}

constexpr Codec kCodecs[] = {Codec::zstd, Codec::blosc, Codec::zlib, Codec::gzip, Codec::lz4, Codec::bz2};

void parse_compressor(const std::string& file, const json& value, ZarrMeta& meta) {
  if (value.is_null()) {
    meta.codec = Codec::none;
    return;
  }
  const std::string id = value.is_object() && value.contains("id") && value.at("id").is_string()
                             ? value.at("id").get<std::string>()
                             : value.dump();
  meta.codec = Codec::none;
  for (Codec c : kCodecs) {
    if (id == codec_id(c)) meta.codec = c;
  }
  if (meta.codec == Codec::none) {
    throw StorageError(file, "unsupported compressor '" + id +
                                 "' (dagger reads \"compressor\": null, zstd, blosc, zlib, gzip, lz4 and bz2)");
  }
  // numcodecs names the level "clevel" for Blosc and "acceleration" for LZ4.
  const char* level = meta.codec == Codec::blosc ? "clevel" : meta.codec == Codec::lz4 ? "acceleration" : "level";
  meta.level = integer_or(value, level, meta.codec == Codec::lz4 ? 1 : 0);
  if (meta.codec == Codec::blosc) {
    const std::string cname = value.contains("cname") && value.at("cname").is_string() ? value.at("cname").get<std::string>() : "lz4";
    if (!is_blosc_compressor(cname)) {
      throw StorageError(file, "unsupported Blosc compressor '" + cname + "' (" + kBloscCompressors + ")");
    }
    std::snprintf(meta.blosc.cname, sizeof meta.blosc.cname, "%s", cname.c_str());
    meta.blosc.shuffle = integer_or(value, "shuffle", 1);
    // numcodecs' AUTOSHUFFLE (-1): bit shuffle for 1-byte elements, else byte shuffle.
    if (meta.blosc.shuffle == -1) meta.blosc.shuffle = element_size(meta.dtype) == 1 ? 2 : 1;
    if (meta.blosc.shuffle < 0 || meta.blosc.shuffle > 2) {
      throw StorageError(file, "Blosc shuffle must be 0, 1 or 2, not " + std::to_string(meta.blosc.shuffle));
    }
  }
}

template <class T>
std::uint64_t bits_of(T value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof value);
  return bits;
}

// The fill value as one element's bytes. Zarr writes NaN and the
// infinities as strings, and null for "none" (read as zero).
std::uint64_t parse_fill(const std::string& file, const json& value, DType dtype) {
  if (value.is_null()) return 0;
  const bool floating = dtype == DType::f64 || dtype == DType::f32;
  double number = 0;
  if (value.is_boolean()) {
    number = value.get<bool>() ? 1 : 0;
  } else if (value.is_string() && floating) {
    const std::string text = value.get<std::string>();
    if (text == "NaN") {
      number = std::numeric_limits<double>::quiet_NaN();
    } else if (text == "Infinity") {
      number = std::numeric_limits<double>::infinity();
    } else if (text == "-Infinity") {
      number = -std::numeric_limits<double>::infinity();
    } else {
      throw StorageError(file, "'fill_value' " + value.dump() + " is not a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
    }
  } else if (value.is_number_integer() && !floating) {
    const std::int64_t i = value.is_number_unsigned() ? static_cast<std::int64_t>(value.get<std::uint64_t>())
                                                       : value.get<std::int64_t>();
    return static_cast<std::uint64_t>(i);  // two's complement: the low bytes are the element's
  } else if (value.is_number()) {
    number = value.get<double>();
    if (!floating && (number != std::floor(number) || number < -0x1p63 || number >= 0x1p64)) {
      throw StorageError(file, "'fill_value' " + value.dump() + " is not an integer of 64 bits, but the dtype is an integer");
    }
  } else {
    throw StorageError(file, "'fill_value' " + value.dump() + " is not a number");
  }
  switch (dtype) {
    case DType::f64: return bits_of(number);
    case DType::f32: return bits_of(static_cast<float>(number));
    case DType::b8: return number != 0 ? 1 : 0;
    default:  // an integer of 64 bits, checked above: the low bytes are the element's
      return number < 0 ? static_cast<std::uint64_t>(static_cast<std::int64_t>(number)) : static_cast<std::uint64_t>(number);
  }
}

json fill_json(const ZarrMeta& meta) {
  if (meta.dtype == DType::b8) return json(meta.fill_bits != 0);
  if (meta.dtype == DType::f64 || meta.dtype == DType::f32) {
    double v = 0;
    if (meta.dtype == DType::f64) {
      std::memcpy(&v, &meta.fill_bits, sizeof v);
    } else {
      float f = 0;
      std::memcpy(&f, &meta.fill_bits, sizeof f);
      v = f;
    }
    if (std::isnan(v)) return json("NaN");
    if (std::isinf(v)) return json(v > 0 ? "Infinity" : "-Infinity");
    return json(v);
  }
  return json(static_cast<std::int64_t>(meta.fill_bits));
}

}  // namespace

const char* codec_id(Codec codec) {
  switch (codec) {
    case Codec::none: return "none";
    case Codec::zstd: return "zstd";
    case Codec::blosc: return "blosc";
    case Codec::zlib: return "zlib";
    case Codec::gzip: return "gzip";
    case Codec::lz4: return "lz4";
    case Codec::bz2: return "bz2";
  }
  return "?";
}

std::string ZarrMeta::chunk_key(const std::vector<std::int64_t>& at) const {
  if (at.empty()) return "0";
  std::string key;
  for (std::size_t d = 0; d < at.size(); ++d) key += (d ? std::string(1, separator) : "") + std::to_string(at[d]);
  return key;
}

std::string ZarrMeta::chunk_key(std::int64_t i, std::int64_t j) const {
  return ndims() == 2 ? chunk_key({i, j}) : chunk_key(std::vector<std::int64_t>{i});
}

std::string ZarrMeta::describe() const {
  auto dims = [](const std::vector<std::int64_t>& v) {
    std::string text;
    for (std::size_t d = 0; d < v.size(); ++d) text += (d ? "x" : "") + std::to_string(v[d]);
    return v.empty() ? std::string("()") : text;
  };
  return dims(shape) + " in chunks of " + dims(chunks) + " (" + zarr_dtype(dtype) + ")";
}

void apply_compressor(const Compressor& compressor, ZarrMeta& meta) {
  switch (compressor.kind) {
    case Compressor::Kind::none: meta.codec = Codec::none; break;
    case Compressor::Kind::zstd: meta.codec = Codec::zstd; break;
    case Compressor::Kind::blosc: meta.codec = Codec::blosc; break;
    case Compressor::Kind::zlib: meta.codec = Codec::zlib; break;
    case Compressor::Kind::gzip: meta.codec = Codec::gzip; break;
    case Compressor::Kind::lz4: meta.codec = Codec::lz4; break;
    case Compressor::Kind::bz2: meta.codec = Codec::bz2; break;
  }
  meta.level = compressor.level;
  if (meta.codec != Codec::blosc) return;
  const std::string& cname = compressor.blosc_cname;
  if (!is_blosc_compressor(cname)) {
    throw UsageError("Compressor::blosc: Blosc has no compressor '" + cname + "' (" + kBloscCompressors + ")");
  }
  std::snprintf(meta.blosc.cname, sizeof meta.blosc.cname, "%s", cname.c_str());
  meta.blosc.shuffle = static_cast<int>(compressor.shuffle);
}

void apply_delta(bool delta, ZarrMeta& meta) {
  if (delta && meta.dtype == DType::b8) {
    throw UsageError("SaveOptions::delta: the Delta filter does not apply to bool arrays (numpy cannot subtract them)");
  }
  meta.delta = delta;
}

std::string zarr_dtype(DType dtype) {
  for (const DTypeName& d : kDTypes) {
    if (d.dtype == dtype) return d.zarr;
  }
  return "?";
}

std::string zarray_json(const ZarrMeta& meta) {
  json z;
  z["zarr_format"] = 2;
  z["shape"] = meta.shape;
  z["chunks"] = meta.chunks;
  z["dtype"] = zarr_dtype(meta.dtype);
  if (meta.codec == Codec::none) {
    z["compressor"] = nullptr;
  } else if (meta.codec == Codec::blosc) {
    z["compressor"] = {{"id", "blosc"}, {"cname", meta.blosc.cname}, {"clevel", meta.level},
                       {"shuffle", meta.blosc.shuffle}, {"blocksize", 0}};
  } else if (meta.codec == Codec::lz4) {
    z["compressor"] = {{"id", "lz4"}, {"acceleration", meta.level}};
  } else {
    z["compressor"] = {{"id", codec_id(meta.codec)}, {"level", meta.level}};
  }
  // Edge chunks are padded with the fill value; saying so lets readers
  // treat the padding (and any chunk they skip) as it.
  z["fill_value"] = fill_json(meta);
  z["order"] = std::string(1, meta.order);
  if (meta.delta) {
    const std::string dtype = zarr_dtype(meta.dtype);
    z["filters"] = json::array({{{"id", "delta"}, {"dtype", dtype}, {"astype", dtype}}});
  } else {
    z["filters"] = nullptr;
  }
  z["dimension_separator"] = std::string(1, meta.separator);
  return z.dump(4) + "\n";
}

namespace {

// No filters, or numcodecs' Delta of the array's own dtype (stored as that
// dtype too): whether there is a Delta.
bool parse_filters(const std::string& file, const json& filters, const json& array_dtype, DType dtype) {
  if (filters.is_null() || (filters.is_array() && filters.empty())) return false;
  const bool delta = filters.is_array() && filters.size() == 1 && filters[0].is_object() &&
                     filters[0].value("id", json()) == "delta" && filters[0].value("dtype", json()) == array_dtype &&
                     filters[0].value("astype", array_dtype) == array_dtype;
  if (!delta) {
    throw StorageError(file, "filters other than one Delta of the array's own dtype are not supported (\"filters\": " +
                                 filters.dump() + ")");
  }
  if (dtype == DType::b8) throw StorageError(file, "a Delta filter on a bool array");
  return true;
}

}  // namespace

ZarrMeta parse_zarray(const std::string& file, const std::string& text) {
  json z;
  try {
    z = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number too large
    throw StorageError(file, std::string("is not valid JSON: ") + e.what());
  }
  if (!z.is_object()) throw StorageError(file, "is not a JSON object");
  if (!z.contains("zarr_format") || z.at("zarr_format") != 2) {
    throw StorageError(file, "not Zarr format 2 ('zarr_format' must be 2)");
  }
  ZarrMeta meta;
  meta.shape = parse_sizes(file, z, "shape");
  meta.chunks = parse_sizes(file, z, "chunks");
  if (meta.shape.size() > 8) {
    throw StorageError(file, "dagger arrays have at most 8 dimensions, this one has " + std::to_string(meta.shape.size()));
  }
  if (meta.chunks.size() != meta.shape.size()) {
    throw StorageError(file, "'chunks' and 'shape' have different numbers of dimensions");
  }
  for (std::size_t d = 0; d < meta.shape.size(); ++d) {
    if (meta.shape[d] < 0) throw StorageError(file, "negative size in 'shape'");
    if (meta.chunks[d] <= 0) throw StorageError(file, "chunk sizes must be positive");
  }
  if (!z.contains("dtype")) throw StorageError(file, "missing 'dtype'");
  meta.dtype = parse_dtype(file, z.at("dtype"), meta.big_endian);
  // Larger sizes are corrupt metadata, and the arithmetic on them (chunk
  // counts, chunk bytes) would overflow.
  constexpr std::int64_t kMaxExtent = std::int64_t{1} << 48;
  constexpr std::uint64_t kMaxChunkBytes = std::uint64_t{1} << 40;
  std::uint64_t chunk_bytes = element_size(meta.dtype);
  std::int64_t elements = 1;  // in all, under kMaxExtent too
  for (std::size_t d = 0; d < meta.shape.size(); ++d) {
    if (meta.shape[d] > kMaxExtent || (meta.shape[d] > 0 && elements > kMaxExtent / meta.shape[d])) {
      throw StorageError(file, "'shape' " + z.at("shape").dump() + " is impossibly large");
    }
    elements *= meta.shape[d];
    if (static_cast<std::uint64_t>(meta.chunks[d]) > kMaxChunkBytes / chunk_bytes) {
      throw StorageError(file, "'chunks' " + z.at("chunks").dump() + " make chunks over 1 TiB");
    }
    chunk_bytes *= static_cast<std::uint64_t>(meta.chunks[d]);
  }
  if (!z.contains("compressor")) throw StorageError(file, "missing 'compressor'");
  parse_compressor(file, z.at("compressor"), meta);
  const json order = z.value("order", json("C"));
  if (order != "C" && order != "F") throw StorageError(file, "'order' must be \"C\" or \"F\", not " + order.dump());
  meta.order = order.get<std::string>()[0];
  if (z.contains("filters")) meta.delta = parse_filters(file, z.at("filters"), z.at("dtype"), meta.dtype);
  if (z.contains("dimension_separator")) {
    const json& separator = z.at("dimension_separator");
    if (separator != "." && separator != "/") {
      throw StorageError(file, "dimension separator " + separator.dump() + " is not \".\" or \"/\"");
    }
    meta.separator = separator.get<std::string>()[0];
  }
  meta.fill_bits = parse_fill(file, z.value("fill_value", json(nullptr)), meta.dtype);
  return meta;
}

ZarrMeta read_zarray(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) throw_errno(dir, "no array here", errno);
  if (!S_ISDIR(st.st_mode)) throw StorageError(dir, "not a directory (a Zarr array is a directory)");
  const std::string file = dir + "/.zarray";
  if (::stat(file.c_str(), &st) != 0 && errno == ENOENT) {
    throw StorageError(file, "missing: the directory holds no Zarr array");
  }
  return parse_zarray(file, read_text(file));
}

}  // namespace dagger::storage
