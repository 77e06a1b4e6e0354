// The processor seam: a second kind of processor with its own memory space,
// defined here as a user (or a later GPU backend) would, without touching
// the scheduler. The scheduler must move inputs into that space, pick the
// version of a function that fits the processor, and learn which is faster.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <dagger/dagger.hpp>
#include <thread>

#include "scheduler/cost_model.hpp"

namespace {

// A value that knows which memory space it is in.
struct Buffer {
  std::vector<double> data;
  std::string location = "host";
};
std::size_t dagger_byte_size(const Buffer& b) { return b.data.size() * sizeof(double); }

dagger::ProcKind simdev() { return dagger::ProcKind::named("simdev"); }

class SimDeviceMemory final : public dagger::MemorySpace {
 public:
  SimDeviceMemory() : MemorySpace("simdev0", simdev()) {}
  double bandwidth_to(const dagger::MemorySpace& to) const override { return &to == this ? 1e30 : 1e9; }
};

class SimDeviceProc final : public dagger::Processor {
 public:
  dagger::ProcKind kind() const override { return simdev(); }
  dagger::MemorySpace& memory() const override { return memory_; }
  std::string name() const override { return "SimDeviceProc(0)"; }

 private:
  mutable SimDeviceMemory memory_;
};

std::atomic<int> moves_to_device{0}, moves_to_host{0};

dagger::detail::Value relocate(const dagger::detail::Value& v, const char* location) {
  if (v.type() == typeid(Buffer)) {
    Buffer b = v.get<Buffer>();
    b.location = location;
    return dagger::detail::Value::make<Buffer>(std::move(b));
  }
  return v.copy();
}

dagger::Processor& device() {
  static dagger::Processor& proc = [] () -> dagger::Processor& {
    dagger::register_move(dagger::ProcKind::named("host"), simdev(),
                          [](const dagger::detail::Value& v, const dagger::MemorySpace&,
                             const dagger::MemorySpace&) {
                            ++moves_to_device;
                            return relocate(v, "simdev");
                          });
    dagger::register_move(simdev(), dagger::ProcKind::named("host"),
                          [](const dagger::detail::Value& v, const dagger::MemorySpace&,
                             const dagger::MemorySpace&) {
                            ++moves_to_host;
                            return relocate(v, "host");
                          });
    return dagger::add_processor(std::make_unique<SimDeviceProc>());
  }();
  return proc;
}

Buffer make_buffer(int n) { return Buffer{std::vector<double>(static_cast<std::size_t>(n), 1.0)}; }
double host_sum(const Buffer& b) {
  EXPECT_EQ(b.location, "host");
  double s = 0;
  for (double x : b.data) s += x;
  return s;
}
Buffer device_scale(const Buffer& b) {
  EXPECT_EQ(b.location, "simdev");  // the input was moved before the kernel ran
  Buffer out = b;
  for (double& x : out.data) x *= 2;
  return out;
}
Buffer host_scale(const Buffer& b) {
  EXPECT_EQ(b.location, "host");
  Buffer out = b;
  for (double& x : out.data) x *= 2;
  return out;
}

int count(const std::vector<dagger::Timespan>& events, dagger::Category c) {
  int n = 0;
  for (const auto& e : events) n += e.category == c;
  return n;
}

class Processors : public ::testing::Test {
 protected:
  void SetUp() override {
    device();
    dagger::detail::cost_model().clear();
    moves_to_device = 0;
    moves_to_host = 0;
  }
};

}  // namespace

TEST_F(Processors, DeviceAppearsInTheDefaultContext) {
  dagger::Context everything;
  const auto& procs = everything.processors();
  EXPECT_NE(std::find(procs.begin(), procs.end(), &device()), procs.end());
}

