// Arrays of every integer width and signedness: what each operation's
// result type is (numpy's promotion), that integer arithmetic wraps around
// in the array's own type, that a scalar joins an integer array as that
// array's type or is refused, and that constructors, reductions, sort,
// matmul and indexing work on each type, against plain loops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

namespace {

using dagger::DArray;

template <class A, class B>
constexpr bool plus_gives(auto expected) {
  return std::is_same_v<typename decltype(std::declval<DArray<A>>() + std::declval<DArray<B>>())::value_type,
                        decltype(expected)>;
}

// The promotions, as numpy has them.
static_assert(plus_gives<std::int8_t, std::int8_t>(std::int8_t{}));
static_assert(plus_gives<std::uint8_t, std::uint8_t>(std::uint8_t{}));
static_assert(plus_gives<std::int8_t, std::int16_t>(std::int16_t{}));
static_assert(plus_gives<std::int8_t, std::uint8_t>(std::int16_t{}));
static_assert(plus_gives<std::int16_t, std::uint16_t>(std::int32_t{}));
static_assert(plus_gives<std::int32_t, std::uint32_t>(std::int64_t{}));
static_assert(plus_gives<std::int64_t, std::uint8_t>(std::int64_t{}));
static_assert(plus_gives<std::uint32_t, std::uint64_t>(std::uint64_t{}));
static_assert(plus_gives<std::int32_t, bool>(std::int32_t{}));
static_assert(plus_gives<bool, bool>(std::int64_t{}));
static_assert(plus_gives<std::int16_t, float>(float{}));
static_assert(plus_gives<std::uint64_t, double>(double{}));
// An integer scalar takes the array's integer type; a floating one does not.
static_assert(std::is_same_v<decltype(std::declval<DArray<std::int8_t>>() + 1)::value_type, std::int8_t>);
static_assert(std::is_same_v<decltype(2u * std::declval<DArray<std::uint16_t>>())::value_type, std::uint16_t>);
static_assert(std::is_same_v<decltype(std::declval<DArray<std::int8_t>>() + 0.5)::value_type, double>);
static_assert(std::is_same_v<decltype(std::declval<DArray<bool>>() + 1)::value_type, std::int64_t>);
// Comparisons give bool, division double, bit operations keep the type.
static_assert(std::is_same_v<decltype(std::declval<DArray<std::int32_t>>() < std::declval<DArray<std::uint32_t>>())::value_type, bool>);
static_assert(std::is_same_v<decltype(std::declval<DArray<std::int16_t>>() / std::declval<DArray<std::int16_t>>())::value_type, double>);
static_assert(std::is_same_v<decltype(std::declval<DArray<bool>>() ^ std::declval<DArray<bool>>())::value_type, bool>);
static_assert(std::is_same_v<decltype(std::declval<DArray<std::uint8_t>>() << 1)::value_type, std::uint8_t>);
// Sums and products of narrow integers widen, as numpy's and Julia's do.
static_assert(std::is_same_v<dagger::detail::sum_t<std::int8_t>, std::int64_t>);
static_assert(std::is_same_v<dagger::detail::sum_t<std::uint16_t>, std::uint64_t>);
static_assert(std::is_same_v<dagger::detail::sum_t<std::uint64_t>, std::uint64_t>);

template <class T>
std::vector<T> column(const DArray<T>& a) {
  const auto m = dagger::collect(a);
  return std::vector<T>(m.data(), m.data() + m.size());
}

template <class T>
DArray<T> vector_of(std::vector<T> v, std::int64_t block = 3) {
  return dagger::distribute(dagger::Blocks(block), v);
}

TEST(ElementTypes, ArithmeticWrapsAroundInTheArraysOwnType) {
  const auto a = vector_of<std::int8_t>({127, -128, 100, -1, 0});
  EXPECT_EQ(column(a + std::int8_t{1}), (std::vector<std::int8_t>{-128, -127, 101, 0, 1}));
  EXPECT_EQ(column(a - 1), (std::vector<std::int8_t>{126, 127, 99, -2, -1}));
  EXPECT_EQ(column(dagger::times(a, a)), (std::vector<std::int8_t>{1, 0, 16, 1, 0}));
  EXPECT_EQ(column(-a), (std::vector<std::int8_t>{-127, -128, -100, 1, 0}));
  const auto u = vector_of<std::uint8_t>({0, 1, 255, 128});
  EXPECT_EQ(column(u - 1), (std::vector<std::uint8_t>{255, 0, 254, 127}));
  EXPECT_EQ(column(dagger::square(u)), (std::vector<std::uint8_t>{0, 1, 1, 0}));
  EXPECT_EQ(column(u << 1), (std::vector<std::uint8_t>{0, 2, 254, 0}));
  const auto big = vector_of<std::int32_t>({std::numeric_limits<std::int32_t>::max(), std::numeric_limits<std::int32_t>::min()});
  EXPECT_EQ(column(big + 1), (std::vector<std::int32_t>{std::numeric_limits<std::int32_t>::min(),
                                                          std::numeric_limits<std::int32_t>::min() + 1}));
  EXPECT_EQ(column(-big), (std::vector<std::int32_t>{-std::numeric_limits<std::int32_t>::max(),
                                                       std::numeric_limits<std::int32_t>::min()}));
  const auto wide = vector_of<std::uint64_t>({std::numeric_limits<std::uint64_t>::max(), 5});
  EXPECT_EQ(column(wide + 1), (std::vector<std::uint64_t>{0, 6}));
}

TEST(ElementTypes, MixedSignsCompareByValue) {
  // C++ would compare -1 < 1u as unsigned (false); numpy, and dagger, by value.
  const auto s = vector_of<std::int32_t>({-1, 5, 7});
  const auto u = vector_of<std::uint32_t>({1, 5, 3});
  EXPECT_EQ(column(s < u), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(column(s + u), (std::vector<std::int64_t>{0, 10, 10}));
  const auto s8 = vector_of<std::int8_t>({-100, 100});
  const auto u8 = vector_of<std::uint8_t>({200, 200});
  EXPECT_EQ(column(s8 + u8), (std::vector<std::int16_t>{100, 300}));
  EXPECT_EQ(column(s8 / u8), (std::vector<double>{-0.5, 0.5}));
}

TEST(ElementTypes, AScalarOutsideTheArraysTypeIsRefused) {
  const auto u = vector_of<std::uint8_t>({1, 2});
  try {
    (void)(u + 300);
    FAIL() << "no error";
  } catch (const dagger::ArrayError& e) {
    EXPECT_NE(std::string(e.what()).find("300"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("uint8"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)(u * -1), dagger::ArrayError);
  EXPECT_THROW((void)(vector_of<std::int8_t>({1}) + 128), dagger::ArrayError);
  EXPECT_EQ(column(u + 254), (std::vector<std::uint8_t>{255, 0}));  // in range: wraps like any uint8 sum
  EXPECT_EQ(column(u + 0.5), (std::vector<double>{1.5, 2.5}));
}

template <class T>
void check_type() {
  SCOPED_TRACE(dagger::to_string(dagger::dtype_of<T>()));
  // Values spread over the type's range, distinct, in no order.
  std::vector<T> v(23);
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = static_cast<T>((static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ull) >> (64 - 8 * sizeof(T)));
  }
  const auto a = vector_of<T>(v, 5);
  EXPECT_EQ(a.impl()->dtype, dagger::dtype_of<T>());

  using S = dagger::detail::sum_t<T>;
  S total = 0;
  for (T x : v) total = dagger::kernels::add(total, static_cast<S>(x));  // wraps, as sum does
  EXPECT_EQ(dagger::collect(dagger::sum(a)), total);
  EXPECT_EQ(dagger::collect(dagger::maximum(a)), *std::max_element(v.begin(), v.end()));
  EXPECT_EQ(dagger::collect(dagger::minimum(a)), *std::min_element(v.begin(), v.end()));
  EXPECT_EQ(dagger::collect(dagger::argmax(a)), std::max_element(v.begin(), v.end()) - v.begin());
  EXPECT_EQ(dagger::collect(dagger::count(a > T{10})), std::count_if(v.begin(), v.end(), [](T x) { return x > T{10}; }));

  std::vector<T> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(column(dagger::sort(a)), sorted);
  std::vector<T> descending(sorted.rbegin(), sorted.rend());
  EXPECT_EQ(column(dagger::sort(a, dagger::SortOrder::descending)), descending);
  const auto p = column(dagger::sortperm(a));
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[static_cast<std::size_t>(p[i])], sorted[i]);

  const auto ones = dagger::ones<T>(dagger::Blocks(2, 2), 3, 3);
  const auto m = dagger::collect(dagger::compute(dagger::matmul(ones, ones)));
  EXPECT_EQ(m(2, 1), T{3});
  EXPECT_EQ(dagger::collect(dagger::zeros<T>(dagger::Blocks(4), 9))(8), T{0});
  EXPECT_EQ(column(a(dagger::range(2, 5))), std::vector<T>(v.begin() + 2, v.begin() + 5));

  // Uniform over the whole type: both halves of the range appear.
  const auto r = column(dagger::rand<T>(dagger::Blocks(100), 1000, dagger::Seed{7}));
  const T middle = static_cast<T>(std::numeric_limits<T>::min() / 2 + std::numeric_limits<T>::max() / 2);
  const auto below = std::count_if(r.begin(), r.end(), [&](T x) { return x < middle; });
  EXPECT_GT(below, 400);
  EXPECT_LT(below, 600);
  // The same values whatever the blocking.
  EXPECT_EQ(column(dagger::rand<T>(dagger::Blocks(333), 1000, dagger::Seed{7})), r);
}

TEST(ElementTypes, EveryIntegerTypeThroughConstructorsReductionsSortAndMatmul) {
  check_type<std::int8_t>();
  check_type<std::int16_t>();
  check_type<std::int32_t>();
  check_type<std::int64_t>();
  check_type<std::uint8_t>();
  check_type<std::uint16_t>();
  check_type<std::uint32_t>();
  check_type<std::uint64_t>();
}

TEST(ElementTypes, MapAndTypeErrorsNameTheTypes) {
  const auto a = vector_of<std::int16_t>({1, 2, 3});
  // map keeps the function's own element type.
  const auto halves = dagger::map([](std::int16_t x) { return static_cast<std::uint8_t>(x * 2); }, a);
  static_assert(std::is_same_v<decltype(halves)::value_type, std::uint8_t>);
  EXPECT_EQ(column(halves), (std::vector<std::uint8_t>{2, 4, 6}));
  try {
    (void)DArray<std::int32_t>(a.impl());
    FAIL() << "no error";
  } catch (const dagger::TypeError& e) {
    EXPECT_NE(std::string(e.what()).find("int16"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("int32"), std::string::npos) << e.what();
  }
}

}  // namespace
