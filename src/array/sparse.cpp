// Sparse arrays: CSC blocks, made and combined through Eigen sparse views.
#include <cmath>
#include <map>
#include <random>

#include "array/seeding.hpp"
#include "dagger/array.hpp"
#include "dagger/array/sparse.hpp"

namespace dagger::detail {
namespace {

template <class T>
using Csc = Eigen::SparseMatrix<T, Eigen::ColMajor, std::int64_t>;

template <class T>
SparseBlock from_eigen(Csc<T> m) {
  m.makeCompressed();
  SparseBlock b;
  b.dtype = dtype_of<T>();
  b.rows = m.rows();
  b.cols = m.cols();
  b.col_start = std::make_shared<std::vector<std::int64_t>>(m.outerIndexPtr(), m.outerIndexPtr() + m.cols() + 1);
  b.row_index = std::make_shared<std::vector<std::int64_t>>(m.innerIndexPtr(), m.innerIndexPtr() + m.nonZeros());
  const auto* bytes = reinterpret_cast<const std::byte*>(m.valuePtr());
  b.values = std::make_shared<std::vector<std::byte>>(bytes, bytes + m.nonZeros() * static_cast<std::int64_t>(sizeof(T)));
  return b;
}

template <class T>
SparseBlock random_block(std::int64_t h, std::int64_t w, double density, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<Eigen::Triplet<T, std::int64_t>> entries;
  if (density > 0) {
    // Skip ahead by geometric gaps: work proportional to the entries made.
    const double log_miss = std::log1p(-std::min(density, 1.0 - 1e-12));
    const std::int64_t total = h * w;
    std::int64_t position = -1;
    while (true) {
      const double u = 1.0 - unit(g);
      position += density >= 1.0 ? 1 : 1 + static_cast<std::int64_t>(std::floor(std::log(u) / log_miss));
      if (position >= total) break;
      entries.emplace_back(position % h, position / h, static_cast<T>(unit(g)));
    }
  }
  Csc<T> m(h, w);
  m.setFromTriplets(entries.begin(), entries.end());
  return from_eigen(std::move(m));
}

void check_same_shape(const char* operation, const SparseImpl& a, const SparseImpl& b) {
  if (a.layout.shape() != b.layout.shape()) throw_shape_mismatch(operation, a.layout, b.layout);
}

// The entries of the source blocks that fall in the target block at (r0, c0)
// of h x w, as one CSC block.
template <class T>
SparseBlock gather_entries(const std::vector<SparseBlock>& parts,
                           const std::vector<std::pair<std::int64_t, std::int64_t>>& origins, std::int64_t r0,
                           std::int64_t c0, std::int64_t h, std::int64_t w) {
  std::vector<Eigen::Triplet<T, std::int64_t>> entries;
  for (std::size_t p = 0; p < parts.size(); ++p) {
    auto view = parts[p].view<T>();
    for (Eigen::Index c = 0; c < view.outerSize(); ++c) {
      for (typename decltype(view)::InnerIterator it(view, c); it; ++it) {
        const std::int64_t r = origins[p].first + it.row() - r0, col = origins[p].second + it.col() - c0;
        if (r >= 0 && r < h && col >= 0 && col < w) entries.emplace_back(r, col, it.value());
      }
    }
  }
  Csc<T> m(h, w);
  m.setFromTriplets(entries.begin(), entries.end());
  return from_eigen(std::move(m));
}

// The same entries cut into `to`'s blocks.
SparsePtr sparse_rechunk(const SparsePtr& a, const Layout& to) {
  const Layout& from = a->layout;
  auto out = std::make_shared<SparseImpl>(SparseImpl{to, a->dtype, {}});
  for (std::size_t k = 0; k < to.block_count(); ++k) {
    const std::int64_t ti = to.grid_row_of(k), tj = to.grid_col_of(k);
    const std::int64_t r0 = to.row_start(ti), c0 = to.col_start(tj), h = to.block_height(ti), w = to.block_width(tj);
    std::vector<Thunk<SparseBlock>> parts;
    std::vector<std::pair<std::int64_t, std::int64_t>> origins;
    for (std::int64_t sj = c0 / from.block_cols(); sj <= (c0 + w - 1) / from.block_cols(); ++sj) {
      for (std::int64_t si = r0 / from.block_rows(); si <= (r0 + h - 1) / from.block_rows(); ++si) {
        parts.push_back(a->blocks[from.block_index(si, sj)]);
        origins.emplace_back(from.row_start(si), from.col_start(sj));
      }
    }
    out->blocks.push_back(delayed([origins, r0, c0, h, w, dtype = a->dtype](const std::vector<SparseBlock>& in) {
      return dtype == DType::f32 ? gather_entries<float>(in, origins, r0, c0, h, w)
                                 : gather_entries<double>(in, origins, r0, c0, h, w);
    }, {.name = "sparse rechunk"})(parts));
  }
  return out;
}

// b cut like a (shapes already equal).
SparsePtr aligned(const SparsePtr& a, const SparsePtr& b) {
  return a->layout.same_blocking(b->layout) ? b : sparse_rechunk(b, a->layout);
}

}  // namespace

void throw_sparse_map_not_zero_preserving() {
  throw ArrayError("map on a sparse array needs f(0) == 0 (it is applied to the stored entries only)");
}

SparsePtr sparse_random(Layout layout, DType dtype, double density, std::optional<Seed> seed,
                        const Assignment& assignment) {
  if (!(density >= 0 && density <= 1)) throw ArrayError("sprand density must be in [0, 1], not " + std::to_string(density));
  const std::uint64_t base = array_seed(seed);
  auto out = std::make_shared<SparseImpl>(SparseImpl{layout, dtype, {}});
  for (std::size_t k = 0; k < layout.block_count(); ++k) {
    const std::int64_t h = layout.block_height(layout.grid_row_of(k)), w = layout.block_width(layout.grid_col_of(k));
    const std::uint64_t seed_k = block_seed(base, k);
    out->blocks.push_back(delayed([dtype, h, w, density, seed_k] {
      return dtype == DType::f32 ? random_block<float>(h, w, density, seed_k)
                                 : random_block<double>(h, w, density, seed_k);
    }, {.scope = assignment.scope(layout, k), .name = "sprand"})());
  }
  return out;
}

SparsePtr sparse_distribute(Layout layout, DType dtype, const std::vector<Eigen::Triplet<double, std::int64_t>>& entries,
                            const Assignment& assignment) {
  std::map<std::size_t, std::vector<Eigen::Triplet<double, std::int64_t>>> per_block;
  for (const auto& e : entries) {
    const std::int64_t gi = e.row() / layout.block_rows(), gj = e.col() / layout.block_cols();
    per_block[layout.block_index(gi, gj)].emplace_back(e.row() - layout.row_start(gi), e.col() - layout.col_start(gj), e.value());
  }
  auto out = std::make_shared<SparseImpl>(SparseImpl{layout, dtype, {}});
  for (std::size_t k = 0; k < layout.block_count(); ++k) {
    const std::int64_t h = layout.block_height(layout.grid_row_of(k)), w = layout.block_width(layout.grid_col_of(k));
    out->blocks.push_back(delayed([dtype, h, w](const std::vector<Eigen::Triplet<double, std::int64_t>>& local) {
      auto build = [&](auto value) {
        using T = decltype(value);
        std::vector<Eigen::Triplet<T, std::int64_t>> typed;
        for (const auto& e : local) typed.emplace_back(e.row(), e.col(), static_cast<T>(e.value()));
        Csc<T> m(h, w);
        m.setFromTriplets(typed.begin(), typed.end());
        return from_eigen(std::move(m));
      };
      return dtype == DType::f32 ? build(float{}) : build(double{});
    }, {.scope = assignment.scope(layout, k), .name = "distribute"})(per_block[k]));
  }
  return out;
}

SparsePtr sparse_map(const SparsePtr& a, std::function<void(const std::byte*, std::byte*, std::int64_t)> f) {
  auto out = std::make_shared<SparseImpl>(SparseImpl{a->layout, a->dtype, {}});
  for (const auto& block : a->blocks) {
    out->blocks.push_back(delayed([f](const SparseBlock& b) {
      SparseBlock r = b;  // same structure, shared
      r.values = std::make_shared<std::vector<std::byte>>(b.values->size());
      f(b.values->data(), r.values->data(), b.nonzeros());
      return r;
    }, {.name = "sparse map"})(block));
  }
  return out;
}

SparsePtr sparse_add(const SparsePtr& a, const SparsePtr& b_in, bool subtract) {
  check_same_shape(subtract ? "-" : "+", *a, *b_in);
  const SparsePtr b = aligned(a, b_in);
  auto out = std::make_shared<SparseImpl>(SparseImpl{a->layout, a->dtype, {}});
  for (std::size_t k = 0; k < a->blocks.size(); ++k) {
    out->blocks.push_back(delayed([subtract](const SparseBlock& x, const SparseBlock& y) {
      auto add = [&](auto value) {
        using T = decltype(value);
        Csc<T> sum = subtract ? Csc<T>(x.view<T>() - y.view<T>()) : Csc<T>(x.view<T>() + y.view<T>());
        return from_eigen(std::move(sum));
      };
      return x.dtype == DType::f32 ? add(float{}) : add(double{});
    }, {.name = subtract ? "sparse -" : "sparse +"})(a->blocks[k], b->blocks[k]));
  }
  return out;
}

SparsePtr sparse_times(const SparsePtr& a, const SparsePtr& b_in) {
  check_same_shape("times", *a, *b_in);
  const SparsePtr b = aligned(a, b_in);
  auto out = std::make_shared<SparseImpl>(SparseImpl{a->layout, a->dtype, {}});
  for (std::size_t k = 0; k < a->blocks.size(); ++k) {
    out->blocks.push_back(delayed([](const SparseBlock& x, const SparseBlock& y) {
      auto product = [&](auto value) {
        using T = decltype(value);
        return from_eigen(Csc<T>(x.view<T>().cwiseProduct(y.view<T>())));
      };
      return x.dtype == DType::f32 ? product(float{}) : product(double{});
    }, {.name = "sparse times"})(a->blocks[k], b->blocks[k]));
  }
  return out;
}

ArrayPtr sparse_matmul(const SparsePtr& a, const ArrayPtr& dense_in) {
  if (a->dtype != dense_in->dtype) throw_dtype_mismatch(dense_in->dtype, a->dtype);
  const Layout& la = a->layout;
  auto [x, out] = plan_product(la, dense_in);
  const Layout& lx = x->layout;
  const auto& xblocks = block_thunks(x);
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const std::int64_t i = out.grid_row_of(k), j = out.grid_col_of(k);
    std::vector<Thunk<SparseBlock>> row;
    std::vector<Thunk<Block>> col;
    for (std::int64_t p = 0; p < la.grid_cols(); ++p) {
      row.push_back(a->blocks[la.block_index(i, p)]);
      col.push_back(xblocks[lx.block_index(p, j)]);
    }
    const std::int64_t h = out.block_height(i), w = out.block_width(j);
    auto on_cpu = [h, w, dtype = a->dtype](const std::vector<SparseBlock>& as, const std::vector<Block>& xs) {
      Block c = Block::make(dtype, h, w);
      auto multiply = [&](auto value) {
        using T = decltype(value);
        using Dense = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
        Eigen::Map<Dense> result(c.mutable_data<T>(), h, w);
        result.setZero();
        for (std::size_t p = 0; p < as.size(); ++p) {
          result.noalias() += as[p].view<T>() * Eigen::Map<const Dense>(xs[p].data<T>(), xs[p].rows, xs[p].cols);
        }
      };
      if (dtype == DType::f32) {
        multiply(float{});
      } else {
        multiply(double{});
      }
      return c;
    };
    blocks.push_back(run_operation<ops::SparseTimesDense>({.name = "spmm"}, on_cpu, {a->dtype, h, w}, row, col));
  }
  return make_array(std::move(out), a->dtype, std::move(blocks));
}

ArrayPtr sparse_to_dense(const SparsePtr& a) {
  std::vector<Thunk<Block>> blocks;
  for (const auto& block : a->blocks) {
    blocks.push_back(delayed([](const SparseBlock& b) {
      Block d = Block::make(b.dtype, b.rows, b.cols);
      auto fill = [&](auto value) {
        using T = decltype(value);
        Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>(d.mutable_data<T>(), b.rows, b.cols) = b.view<T>().toDense();
      };
      if (b.dtype == DType::f32) {
        fill(float{});
      } else {
        fill(double{});
      }
      return d;
    }, {.name = "dense"})(block));
  }
  return make_array(a->layout, a->dtype, std::move(blocks));
}

}  // namespace dagger::detail
