#include "io/zarr/zarr_metadata.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <nlohmann/json.hpp>

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

DType parse_dtype(const std::string& file, const json& value) {
  if (!value.is_string()) throw StorageError(file, "'dtype' is not a string (structured dtypes are not supported)");
  const std::string name = value.get<std::string>();
  for (const DTypeName& d : kDTypes) {
    if (name == d.zarr) return d.dtype;
  }
  if (!name.empty() && name[0] == '>') {
    throw StorageError(file, "big-endian dtype '" + name + "' is not supported (dagger reads little-endian data only)");
  }
  throw StorageError(file, "unsupported dtype '" + name +
                               "' (dagger reads <f8 <f4 <i8 <i4 <i2 |i1 <u8 <u4 <u2 |u1 |b1)");
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

void parse_compressor(const std::string& file, const json& value, ZarrMeta& meta) {
  if (value.is_null()) {
    meta.codec = Codec::none;
    return;
  }
  const std::string id = value.is_object() && value.contains("id") && value.at("id").is_string()
                             ? value.at("id").get<std::string>()
                             : value.dump();
  if (id != "zstd") {
    throw StorageError(file, "unsupported compressor '" + id +
                                 "' (dagger reads uncompressed blocks, \"compressor\": null, and zstd)");
  }
  meta.codec = Codec::zstd;
  meta.level = value.contains("level") && value.at("level").is_number_integer() ? value.at("level").get<int>() : 0;
}

}  // namespace

std::string ZarrMeta::chunk_key(std::int64_t i, std::int64_t j) const {
  return ndims() == 2 ? std::to_string(i) + "." + std::to_string(j) : std::to_string(i);
}

std::string ZarrMeta::describe() const {
  auto dims = [this](const std::vector<std::int64_t>& v) {
    return ndims() == 2 ? std::to_string(v[0]) + "x" + std::to_string(v[1]) : std::to_string(v[0]);
  };
  return dims(shape) + " in chunks of " + dims(chunks) + " (" + zarr_dtype(dtype) + ")";
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
  z["compressor"] = meta.codec == Codec::zstd ? json{{"id", "zstd"}, {"level", meta.level}} : json(nullptr);
  // Edge chunks are padded with zeros; saying so lets readers treat the
  // padding (and any chunk they skip) as zeros too.
  const bool floating = meta.dtype == DType::f64 || meta.dtype == DType::f32;
  z["fill_value"] = meta.dtype == DType::b8 ? json(false) : floating ? json(0.0) : json(0);
  z["order"] = std::string(1, meta.order);
  z["filters"] = nullptr;
  z["dimension_separator"] = ".";
  return z.dump(4) + "\n";
}

ZarrMeta parse_zarray(const std::string& file, const std::string& text) {
  json z;
  try {
    z = json::parse(text);
  } catch (const json::parse_error& e) {
    throw StorageError(file, std::string("is not valid JSON: ") + e.what());
  }
  if (!z.is_object()) throw StorageError(file, "is not a JSON object");
  if (!z.contains("zarr_format") || z.at("zarr_format") != 2) {
    throw StorageError(file, "not Zarr format 2 ('zarr_format' must be 2)");
  }
  ZarrMeta meta;
  meta.shape = parse_sizes(file, z, "shape");
  meta.chunks = parse_sizes(file, z, "chunks");
  if (meta.shape.empty() || meta.shape.size() > 2) {
    throw StorageError(file, "dagger arrays have 1 or 2 dimensions, this one has " + std::to_string(meta.shape.size()));
  }
  if (meta.chunks.size() != meta.shape.size()) {
    throw StorageError(file, "'chunks' and 'shape' have different numbers of dimensions");
  }
  for (std::size_t d = 0; d < meta.shape.size(); ++d) {
    if (meta.shape[d] < 0) throw StorageError(file, "negative size in 'shape'");
    if (meta.chunks[d] <= 0) throw StorageError(file, "chunk sizes must be positive");
  }
  if (!z.contains("dtype")) throw StorageError(file, "missing 'dtype'");
  meta.dtype = parse_dtype(file, z.at("dtype"));
  if (!z.contains("compressor")) throw StorageError(file, "missing 'compressor'");
  parse_compressor(file, z.at("compressor"), meta);
  const json order = z.value("order", json("C"));
  if (order != "C" && order != "F") throw StorageError(file, "'order' must be \"C\" or \"F\", not " + order.dump());
  meta.order = order.get<std::string>()[0];
  if (z.contains("filters") && !z.at("filters").is_null() && !(z.at("filters").is_array() && z.at("filters").empty())) {
    throw StorageError(file, "filters are not supported (\"filters\": " + z.at("filters").dump() + ")");
  }
  if (z.contains("dimension_separator") && z.at("dimension_separator") != ".") {
    throw StorageError(file, "dimension separator " + z.at("dimension_separator").dump() +
                                 " is not supported (only \".\")");
  }
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
