// Saving arrays to disk and loading them back, in the Zarr v2 layout (a
// directory: JSON metadata plus one file per block) that Python's zarr and
// dask open. Both are lazy and per block: compute(save(x, path)) writes each
// block from the thunk that computes it, and load() gives an array whose
// thunks each read one block file, so no block passes through the caller.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "dagger/array/array_compute.hpp"
#include "dagger/array/darray.hpp"
#include "dagger/array/sparse.hpp"
#include "dagger/context.hpp"
#include "dagger/errors.hpp"
#include "dagger/options.hpp"

namespace dagger {

// Element order inside each stored block: F (column-major, as our blocks
// are: written as they are) or C (row-major, NumPy's default: transposed).
enum class Order { F, C };

// How block files are compressed: numcodecs' compressors, as Python's zarr
// writes and reads them. Blosc with lz4 and byte shuffle is Python zarr's
// default; none (the default here) writes blocks as they are in memory.
struct Compressor {
  enum class Kind { none, zstd, blosc, zlib, gzip, lz4, bz2 };
  enum class Shuffle { none = 0, byte = 1, bit = 2 };  // Blosc's
  Kind kind = Kind::none;
  int level = 0;
  std::string blosc_cname = "lz4";  // lz4, lz4hc, blosclz, zstd or zlib
  Shuffle shuffle = Shuffle::byte;
  static Compressor none() { return {}; }
  static Compressor zstd(int level = 3) { return {Kind::zstd, level}; }
  // numcodecs' defaults.
  static Compressor blosc(std::string cname = "lz4", int level = 5, Shuffle shuffle = Shuffle::byte) {
    return {Kind::blosc, level, std::move(cname), shuffle};
  }
  static Compressor zlib(int level = 1) { return {Kind::zlib, level}; }
  static Compressor gzip(int level = 1) { return {Kind::gzip, level}; }
  static Compressor lz4(int acceleration = 1) { return {Kind::lz4, acceleration}; }
  static Compressor bz2(int level = 1) { return {Kind::bz2, level}; }
};

struct SaveOptions {
  Order order = Order::F;
  Compressor compressor = Compressor::none();
  // numcodecs' Delta filter before the compressor: each element of a chunk
  // (in the chunk's order) is stored as its difference from the one before,
  // which helps slowly varying integers compress. Exact for integers; for
  // floating types the sums that undo it round as numpy's do. Not for bool
  // (a UsageError).
  bool delta = false;
};

namespace detail {
// Writes every block (one thunk each, run by `context`), publishes the
// directory atomically, and returns the array loaded from it.
ArrayPtr save_array(const Context& context, const ArrayPtr& array, const std::string& path, const SaveOptions& options);
ArrayPtr load_array(const std::string& path, DType wanted, const Scope& scope, const Assignment& assignment);
DType stored_dtype(const std::string& path);
SparsePtr save_sparse(const Context& context, const SparsePtr& array, const std::string& path,
                      const SaveOptions& options);
SparsePtr load_sparse(const std::string& path, DType wanted, const Scope& scope, const Assignment& assignment);
// The scope of reads for a context: none for the default context, so that
// reads stay plain CPU tasks that any thread takes depth first (a scoped
// task is placed by the cost model instead, which loses that order).
inline Scope context_scope(const Context& context) {
  if (context.processors() == Context().processors()) return Scope::any();
  return Scope::processors({context.processors().begin(), context.processors().end()});
}
}  // namespace detail

// What save() returns; nothing is written until it is computed.
template <class T>
struct SaveRequest {
  DArray<T> array;
  std::string path;
  SaveOptions options;
};
template <class T>
struct SparseSaveRequest {
  SparseDArray<T> array;
  std::string path;
  SaveOptions options;
};

template <class T>
SaveRequest<T> save(const DArray<T>& array, std::string path, SaveOptions options = {}) {
  return {array, std::move(path), options};
}
template <class T>
SparseSaveRequest<T> save(const SparseDArray<T>& array, std::string path, SaveOptions options = {}) {
  return {array, std::move(path), options};
}

// Loads a saved array lazily: checks the metadata and that every block file
// is there with the right size now (StorageError), reads each block when a
// thunk needs it (an error then is a ThunkError carrying the StorageError).
// With a context, only its processors read the blocks; with an Assignment
// (assignment.hpp), each block is read by its owner, which keeps it.
template <class T>
DArray<T> load(const std::string& path, const Assignment& assignment = {}) {
  return DArray<T>(detail::load_array(path, dtype_of<T>(), Scope::any(), assignment));
}
template <class T>
DArray<T> load(const Context& context, const std::string& path) {
  return DArray<T>(detail::load_array(path, dtype_of<T>(), detail::context_scope(context), Assignment()));
}

// Loading without knowing the element type: one alternative per element
// type, in DType's order.
namespace detail {
// std::variant<DArray<T>...> of the types listed (a final void ends the list).
template <class Variant, class... Types>
struct arrays_of {
  using type = Variant;
};
template <class... Out, class T, class... In>
struct arrays_of<std::variant<Out...>, T, In...> : arrays_of<std::variant<Out..., DArray<T>>, In...> {};
template <class... Out, class... In>
struct arrays_of<std::variant<Out...>, void, In...> : arrays_of<std::variant<Out...>, In...> {};
}  // namespace detail
#define DAGGER_ALTERNATIVE(e, T, ...) T,
using AnyDArray = detail::arrays_of<std::variant<>, DAGGER_ELEMENT_TYPES(DAGGER_ALTERNATIVE) void>::type;
#undef DAGGER_ALTERNATIVE
inline AnyDArray load_any(const std::string& path) {
  return visit_dtype(detail::stored_dtype(path), [&]<class T>() { return AnyDArray(load<T>(path)); });
}

template <class T>
SparseDArray<T> load_sparse(const std::string& path, const Assignment& assignment = {}) {
  return SparseDArray<T>(detail::load_sparse(path, dtype_of<T>(), Scope::any(), assignment));
}
template <class T>
SparseDArray<T> load_sparse(const Context& context, const std::string& path) {
  return SparseDArray<T>(detail::load_sparse(path, dtype_of<T>(), detail::context_scope(context), Assignment()));
}

// Writes the array (computing it block by block if it is lazy) and returns
// it loaded from the saved directory, lazily: a large saved array does not
// stay in memory. An existing array at `path` is replaced only once every
// block is written; on error nothing of the new one is left.
template <class T>
DArray<T> compute(const Context& context, const SaveRequest<T>& request) {
  return DArray<T>(detail::save_array(context, request.array.impl(), request.path, request.options));
}
template <class T>
DArray<T> compute(const SaveRequest<T>& request) {
  return compute(Context(), request);
}
template <class T>
SparseDArray<T> compute(const Context& context, const SparseSaveRequest<T>& request) {
  return SparseDArray<T>(detail::save_sparse(context, request.array.impl(), request.path, request.options));
}
template <class T>
SparseDArray<T> compute(const SparseSaveRequest<T>& request) {
  return compute(Context(), request);
}

}  // namespace dagger
