// Element programs (what a GPU runs for a fused element-wise chain),
// evaluated on the host, against the host's compiled lambdas: every built-in
// operation, on every element type and pairing, with array and scalar
// operands, must give the same bits.
#include <gtest/gtest.h>

#include <cstring>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <dagger/kernels/folds.hpp>
#include <string>

#include "turned_block.hpp"

namespace {

using dagger::DArray;

const dagger::Blocks kBlocks(4, 3);

DArray<double> doubles() {
  Eigen::MatrixXd m(7, 5);
  for (int j = 0; j < 5; ++j)
    for (int i = 0; i < 7; ++i) m(i, j) = (i - 3) * 0.75 + j * 0.4 - 0.1 * (i * j % 3);
  return dagger::distribute(kBlocks, m);
}

// Nonzero, both signs: safe divisors.
DArray<std::int64_t> integers() {
  return dagger::compute(dagger::map([](double x) { return static_cast<std::int64_t>(x * 4) | 1; }, doubles()));
}
// Small and nonnegative: safe shift counts.
DArray<std::int64_t> counts() {
  return dagger::compute(dagger::map([](double x) { return static_cast<std::int64_t>(x * 10) % 5 + 4; },
                                     dagger::map([](double x) { return x * x; }, doubles())));
}
DArray<float> floats() {
  return dagger::compute(dagger::map([](double x) { return static_cast<float>(x * 1.5); }, doubles()));
}
DArray<bool> bools() {
  return dagger::compute(dagger::map([](double x) { return x > 0.3; }, doubles()));
}

// The host kernel's blocks against the program's, byte for byte.
template <class T>
void expect_program_matches(const DArray<T>& expression, const std::string& what) {
  SCOPED_TRACE(what);
  const auto& impl = expression.impl();
  ASSERT_TRUE(impl->lazy());
  ASSERT_TRUE(impl->program) << "no element program";
  for (std::size_t k = 0; k < impl->layout.block_count(); ++k) {
    std::vector<dagger::Block> inputs;
    for (const auto& source : impl->sources) {
      inputs.push_back(dagger::collect(dagger::compute(dagger::detail::block_thunks(source)[k])));
    }
    const dagger::detail::BlockPlace place = dagger::detail::block_place(impl->layout, k);
    const dagger::detail::ElementKernel kernel{impl->kernel, impl->program,
                                               dagger::detail::transposed_sources(impl->sources)};
    const dagger::Block host = dagger::detail::run_elementwise(kernel, impl->dtype, place, inputs);
    const dagger::Block program =
        dagger::detail::run_program(*impl->program, place, dagger::detail::upright_sources(kernel, inputs, turned));
    ASSERT_EQ(program.dtype, host.dtype);
    ASSERT_EQ(program.size(), host.size());
    for (std::int64_t i = 0; i < host.size(); ++i) {
      ASSERT_EQ(0, std::memcmp(host.data<T>() + i, program.data<T>() + i, sizeof(T)))
          << "block " << k << " element " << i << ": host " << +host.data<T>()[i] << ", program "
          << +program.data<T>()[i];
    }
  }
}

#define EXPECT_PROGRAM(expression) expect_program_matches(expression, #expression)

template <class T>
void check_unary(const DArray<T>& a, const std::string& type) {
  SCOPED_TRACE(type);
#define DAGGER_CHECK(name, ...) EXPECT_PROGRAM(dagger::name(a));
  DAGGER_UNARY_FUNCTIONS(DAGGER_CHECK)
#undef DAGGER_CHECK
  EXPECT_PROGRAM(dagger::square(a));
}

TEST(ElementProgram, EveryUnaryFunctionOnEveryType) {
  check_unary(doubles(), "double");
  check_unary(floats(), "float");
  check_unary(integers(), "int64");
  check_unary(bools(), "bool");
  EXPECT_PROGRAM(-doubles());
  EXPECT_PROGRAM(-floats());
  EXPECT_PROGRAM(-integers());
}

template <class A, class B>
void check_arithmetic(const DArray<A>& a, const DArray<B>& b, bool b_may_be_zero, const std::string& types) {
  SCOPED_TRACE(types);
  EXPECT_PROGRAM(a + b);
  EXPECT_PROGRAM(a - b);
  EXPECT_PROGRAM(dagger::times(a, b));
  EXPECT_PROGRAM(a / b);
  EXPECT_PROGRAM(dagger::pow(a, b));
  EXPECT_PROGRAM(dagger::left_divide(b, a));
  using Common = std::common_type_t<A, B>;
  if (!(std::is_integral_v<Common> && b_may_be_zero)) {
    EXPECT_PROGRAM(a % b);
    EXPECT_PROGRAM(dagger::int_div(a, b));
  }
  EXPECT_PROGRAM(a == b);
  EXPECT_PROGRAM(a != b);
  EXPECT_PROGRAM(a < b);
  EXPECT_PROGRAM(a <= b);
  EXPECT_PROGRAM(a > b);
  EXPECT_PROGRAM(a >= b);
}

template <class A>
void check_with_every_type(const DArray<A>& a, const std::string& type) {
  check_arithmetic(a, doubles(), false, type + " with double");
  check_arithmetic(a, floats(), false, type + " with float");
  check_arithmetic(a, integers(), false, type + " with int64");
  check_arithmetic(a, bools(), true, type + " with bool");
}

TEST(ElementProgram, EveryBinaryOperationOnEveryPairOfTypes) {
  check_with_every_type(doubles(), "double");
  check_with_every_type(floats(), "float");
  check_with_every_type(integers(), "int64");
  check_with_every_type(bools(), "bool");
}

// The integers above, cast to T (negative ones wrap for unsigned types).
template <class T>
DArray<T> integers_as() {
  return dagger::compute(dagger::map([](std::int64_t x) { return static_cast<T>(x); }, integers()));
}

// A narrow or unsigned integer type against itself, the other kinds, and an
// integer of the other signedness.
// A narrow or unsigned integer type against itself and an integer of the
// other signedness (every operation), and the other kinds (a few each: the
// program converts them as it does for int64, checked above).
template <class T, class Other>
void check_integer_type(const std::string& type) {
  SCOPED_TRACE(type);
  const auto a = integers_as<T>();
  EXPECT_PROGRAM(-a);
  EXPECT_PROGRAM(dagger::square(a));
  EXPECT_PROGRAM(dagger::exp(a));
  check_arithmetic(a, a, false, type + " with itself");
  check_arithmetic(a, integers_as<Other>(), false, type + " with another integer type");
  const auto d = doubles();
  const auto i = integers();
  const auto b = bools();
  EXPECT_PROGRAM(a + d);
  EXPECT_PROGRAM(a < d);
  EXPECT_PROGRAM(dagger::times(i, a));
  EXPECT_PROGRAM(a / i);
  EXPECT_PROGRAM(a - b);
  EXPECT_PROGRAM(b == a);
  const auto n = dagger::compute(dagger::map([](std::int64_t x) { return static_cast<T>(x); }, counts()));
  EXPECT_PROGRAM(a ^ n);
  EXPECT_PROGRAM(a & i);
  EXPECT_PROGRAM(a | b);
  EXPECT_PROGRAM(a << n);
  EXPECT_PROGRAM(a >> n);
  EXPECT_PROGRAM(a + 1);
  EXPECT_PROGRAM(3 * a);
  EXPECT_PROGRAM(a - 2.5);
  EXPECT_PROGRAM(dagger::pow(a, 2));
  EXPECT_PROGRAM(dagger::pow(floats(), a));
}

TEST(ElementProgram, EveryIntegerTypeWithEveryKindOfOperand) {
  check_unary(integers_as<std::int8_t>(), "int8");
  check_unary(integers_as<std::uint64_t>(), "uint64");
  check_integer_type<std::int8_t, std::uint16_t>("int8");
  check_integer_type<std::int16_t, std::uint8_t>("int16");
  check_integer_type<std::int32_t, std::uint32_t>("int32");
  check_integer_type<std::uint8_t, std::int8_t>("uint8");
  check_integer_type<std::uint16_t, std::int32_t>("uint16");
  check_integer_type<std::uint32_t, std::int64_t>("uint32");
  check_integer_type<std::uint64_t, std::int64_t>("uint64");
}

TEST(ElementProgram, BitOperationsAndShifts) {
  const auto i = integers(), n = counts();
  const auto b = bools();
  EXPECT_PROGRAM(i ^ n);
  EXPECT_PROGRAM(i & n);
  EXPECT_PROGRAM(i | b);
  EXPECT_PROGRAM(b ^ b);
  EXPECT_PROGRAM(n << n);
  EXPECT_PROGRAM(i >> n);
  EXPECT_PROGRAM(b << b);
}

TEST(ElementProgram, ScalarsOfEveryKindOnEitherSide) {
  const auto d = doubles();
  const auto f = floats();
  const auto i = integers();
  EXPECT_PROGRAM(d + 2);
  EXPECT_PROGRAM(2.5 * d);
  EXPECT_PROGRAM(dagger::pow(d, 2));
  EXPECT_PROGRAM(dagger::pow(d, 3L));
  EXPECT_PROGRAM(dagger::pow(d, -2));
  EXPECT_PROGRAM(dagger::pow(d, 0.5));
  EXPECT_PROGRAM(dagger::pow(f, 2));
  EXPECT_PROGRAM(dagger::pow(2.0f, f));
  EXPECT_PROGRAM(dagger::pow(i, 2));
  EXPECT_PROGRAM(1.5f - f);
  EXPECT_PROGRAM(f * 0.1);
  EXPECT_PROGRAM(i / 2);
  EXPECT_PROGRAM(7 % i);
  EXPECT_PROGRAM(i < 3);
  EXPECT_PROGRAM(true + i);
  EXPECT_PROGRAM(d > 1u);
  EXPECT_PROGRAM(static_cast<short>(3) * i);
  EXPECT_PROGRAM(dagger::int_div(d, 0.25));
}

TEST(ElementProgram, FusedChainsOfManySteps) {
  const auto d = doubles();
  const auto i = integers();
  const auto f = floats();
  EXPECT_PROGRAM(dagger::exp(-(d * 0.5)) + dagger::sin(i));
  EXPECT_PROGRAM(dagger::pow(dagger::sqrt(dagger::square(d - i) + f), 2) / (dagger::cos(f) + 3));
  EXPECT_PROGRAM((d > 0.5) & (i < 2));
  EXPECT_PROGRAM(dagger::tanh(dagger::times(dagger::log1p(dagger::square(f)), i) - d / 3.0));
}

// A transpose in a chain is its source's own blocks, read transposed: the
// host walks them turned, a device turns them whole first; the same bits.
TEST(ElementProgram, ChainsThatReadATranspose) {
  const auto d = doubles();
  const auto i = integers();
  const auto f = floats();
  const auto b = bools();
  EXPECT_PROGRAM(dagger::transpose(d) * 2.0 - dagger::compute(dagger::transpose(i)));
  EXPECT_PROGRAM(dagger::transpose(f) + dagger::transpose(dagger::square(d)));
  EXPECT_PROGRAM(dagger::transpose(b) | (dagger::transpose(d) > 0.0));
  EXPECT_PROGRAM(dagger::exp(dagger::transpose(d)) + dagger::transpose(dagger::sin(i)));
}

// The transpose of a random array draws the source's elements in its own
// blocks: the host's strided fills and the program's generate_transposed
// steps give the same bits, beside upright sources and blocks read turned.
TEST(ElementProgram, ChainsOverTheTransposeOfARandomArray) {
  const auto d = doubles();
  const auto f = floats();
  const dagger::Blocks ragged(3, 2);
  auto normals = dagger::randn(ragged, 5, 7, dagger::Seed{5});
  auto uniforms = dagger::rand(ragged, 5, 7, dagger::Seed{6});
  auto bytes = dagger::rand<std::int8_t>(ragged, 5, 7, dagger::Seed{7});
  auto small = dagger::randn<float>(ragged, 5, 7, dagger::Seed{8});
  ASSERT_TRUE(dagger::transpose(normals).impl()->sources.empty());
  EXPECT_PROGRAM(dagger::transpose(normals) + d);
  EXPECT_PROGRAM(dagger::times(dagger::transpose(uniforms), dagger::transpose(dagger::transpose(d))) -
                 dagger::transpose(normals));
  EXPECT_PROGRAM(dagger::transpose(bytes) + dagger::times(dagger::transpose(small), f));
  EXPECT_PROGRAM(dagger::transpose(dagger::exp(normals) + 1.0) + dagger::rand(kBlocks, 7, 5, dagger::Seed{9}));
}

TEST(ElementProgram, UserLambdasAndOverlongChainsHaveNone) {
  const auto d = doubles();
  EXPECT_FALSE(dagger::map([](double x) { return x * 2; }, d).impl()->program);
  EXPECT_FALSE((dagger::map([](double x) { return x * 2; }, d) + 1).impl()->program);
  auto long_chain = d;
  for (int k = 0; k < 60; ++k) long_chain = long_chain + 1.0;
  EXPECT_FALSE(long_chain.impl()->program);
  EXPECT_EQ(dagger::collect(long_chain)(0, 0), dagger::collect(d)(0, 0) + 60);
}

// The GPU's reduction, run on the host the way a GPU runs it: each of
// blocks x threads folds a strided range of the program, each block folds
// its threads, the host folds the blocks.
template <class Acc, class F>
Acc fold_like_a_gpu(const dagger::kernels::ElementProgram& p, const std::vector<dagger::Block>& inputs, F fold) {
  constexpr long long kBlocks = 3, kThreads = 5;
  std::vector<const void*> pointers;
  for (const auto& b : inputs) pointers.push_back(b.buffer.get());
  const long long n = inputs.front().size();
  Acc total = dagger::kernels::fold_start<Acc, F>();
  for (long long block = 0; block < kBlocks; ++block) {
    Acc in_block = dagger::kernels::fold_start<Acc, F>();
    for (long long t = 0; t < kThreads; ++t) {
      in_block = fold(in_block, dagger::kernels::fold_range(p, pointers.data(), block * kThreads + t,
                                                             kBlocks * kThreads, n, dagger::kernels::fold_start<Acc, F>(), fold));
    }
    total = fold(total, in_block);
  }
  return total;
}

// Every block's GPU fold of `expression` against the host's reduction.
template <class Acc, class T, class F>
void expect_folds_match(const DArray<T>& expression, F fold, dagger::Thunk<Acc> host, const std::string& what) {
  SCOPED_TRACE(what);
  const auto& impl = expression.impl();
  const dagger::detail::Elementwise e = dagger::detail::as_elementwise(impl);
  ASSERT_TRUE(e.program);
  Acc total = dagger::kernels::fold_start<Acc, F>();
  for (std::size_t k = 0; k < impl->layout.block_count(); ++k) {
    std::vector<dagger::Block> inputs;
    for (const auto& source : e.sources) {
      inputs.push_back(dagger::collect(dagger::compute(dagger::detail::block_thunks(source)[k])));
    }
    total = fold(total, fold_like_a_gpu<Acc>(*e.program, inputs, fold));
  }
  const Acc expected = dagger::collect(host);
  if constexpr (std::is_floating_point_v<Acc>) {
    EXPECT_NEAR(total, expected, 1e-5 * std::abs(expected) + 1e-6);  // another order of additions
  } else {
    EXPECT_EQ(total, expected);
  }
}

TEST(ElementProgram, FoldsAsTheGpuRunsThem) {
  using namespace dagger::kernels;
  const auto d = doubles();
  const auto i = integers();
  const auto b = bools();
  const auto f = floats();
  expect_folds_match<double>(dagger::pow(d, 2), FoldSum{}, dagger::sum(dagger::pow(d, 2)), "sum(pow(d, 2))");
  expect_folds_match<double>(d + 1.5, FoldProd{}, dagger::prod(d + 1.5), "prod(d + 1.5)");
  expect_folds_match<double>(dagger::sin(d), FoldMin{}, dagger::minimum(dagger::sin(d)), "minimum(sin(d))");
  expect_folds_match<float>(f * 2.0f, FoldMax{}, dagger::maximum(f * 2.0f), "maximum(f * 2)");
  expect_folds_match<std::int64_t>(i * 3, FoldSum{}, dagger::sum(i * 3), "sum(i * 3)");
  expect_folds_match<std::int64_t>(i, FoldMin{}, dagger::minimum(i), "minimum(i)");
  expect_folds_match<std::int64_t>(b, FoldSum{}, dagger::sum(b), "sum(b) counts");
  expect_folds_match<bool>(b, FoldMax{}, dagger::maximum(b), "maximum(b)");
  expect_folds_match<bool>(i > 100, FoldMax{}, dagger::maximum(i > 100), "maximum(i > 100): none");
}

// The GPU's reductions along a dimension, run on the host as the kernels
// run them: per column, kThreads threads fold strided rows and a block
// combines them; per row, one thread folds the row.
template <class Acc>
std::vector<Acc> fold_lines_like_a_gpu(const dagger::kernels::ElementProgram& p, const dagger::Block& b, int dim,
                                       dagger::kernels::Fold op) {
  constexpr long long kThreads = 4;
  const dagger::kernels::RuntimeFold fold{op};
  const Acc start = dagger::kernels::fold_start<Acc>(op);
  const void* pointers[] = {b.buffer.get()};
  std::vector<Acc> out;
  if (dim == 1) {
    for (long long c = 0; c < b.cols; ++c) {
      Acc column = start;
      for (long long t = 0; t < kThreads; ++t) {
        column = fold(column, dagger::kernels::fold_range(p, pointers, c * b.rows + t, kThreads, (c + 1) * b.rows,
                                                          start, fold));
      }
      out.push_back(column);
    }
  } else {
    for (long long r = 0; r < b.rows; ++r) {
      out.push_back(dagger::kernels::fold_range(p, pointers, r, b.rows, b.rows * b.cols, start, fold));
    }
  }
  return out;
}

TEST(ElementProgram, FoldsAlongADimensionAsTheGpuRunsThem) {
  Eigen::MatrixXd m(9, 6);
  for (int j = 0; j < 6; ++j)
    for (int i = 0; i < 9; ++i) m(i, j) = (i * 7 + j * 3) % 11 - 5.0;
  const auto a = dagger::distribute(dagger::Blocks(9, 6), m);  // one block
  const auto program = dagger::detail::load_program(dagger::DType::f64);
  const dagger::Block b = dagger::collect(dagger::compute(a.block_thunks()[0]));
  using dagger::kernels::Fold;
  const auto column_sums = fold_lines_like_a_gpu<double>(*program, b, 1, Fold::sum);
  const auto row_mins = fold_lines_like_a_gpu<double>(*program, b, 2, Fold::min);
  const auto column_max = fold_lines_like_a_gpu<double>(*program, b, 1, Fold::max);
  const Eigen::MatrixXd host_sums = dagger::collect(dagger::sum(a, 1));
  const Eigen::MatrixXd host_mins = dagger::collect(dagger::minimum(a, 2));
  for (int j = 0; j < 6; ++j) {
    EXPECT_DOUBLE_EQ(column_sums[j], host_sums(0, j)) << j;
    EXPECT_DOUBLE_EQ(column_max[j], m.col(j).maxCoeff()) << j;
  }
  for (int i = 0; i < 9; ++i) EXPECT_DOUBLE_EQ(row_mins[i], host_mins(i, 0)) << i;
  // A bool "sum" as a bool is any, a product all.
  const dagger::kernels::RuntimeFold any{Fold::sum}, all{Fold::prod};
  EXPECT_TRUE(any(false, true));
  EXPECT_FALSE(all(true, false));
}

}  // namespace
