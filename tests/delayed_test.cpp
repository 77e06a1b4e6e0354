// The DAG API as a user writes it.
#include <gtest/gtest.h>

#include <dagger/dagger.hpp>
#include <memory>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

namespace {

int add1(int v) { return v + 1; }
int add2(int v) { return v + 2; }
int combine(int a, int b, int c) { return a + b + c; }

struct Scale {
  int factor;
  int operator()(int v) const { return v * factor; }
};

struct Account {
  int balance = 10;
  int deposit(int amount) const { return balance + amount; }
};

}  // namespace

// External linkage, so the exported symbol names the thunk.
int named_add1(int v) { return v + 1; }

TEST(Delayed, SeedExample) {
  auto p = dagger::delayed(add1)(4);
  auto q = dagger::delayed(add2)(p);
  auto r = dagger::delayed(add1)(3);
  auto s = dagger::delayed(combine)(p, q, r);
  EXPECT_EQ(dagger::collect(s), 16);
  dagger::Chunk<int> c = dagger::compute(s);
  EXPECT_EQ(dagger::collect(c), 16);
  // Passing the chunk to delayed gives the function the value.
  EXPECT_EQ(dagger::collect(dagger::delayed(add1)(c)), 17);
}

TEST(Delayed, AnyCallable) {
  int offset = 100;
  auto lambda = dagger::delayed([offset](int v) { return v + offset; })(1);
  auto functor = dagger::delayed(Scale{3})(lambda);
  Account account;
  auto member = dagger::delayed([account](int v) { return account.deposit(v); })(functor);
  auto generic = dagger::delayed([](auto a, auto b) { return a * b; })(member, 2.5);
  EXPECT_EQ(dagger::collect(lambda), 101);
  EXPECT_EQ(dagger::collect(functor), 303);
  EXPECT_EQ(dagger::collect(member), 313);
  EXPECT_DOUBLE_EQ(dagger::collect(generic), 782.5);
}

TEST(Delayed, MixesThunksChunksAndValues) {
  auto t = dagger::delayed(add1)(1);
  dagger::Chunk<int> c = dagger::compute(dagger::delayed(add2)(1));
  auto mixed = dagger::delayed([](int a, int b, const std::string& s, double d) {
    return s + ":" + std::to_string(a + b) + ":" + std::to_string(static_cast<int>(d));
  })(t, c, std::string("sum"), 7.9);
  EXPECT_EQ(dagger::collect(mixed), "sum:5:7");
}

TEST(Delayed, VectorOfThunksArrivesAsVector) {
  std::vector<dagger::Thunk<int>> parts;
  for (int i = 0; i < 1000; ++i) parts.push_back(dagger::delayed(add1)(i));
  auto total = dagger::delayed([](const std::vector<int>& v) {
    return std::accumulate(v.begin(), v.end(), 0L);
  })(parts);
  EXPECT_EQ(dagger::collect(total), 500500L);
  // Order is kept.
  auto first = dagger::delayed([](std::vector<int> v) { return v.front() * 10000 + v.back(); })(parts);
  EXPECT_EQ(dagger::collect(first), 1 * 10000 + 1000);
  // An empty fan-in is allowed.
  auto none = dagger::delayed([](const std::vector<int>& v) { return v.size(); })(
      std::vector<dagger::Thunk<int>>{});
  EXPECT_EQ(dagger::collect(none), 0u);
}

TEST(Delayed, VoidResults) {
  std::atomic<int> calls{0};
  auto effect = dagger::delayed([&calls](int v) { calls += v; })(5);
  static_assert(std::is_same_v<decltype(effect), dagger::Thunk<void>>);
  dagger::collect(effect);
  EXPECT_EQ(calls.load(), 5);
  auto chunk = dagger::compute(effect);
  EXPECT_TRUE(chunk.valid());
  EXPECT_EQ(calls.load(), 10);
}

TEST(Delayed, MoveOnlyResultsAndArguments) {
  auto make = dagger::delayed([](int v) { return std::make_unique<int>(v); })(41);
  auto bump = dagger::delayed([](std::unique_ptr<int> p) {
    *p += 1;
    return p;
  })(make);
  auto read = dagger::delayed([](const std::unique_ptr<int>& p) { return *p; })(bump);
  EXPECT_EQ(dagger::collect(read), 42);
  std::unique_ptr<int> owned = dagger::collect(dagger::delayed([](int v) {
    return std::make_unique<int>(v);
  })(9));
  EXPECT_EQ(*owned, 9);
}

