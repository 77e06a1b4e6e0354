// Statistics of DArrays: var and std (the sample forms, n - 1), extrema,
// and the positions of the least and greatest elements (findmin, findmax,
// argmin, argmax). Like the other reductions, each block is read by one
// thunk through the array's element-wise kernel (so var(x - 1.0) makes no
// intermediate array), and the blocks' parts are combined as a tree.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "dagger/array/reductions.hpp"

namespace dagger {

namespace detail {

// Count, mean and sum of squared deviations from the mean of some
// elements: two such parts merge exactly (Chan et al.), so a variance is
// computed block by block without the cancellation of sum(x^2) - n mean^2.
struct Moments {
  double count = 0;
  double mean = 0;
  double m2 = 0;
};

inline Moments merge_moments(const Moments& a, const Moments& b) {
  if (a.count == 0) return b;
  if (b.count == 0) return a;
  const double count = a.count + b.count;
  const double delta = b.mean - a.mean;
  return {count, a.mean + delta * (b.count / count), a.m2 + b.m2 + delta * delta * (a.count * b.count / count)};
}

// The moments of one block's elements, of all of them (dim 0: one part),
// of each column (dim 1) or of each row (dim 2). Two passes over the
// block: its means first, then the squared deviations from them.
// The sum of n values, and of their squared distances from `mean`, each in
// four partial sums side by side (vector lanes).
template <class U>
double sum_of(const U* v, std::int64_t n) {
  double s[4] = {0, 0, 0, 0};
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int l = 0; l < 4; ++l) s[l] += static_cast<double>(v[i + l]);
  }
  for (; i < n; ++i) s[0] += static_cast<double>(v[i]);
  return (s[0] + s[1]) + (s[2] + s[3]);
}
template <class U>
double squares_about(const U* v, std::int64_t n, double mean) {
  double s[4] = {0, 0, 0, 0};
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int l = 0; l < 4; ++l) {
      const double d = static_cast<double>(v[i + l]) - mean;
      s[l] += d * d;
    }
  }
  for (; i < n; ++i) {
    const double d = static_cast<double>(v[i]) - mean;
    s[0] += d * d;
  }
  return (s[0] + s[1]) + (s[2] + s[3]);
}

template <class U>
struct MomentsBlock {
  ElementKernel kernel;
  int dim = 0;
  BlockPlace place;

  bool travels() const { return kernel.travels(); }

  std::vector<Moments> operator()(const std::vector<Block>& blocks) const {
    check_sources(kernel, place, blocks);
    const std::int64_t h = place.rows, w = place.cols;
    const std::int64_t lines = dim == 0 ? 1 : dim == 1 ? w : h;
    std::vector<Moments> parts(static_cast<std::size_t>(lines));
    for (Moments& m : parts) m.count = static_cast<double>(dim == 0 ? h * w : dim == 1 ? h : w);
    std::vector<double> sums(parts.size(), 0.0);
    // Each tile in pieces down one column: a whole piece adds to one line
    // (dims 0 and 1), or each of its elements to its own row (dim 2).
    for_each_tile<U>(kernel, place, blocks, [&](const U* values, std::int64_t n, std::int64_t offset) {
      for_each_column_piece(offset, n, h, [&](std::int64_t r, std::int64_t c, std::int64_t i, std::int64_t count) {
        const U* v = values + i;
        if (dim == 2) {
          for (std::int64_t k = 0; k < count; ++k) sums[static_cast<std::size_t>(r + k)] += static_cast<double>(v[k]);
        } else {
          sums[static_cast<std::size_t>(dim == 1 ? c : 0)] += sum_of(v, count);
        }
      });
    });
    for (std::size_t l = 0; l < parts.size(); ++l) parts[l].mean = sums[l] / parts[l].count;
    for_each_tile<U>(kernel, place, blocks, [&](const U* values, std::int64_t n, std::int64_t offset) {
      for_each_column_piece(offset, n, h, [&](std::int64_t r, std::int64_t c, std::int64_t i, std::int64_t count) {
        const U* v = values + i;
        if (dim == 2) {
          for (std::int64_t k = 0; k < count; ++k) {
            Moments& m = parts[static_cast<std::size_t>(r + k)];
            const double d = static_cast<double>(v[k]) - m.mean;
            m.m2 += d * d;
          }
        } else {
          Moments& m = parts[static_cast<std::size_t>(dim == 1 ? c : 0)];
          m.m2 += squares_about(v, count, m.mean);
        }
      });
    });
    return parts;
  }
};
template <class U>
void dagger_wire_save(const MomentsBlock<U>& f, WireWriter& out) {
  dagger_wire_save(f.kernel, out);
  out.pod(f.dim);
  dagger_wire_save(f.place, out);
}
template <class U>
void dagger_wire_load(MomentsBlock<U>& f, WireReader& in) {
  dagger_wire_load(f.kernel, in);
  f.dim = in.pod<int>();
  if (f.dim < 0 || f.dim > 2) throw ProtocolError("moments along dimension " + std::to_string(f.dim));
  dagger_wire_load(f.place, in);
}

