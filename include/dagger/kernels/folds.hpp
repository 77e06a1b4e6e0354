// Folding the elements of an element program: the reductions a GPU runs
// (sum, prod, minimum, maximum), written once for host and device. Each GPU
// thread folds a strided range with fold_range, a block combines its
// threads, and the host combines the blocks; a CPU test runs the same
// functions the same way.
#pragma once

#include <limits>
#include <type_traits>

#include "dagger/kernels/element_program.hpp"

namespace dagger::kernels {

enum class Fold : int { sum = 0, prod = 1, min = 2, max = 3 };

struct FoldSum {
  template <class X>
  DAGGER_HD X operator()(X a, X b) const { return a + b; }
};
struct FoldProd {
  template <class X>
  DAGGER_HD X operator()(X a, X b) const { return a * b; }
};
// As the host's Min and Max: the first operand wins ties and NaNs.
struct FoldMin {
  template <class X>
  DAGGER_HD X operator()(X a, X b) const { return b < a ? b : a; }
};
struct FoldMax {
  template <class X>
  DAGGER_HD X operator()(X a, X b) const { return a < b ? b : a; }
};

// The value a fold starts from (what leaves any element unchanged). Host
// code: kernels get it as a parameter.
template <class Acc, class F>
constexpr Acc fold_start() {
  if constexpr (std::is_same_v<F, FoldSum>) {
    return Acc(0);
  } else if constexpr (std::is_same_v<F, FoldProd>) {
    return Acc(1);
  } else if constexpr (std::is_same_v<F, FoldMin>) {
    if constexpr (std::numeric_limits<Acc>::has_infinity) return std::numeric_limits<Acc>::infinity();
    return std::numeric_limits<Acc>::max();
  } else {
    if constexpr (std::numeric_limits<Acc>::has_infinity) return -std::numeric_limits<Acc>::infinity();
    return std::numeric_limits<Acc>::lowest();
  }
}

// Folds elements first, first + stride, ... below n into acc.
template <class Acc, class F>
DAGGER_HD Acc fold_range(const ElementProgram& p, const void* const* inputs, long long first, long long stride,
                         long long n, Acc acc, F fold) {
  const ElementType type = result_type(p);
  for (long long i = first; i < n; i += stride) acc = fold(acc, value_as<Acc>(evaluate(p, inputs, i), type));
  return acc;
}

}  // namespace dagger::kernels