TEST(Delayed, MoveOnlyValueNeededTwiceIsATypedError) {
  auto make = dagger::delayed([](int v) { return std::make_unique<int>(v); })(1);
  auto take = [](std::unique_ptr<int> p) { return *p; };
  auto a = dagger::delayed(take)(make);
  auto b = dagger::delayed(take)(make);
  auto both = dagger::delayed([](int x, int y) { return x + y; })(a, b);
  EXPECT_THROW(dagger::collect(both), dagger::ThunkError);
}

TEST(Delayed, GroupsAndPolytrees) {
  std::atomic<int> shared_runs{0};
  auto shared = dagger::delayed([&shared_runs](int v) {
    ++shared_runs;
    return v;
  })(10);
  auto a = dagger::delayed(add1)(shared);
  auto b = dagger::delayed(add2)(shared);
  auto [x, y] = dagger::collect(a, b);
  EXPECT_EQ(x, 11);
  EXPECT_EQ(y, 12);
  EXPECT_EQ(shared_runs.load(), 1);  // the shared sub-DAG ran once

  auto heads = std::vector<dagger::Thunk<int>>{a, b, dagger::delayed(add1)(a)};
  EXPECT_EQ(dagger::collect(heads), (std::vector<int>{11, 12, 12}));
  EXPECT_EQ(shared_runs.load(), 2);

  auto grouped = dagger::delayed(dagger::group)(a, b, dagger::delayed([] { return std::string("s"); })());
  auto tuple = dagger::collect(grouped);
  EXPECT_EQ(std::get<0>(tuple), 11);
  EXPECT_EQ(std::get<1>(tuple), 12);
  EXPECT_EQ(std::get<2>(tuple), "s");
}

TEST(Delayed, MetaReceivesChunksAndRunsHere) {
  auto p = dagger::delayed(add1)(4);
  auto m = dagger::delayed(
      [](dagger::Chunk<int> c, int extra) {
        EXPECT_EQ(&c.space(), &dagger::host_memory());
        return c.value() + extra + static_cast<int>(c.bytes() > 0);
      },
      {.meta = true})(p, 10);
  EXPECT_EQ(dagger::collect(m), 16);
}

TEST(Delayed, MetaMismatchIsAUsageError) {
  auto p = dagger::delayed(add1)(4);
  EXPECT_THROW(dagger::delayed(add1, {.meta = true})(p), dagger::UsageError);
  EXPECT_THROW(dagger::delayed([](dagger::Chunk<int> c) { return c.value(); })(p), dagger::UsageError);
}

TEST(Delayed, EmptyHandlesAreUsageErrors) {
  dagger::Thunk<int> empty;
  EXPECT_THROW(dagger::delayed(add1)(empty), dagger::UsageError);
  EXPECT_THROW(dagger::collect(empty), dagger::UsageError);
  EXPECT_THROW(dagger::delayed(add1)(dagger::Chunk<int>{}), dagger::UsageError);
}

// A thunk may compute a graph of its own: its thread helps run it.
TEST(Delayed, ComputeInsideAThunkRunsTheNestedGraph) {
  auto inner = dagger::delayed(add1)(1);
  auto outer = dagger::delayed([inner](int v) { return v + dagger::collect(inner); })(10);
  EXPECT_EQ(dagger::collect(outer), 12);
  // Nested twice, every thunk pinned to one processor.
  dagger::Processor* one = dagger::Context().processors().front();
  auto leaf = dagger::delayed(add1, {.scope = dagger::Scope::processor(*one)})(1);
  auto middle = dagger::delayed([leaf](int v) { return v + dagger::collect(leaf); },
                                {.scope = dagger::Scope::processor(*one)})(1);
  auto top = dagger::delayed([middle](int v) { return v + dagger::collect(middle); },
                             {.scope = dagger::Scope::processor(*one)})(1);
  EXPECT_EQ(dagger::collect(top), 4);
}

TEST(Delayed, ThunkNamesAndIds) {
  auto p = dagger::delayed(named_add1)(4);
  auto q = dagger::delayed(add1, {.name = "custom"})(p);
  auto l = dagger::delayed([](int v) { return v; })(1);
  EXPECT_NE(p.id(), q.id());
  EXPECT_EQ(p.name(), "named_add1(int)");
  EXPECT_EQ(q.name(), "custom");
  EXPECT_NE(l.name().find("lambda"), std::string::npos) << l.name();
}
