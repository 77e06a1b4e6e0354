// In-place forms: assign, fill, map_into, rand_into/randn_into and
// assignment into an indexed region, as Julia's `.=`, fill!, map!, rand! and
// `A[I, J] = B`.
//
// A DArray is a value, as a std::vector is: a mutation gives *this handle* a
// new version in which the touched blocks are new thunks and every other
// block is the old version's own thunk (nothing is copied). Other handles
// and every lazy expression built before the mutation keep the version
// they were made from, so they see the old values whenever they run; no
// block of an old version is ever written, so no reader of it has to be
// waited for. Each mutation checks everything first and throws an
// ArrayError with the array unchanged.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "dagger/array/constructors.hpp"
#include "dagger/array/elementwise.hpp"
#include "dagger/array/indexing.hpp"

namespace dagger {
namespace detail {

// The new version of `dest` after `dest = src` (same shape, any blocking):
// src's blocks, cut as dest's, one thunk each.
ArrayPtr assigned(const ArrayPtr& dest, const ArrayPtr& src);
// The new version of dest after dest(rows, cols) = src, src of dest's type
// with |rows| x |cols| elements (cols is {0} for a vector).
ArrayPtr assigned_region(const ArrayPtr& dest, const std::vector<std::int64_t>& rows,
                         const std::vector<std::int64_t>& cols, const ArrayPtr& src);
// The same with every element of the region set to one value.
ArrayPtr filled_region(const ArrayPtr& dest, const std::vector<std::int64_t>& rows,
                       const std::vector<std::int64_t>& cols, kernels::ElementValue value);

template <class T, class U>
constexpr void check_assignable() {
  static_assert(std::is_same_v<promote_t<T, U>, T>,
                "an in-place update converts only to a type that holds every value of the source (int8 into "
                "int32, float into double); convert the source with map first");
}

// The value of a scalar in an array of T; an integer T cannot hold is an
// ArrayError naming it.
template <class T, class S>
T element_of_scalar(S value) {
  if constexpr (is_integer_element_v<T> && std::is_integral_v<S> && !std::is_same_v<S, bool>) {
    return scalar_operand<T>(value);
  } else {
    static_assert(std::is_floating_point_v<T> || std::is_same_v<promote_t<T, element_t<S>>, T>,
                  "this scalar's type does not convert to the array's element type without loss");
    return static_cast<T>(value);
  }
}

// src's values as T, exactly (check_assignable holds).
template <class T, class U>
ArrayPtr converted(const DArray<U>& src) {
  if constexpr (std::is_same_v<T, U>) {
    return src.impl();
  } else {
    return map_array<T, U>(src.impl(), [](U x) { return static_cast<T>(x); }, [](const ProgramPtr& p) {
      return binary_program(p, scalar_program(T(1)), kernels::BinaryOp::times, dtype_of<T>(), dtype_of<T>());
    });
  }
}

}  // namespace detail

// dest = src element by element (Julia's dest .= src, dagger::assign(c, a + b)):
// src has dest's shape, in any blocking, of a type dest's holds exactly.
// dest keeps its blocks and element type; src's expression runs once per
// block of the new version (fused, as any element-wise chain).
template <class T, class U>
void assign(DArray<T>& dest, const DArray<U>& src) {
  detail::check_assignable<T, U>();
  dest = DArray<T>(detail::assigned(dest.impl(), detail::converted<T>(src)));
}

// Julia's copyto!(dst, src) for arrays of one shape: the same as assign.
// For a region, dst(rows, cols) = src, or copyto(dst, src(rows, cols)).
template <class T, class U>
void copyto(DArray<T>& dst, const DArray<U>& src) {
  assign(dst, src);
}

// Every element of a set to value (Julia's fill!).
template <class T, detail::Scalar S>
void fill(DArray<T>& a, S value) {
  if (a.ndims() > 2) {  // no regions of more dimensions: every block anew
    const T element = detail::element_of_scalar<T>(value);
    a = DArray<T>(detail::assigned(a.impl(), map([element](T) { return element; }, a).impl()));
    return;
  }
  const std::vector<std::int64_t> cols = a.ndims() == 2 ? Index(all).resolve(a.cols(), 2) : std::vector<std::int64_t>{0};
  a = DArray<T>(detail::filled_region(a.impl(), Index(all).resolve(a.rows(), 1), cols,
                                      kernels::hold(detail::element_of_scalar<T>(value))));
}

// a = f(a) element by element (Julia's map!(f, a, a)); f returns a type a's holds.
template <class F, class T>
void map_into(DArray<T>& a, F f) {
  assign(a, map(std::move(f), a));
}
// dest = f(src) element by element (Julia's map!(f, dest, src)).
template <class F, class T, class U>
void map_into(DArray<T>& dest, F f, const DArray<U>& src) {
  assign(dest, map(std::move(f), src));
}

// New random values in every element (Julia's rand! and randn!): the values
// rand and randn give for a's shape and seed, whatever a's blocks.
template <class T>
void rand_into(DArray<T>& a, std::optional<Seed> seed = std::nullopt) {
  assign(a, DArray<T>(detail::filled_array(a.layout(), dtype_of<T>(), detail::Fill::uniform, seed, Assignment())));
}
template <class T>
  requires std::is_floating_point_v<T>
void randn_into(DArray<T>& a, std::optional<Seed> seed = std::nullopt) {
  assign(a, DArray<T>(detail::filled_array(a.layout(), dtype_of<T>(), detail::Fill::normal, seed, Assignment())));
}

// An independent array with a's values and blocks (Julia's copy). Since a
// DArray is a value, a plain copy of the handle is one already; copy also
// fuses a lazy expression into one thunk per block.
template <class T>
DArray<T> copy(const DArray<T>& a) {
  return DArray<T>(detail::assigned(a.impl(), a.impl()));
}

// An array of a's shape and blocks, of element type U (default: a's), whose
// values are unspecified until written (Julia's similar; today zeros, made
// only when read).
template <class U = void, class T>
auto similar(const DArray<T>& a) {
  using R = std::conditional_t<std::is_void_v<U>, T, U>;
  return DArray<R>(detail::filled_array(a.layout(), dtype_of<R>(), detail::Fill::zeros, detail::no_seed(), Assignment()));
}

// ---- a(rows, cols) = src and a(rows, cols) = value (DArray's operator()
// on a non-const array remembers the array it indexes).

template <class T>
struct DArray<T>::Region {
  DArray* array;
  Index rows;
  std::optional<Index> cols;  // none for a vector

