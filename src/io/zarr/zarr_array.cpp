// Dense arrays as Zarr v2 arrays: one chunk file per block, chunks the size
// of our blocks, so saving and loading never re-block.
#include <algorithm>
#include <memory>

#include "dagger/array.hpp"
#include "dagger/array/element_kernel.hpp"
#include "core/file_io.hpp"
#include "dagger/detail/wire.hpp"
#include "io/zarr/staged_directory.hpp"
#include "io/zarr/zarr_blocks.hpp"
#include "io/zarr/zarr_metadata.hpp"

namespace dagger::detail {
namespace {

using storage::ZarrMeta;

storage::ZarrMeta meta_for(const Layout& layout, DType dtype, const SaveOptions& options) {
  ZarrMeta meta;
  meta.shape = layout.shape();
  meta.chunks = layout.blocks().sizes;
  meta.dtype = dtype;
  meta.order = options.order == Order::C ? 'C' : 'F';
  storage::apply_compressor(options.compressor, meta);
  storage::apply_delta(options.delta, meta);
  return meta;
}

// One block's file and the array's metadata, as the tasks that read or
// write it carry them: by value, so that they travel.
struct BlockFile {
  ZarrMeta meta;
  std::string file;
};

void dagger_wire_save(const BlockFile& f, WireWriter& out) {
  wire_save(f.meta.shape, out);
  wire_save(f.meta.chunks, out);
  out.pod(f.meta.dtype);
  out.pod(f.meta.order);
  out.pod(f.meta.codec);
  out.pod(f.meta.level);
  out.pod(f.meta.blosc);
  out.pod(f.meta.big_endian);
  out.pod(f.meta.separator);
  out.pod(f.meta.delta);
  out.pod(f.meta.fill_bits);
  wire_save(f.file, out);
}
void dagger_wire_load(BlockFile& f, WireReader& in) {
  ZarrMeta& meta = f.meta;
  wire_load(meta.shape, in);
  wire_load(meta.chunks, in);
  meta.dtype = in.pod<DType>();
  meta.order = in.pod<char>();
  meta.codec = in.pod<storage::Codec>();
  meta.level = in.pod<int>();
  meta.blosc = in.pod<storage::BloscSettings>();
  meta.big_endian = in.pod<bool>();
  meta.separator = in.pod<char>();
  meta.delta = in.pod<bool>();
  meta.fill_bits = in.pod<std::uint64_t>();
  wire_load(f.file, in);
  const bool dims = meta.shape.size() <= static_cast<std::size_t>(Layout::kMaxDims) && meta.chunks.size() == meta.shape.size();
  const bool sizes = dims && std::all_of(meta.chunks.begin(), meta.chunks.end(), [](std::int64_t c) { return c > 0; });
  if (!sizes || static_cast<unsigned>(meta.dtype) >= kElementTypeCount ||
      static_cast<unsigned>(meta.codec) > static_cast<unsigned>(storage::kLastCodec) ||
      meta.blosc.cname[sizeof meta.blosc.cname - 1] != '\0' || meta.blosc.shuffle < 0 || meta.blosc.shuffle > 2 ||
      (meta.separator != '.' && meta.separator != '/') ||
      (meta.order != 'C' && meta.order != 'F')) {
    throw ProtocolError("a block read or write with impossible metadata");
  }
}

// The task that reads one block file. It travels, so a worker reads the
// blocks it is given (a load in a context of workers, or assigned to them).
struct ReadBlock {
  BlockFile at;
  std::vector<std::int64_t> extents;  // of the block, in each dimension

  Block operator()() const { return storage::read_block_file(at.file, at.meta, extents); }
};

// A block's extents as a task carries them: one per dimension of the array,
// each from 0 to the chunk's.
void check_extents(const std::vector<std::int64_t>& extents, const ZarrMeta& meta, const char* what) {
  bool valid = extents.size() == meta.chunks.size();
  for (std::size_t d = 0; valid && d < extents.size(); ++d) valid = extents[d] >= 0 && extents[d] <= meta.chunks[d];
  if (!valid) throw ProtocolError(std::string("a block ") + what + " with a shape that is not its chunk's");
}

void dagger_wire_save(const ReadBlock& r, WireWriter& out) {
  dagger_wire_save(r.at, out);
  wire_save(r.extents, out);
}
void dagger_wire_load(ReadBlock& r, WireReader& in) {
  dagger_wire_load(r.at, in);
  wire_load(r.extents, in);
  check_extents(r.extents, r.at.meta, "read");
}

// The task that writes one computed block to its file and returns the bytes
// written. It travels, so a block is written where it is (a save in a
// context of workers, or of an array whose blocks live in workers).
struct WriteBlock {
  BlockFile at;
  std::vector<std::int64_t> extents;  // of the block, in each dimension

