// The user's typed handle to a node of the DAG.
#pragma once

#include <cstdint>

#include "dagger/detail/thunk_node.hpp"

namespace dagger {

template <class T>
class Thunk {
 public:
  using value_type = T;
  Thunk() = default;
  explicit Thunk(detail::NodePtr node) : node_(std::move(node)) {}

  bool valid() const noexcept { return node_ != nullptr; }
  std::uint64_t id() const { return node_->id; }
  std::string name() const { return node_->name(); }
  const Options& options() const { return node_->options(); }
  const detail::NodePtr& node() const noexcept { return node_; }

 private:
  detail::NodePtr node_;
};

}  // namespace dagger
