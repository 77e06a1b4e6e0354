// Interned names for kinds of processors ("cpu", "cuda", ...). Comparing two
// kinds is an integer compare, so the scheduler's hot path never touches
// strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dagger {

class ProcKind {
 public:
  // Returns the kind with this name, creating it on first use.
  static ProcKind named(std::string_view name);
  static ProcKind cpu();
  static ProcKind cuda();  // CudaProcs, and the memory of CUDA devices

  const std::string& name() const;
  std::uint16_t index() const noexcept { return index_; }
  friend bool operator==(ProcKind a, ProcKind b) noexcept { return a.index_ == b.index_; }

 private:
  explicit ProcKind(std::uint16_t index) : index_(index) {}
  std::uint16_t index_;
};

}  // namespace dagger
