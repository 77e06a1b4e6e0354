#include "dagger/array/layout.hpp"

#include "dagger/array/block.hpp"
#include "dagger/array/dtype.hpp"

namespace dagger {

std::size_t element_size(DType dtype) {
  switch (dtype) {
#define DAGGER_CASE(e, E, ...) \
  case DType::e: return sizeof(E);
    DAGGER_ELEMENT_TYPES(DAGGER_CASE)
#undef DAGGER_CASE
  }
  return 0;
}

std::string to_string(DType dtype) {
  switch (dtype) {
#define DAGGER_CASE(e, E, name) \
  case DType::e: return name;
    DAGGER_ELEMENT_TYPES(DAGGER_CASE)
#undef DAGGER_CASE
  }
  return "?";
}

namespace {

std::string join(const std::vector<std::int64_t>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "x" : "") + std::to_string(v[i]);
  return out;
}

}  // namespace

Layout::Layout(std::vector<std::int64_t> shape, Blocks blocks)
    : shape_(std::move(shape)), blocks_(std::move(blocks)) {
  if (shape_.size() > static_cast<std::size_t>(kMaxDims)) {
    throw ArrayError("arrays have at most " + std::to_string(kMaxDims) + " dimensions, not " +
                     std::to_string(shape_.size()) + " (" + join(shape_) + ")");
  }
  if (blocks_.sizes.size() != shape_.size()) {
    throw ArrayError("Blocks(" + join(blocks_.sizes) + ") has " + std::to_string(blocks_.sizes.size()) +
                     " dimensions but the array " + join(shape_) + " has " +
                     std::to_string(shape_.size()));
  }
  for (std::size_t d = 0; d < shape_.size(); ++d) {
    if (shape_[d] < 0) throw ArrayError("negative array size " + join(shape_));
    if (blocks_.sizes[d] <= 0) {
      throw ArrayError("block sizes must be positive: Blocks(" + join(blocks_.sizes) + ")");
    }
  }
}

std::vector<std::int64_t> Layout::grid_shape() const {
  std::vector<std::int64_t> g(shape_.size());
  for (int d = 0; d < ndims(); ++d) g[static_cast<std::size_t>(d)] = grid(d);
  return g;
}

std::vector<std::int64_t> Layout::block_coords(std::size_t k) const {
  std::vector<std::int64_t> c(shape_.size());
  auto rest = static_cast<std::int64_t>(k);
  for (int d = 0; d < ndims(); ++d) {
    c[static_cast<std::size_t>(d)] = rest % grid(d);
    rest /= grid(d);
  }
  return c;
}

std::size_t Layout::block_at(const std::vector<std::int64_t>& coords) const {
  std::int64_t k = 0;
  for (int d = ndims() - 1; d >= 0; --d) k = k * grid(d) + coords[static_cast<std::size_t>(d)];
  return static_cast<std::size_t>(k);
}

std::vector<std::int64_t> Layout::block_start(std::size_t k) const {
  std::vector<std::int64_t> start = block_coords(k);
  for (int d = 0; d < ndims(); ++d) start[static_cast<std::size_t>(d)] *= block_size(d);
  return start;
}

std::vector<std::int64_t> Layout::block_extents(std::size_t k) const {
  std::vector<std::int64_t> extents = block_start(k);
  for (int d = 0; d < ndims(); ++d) {
    auto& e = extents[static_cast<std::size_t>(d)];
    e = std::min(block_size(d), extent(d) - e);
  }
  return extents;
}

void Layout::throw_needs_matrix() const {
  throw ArrayError("this operation works on 1-D and 2-D arrays, not on the " + std::to_string(ndims()) + "-D array " +
                   join(shape_));
}

std::string Layout::shape_text() const { return shape_.empty() ? "()" : join(shape_); }
std::string Layout::block_text() const { return blocks_.sizes.empty() ? "()" : join(blocks_.sizes); }

Blocks auto_blocks(const std::vector<std::int64_t>& shape, std::int64_t parts) {
  if (parts <= 0) throw ArrayError("auto_blocks needs a positive number of parts, not " + std::to_string(parts));
  std::vector<std::int64_t> sizes;
  for (std::int64_t e : shape) sizes.push_back(std::max<std::int64_t>(e, 1));
  if (!sizes.empty()) {
    const std::int64_t last = shape.back();
    sizes.back() = std::max<std::int64_t>((last + parts - 1) / parts, 1);
  }
  return Blocks(std::move(sizes));
}

}  // namespace dagger
