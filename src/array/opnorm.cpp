// Operator norms from the blocks: the 1-norm is the largest sum of
// magnitudes down a column, the infinity norm the largest along a row.
// Each block gives its column (or row) sums, the sums of one block column
// (row) are added, and the largest is taken.
#include <algorithm>
#include <cmath>
#include <vector>

#include "array/tiles.hpp"
#include "dagger/array/factorizations.hpp"

namespace dagger::detail {
namespace {

template <class T>
std::vector<double> magnitude_sums(const Block& b, bool down_columns) {
  std::vector<double> sums(static_cast<std::size_t>(down_columns ? b.cols : b.rows), 0.0);
  const T* x = b.data<T>();
  for (std::int64_t c = 0; c < b.cols; ++c) {
    for (std::int64_t r = 0; r < b.rows; ++r) {
      sums[static_cast<std::size_t>(down_columns ? c : r)] += std::abs(static_cast<double>(x[r + c * b.rows]));
    }
  }
  return sums;
}

}  // namespace

Thunk<double> operator_norm(const ArrayPtr& a, double p) {
  const Layout& l = a->layout;
  if (l.ndims() != 2) throw ArrayError("opnorm: the operand must be a matrix, not " + l.shape_text());
  if (a->dtype != DType::f64 && a->dtype != DType::f32) throw_unsupported("opnorm", a->dtype);
  if (p == 2) return largest_singular_value(a);
  if (p != 1 && p != INFINITY) throw ArrayError("opnorm: p must be 1, 2 or infinity, not " + std::to_string(p));
  const bool down_columns = p == 1;
  const DType dtype = a->dtype;
  const auto& blocks = block_thunks(a);
  // One line of blocks per entry of the result: block columns for p = 1.
  const std::int64_t lines = down_columns ? l.grid_cols() : l.grid_rows();
  const std::int64_t across = down_columns ? l.grid_rows() : l.grid_cols();
  std::vector<Thunk<double>> largest;
  for (std::int64_t line = 0; line < lines; ++line) {
    std::vector<Thunk<std::vector<double>>> parts;
    for (std::int64_t k = 0; k < across; ++k) {
      const std::size_t index = down_columns ? l.block_index(k, line) : l.block_index(line, k);
      parts.push_back(delayed([dtype, down_columns](const Block& b) {
        return dtype == DType::f64 ? magnitude_sums<double>(b, down_columns) : magnitude_sums<float>(b, down_columns);
      }, {.name = "magnitude sums"})(blocks[index]));
    }
    largest.push_back(delayed([](const std::vector<std::vector<double>>& sums) {
      std::vector<double> total(sums.empty() ? 0 : sums.front().size(), 0.0);
      for (const auto& s : sums) {
        for (std::size_t i = 0; i < total.size(); ++i) total[i] += s[i];
      }
      double most = 0;
      for (double t : total) most = std::isnan(t) || std::isnan(most) ? NAN : std::max(most, t);
      return most;
    }, {.name = "largest sum"})(parts));
  }
  return delayed([](const std::vector<double>& values) {
    double most = 0;
    for (double v : values) most = std::isnan(v) || std::isnan(most) ? NAN : std::max(most, v);
    return most;
  }, {.name = "opnorm"})(largest);
}

}  // namespace dagger::detail
