// DArray<T>: a block-distributed array whose blocks are thunks. Everything
// is lazy. An element-wise expression is kept as one kernel over the blocks
// of its inputs, so a chain of element-wise operations (and a reduction that
// follows) becomes one thunk per block when it is finally needed.
#pragma once

#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "dagger/array/assignment.hpp"
#include "dagger/array/block.hpp"
#include "dagger/array/dtype.hpp"
#include "dagger/array/element_program.hpp"
#include "dagger/array/layout.hpp"
#include "dagger/context.hpp"
#include "dagger/thunk.hpp"

namespace dagger {

class Index;

namespace detail {

// Element-wise kernels run over tiles this long: small enough that the
// temporaries of a fused chain stay in L1, long enough to amortize the call.
inline constexpr std::int64_t kTile = 256;

// Where a tile lies: its block's place in the array, and the tile's first
// element in the block. Random sources compute their values from it.
struct TileAt {
  kernels::ElementSpot block;
  std::int64_t offset = 0;
};

// Computes n elements of the output from the same n elements of each input
// (pointers already at the tile's start, one per source array).
using TileKernel =
    std::function<void(const std::byte* const* inputs, std::byte* out, std::int64_t n, const TileAt& at)>;

// The shape of block k of an array and where its elements lie in the array:
// what a kernel needs when its array has no source blocks (a random or
// constant array) to take the shape from.
struct BlockPlace {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  kernels::ElementSpot spot;

  std::int64_t size() const noexcept { return rows * cols; }
};
BlockPlace block_place(const Layout& layout, std::size_t k);

struct ArrayImpl;
using ArrayPtr = std::shared_ptr<const ArrayImpl>;

struct ArrayImpl {
  ArrayImpl(Layout l, DType t) : layout(std::move(l)), dtype(t) {}

  Layout layout;
  DType dtype;
  // Materialized form: one thunk per block, in grid order.
  std::vector<Thunk<Block>> blocks;
  // Lazy element-wise form: materialized sources with this array's blocking
  // and the kernel that computes this array's elements from theirs.
  std::vector<ArrayPtr> sources;
  TileKernel kernel;
  // The same kernel as an element program, for processors that cannot run
  // host code (null: CPUs only).
  ProgramPtr program;
  std::string name;       // of the blocks' thunks, for a lazy array with no sources
  bool computed = false;  // blocks are results of compute()
  // Set on transpose(m) of a matrix m: a product reads m's blocks as they
  // are, transposed inside its kernel, instead of this array's blocks.
  std::shared_ptr<const ArrayImpl> transpose_of;
  // Also set on transpose(m): this array's grid of m's own blocks (block
  // (i, j) is m's block (j, i), untransposed), which element-wise chains
  // and reductions read, transposing tile by tile as they go.
  std::shared_ptr<const ArrayImpl> transposed_blocks;
  // On such a grid: each block holds the transpose of the block the layout
  // describes (and transpose_of names the matrix whose blocks they are).
  bool blocks_transposed = false;

  bool lazy() const noexcept { return static_cast<bool>(kernel); }