struct MergeMomentLines {
  std::vector<Moments> operator()(std::vector<Moments> a, const std::vector<Moments>& b) const {
    for (std::size_t l = 0; l < a.size(); ++l) a[l] = merge_moments(a[l], b[l]);
    return a;
  }
};

// The sample variance (n - 1) of some elements, or its root.
inline double sample_variance(const Moments& m, bool root) {
  const double v = m.m2 / (m.count - 1);
  return root ? std::sqrt(v) : v;
}

// The sample variance (or its root) of each line, as a block of rows x cols.
struct FinishVariances {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  bool root = false;
  Block operator()(const std::vector<Moments>& parts) const {
    Block out = Block::make(DType::f64, rows, cols);
    double* o = out.mutable_data<double>();
    for (std::size_t l = 0; l < parts.size(); ++l) o[l] = sample_variance(parts[l], root);
    return out;
  }
};

// Moments of every block (dim 0) or of the lines of every block along dim,
// merged over the blocks each line crosses; one thunk per output block.
template <class T>
std::vector<Thunk<std::vector<Moments>>> moments_of(const char* operation, const ArrayPtr& a, int dim) {
  const Layout& in = a->layout;
  Elementwise e = as_elementwise(a);
  MomentsBlock<T> on_cpu{e.element_kernel(), dim, {}};
  auto part = [&](std::size_t k) {
    on_cpu.place = block_place(in, k);
    return delayed(on_cpu, {.name = operation})(source_blocks(e.sources, k));
  };
  std::vector<Thunk<std::vector<Moments>>> out;
  if (dim == 0) {
    std::vector<Thunk<std::vector<Moments>>> parts;
    for (std::size_t k = 0; k < in.block_count(); ++k) parts.push_back(part(k));
    out.push_back(combine_tree(std::move(parts), MergeMomentLines{}));
    return out;
  }
  const std::int64_t lines = dim == 1 ? in.grid_cols() : in.grid_rows();
  const std::int64_t along = dim == 1 ? in.grid_rows() : in.grid_cols();
  for (std::int64_t line = 0; line < lines; ++line) {
    std::vector<Thunk<std::vector<Moments>>> parts;
    for (std::int64_t j = 0; j < along; ++j) parts.push_back(part(dim == 1 ? in.block_index(j, line) : in.block_index(line, j)));
    out.push_back(combine_tree(std::move(parts), MergeMomentLines{}));
  }
  return out;
}

template <class T>
Thunk<double> variance_of(const char* operation, const DArray<T>& a, bool root) {
  if (a.size() == 0) throw_empty_reduction(operation);
  auto whole = moments_of<T>(operation, a.impl(), 0).front();
  return delayed([root](const std::vector<Moments>& m) { return sample_variance(m.front(), root); },
                 {.name = operation})(whole);
}

template <class T>
DArray<double> variance_along(const char* operation, const DArray<T>& a, int dim, bool root) {
  const Layout& in = a.layout();
  if (dim != 1 && dim != 2) throw_bad_dimension(operation, dim, in);
  if (in.size() == 0) throw_empty_reduction(operation);
  Layout out = reduced_layout(in, dim);
  std::vector<Thunk<Block>> blocks;
  const auto lines = moments_of<T>(operation, a.impl(), dim);
  for (std::size_t line = 0; line < lines.size(); ++line) {
    const auto g = static_cast<std::int64_t>(line);
    const std::int64_t rows = dim == 1 ? 1 : in.block_height(g), cols = dim == 1 ? in.block_width(g) : 1;
    blocks.push_back(delayed(FinishVariances{rows, cols, root}, {.name = operation})(lines[line]));
  }
  return DArray<double>(make_array(std::move(out), DType::f64, std::move(blocks)));
}

// The least and the greatest element met so far.
template <class T>
struct Extremes {
  T low{};
  T high{};
  Extremes() = default;
  explicit Extremes(T x) : low(x), high(x) {}
};
struct MergeExtremes {
  template <class T>
  Extremes<T> operator()(Extremes<T> a, Extremes<T> b) const {
    a.low = b.low < a.low ? b.low : a.low;
    a.high = a.high < b.high ? b.high : a.high;
    return a;
  }
};

// An element and its linear (column-major) index in the array.
template <class T>
struct Found {
  T value{};
  std::int64_t index = -1;
};

// Whether x beats y for findmin (greatest = false) or findmax: a NaN beats
// any number, so the first NaN is found, as numpy's argmin finds it.
template <class T>
bool beats(T x, T y, bool greatest) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(x)) return !std::isnan(y);
    if (std::isnan(y)) return false;
  }
  return greatest ? y < x : x < y;
}

