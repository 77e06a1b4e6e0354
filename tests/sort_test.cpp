// sort and sortperm of 1-D arrays against std::sort and std::stable_sort:
// every element type, both orders, sizes from 0 to many blocks (more blocks
// than buckets), duplicates, sorted and reversed input, NaNs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <numeric>
#include <random>

namespace {

using dagger::SortOrder;

enum class Kind { random, duplicates, sorted, reversed, with_nan, all_equal };
const Kind kKinds[] = {Kind::random, Kind::duplicates, Kind::sorted, Kind::reversed, Kind::with_nan, Kind::all_equal};

template <class T>
std::vector<T> values_of(Kind kind, std::int64_t n, std::mt19937_64& g) {
  std::vector<T> v(static_cast<std::size_t>(n));
  std::uniform_int_distribution<int> few(-10, 10);
  for (auto& x : v) {
    if constexpr (std::is_floating_point_v<T>) {
      x = kind == Kind::duplicates ? T(few(g)) * T(0.5) : std::uniform_real_distribution<T>(-1e6, 1e6)(g);
    } else {
      x = kind == Kind::duplicates ? few(g) : static_cast<T>(g());
    }
    if (kind == Kind::all_equal) x = T(3);
  }
  if (kind == Kind::sorted) std::sort(v.begin(), v.end());
  if (kind == Kind::reversed) std::sort(v.begin(), v.end(), std::greater<>());
  if constexpr (std::is_floating_point_v<T>) {
    if (kind == Kind::with_nan) {
      for (std::size_t i = 0; i < v.size(); i += 3) v[i] = std::numeric_limits<T>::quiet_NaN();
      // Zeros of both signs, which compare equal.
      if (v.size() > 4) v[1] = T(-0.0), v[2] = T(0.0), v[4] = T(-0.0);
    }
  }
  return v;
}

// The order the library promises: ascending or descending, NaN last.
template <class T>
bool before(T a, T b, SortOrder order) {
  if (std::isnan(static_cast<double>(a))) return false;
  if (std::isnan(static_cast<double>(b))) return true;
  return order == SortOrder::ascending ? a < b : b < a;
}

template <class T>
bool same_value(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  }
  return a == b;
}

template <class T>
std::vector<T> as_vector(const dagger::DArray<T>& a) {
  auto m = dagger::collect(a);
  return std::vector<T>(m.data(), m.data() + m.size());
}

template <class T>
void expect_sorts_like_std(const std::vector<T>& values, std::int64_t block, SortOrder order, const std::string& what) {
  const auto v = dagger::distribute(dagger::Blocks(block), values);
  const auto n = static_cast<std::int64_t>(values.size());
  const auto blocks = static_cast<std::size_t>((n + block - 1) / block);

  std::vector<T> expected(values);
  std::sort(expected.begin(), expected.end(), [order](T a, T b) { return before(a, b, order); });
  const auto sorted = dagger::sort(v, order);
  ASSERT_EQ(sorted.layout().rows(), n) << what;
  EXPECT_EQ(sorted.layout().block_count(), blocks) << what;
  const auto got = as_vector(sorted);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_TRUE(same_value(got[i], expected[i])) << what << ": element " << i << " is " << got[i] << ", not " << expected[i];
  }

  std::vector<std::int64_t> expected_perm(values.size());
  std::iota(expected_perm.begin(), expected_perm.end(), 0);
  std::stable_sort(expected_perm.begin(), expected_perm.end(), [&](std::int64_t a, std::int64_t b) {
    return before(values[static_cast<std::size_t>(a)], values[static_cast<std::size_t>(b)], order);
  });
  const auto perm = dagger::sortperm(v, order);
  EXPECT_EQ(perm.layout().block_count(), blocks) << what;
  const auto got_perm = as_vector(perm);
  ASSERT_EQ(got_perm, expected_perm) << what << " (sortperm is stable)";
  // The permutation applied to the input is the sorted array.
  for (std::size_t i = 0; i < got_perm.size(); ++i) {
    ASSERT_TRUE(same_value(values[static_cast<std::size_t>(got_perm[i])], got[i])) << what << ": element " << i;
  }
}

