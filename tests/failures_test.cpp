// A throwing user function: a typed error that names the thunk, dependents
// cancelled, nothing leaked, the runtime still usable.
#include <gtest/gtest.h>

#include <atomic>
#include <dagger/dagger.hpp>
#include <stdexcept>

namespace {

int add1(int v) { return v + 1; }

struct CustomFailure {
  int code;
};

}  // namespace

int failing_function(int v) {
  if (v > 2) throw std::invalid_argument("value too large: " + std::to_string(v));
  return v;
}

TEST(Failures, ThunkErrorNamesThunkFunctionAndMessage) {
  const auto baseline = dagger::live_chunks();
  std::atomic<int> dependents_ran{0};
  auto ok = dagger::delayed(add1)(1);
  auto bad = dagger::delayed(failing_function)(ok);  // 2: fine
  auto worse = dagger::delayed(failing_function)(dagger::delayed(add1)(bad));  // 3: throws
  auto dependent = dagger::delayed([&dependents_ran](int v) { ++dependents_ran; return v; })(worse);
  try {
    dagger::collect(dependent);
    FAIL() << "expected a ThunkError";
  } catch (const dagger::ThunkError& e) {
    EXPECT_EQ(e.thunk_id(), worse.id());
    EXPECT_EQ(e.function(), "failing_function(int)");
    EXPECT_EQ(e.original_message(), "value too large: 3");
    std::string what = e.what();
    EXPECT_NE(what.find("thunk " + std::to_string(worse.id())), std::string::npos) << what;
    EXPECT_NE(what.find("failing_function"), std::string::npos) << what;
    EXPECT_NE(what.find("ThreadProc"), std::string::npos) << what;
    EXPECT_THROW(e.rethrow_original(), std::invalid_argument);
  }
  EXPECT_EQ(dependents_ran.load(), 0);
  EXPECT_EQ(dagger::live_chunks(), baseline);
  // Still usable.
  EXPECT_EQ(dagger::collect(dagger::delayed(add1)(41)), 42);
}

TEST(Failures, NonStandardExceptions) {
  auto bad = dagger::delayed([](int) -> int { throw CustomFailure{7}; })(0);
  try {
    dagger::collect(bad);
    FAIL();
  } catch (const dagger::ThunkError& e) {
    EXPECT_EQ(e.original_message(), "unknown exception");
    try {
      e.rethrow_original();
    } catch (const CustomFailure& f) {
      EXPECT_EQ(f.code, 7);
    }
  }
}

TEST(Failures, OneFailureAmongManyTasks) {
  const auto baseline = dagger::live_chunks();
  for (int round = 0; round < 20; ++round) {
    std::vector<dagger::Thunk<int>> parts;
    for (int i = 0; i < 2000; ++i) {
      parts.push_back(dagger::delayed([round](int v) {
        if (v == 1000 + round) throw std::runtime_error("boom");
        return v;
      })(i));
    }
    auto total = dagger::delayed([](const std::vector<int>& v) { return v.size(); })(parts);
    EXPECT_THROW(dagger::collect(total), dagger::ThunkError);
    EXPECT_EQ(dagger::live_chunks(), baseline);
  }
  EXPECT_EQ(dagger::collect(dagger::delayed(add1)(1)), 2);
}

TEST(Failures, PersistedResultsSurviveAFailedRun) {
  std::atomic<int> runs{0};
  auto p = dagger::delayed([&runs](int v) { ++runs; return v; }, {.persist = true})(5);
  auto bad = dagger::delayed([](int v) -> int { throw std::runtime_error(std::to_string(v)); })(p);
  EXPECT_THROW(dagger::collect(bad), dagger::ThunkError);
  EXPECT_EQ(dagger::collect(dagger::delayed(add1)(p)), 6);
  EXPECT_EQ(runs.load(), 1);
}