// The better of two found elements; on a tie the one with the smaller
// index, so the first occurrence wins whatever the blocking.
template <class T>
struct MergeFound {
  bool greatest = false;
  Found<T> operator()(const Found<T>& a, const Found<T>& b) const {
    if (a.index < 0) return b;
    if (b.index < 0) return a;
    if (beats(b.value, a.value, greatest)) return b;
    if (beats(a.value, b.value, greatest)) return a;
    return b.index < a.index ? b : a;
  }
};

template <class U>
struct FindBlock {
  ElementKernel kernel;
  bool greatest = false;
  BlockPlace place;

  bool travels() const { return kernel.travels(); }

  Found<U> operator()(const std::vector<Block>& blocks) const {
    check_sources(kernel, place, blocks);
    Found<U> best;
    std::int64_t at = -1;  // in the block
    for_each_tile<U>(kernel, place, blocks, [&](const U* values, std::int64_t n, std::int64_t offset) {
      for (std::int64_t i = 0; i < n; ++i) {
        // A tie goes to the smaller index: a block read transposed is not
        // walked in index order.
        if (at < 0 || beats(values[i], best.value, greatest) ||
            (!beats(best.value, values[i], greatest) && offset + i < at)) {
          best.value = values[i];
          at = offset + i;
        }
      }
    });
    best.index = static_cast<std::int64_t>(kernels::array_index(place.spot, at));
    return best;
  }
};
template <class U>
void dagger_wire_save(const FindBlock<U>& f, WireWriter& out) {
  dagger_wire_save(f.kernel, out);
  out.pod(f.greatest);
  dagger_wire_save(f.place, out);
}
template <class U>
void dagger_wire_load(FindBlock<U>& f, WireReader& in) {
  dagger_wire_load(f.kernel, in);
  f.greatest = in.pod<bool>();
  dagger_wire_load(f.place, in);
}

template <class T>
Thunk<std::pair<T, std::int64_t>> find_extreme(const char* operation, const DArray<T>& a, bool greatest) {
  if (a.size() == 0) throw_empty_reduction(operation);
  Elementwise e = as_elementwise(a.impl());
  FindBlock<T> on_cpu{e.element_kernel(), greatest, {}};
  std::vector<Thunk<Found<T>>> parts;
  for (std::size_t k = 0; k < a.layout().block_count(); ++k) {
    on_cpu.place = block_place(a.layout(), k);
    parts.push_back(delayed(on_cpu, {.name = operation})(source_blocks(e.sources, k)));
  }
  auto best = combine_tree(std::move(parts), MergeFound<T>{greatest});
  return delayed([](const Found<T>& f) { return std::pair<T, std::int64_t>(f.value, f.index); }, {.name = operation})(best);
}

}  // namespace detail

// The sample variance (divided by n - 1, as Julia's var and numpy's
// var(ddof=1)) of all elements, in double. One element gives NaN; an empty
// array is an ArrayError.
template <class T>
Thunk<double> var(const DArray<T>& a) {
  return detail::variance_of("var", a, false);
}
// The sample standard deviation: sqrt(var(a)).
template <class T>
Thunk<double> std(const DArray<T>& a) {
  return detail::variance_of("std", a, true);
}
// Along a dimension: dim 1 gives one value per column (1 x cols), dim 2
// one per row (rows x 1), as sum(a, dim) does.
template <class T>
DArray<double> var(const DArray<T>& a, int dim) {
  return detail::variance_along("var", a, dim, false);
}
template <class T>
DArray<double> std(const DArray<T>& a, int dim) {
  return detail::variance_along("std", a, dim, true);
}

// (minimum, maximum) in one pass.
template <class T>
Thunk<std::pair<T, T>> extrema(const DArray<T>& a) {
  auto both = detail::reduce_array<detail::Extremes<T>, T>("extrema", a.impl(), detail::MergeExtremes{});
  return delayed([](const detail::Extremes<T>& e) { return std::pair<T, T>(e.low, e.high); }, {.name = "extrema"})(both);
}

// The least (greatest) element and its linear index: column-major and
// 0-based, so for a matrix row = i % rows and col = i / rows. The first
// occurrence wins a tie; a NaN is less and greater than any number (the
// first NaN is found, as in numpy). An empty array is an ArrayError.
template <class T>
Thunk<std::pair<T, std::int64_t>> findmin(const DArray<T>& a) {
  return detail::find_extreme("findmin", a, false);
}
template <class T>
Thunk<std::pair<T, std::int64_t>> findmax(const DArray<T>& a) {
  return detail::find_extreme("findmax", a, true);
}
template <class T>
Thunk<std::int64_t> argmin(const DArray<T>& a) {
  return delayed([](const std::pair<T, std::int64_t>& f) { return f.second; }, {.name = "argmin"})(findmin(a));
}
template <class T>
Thunk<std::int64_t> argmax(const DArray<T>& a) {
  return delayed([](const std::pair<T, std::int64_t>& f) { return f.second; }, {.name = "argmax"})(findmax(a));
}

}  // namespace dagger
