// The array library's block operations that other kinds of processor may
// run, as dagger/operation.hpp names operations: the CPU version is built
// with each thunk; a backend adds its own with add_version (the CUDA one in
// src/backends/cuda/cuda_kernels.cpp). Each version gets the call's Request
// and the blocks, in the memory of the processor that runs it.
#pragma once

#include <cstdint>
#include <vector>

#include "dagger/array/block.hpp"
#include "dagger/array/element_kernel.hpp"
#include "dagger/kernels/folds.hpp"
#include "dagger/operation.hpp"

namespace dagger {
struct SparseBlock;
}

namespace dagger::detail {

// A block's element program (the chain's kernel) and where the block sits.
// program_at(kernel.program, place) is the program of this very block.
struct ElementRequest {
  ElementKernel kernel;
  BlockPlace place;
};

// A fold of a block's elements: all of them (dim 0), down each column
// (dim 1: a 1 x cols block) or along each row (dim 2: rows x 1).
struct FoldRequest {
  ElementKernel kernel;
  BlockPlace place;
  kernels::Fold fold = kernels::Fold::sum;
  int dim = 0;
};

// The element type and shape of the block a version makes.
struct BlockShape {
  DType dtype = DType::f64;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
};

struct TransposedShape {
  BlockShape shape;
  bool transpose_a = false;
  bool transpose_b = false;
};
struct BucketRequest {
  std::uint64_t bucket = 0;
  bool descending = false;
};
// A diagonal tile of a factorization: where its first row is in the matrix.
struct TileRequest {
  std::int64_t first_row = 0;
};
// b = op(t)^-1 b (left) or b op(t)^-1 (right).
struct SolveRequest {
  bool left = true;
  bool lower = true;
  bool transpose = false;
  bool unit = false;  // t's diagonal taken as ones
};
// c - op(a) op(b).
struct ProductRequest {
  bool transpose_a = false;
  bool transpose_b = false;
};

namespace ops {

// The block of an element-wise chain, from its source blocks.
struct Elementwise {
  static constexpr const char* name = "elementwise";
  using Request = ElementRequest;
  using Signature = Block(const ElementRequest&, const std::vector<Block>&);
};

// The fold of every element of a chain's block, as an Acc.
template <class Acc>
struct FoldAll {
  static constexpr const char* name = "fold";
  using Request = FoldRequest;
  using Signature = Acc(const FoldRequest&, const std::vector<Block>&);
};

// The folds of each column or row of a chain's block, a block of Acc.
template <class Acc>
struct FoldLines {
  static constexpr const char* name = "fold lines";
  using Request = FoldRequest;
  using Signature = Block(const FoldRequest&, const std::vector<Block>&);
};

// sum over p of as[p] * bs[p], a rows x cols block.
struct Matmul {
  static constexpr const char* name = "matmul";
  using Request = BlockShape;
  using Signature = Block(const BlockShape&, const std::vector<Block>&, const std::vector<Block>&);
};

// A product block from operands read transposed where flagged: a matrix
// product with transpose(m) reads m's own blocks. No backend has a version
// of it, so such products run on CPUs; the untransposed Matmul is the one
// GPUs serve.
struct MatmulTransposed {
  static constexpr const char* name = "matmul";
  using Request = TransposedShape;
  using Signature = Block(const TransposedShape&, const std::vector<Block>&, const std::vector<Block>&);
};

struct Transpose {
  static constexpr const char* name = "transpose";
  using Request = NoRequest;
  using Signature = Block(const NoRequest&, const Block&);
};

// Bucket `bucket` of every block's partition, sorted in the request's order
// (the second argument is the splitters).
struct SortBucket {
  static constexpr const char* name = "sort bucket";
  using Request = BucketRequest;
  using Signature = Block(const BucketRequest&, const std::vector<std::vector<Block>>&, const Block&);
};

// sum over p of sparse[p] * dense[p], a rows x cols block.
struct SparseTimesDense {
  static constexpr const char* name = "spmm";
  using Request = BlockShape;
  using Signature = Block(const BlockShape&, const std::vector<SparseBlock>&, const std::vector<Block>&);
};

// The tiles of the dense factorizations (see factorizations.hpp). A tile
// that cannot be factored comes out as a failure marker (failure_marker),
// which every later tile operation passes on.
// The Cholesky factor L of a diagonal tile (lower, upper triangle zero).
struct CholeskyTile {
  static constexpr const char* name = "potrf";
  using Request = TileRequest;
  using Signature = Block(const TileRequest&, const Block&);
};
// A triangular solve with a tile: trsm.
struct SolveTile {
  static constexpr const char* name = "trsm";
  using Request = SolveRequest;
  using Signature = Block(const SolveRequest&, const Block& t, const Block& b);
};
// c - op(a) op(b): gemm.
struct MultiplySubtractTile {
  static constexpr const char* name = "gemm";
  using Request = ProductRequest;
  using Signature = Block(const ProductRequest&, const Block& c, const Block& a, const Block& b);
};
// The panel of an LU with partial pivoting: the tiles of one column from
// the diagonal down, factored as one tall block (getrf); its last column
// holds the panel's row swaps (1-based, as getrf gives them).
struct LuPanel {
  static constexpr const char* name = "getrf";
  using Request = TileRequest;
  using Signature = Block(const TileRequest&, const std::vector<Block>&);
};
// The panel of a Householder QR: the tiles of one column from the diagonal
// down, factored as one tall block (geqrf); its last column holds the
// reflectors' scales (tau).
struct QrPanel {
  static constexpr const char* name = "geqrf";
  using Request = NoRequest;
  using Signature = Block(const NoRequest&, const std::vector<Block>&);
};
// The lower triangle of c - a a': syrk.
struct SymmetricSubtractTile {
  static constexpr const char* name = "syrk";
  using Request = NoRequest;
  using Signature = Block(const NoRequest&, const Block& c, const Block& a);
};

}  // namespace ops

namespace sorting {
// Piece j of every partition, concatenated (pieces of values or of pairs):
// what a sort bucket sorts.
Block gathered(const std::vector<std::vector<Block>>& partitions, std::size_t j);
// Sorts a bucket of values of any element type in place, ascending or
// descending, with the CPU version's kernel.
void sort_in_order(Block& values, bool descending);
}  // namespace sorting

}  // namespace dagger::detail