  std::uint64_t operator()(const Block& b) const { return storage::write_block_file(at.file, b, at.meta, extents); }
};

void dagger_wire_save(const WriteBlock& w, WireWriter& out) {
  dagger_wire_save(w.at, out);
  wire_save(w.extents, out);
}
void dagger_wire_load(WriteBlock& w, WireReader& in) {
  dagger_wire_load(w.at, in);
  wire_load(w.extents, in);
  check_extents(w.extents, w.at.meta, "write");
}

// The same for a block of a lazy element-wise array, computed in the task
// that writes it. It travels when its chain does (no user's function).
struct WriteComputedBlock {
  WriteBlock write;
  ElementwiseBlock elements;

  std::uint64_t operator()(const std::vector<Block>& in) const { return write(elements(in)); }
  bool travels() const { return elements.travels(); }
};

void dagger_wire_save(const WriteComputedBlock& w, WireWriter& out) {
  dagger_wire_save(w.write, out);
  dagger_wire_save(w.elements, out);
}
void dagger_wire_load(WriteComputedBlock& w, WireReader& in) {
  dagger_wire_load(w.write, in);
  dagger_wire_load(w.elements, in);
}

// One thunk per block that writes it and returns the bytes written (not the
// block: nothing large comes back to the caller). A lazy element-wise
// block is computed inside that same thunk.
std::vector<Thunk<std::uint64_t>> write_thunks(const ArrayPtr& array, const ZarrMeta& meta, const std::string& dir) {
  const Layout& layout = array->layout;
  std::vector<Thunk<std::uint64_t>> writes;
  writes.reserve(layout.block_count());
  for (std::size_t k = 0; k < layout.block_count(); ++k) {
    WriteBlock write{{meta, dir + "/" + meta.chunk_key(layout.block_coords(k))}, layout.block_extents(k)};
    if (array->lazy()) {
      WriteComputedBlock computed{std::move(write), {element_kernel_of(*array), array->dtype, block_place(layout, k)}};
      writes.push_back(delayed(std::move(computed), {.name = "zarr write"})(source_blocks(array->sources, k)));
    } else {
      writes.push_back(delayed(std::move(write), {.name = "zarr write"})(array->blocks[k]));
    }
  }
  return writes;
}

}  // namespace

ArrayPtr save_array(const Context& context, const ArrayPtr& array, const std::string& path, const SaveOptions& options) {
  const ZarrMeta meta = meta_for(array->layout, array->dtype, options);  // a bad option fails before any file
  storage::StagedDirectory staged(path);
  storage::write_file(staged.path() + "/.zarray", storage::zarray_json(meta));
  storage::write_file(staged.path() + "/.zattrs", std::string("{}\n"));
  // A failing block throws out of here and `staged` removes the directory.
  dagger::compute(context, write_thunks(array, meta, staged.path()));
  staged.publish();
  return load_array(staged.target(), array->dtype, context_scope(context), Assignment());
}

ArrayPtr load_array(const std::string& path, DType wanted, const Scope& scope, const Assignment& assignment) {
  auto meta = std::make_shared<const ZarrMeta>(storage::read_zarray(path));
  if (meta->dtype != wanted) {
    throw StorageError(path, "holds " + to_string(meta->dtype) + " elements (" + storage::zarr_dtype(meta->dtype) +
                                 "), not " + to_string(wanted) + " (" + storage::zarr_dtype(wanted) + ")");
  }
  storage::check_block_files(path, *meta);
  Layout layout(meta->shape, Blocks(meta->chunks));
  std::vector<Thunk<Block>> blocks;
  blocks.reserve(layout.block_count());
  for (std::size_t k = 0; k < layout.block_count(); ++k) {
    const std::string file = path + "/" + meta->chunk_key(layout.block_coords(k));
    blocks.push_back(delayed(ReadBlock{{*meta, file}, layout.block_extents(k)},
                             {.scope = assignment.is_arbitrary() ? scope : assignment.scope(layout, k), .name = "zarr read"})());
  }
  return make_array(std::move(layout), wanted, std::move(blocks));
}

DType stored_dtype(const std::string& path) { return storage::read_zarray(path).dtype; }

}  // namespace dagger::detail