  // Thunks of a lazy array, made once so that every use shares them.
  mutable std::mutex materialize_mutex;
  mutable std::vector<Thunk<Block>> materialized;
};

ArrayPtr make_array(Layout layout, DType dtype, std::vector<Thunk<Block>> blocks);
// An array with no sources is a source itself (rand, ones): its blocks'
// thunks are called `name`.
ArrayPtr make_lazy(Layout layout, DType dtype, std::vector<ArrayPtr> sources, TileKernel kernel,
                   ProgramPtr program = nullptr, std::string name = "elementwise");
// One thunk per block (a lazy array gets one fused thunk per block).
const std::vector<Thunk<Block>>& block_thunks(const ArrayPtr& array);
// A new (lazy, unmade) array whose blocks are made by their assigned
// processors: an array of those blocks' thunks.
ArrayPtr placed(const ArrayPtr& array, const Assignment& assignment);
// The same values cut into other blocks.
ArrayPtr rechunk(const ArrayPtr& array, const Blocks& blocks);
// The same for arrays of any rank (rechunk's way for more than 2).
ArrayPtr rechunk_any_rank(const ArrayPtr& array, Layout out);
// The shape two arrays broadcast to, as Julia's broadcast (dimensions
// matched from the first, a missing trailing one taken as 1, and each pair
// equal or one of them 1); an ArrayError naming both shapes otherwise.
std::vector<std::int64_t> broadcast_shape(const char* operation, const Layout& a, const Layout& b);
// `array` repeated along its dimensions of extent 1 (and the ones it lacks)
// to `out`'s shape, in out's blocks.
ArrayPtr broadcast_to(const ArrayPtr& array, const Layout& out);
ArrayPtr compute_array(const Context& context, const ArrayPtr& array);
// Computes the blocks; thunks whose results are those blocks.
std::vector<Thunk<Block>> computed_blocks(const Context& context, const std::vector<Thunk<Block>>& lazy);

// A product left * right: checks the inner dimensions, cuts right's rows like
// left's columns, and gives the result's layout.
struct ProductPlan {
  ArrayPtr right;
  Layout result;
};
ProductPlan plan_product(const Layout& left, const ArrayPtr& right);
// A copy of the program with its spot set to a block's, as a device kernel
// reads it (a version of ops::Elementwise or ops::FoldAll makes it).
ProgramPtr program_at(const ProgramPtr& program, const BlockPlace& place);
// The same block from the array's element program, evaluated on the host
// exactly as a GPU kernel evaluates it (tests compare the two).
Block run_program(const kernels::ElementProgram& program, const BlockPlace& place, const std::vector<Block>& inputs);
// The thunks of block k of each of `sources` (all cut alike).
std::vector<Thunk<Block>> source_blocks(const std::vector<ArrayPtr>& sources, std::size_t k);
// Which of `sources` hold their blocks transposed (empty when none does).
std::vector<bool> transposed_sources(const std::vector<ArrayPtr>& sources);
[[noreturn]] void throw_dtype_mismatch(DType stored, DType wanted);
std::string describe(const ArrayImpl& array);

}  // namespace detail

template <class T>
class DArray {
  static_assert(is_element_type_v<T>,
                "dagger arrays hold double, float, bool, or a signed or unsigned integer of 8, 16, 32 or 64 bits");

 public:
  using value_type = T;
  DArray() = default;
  explicit DArray(detail::ArrayPtr impl) : impl_(std::move(impl)) {
    if (impl_ && impl_->dtype != dtype_of<T>()) detail::throw_dtype_mismatch(impl_->dtype, dtype_of<T>());
  }

  const Layout& layout() const { return impl_->layout; }
  int ndims() const { return layout().ndims(); }
  std::int64_t rows() const { return layout().rows(); }
  std::int64_t cols() const { return layout().cols(); }
  std::int64_t size() const { return layout().size(); }
  const std::vector<std::int64_t>& shape() const { return layout().shape(); }
  bool computed() const { return impl_->computed; }
  bool valid() const { return impl_ != nullptr; }
  const detail::ArrayPtr& impl() const { return impl_; }
  // One thunk per block, in column-major grid order.
  const std::vector<Thunk<Block>>& block_thunks() const { return detail::block_thunks(impl_); }

  // X(range(20, 100), all), X({20, 30, 40}, {30, 40, 60}), v(range(0, 10)):
  // a lazy array (defined in indexing.hpp).
  DArray operator()(const Index& rows) const;
  DArray operator()(const Index& rows, const Index& cols) const;
  // The same on a non-const array also remembers the array it indexes, so
  // that assigning to the result writes into it: a(range(0, 10), all) = b,
  // v({1, 5}) = 0.0 (mutation.hpp). Only the result itself (an rvalue) can
  // be assigned into; a copy of it is a plain array.
  DArray operator()(const Index& rows);
  DArray operator()(const Index& rows, const Index& cols);

  DArray(const DArray& other) : impl_(other.impl_) {}
  DArray(DArray&&) noexcept = default;
  DArray& operator=(const DArray& other) & {
    impl_ = other.impl_;
    region_.reset();
    return *this;
  }
  DArray& operator=(DArray&& other) & noexcept {
    impl_ = std::move(other.impl_);
    region_.reset();
    return *this;
  }
  ~DArray() = default;
  template <class U>
  DArray& operator=(const DArray<U>& src) &&;
  template <class S>
    requires std::is_arithmetic_v<S>
  DArray& operator=(S value) &&;

 private:
  // Where an indexed array came from, for assignment into it.
  struct Region;
  Region& region() const;

  detail::ArrayPtr impl_;
  std::shared_ptr<Region> region_;
};

// "Computed(10000x10000 DArray<double> in 3x3 parts each of (max size) 4000x4000)"
template <class T>
std::ostream& operator<<(std::ostream& out, const DArray<T>& a) {
  return out << detail::describe(*a.impl());
}

}  // namespace dagger
