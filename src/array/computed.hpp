// Arrays computed together with other values in one run.
#pragma once

#include <utility>
#include <vector>

#include "dagger/array/darray.hpp"
#include "dagger/compute.hpp"

namespace dagger::detail {

// Thunks whose results are these computed blocks.
std::vector<Thunk<Block>> known_blocks(std::vector<Chunk<Block>> chunks);

// An array's blocks and the values of `also` computed in one run, so what
// they share runs once: a factorization's pivots or scales collected after
// its blocks would find the panels they read gone, and run the whole
// factorization again.
template <class T>
std::pair<ArrayPtr, std::vector<T>> compute_array_with(const Context& context, const ArrayPtr& array,
                                                       const std::vector<Thunk<T>>& also) {
  const std::vector<Thunk<Block>>& lazy = block_thunks(array);
  std::vector<NodePtr> nodes;
  nodes.reserve(lazy.size() + also.size());
  for (const auto& b : lazy) nodes.push_back(b.node());
  for (const auto& a : also) nodes.push_back(a.node());
  RunOutcome outcome = run_graph(context, std::move(nodes), false);
  std::vector<Chunk<Block>> blocks;
  blocks.reserve(lazy.size());
  for (std::size_t i = 0; i < lazy.size(); ++i) blocks.emplace_back(std::move(outcome.results[i]));
  auto out = std::make_shared<ArrayImpl>(array->layout, array->dtype);
  out->blocks = known_blocks(std::move(blocks));
  out->computed = true;
  std::vector<T> values;
  values.reserve(also.size());
  for (std::size_t i = lazy.size(); i < outcome.results.size(); ++i) {
    values.push_back(value_of<T>(std::move(outcome.results[i])));
  }
  return {std::move(out), std::move(values)};
}

}  // namespace dagger::detail