TEST_F(Processors, SchedulerInsertsMovesAcrossMemorySpaces) {
  const auto baseline = dagger::live_chunks();
  auto on_device_only = dagger::versions(dagger::impl(simdev(), device_scale));
  auto a = dagger::delayed(make_buffer)(1000);           // host
  auto b = dagger::delayed(on_device_only)(a);           // simdev: a must move there
  auto c = dagger::delayed(host_sum)(b);                 // host: b must move back
  auto debug = dagger::debug_compute(c);
  EXPECT_DOUBLE_EQ(dagger::collect(debug.chunk), 2000.0);
  EXPECT_EQ(moves_to_device.load(), 1);
  EXPECT_EQ(moves_to_host.load(), 1);
  EXPECT_EQ(count(debug.events, dagger::Category::move), 2);
  for (const auto& e : debug.events) {
    if (e.category == dagger::Category::move) {
      EXPECT_EQ(e.bytes, 1000 * sizeof(double));
    }
    if (e.category == dagger::Category::compute && e.id == b.id()) {
      EXPECT_EQ(e.processor, &device());
    }
  }
  debug = {};
  EXPECT_EQ(dagger::live_chunks(), baseline);  // replicas are released too
}

// Eager tasks with a device-only version run on the device; their inputs
// move there and their results move back to be read here.
TEST_F(Processors, EagerTasksRunOnTheDeviceAndMoveTheirInputs) {
  const auto baseline = dagger::live_chunks();
  {
    auto on_device_only = dagger::versions(dagger::impl(simdev(), device_scale));
    dagger::Task<Buffer> a = dagger::spawn(make_buffer, 1000);
    dagger::Task<Buffer> b = dagger::spawn(on_device_only, a);
    EXPECT_EQ(b.chunk().space().kind(), simdev());
    dagger::Task<double> c = dagger::spawn(host_sum, b);
    EXPECT_DOUBLE_EQ(c.fetch(), 2000.0);
    EXPECT_EQ(moves_to_device.load(), 1);
    EXPECT_EQ(moves_to_host.load(), 1);
    EXPECT_EQ(b.fetch().data[0], 2.0);  // fetched here: moved to host again
  }
  // The driver that ran a task lets go of it just after the task finished.
  for (int i = 0; i < 2000 && dagger::live_chunks() != baseline; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(dagger::live_chunks(), baseline);
}

TEST_F(Processors, OneMovePerSpaceForSeveralConsumers) {
  auto on_device_only = dagger::versions(dagger::impl(simdev(), device_scale));
  auto a = dagger::delayed(make_buffer)(10);
  auto b1 = dagger::delayed(on_device_only)(a);
  auto b2 = dagger::delayed(on_device_only)(a);
  auto total = dagger::delayed([](const Buffer& x, const Buffer& y) {
    return x.data.size() + y.data.size();
  })(b1, b2);
  EXPECT_EQ(dagger::collect(total), 20u);
  EXPECT_EQ(moves_to_device.load(), 1);  // a moved once, shared by b1 and b2
}

TEST_F(Processors, VersionChosenPerProcessorAndLearned) {
  // The CPU version is slow, the device version fast: after each was
  // measured, the scheduler sends the work to the device.
  auto slow_cpu = [](const Buffer& b) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return host_scale(b);
  };
  auto scale = dagger::versions(dagger::impl(dagger::ProcKind::cpu(), slow_cpu),
                                dagger::impl(simdev(), device_scale));
  std::vector<const dagger::Processor*> chosen;
  for (int round = 0; round < 6; ++round) {
    auto a = dagger::delayed(make_buffer)(100);
    auto b = dagger::delayed(scale)(a);
    auto debug = dagger::debug_compute(b);
    for (const auto& e : debug.events) {
      if (e.category == dagger::Category::compute && e.id == b.id()) chosen.push_back(e.processor);
    }
    auto value = dagger::collect(debug.chunk);
    EXPECT_DOUBLE_EQ(value.data[0], 2.0);
  }
  ASSERT_EQ(chosen.size(), 6u);
  // The last rounds, with both kinds measured, all ran on the device.
  for (std::size_t i = 3; i < chosen.size(); ++i) EXPECT_EQ(chosen[i], &device()) << "round " << i;
  auto cpu_estimate = dagger::detail::cost_model().estimate(typeid(decltype(scale)), dagger::ProcKind::cpu());
  auto dev_estimate = dagger::detail::cost_model().estimate(typeid(decltype(scale)), simdev());
  ASSERT_TRUE(cpu_estimate && dev_estimate);
  EXPECT_GT(*cpu_estimate, *dev_estimate);
}