template <class T>
void check_every_case(std::uint64_t seed) {
  std::mt19937_64 g(seed);
  for (std::int64_t n : {0, 1, 2, 17, 1000, 12345}) {
    for (std::int64_t block : {1, 7, 100, 1000, 20000}) {
      if (n / block > 200) continue;  // keep the graphs small
      for (Kind kind : kKinds) {
        const auto values = values_of<T>(kind, n, g);
        for (SortOrder order : {SortOrder::ascending, SortOrder::descending}) {
          expect_sorts_like_std(values, block, order,
                                "n " + std::to_string(n) + ", block " + std::to_string(block) + ", kind " +
                                    std::to_string(static_cast<int>(kind)) + ", " +
                                    (order == SortOrder::ascending ? "ascending" : "descending"));
        }
      }
    }
  }
}

TEST(Sort, DoublesLikeStd) { check_every_case<double>(1); }
TEST(Sort, FloatsLikeStd) { check_every_case<float>(2); }
TEST(Sort, Int64sLikeStd) { check_every_case<std::int64_t>(3); }

TEST(Sort, MoreBlocksThanBuckets) {
  std::mt19937_64 g(4);
  for (Kind kind : {Kind::random, Kind::duplicates, Kind::with_nan}) {
    const auto values = values_of<double>(kind, 30000, g);
    expect_sorts_like_std(values, 100, SortOrder::ascending, "300 blocks");
    expect_sorts_like_std(values, 100, SortOrder::descending, "300 blocks");
  }
}

TEST(Sort, ExtremeValues) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> d{inf, -inf, nan, 0.0, -0.0, std::numeric_limits<double>::max(),
                              std::numeric_limits<double>::lowest(), std::numeric_limits<double>::denorm_min(),
                              -std::numeric_limits<double>::denorm_min(), nan, inf, 1.0};
  for (std::int64_t block : {1, 3, 12}) {
    expect_sorts_like_std(d, block, SortOrder::ascending, "doubles");
    expect_sorts_like_std(d, block, SortOrder::descending, "doubles");
  }
  // So many infinities that splitters are infinite: infinities in inner buckets.
  std::mt19937_64 g(7);
  std::vector<double> many(5000);
  for (auto& x : many) {
    const auto k = g() % 10;
    x = k < 3 ? inf : k < 6 ? -inf : k < 7 ? nan : static_cast<double>(g() % 1000);
  }
  expect_sorts_like_std(many, 100, SortOrder::ascending, "infinities");
  expect_sorts_like_std(many, 100, SortOrder::descending, "infinities");
  std::vector<float> many_floats(many.begin(), many.end());
  expect_sorts_like_std(many_floats, 100, SortOrder::ascending, "float infinities");
  expect_sorts_like_std(many_floats, 100, SortOrder::descending, "float infinities");
  const std::vector<std::int64_t> i{std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
                                    0, -1, 1, std::numeric_limits<std::int64_t>::max()};
  expect_sorts_like_std(i, 2, SortOrder::ascending, "int64s");
  expect_sorts_like_std(i, 2, SortOrder::descending, "int64s");
  // Only NaNs: every element in the NaN bucket.
  expect_sorts_like_std(std::vector<float>(50, std::numeric_limits<float>::quiet_NaN()), 7, SortOrder::ascending, "NaNs");
}

TEST(Sort, Bools) {
  std::mt19937_64 g(5);
  std::vector<bool> b(3001);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = (g() & 1) != 0;
  const auto v = dagger::distribute(dagger::Blocks(250), b);
  for (SortOrder order : {SortOrder::ascending, SortOrder::descending}) {
    std::vector<std::int64_t> expected(b.size());
    std::iota(expected.begin(), expected.end(), 0);
    std::stable_sort(expected.begin(), expected.end(), [&](std::int64_t x, std::int64_t y) {
      return order == SortOrder::ascending ? b[static_cast<std::size_t>(x)] < b[static_cast<std::size_t>(y)]
                                           : b[static_cast<std::size_t>(y)] < b[static_cast<std::size_t>(x)];
    });
    const auto perm = as_vector(dagger::sortperm(v, order));
    EXPECT_EQ(perm, expected);
    const auto sorted = as_vector(dagger::sort(v, order));
    for (std::size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], b[static_cast<std::size_t>(expected[i])]) << i;
  }
}

