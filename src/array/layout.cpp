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
  if (shape_.empty() || shape_.size() > 2) {
    throw ArrayError("arrays have 1 or 2 dimensions, not " + std::to_string(shape_.size()));
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

std::string Layout::shape_text() const { return join(shape_); }
std::string Layout::block_text() const { return join(blocks_.sizes); }

}  // namespace dagger