  std::vector<std::int64_t> row_list() const { return rows.resolve(array->rows(), 1); }
  std::vector<std::int64_t> col_list() const {
    return cols ? cols->resolve(array->cols(), 2) : std::vector<std::int64_t>{0};
  }
};

template <class T>
template <class U>
DArray<T>& DArray<T>::operator=(const DArray<U>& src) && {
  detail::check_assignable<T, U>();
  const Region& r = region();
  const std::vector<std::int64_t> rows = r.row_list(), cols = r.col_list();
  const auto nr = static_cast<std::int64_t>(rows.size()), nc = static_cast<std::int64_t>(cols.size());
  const bool matrix = r.array->ndims() == 2;
  const bool same_shape = matrix ? src.ndims() == 2 && src.rows() == nr && src.cols() == nc
                                 : src.ndims() == 1 && src.rows() == nr;
  // A vector fills a region one column wide.
  const bool column = matrix && src.ndims() == 1 && nc == 1 && src.rows() == nr;
  if (!same_shape && !column) {
    throw ArrayError("an assignment of " + src.layout().shape_text() + " elements into a region of " +
                     (matrix ? std::to_string(nr) + "x" + std::to_string(nc) : std::to_string(nr)) + " of a " +
                     r.array->layout().shape_text() + " array");
  }
  *r.array = DArray<T>(detail::assigned_region(r.array->impl(), rows, cols, detail::converted<T>(src)));
  return *r.array;
}

template <class T>
template <class S>
  requires std::is_arithmetic_v<S>
DArray<T>& DArray<T>::operator=(S value) && {
  const Region& r = region();
  const T v = detail::element_of_scalar<T>(value);
  *r.array = DArray<T>(detail::filled_region(r.array->impl(), r.row_list(), r.col_list(), kernels::hold(v)));
  return *r.array;
}

template <class T>
typename DArray<T>::Region& DArray<T>::region() const {
  if (!region_) throw ArrayError("only an indexed array, a(rows, cols) of a non-const array a, can be assigned into");
  return *region_;
}

template <class T>
DArray<T> DArray<T>::operator()(const Index& rows) {
  DArray out = std::as_const(*this)(rows);
  out.region_ = std::make_shared<Region>(Region{this, rows, std::nullopt});
  return out;
}
template <class T>
DArray<T> DArray<T>::operator()(const Index& rows, const Index& cols) {
  DArray out = std::as_const(*this)(rows, cols);
  out.region_ = std::make_shared<Region>(Region{this, rows, cols});
  return out;
}

}  // namespace dagger
