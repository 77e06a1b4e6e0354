// Sparse arrays as a Zarr group: each CSC block is a subgroup "<i>.<j>"
// ("<i>" for 1-D) of three 1-D arrays, `data` (the values), `indices` (row
// of each value within the block, <i8) and `indptr` (where each column
// starts, block width + 1 entries, <i8) -- scipy.sparse's names -- and the
// group's .zattrs describe the whole array under "dagger".
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "dagger/array.hpp"
#include "core/file_io.hpp"
#include "io/zarr/staged_directory.hpp"
#include "io/zarr/zarr_codec.hpp"
#include "io/zarr/zarr_metadata.hpp"
#include "io/zarr/zarr_blocks.hpp"

namespace dagger::detail {
namespace {

using nlohmann::json;
using storage::ZarrMeta;

// The three arrays of one block, as read from their .zarray files.
struct BlockMetas {
  ZarrMeta data, indices, indptr;
};

const char* const kGroup = "{\n    \"zarr_format\": 2\n}\n";

std::string block_key(const Layout& layout, std::size_t k) {
  const std::int64_t gi = layout.grid_row_of(k), gj = layout.grid_col_of(k);
  return layout.ndims() == 2 ? std::to_string(gi) + "." + std::to_string(gj) : std::to_string(gi);
}

// A 1-D Zarr array of `count` elements in one chunk (no chunk file when it
// is empty: Zarr reads absent chunks as the fill value).
std::uint64_t write_vector(const std::string& dir, const std::byte* bytes, std::int64_t count, DType dtype,
                           const SaveOptions& options) {
  ZarrMeta meta;
  meta.shape = {count};
  meta.chunks = {std::max<std::int64_t>(count, 1)};
  meta.dtype = dtype;
  meta.order = options.order == Order::C ? 'C' : 'F';
  storage::apply_compressor(options.compressor, meta);
  storage::apply_delta(options.delta, meta);
  storage::make_directory(dir);
  const std::string text = storage::zarray_json(meta);
  storage::write_file(dir + "/.zarray", text);
  if (count == 0) return text.size();
  std::span<const std::byte> raw(bytes, meta.chunk_bytes());
  if (meta.delta) {
    const std::span<std::byte> filtered = storage::chunk_scratch().get(raw.size());
    std::copy(raw.begin(), raw.end(), filtered.begin());
    storage::delta_encode(filtered, meta.dtype);
    raw = filtered;
  }
  const std::span<const std::byte> stored = storage::encode_chunk(raw, meta, storage::stored_scratch());
  storage::write_file(dir + "/0", stored);
  storage::chunk_scratch().release_if_large();
  return text.size() + stored.size();
}

// Every element of a 1-D Zarr array, chunk after chunk.
std::vector<std::byte> read_vector(const std::string& dir, const ZarrMeta& meta) {
  const std::size_t size = element_size(meta.dtype);
  std::vector<std::byte> out(static_cast<std::size_t>(meta.shape[0]) * size);
  for (std::int64_t i = 0; i < meta.grid(0); ++i) {
    const std::string file = dir + "/" + meta.chunk_key(i, 0);
    std::vector<std::byte> raw(meta.chunk_bytes());
    storage::decode_chunk(file, storage::read_file(file), raw, meta);
    if (meta.delta) storage::delta_decode(raw, meta.dtype);
    const std::size_t offset = static_cast<std::size_t>(i * meta.chunks[0]) * size;
    std::copy_n(raw.begin(), std::min(raw.size(), out.size() - offset), out.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  return out;
}

std::uint64_t write_block(const std::string& dir, const SparseBlock& b, const SaveOptions& options) {
  storage::make_directory(dir);
  storage::write_file(dir + "/.zgroup", std::string(kGroup));
  std::uint64_t bytes = write_vector(dir + "/data", b.values->data(), b.nonzeros(), b.dtype, options);
  bytes += write_vector(dir + "/indices", reinterpret_cast<const std::byte*>(b.row_index->data()), b.nonzeros(),
                        DType::i64, options);
  bytes += write_vector(dir + "/indptr", reinterpret_cast<const std::byte*>(b.col_start->data()),
                        static_cast<std::int64_t>(b.col_start->size()), DType::i64, options);
  return bytes;  // the directories are synced when the save is published
}

ZarrMeta read_part(const std::string& dir, DType dtype, std::int64_t length) {
  ZarrMeta meta = storage::read_zarray(dir);
  if (meta.ndims() != 1) throw StorageError(dir, "a sparse block part must be a 1-D array");
  if (meta.dtype != dtype) {
    throw StorageError(dir, "holds " + storage::zarr_dtype(meta.dtype) + " elements, expected " + storage::zarr_dtype(dtype));
  }
  if (length >= 0 && meta.shape[0] != length) {
    throw StorageError(dir, "has " + std::to_string(meta.shape[0]) + " elements, expected " + std::to_string(length));
  }
  storage::check_block_files(dir, meta);
  return meta;
}

// The CSC block stored at `dir`, checked: a corrupt block is an error, not
// an out-of-bounds read later.
SparseBlock read_block(const std::string& dir, const BlockMetas& metas, DType dtype, std::int64_t h, std::int64_t w) {
  SparseBlock b;
  b.dtype = dtype;
  b.rows = h;
  b.cols = w;
  auto as_indices = [](const std::vector<std::byte>& bytes) {
    auto v = std::make_shared<std::vector<std::int64_t>>(bytes.size() / sizeof(std::int64_t));
    if (!bytes.empty()) std::memcpy(v->data(), bytes.data(), bytes.size());
    return v;
  };
  b.col_start = as_indices(read_vector(dir + "/indptr", metas.indptr));
  b.row_index = as_indices(read_vector(dir + "/indices", metas.indices));
  b.values = std::make_shared<std::vector<std::byte>>(read_vector(dir + "/data", metas.data));
  const auto& start = *b.col_start;
  const auto& row = *b.row_index;
  const auto nnz = static_cast<std::int64_t>(row.size());
  if (start.front() != 0 || start.back() != nnz) {
    throw StorageError(dir, "corrupt sparse block: indptr must run from 0 to the number of entries");
  }
  for (std::int64_t c = 0; c < w; ++c) {
    if (start[c] > start[c + 1]) throw StorageError(dir, "corrupt sparse block: indptr decreases");
    for (std::int64_t k = start[c]; k < start[c + 1]; ++k) {
      if (row[k] < 0 || row[k] >= h || (k > start[c] && row[k] <= row[k - 1])) {
        throw StorageError(dir, "corrupt sparse block: row indices out of range or not ascending in column " +
                                    std::to_string(c));
      }
    }
  }
  return b;
}

json description(const Layout& layout, DType dtype) {
  return {{"kind", "sparse"},
          {"format", "csc"},
          {"shape", layout.shape()},
          {"blocks", layout.blocks().sizes},
          {"dtype", storage::zarr_dtype(dtype)},
          {"index_dtype", "<i8"}};
}

// The layout the group's .zattrs describe.
Layout read_description(const std::string& path, DType wanted) {
  const std::string file = path + "/.zattrs";
  if (!std::filesystem::is_directory(path)) throw StorageError(path, "no sparse array here: not a directory");
  if (!std::filesystem::exists(file)) throw StorageError(file, "missing: the directory holds no dagger sparse array");
  json attrs;
  try {
    attrs = json::parse(storage::read_text(file));
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number too large
    throw StorageError(file, std::string("is not valid JSON: ") + e.what());
  }
  if (!attrs.is_object() || !attrs.contains("dagger") || !attrs["dagger"].is_object() ||
      attrs["dagger"].value("kind", "") != "sparse") {
    throw StorageError(file, "holds no dagger sparse array description (\"dagger\": {\"kind\": \"sparse\", ...})");
  }
  const json& d = attrs["dagger"];
  try {
    if (d.at("format") != "csc" || d.at("index_dtype") != "<i8") {
      throw StorageError(file, "unsupported sparse format: dagger reads format \"csc\" with index dtype \"<i8\"");
    }
    const std::string dtype = d.at("dtype").get<std::string>();
    if (dtype != storage::zarr_dtype(wanted)) {
      throw StorageError(path, "holds " + dtype + " elements, not " + storage::zarr_dtype(wanted) + " (" + to_string(wanted) + ")");
    }
    const auto shape = d.at("shape").get<std::vector<std::int64_t>>();
    const auto blocks = d.at("blocks").get<std::vector<std::int64_t>>();
    if (shape.size() != blocks.size() || shape.empty() || shape.size() > 2) {
      throw StorageError(file, "'shape' and 'blocks' must both have 1 or 2 entries");
    }
    return Layout(shape, shape.size() == 2 ? Blocks(blocks[0], blocks[1]) : Blocks(blocks[0]));
  } catch (const json::exception& e) {
    throw StorageError(file, std::string("malformed dagger sparse description: ") + e.what());
  } catch (const ArrayError& e) {
    throw StorageError(file, std::string("malformed dagger sparse description: ") + e.what());
  }
}

}  // namespace

SparsePtr save_sparse(const Context& context, const SparsePtr& array, const std::string& path,
                      const SaveOptions& options) {
  storage::StagedDirectory staged(path);
  storage::write_file(staged.path() + "/.zgroup", std::string(kGroup));
  storage::write_file(staged.path() + "/.zattrs", json{{"dagger", description(array->layout, array->dtype)}}.dump(4) + "\n");
  std::vector<Thunk<std::uint64_t>> writes;
  for (std::size_t k = 0; k < array->layout.block_count(); ++k) {
    writes.push_back(delayed([dir = staged.path() + "/" + block_key(array->layout, k), options](const SparseBlock& b) {
      return write_block(dir, b, options);
    }, {.name = "zarr write sparse"})(array->blocks[k]));
  }
  dagger::compute(context, writes);
  staged.publish();
  return load_sparse(staged.target(), array->dtype, context_scope(context), Assignment());
}

SparsePtr load_sparse(const std::string& path, DType wanted, const Scope& scope, const Assignment& assignment) {
  Layout layout = read_description(path, wanted);
  auto out = std::make_shared<SparseImpl>(SparseImpl{layout, wanted, {}});
  for (std::size_t k = 0; k < layout.block_count(); ++k) {
    const std::int64_t h = layout.block_height(layout.grid_row_of(k)), w = layout.block_width(layout.grid_col_of(k));
    const std::string dir = path + "/" + block_key(layout, k);
    BlockMetas metas{read_part(dir + "/data", wanted, -1), read_part(dir + "/indices", DType::i64, -1),
                     read_part(dir + "/indptr", DType::i64, w + 1)};
    if (metas.data.shape[0] != metas.indices.shape[0]) {
      throw StorageError(dir, "corrupt sparse block: data and indices differ in length");
    }
    out->blocks.push_back(delayed([dir, metas, wanted, h, w] { return read_block(dir, metas, wanted, h, w); },
                                  {.scope = assignment.is_arbitrary() ? scope : assignment.scope(layout, k),
                                   .name = "zarr read sparse"})());
  }
  return out;
}

}  // namespace dagger::detail