TEST_F(Processors, DataLocationWinsWhenRuntimesAreEqual) {
  // Same learned runtime on both kinds: the processor holding the input wins.
  auto scale = dagger::versions(dagger::impl(dagger::ProcKind::cpu(), host_scale),
                                dagger::impl(simdev(), device_scale));
  dagger::detail::cost_model().record(typeid(decltype(scale)), dagger::ProcKind::cpu(), 1000);
  dagger::detail::cost_model().record(typeid(decltype(scale)), simdev(), 1000);
  auto on_device = dagger::versions(dagger::impl(simdev(), device_scale));
  auto a = dagger::delayed(on_device)(dagger::delayed(make_buffer)(100000));  // result on device
  auto b = dagger::delayed(scale)(a);
  auto debug = dagger::debug_compute(b);
  for (const auto& e : debug.events) {
    if (e.category == dagger::Category::compute && e.id == b.id()) {
      EXPECT_EQ(e.processor, &device());
    }
  }
  EXPECT_EQ(moves_to_device.load(), 1);  // only make_buffer's result moved
}

TEST_F(Processors, ScopeForbidsOrRequiresAKind) {
  auto scale = dagger::versions(dagger::impl(dagger::ProcKind::cpu(), host_scale),
                                dagger::impl(simdev(), device_scale));
  auto a = dagger::delayed(make_buffer)(10);
  auto cpu_only = dagger::delayed(scale, {.scope = dagger::Scope::excluding(simdev())})(a);
  auto debug = dagger::debug_compute(cpu_only);
  for (const auto& e : debug.events) {
    if (e.category == dagger::Category::compute) {
      EXPECT_NE(e.processor, &device());
    }
  }
  EXPECT_EQ(moves_to_device.load(), 0);

  // A plain (CPU-only) function cannot be confined to the device.
  auto impossible = dagger::delayed(host_scale, {.scope = dagger::Scope::kind(simdev())})(a);
  try {
    dagger::collect(impossible);
    FAIL() << "expected NoProcessorError";
  } catch (const dagger::NoProcessorError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("thunk " + std::to_string(impossible.id())), std::string::npos) << what;
    EXPECT_NE(what.find("[cpu]"), std::string::npos) << what;
  }
}

TEST_F(Processors, ContextWithoutCpuThreads) {
  dagger::Context device_only({&device()});
  auto on_device = dagger::versions(dagger::impl(simdev(), device_scale));
  auto a = dagger::delayed(make_buffer)(10);
  EXPECT_THROW(dagger::collect(device_only, dagger::delayed(on_device)(a)), dagger::NoProcessorError);
  // A chunk made elsewhere can be processed on the device alone.
  auto chunk = dagger::compute(a);
  auto scaled = dagger::collect(device_only, dagger::delayed(on_device)(chunk));
  EXPECT_EQ(scaled.location, "host");  // collect brings it home
  EXPECT_DOUBLE_EQ(scaled.data[0], 2.0);
}

TEST_F(Processors, GetResultBringsTheValueHome) {
  auto on_device = dagger::versions(dagger::impl(simdev(), device_scale));
  auto a = dagger::delayed(make_buffer)(10);
  auto kept_there = dagger::compute(dagger::delayed(on_device)(a));
  EXPECT_EQ(&kept_there.space(), &device().memory());
  auto brought = dagger::compute(dagger::delayed(on_device, {.get_result = true})(a));
  EXPECT_EQ(&brought.space(), &dagger::host_memory());
  EXPECT_EQ(brought.value().location, "host");
}
