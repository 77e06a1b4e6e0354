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

// One of the four, chosen at run time: one kernel per accumulator type
// serves every fold (fewer kernels for nvcc to build). As bools a sum is
// "any" and a product "all".
struct RuntimeFold {
  Fold fold;
  template <class X>
  DAGGER_HD X operator()(X a, X b) const {
    switch (fold) {
      case Fold::sum:
        if constexpr (std::is_same_v<X, bool>) return a || b; else return static_cast<X>(a + b);
      case Fold::prod:
        if constexpr (std::is_same_v<X, bool>) return a && b; else return static_cast<X>(a * b);
      case Fold::min: return b < a ? b : a;
      case Fold::max: return a < b ? b : a;
    }
    return a;
  }
};

template <class Acc>
constexpr Acc fold_start(Fold fold) {
  switch (fold) {
    case Fold::sum: return fold_start<Acc, FoldSum>();
    case Fold::prod: return fold_start<Acc, FoldProd>();
    case Fold::min: return fold_start<Acc, FoldMin>();
    case Fold::max: return fold_start<Acc, FoldMax>();
  }
  return Acc(0);
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