TEST(Sort, LazyInputs) {
  auto x = dagger::randn(dagger::Blocks(1000), 10000, dagger::Seed{6});
  const auto y = as_vector(dagger::sort(x * 2.0 + 1.0, SortOrder::descending));
  EXPECT_TRUE(std::is_sorted(y.begin(), y.end(), std::greater<>()));
  const auto p = as_vector(dagger::sortperm(x));
  const auto xs = as_vector(x);
  for (std::size_t i = 1; i < p.size(); ++i) {
    ASSERT_LE(xs[static_cast<std::size_t>(p[i - 1])], xs[static_cast<std::size_t>(p[i])]);
  }
}

TEST(Sort, TwoDimensionalInputIsAnError) {
  auto m = dagger::ones(dagger::Blocks(2, 2), 3, 4);
  for (bool perm : {false, true}) {
    try {
      if (perm) {
        dagger::sortperm(m);
      } else {
        dagger::sort(m, SortOrder::descending);
      }
      FAIL() << "a 2-D array was sorted";
    } catch (const dagger::ArrayError& e) {
      EXPECT_NE(std::string(e.what()).find("1-D array, not 3x4"), std::string::npos) << e.what();
    }
  }
}

}  // namespace

namespace {

// Sorting by a key is stable in both orders, as std::stable_sort by the key.
TEST(Sort, ByAKeyIsStableInBothOrders) {
  std::mt19937_64 g(31);
  std::vector<std::int32_t> values(5000);
  for (auto& x : values) x = static_cast<std::int32_t>(g() % 2001) - 1000;
  const auto v = dagger::distribute(dagger::Blocks(700), values);
  auto last_digit = [](std::int32_t x) { return std::abs(x) % 10; };
  for (const auto order : {SortOrder::ascending, SortOrder::descending}) {
    std::vector<std::int32_t> want = values;
    std::stable_sort(want.begin(), want.end(), [&](std::int32_t a, std::int32_t b) {
      return order == SortOrder::ascending ? last_digit(a) < last_digit(b) : last_digit(a) > last_digit(b);
    });
    EXPECT_EQ(as_vector(dagger::sort(v, order, last_digit)), want);
  }
  // A floating key, NaN last: by magnitude.
  const auto x = dagger::randn(dagger::Blocks(300), 2000, dagger::Seed{32});
  const auto by_size = as_vector(dagger::sort(x, SortOrder::descending, [](double e) { return std::abs(e); }));
  for (std::size_t i = 1; i < by_size.size(); ++i) ASSERT_GE(std::abs(by_size[i - 1]), std::abs(by_size[i]));
}

TEST(Sort, TakeGathersByADistributedIndexArray) {
  std::mt19937_64 g(33);
  std::vector<double> values(1000);
  for (auto& x : values) x = static_cast<double>(g() % 100000);
  std::vector<std::int64_t> at(700);
  for (auto& i : at) i = static_cast<std::int64_t>(g() % values.size());
  const auto v = dagger::distribute(dagger::Blocks(128), values);
  const auto p = dagger::distribute(dagger::Blocks(90), at);
  const auto got = as_vector(dagger::take(v, p));
  ASSERT_EQ(got.size(), at.size());
  for (std::size_t k = 0; k < at.size(); ++k) EXPECT_EQ(got[k], values[static_cast<std::size_t>(at[k])]);
  // The sortperm of v takes v sorted.
  EXPECT_EQ(as_vector(dagger::take(v, dagger::sortperm(v))), as_vector(dagger::sort(v)));
  // An index out of range fails its task, naming the index.
  const auto bad = dagger::distribute(dagger::Blocks(2), std::vector<std::int64_t>{3, 1000, 2});
  try {
    as_vector(dagger::take(v, bad));
    FAIL();
  } catch (const dagger::ThunkError& e) {
    EXPECT_NE(e.original_message().find("index 1000 is out of range for an array of 1000"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(dagger::take(dagger::ones(dagger::Blocks(2, 2), 4, 4), p), dagger::ArrayError);
}

}  // namespace
