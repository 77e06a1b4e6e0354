#include "dagger/detail/value.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dagger/errors.hpp"

using dagger::detail::Value;

TEST(Value, SmallValuesRoundTripAndMove) {
  Value v = Value::make<int>(42);
  EXPECT_EQ(v.get<int>(), 42);
  Value w = std::move(v);
  EXPECT_FALSE(v.has_value());
  EXPECT_EQ(w.get<int>(), 42);
  EXPECT_EQ(w.bytes(), sizeof(int));
}

TEST(Value, LargeAndNonTrivialValues) {
  std::vector<double> data(1000, 1.5);
  Value v = Value::make<std::vector<double>>(data);
  EXPECT_EQ(v.get<std::vector<double>>().size(), 1000u);
  EXPECT_GE(v.bytes(), 1000 * sizeof(double));
  Value c = v.copy();
  c.get<std::vector<double>>()[0] = 2;
  EXPECT_EQ(v.get<std::vector<double>>()[0], 1.5);
  Value s = Value::make<std::string>(std::string(100, 'x'));
  Value moved = std::move(s);
  EXPECT_EQ(moved.get<std::string>().size(), 100u);
}

TEST(Value, WrongTypeIsATypedError) {
  Value v = Value::make<int>(1);
  EXPECT_THROW(v.get<double>(), dagger::TypeError);
  Value empty;
  EXPECT_THROW(empty.get<int>(), dagger::TypeError);
}

TEST(Value, MoveOnlyValuesCannotBeCopied) {
  Value v = Value::make<std::unique_ptr<int>>(std::make_unique<int>(7));
  EXPECT_FALSE(v.copyable());
  EXPECT_THROW(v.copy(), dagger::TypeError);
  Value w = std::move(v);
  EXPECT_EQ(*w.get<std::unique_ptr<int>>(), 7);
}
