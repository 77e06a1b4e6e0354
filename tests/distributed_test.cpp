// Worker processes over UCX: real processes of this test executable, real
// connections on loopback.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <atomic>
#include <variant>
#include <vector>

#include "dagger/array.hpp"
#include "dagger/cuda.hpp"
#include "dagger/dagger.hpp"
#include "dagger/distributed.hpp"
#include "stand_in_device.hpp"
#include "transport/messages.hpp"
#include "transport/transport.hpp"

extern char** environ;

// Plain functions travel by name: they must be exported (external linkage,
// an executable linked with ENABLE_EXPORTS).
int add1(int v) { return v + 1; }
int add2(int v) { return v + 2; }
int combine(int a, int b, int c) { return a + b + c; }
std::int64_t pid_here(int) { return ::getpid(); }
std::vector<double> ramp(int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0.0);
  return v;
}
double total(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }
int fails_on_seven(int v) {
  if (v == 7) throw std::runtime_error("seven is not allowed");
  return v;
}
dagger::Block block_ramp(std::int64_t n) {
  dagger::Block b = dagger::Block::make(dagger::DType::f64, n, 1);
  std::iota(b.mutable_data<double>(), b.mutable_data<double>() + n, 0.0);
  return b;
}
dagger::Block same_block(const dagger::Block& b) { return b; }
double block_total(const dagger::Block& b) { return std::accumulate(b.data<double>(), b.data<double>() + b.size(), 0.0); }
int slow_double(int v) {
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  return 2 * v;
}
std::int64_t pid_after_a_while(int) {
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return ::getpid();
}

int slow_square(int v) {
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return v * v;
}

// Task bodies that run in a worker and spawn there: the driver places the
// children, on its own threads or on that worker's.
std::int64_t spawn_and_sum(int n) {
  std::vector<dagger::Task<int>> children;
  for (int i = 0; i < n; ++i) children.push_back(dagger::spawn(slow_square, i));
  std::int64_t sum = 0;
  for (auto& child : children) sum += child.fetch();
  return sum;
}
std::vector<std::int64_t> children_pids(int n) {
  std::vector<dagger::Task<std::int64_t>> children;
  for (int i = 0; i < n; ++i) children.push_back(dagger::spawn(pid_after_a_while, i));
  return dagger::fetch(children);
}
int chained_in_worker(int v) {
  dagger::Task<int> a = dagger::spawn(add1, v);
  dagger::Task<int> b = dagger::spawn(add2, a);  // reads a's value where the driver put it
  return b.fetch();
}
int nested_depth(int depth) { return depth == 0 ? 0 : 1 + dagger::spawn(nested_depth, depth - 1).fetch(); }
std::vector<double> ramp_from_a_child(int n) { return dagger::spawn(ramp, n).fetch(); }
std::string failure_seen_in_worker(int v) {
  dagger::Task<int> bad = dagger::spawn(fails_on_seven, v);
  try {
    bad.fetch();
    return "no error";
  } catch (const dagger::ThunkError& e) {
    return e.what();
  }
}
std::string scoped_spawn_in_worker(int) {
  try {
    dagger::spawn({.scope = dagger::Scope::kind(dagger::ProcKind::cpu())}, add1, 1);
    return "no error";
  } catch (const dagger::UsageError& e) {
    return e.what();
  }
}
int ready_after_polling(int v) {
  dagger::Task<int> child = dagger::spawn(slow_square, v);
  while (!child.ready()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return child.fetch();
}
std::string cancelled_in_worker(int) {
  dagger::Task<int> child = dagger::spawn(slow_double, 1);
  child.cancel();
  try {
    return "no error: " + std::to_string(child.fetch());
  } catch (const dagger::Cancelled& e) {
    return e.what();
  }
}

// A stencil's function.
double five_point(const dagger::Neighbors<double>& x) { return 0.25 * (x(-1, 0) + x(1, 0) + x(0, -1) + x(0, 1)); }

namespace {

std::vector<dagger::WorkerProc*>& cluster_workers() {
  static std::vector<dagger::WorkerProc*> workers = dagger::add_local_workers(2);
  return workers;
}

dagger::Context workers_only() {
  std::vector<dagger::Processor*> procs;
  for (dagger::WorkerProc* w : dagger::workers()) procs.push_back(w);
  return dagger::Context(procs);
}

// Chunks are let go asynchronously: a release message is on its way, or a
// worker's send of the value is completing. So the count is polled, for at
// most 5 s: a chunk that leaks never reaches zero.
void expect_no_chunks_left() {
  for (dagger::WorkerProc* w : dagger::workers()) {
    std::int64_t live = dagger::live_chunks(*w);
    for (int i = 0; i < 500 && live != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      live = dagger::live_chunks(*w);
    }
    EXPECT_EQ(live, 0) << w->name();
  }
}

TEST(Distributed, WorkersJoinWithTheirThreads) {
  auto& workers = cluster_workers();
  ASSERT_EQ(workers.size(), 2u);
  for (dagger::WorkerProc* w : workers) {
    EXPECT_NE(w->pid(), ::getpid());
    EXPECT_GE(w->threads(), 1);
    int threads = 0;
    for (dagger::Processor* p : dagger::all_processors()) threads += p->parent() == w ? 1 : 0;
    EXPECT_EQ(threads, w->threads());
  }
  EXPECT_EQ(dagger::Context(std::vector<dagger::Processor*>{workers[0]}).processors().size(),
            static_cast<std::size_t>(workers[0]->threads()));
}

TEST(Distributed, FunctionsRunInWorkersWithTheSameResults) {
  cluster_workers();
  auto p = dagger::delayed(add1)(4);
  auto q = dagger::delayed(add2)(p);
  auto r = dagger::delayed(add1)(3);
  auto s = dagger::delayed(combine)(p, q, r);
  EXPECT_EQ(dagger::collect(workers_only(), s), 16);
  // The work ran in the workers' processes.
  std::vector<dagger::Thunk<std::int64_t>> pids;
  for (int i = 0; i < 8; ++i) pids.push_back(dagger::delayed(pid_here)(i));
  for (std::int64_t pid : dagger::collect(workers_only(), pids)) EXPECT_NE(pid, ::getpid());
  expect_no_chunks_left();
}

TEST(Distributed, LambdasContainersAndStringsTravel) {
  cluster_workers();
  const double scale = 2.5;
  auto v = dagger::delayed(ramp)(1000);
  auto scaled = dagger::delayed([scale](const std::vector<double>& x) {
    std::vector<double> out(x);
    for (double& e : out) e *= scale;
    return out;
  })(v);
  auto sum = dagger::delayed(total)(scaled);
  EXPECT_DOUBLE_EQ(dagger::collect(workers_only(), sum), 2.5 * 999 * 1000 / 2);
  auto words = dagger::delayed([](const std::string& a, int n) {
    std::map<std::string, int> m;
    for (int i = 0; i < n; ++i) m[a + std::to_string(i)] = i;
    return m;
  })(std::string("w"), 3);
  auto got = dagger::collect(workers_only(), words);
  EXPECT_EQ(got.size(), 3u);
  EXPECT_EQ(got.at("w2"), 2);
  expect_no_chunks_left();
}

TEST(Distributed, ThunksThatCannotTravelRunInTheDriver) {
  cluster_workers();
  std::function<int(int)> f = [](int v) { return v * 3; };
  auto t = dagger::delayed([f](int v) { return static_cast<std::int64_t>(f(v)) * 0 + ::getpid(); })(1);
  EXPECT_EQ(dagger::collect(t), ::getpid());
  // With only workers in the context, the error says why.
  try {
    dagger::collect(workers_only(), t);
    FAIL() << "expected NoProcessorError";
  } catch (const dagger::NoProcessorError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be sent to a worker"), std::string::npos) << e.what();
  }
}

TEST(Distributed, AThrowingFunctionNamesTheWorker) {
  cluster_workers();
  auto bad = dagger::delayed(fails_on_seven)(7);
  try {
    dagger::collect(workers_only(), bad);
    FAIL() << "expected ThunkError";
  } catch (const dagger::ThunkError& e) {
    EXPECT_EQ(e.original_message(), "seven is not allowed");
    EXPECT_NE(e.processor().find("worker"), std::string::npos) << e.processor();
    EXPECT_NE(e.function().find("fails_on_seven"), std::string::npos) << e.function();
    try {
      e.rethrow_original();
    } catch (const dagger::RemoteError& original) {
      EXPECT_NE(original.type().find("runtime_error"), std::string::npos);
    }
  }
  // The runtime goes on.
  EXPECT_EQ(dagger::collect(workers_only(), dagger::delayed(fails_on_seven)(6)), 6);
  expect_no_chunks_left();
}

TEST(Distributed, ComputeLeavesTheChunkInTheWorker) {
  cluster_workers();
  auto chunk = dagger::compute(workers_only(), dagger::delayed(ramp)(100));
  EXPECT_EQ(chunk.space().kind(), dagger::ProcKind::named("worker-host"));
  EXPECT_EQ(chunk.bytes(), sizeof(std::vector<double>) + 100 * sizeof(double));
  std::int64_t held = 0;
  for (dagger::WorkerProc* w : dagger::workers()) held += dagger::live_chunks(*w);
  EXPECT_EQ(held, 1);
  // A later computation reads it where it is; collect brings it here.
  EXPECT_DOUBLE_EQ(dagger::collect(workers_only(), dagger::delayed(total)(chunk)), 4950.0);
  EXPECT_DOUBLE_EQ(dagger::collect(chunk)[99], 99.0);
  chunk = {};
  expect_no_chunks_left();
}


// A result of a few bytes comes back with its task's reply: fetching it asks
// the worker nothing (here the worker is stopped meanwhile), while a large
// one is fetched from the worker. Both stay in the worker for its tasks.
TEST(Distributed, ASmallResultComesBackWithItsReply) {
  auto& workers = cluster_workers();
  const dagger::Context first({workers[0]});
  auto small = dagger::compute(first, dagger::delayed(ramp)(10));
  auto large = dagger::compute(first, dagger::delayed(ramp)(100000));
  ASSERT_EQ(small.space().kind(), dagger::ProcKind::named("worker-host"));
  ASSERT_EQ(dagger::live_chunks(*workers[0]), 2);
  const auto pid = static_cast<pid_t>(workers[0]->pid());
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  auto fetch_small = std::async(std::launch::async, [&] { return dagger::collect(small); });
  auto fetch_large = std::async(std::launch::async, [&] { return dagger::collect(large); });
  const bool small_at_once = fetch_small.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  const bool large_waited = fetch_large.wait_for(std::chrono::milliseconds(200)) == std::future_status::timeout;
  ::kill(pid, SIGCONT);
  EXPECT_TRUE(small_at_once) << "fetching a result of 10 doubles waited on its stopped worker";
  EXPECT_TRUE(large_waited) << "a result of 100000 doubles came back without its worker";
  EXPECT_DOUBLE_EQ(fetch_small.get()[9], 9.0);
  EXPECT_DOUBLE_EQ(fetch_large.get()[99999], 99999.0);
  EXPECT_DOUBLE_EQ(dagger::collect(first, dagger::delayed(total)(small)), 45.0);
  small = {};
  large = {};
  expect_no_chunks_left();
}

// Eager tasks whose scope names a worker run there; their results stay in
// the worker until fetched, and tasks here read them.
TEST(Distributed, EagerTasksRunInTheWorkerTheirScopeNames) {
  auto& workers = cluster_workers();
  const dagger::Options there{.scope = dagger::Scope::processor(*workers[0])};
  dagger::Task<std::int64_t> pid = dagger::spawn(there, pid_here, 0);
  EXPECT_EQ(pid.fetch(), workers[0]->pid());
  dagger::Task<std::vector<double>> v = dagger::spawn(there, ramp, 100);
  EXPECT_EQ(v.chunk().space().kind(), dagger::ProcKind::named("worker-host"));
  dagger::Task<double> sum_here = dagger::spawn(total, v);  // runs here, reads the worker's result
  EXPECT_DOUBLE_EQ(sum_here.fetch(), 4950.0);
  dagger::Task<double> sum_there = dagger::spawn(there, total, v);
  EXPECT_DOUBLE_EQ(sum_there.fetch(), 4950.0);
  // Many in flight at once, on both workers.
  std::vector<dagger::Task<int>> many;
  for (int i = 0; i < 40; ++i) {
    many.push_back(dagger::spawn({.scope = dagger::Scope::processor(*workers[static_cast<std::size_t>(i % 2)])},
                                 slow_square, i));
  }
  for (int i = 0; i < 40; ++i) EXPECT_EQ(many[static_cast<std::size_t>(i)].fetch(), i * i);
  // A failure there names the worker; its dependent here names the root.
  dagger::Task<int> bad = dagger::spawn(there, fails_on_seven, 7);
  dagger::Task<int> after = dagger::spawn(add1, bad);
  try {
    after.fetch();
    FAIL();
  } catch (const dagger::ThunkError& e) {
    EXPECT_EQ(e.root_thunk_id(), bad.id());
    EXPECT_NE(e.processor().find("worker"), std::string::npos) << e.processor();
    EXPECT_EQ(e.original_message(), "seven is not allowed");
  }
  pid = {};
  v = {};
  sum_here = {};
  sum_there = {};
  many.clear();
  expect_no_chunks_left();
}

// A task running in a worker spawns, fetches, waits and cancels as it would
// in the driver; the driver places what it spawns.
TEST(Distributed, TasksInAWorkerSpawnAndFetchThroughTheDriver) {
  auto& workers = cluster_workers();
  const dagger::Options there{.scope = dagger::Scope::processor(*workers[0])};
  EXPECT_EQ(dagger::spawn(there, spawn_and_sum, 10).fetch(), 285);
  const std::vector<std::int64_t> pids = dagger::spawn(there, children_pids, 16).fetch();
  ASSERT_EQ(pids.size(), 16u);
  for (std::int64_t pid : pids) {
    EXPECT_TRUE(pid == ::getpid() || pid == workers[0]->pid()) << "a child ran in process " << pid;
  }
  EXPECT_EQ(dagger::spawn(there, chained_in_worker, 4).fetch(), 7);
  const std::vector<double> v = dagger::spawn(there, ramp_from_a_child, 1 << 17).fetch();
  ASSERT_EQ(v.size(), std::size_t{1} << 17);
  EXPECT_EQ(v.back(), (1 << 17) - 1);
  EXPECT_EQ(dagger::spawn(there, ready_after_polling, 3).fetch(), 9);

  const std::string failure = dagger::spawn(there, failure_seen_in_worker, 7).fetch();
  EXPECT_NE(failure.find("seven is not allowed"), std::string::npos) << failure;
  const std::string scoped = dagger::spawn(there, scoped_spawn_in_worker, 0).fetch();
  EXPECT_NE(scoped.find("has a scope"), std::string::npos) << scoped;
  const std::string cancelled = dagger::spawn(there, cancelled_in_worker, 0).fetch();
  EXPECT_NE(cancelled.find("was cancelled"), std::string::npos) << cancelled;
  expect_no_chunks_left();
}

// Parents that wait for their children hold every thread of the worker and
// of the driver; the children still run, because a waiting thread runs
// other queued work (Dagger.jl's #282, across processes).
TEST(Distributed, NestedSpawnsFromAWorkerDoNotDeadlock) {
  auto& workers = cluster_workers();
  const dagger::Options there{.scope = dagger::Scope::processor(*workers[1])};
  std::vector<dagger::Task<int>> chains;
  for (int i = 0; i < 4; ++i) chains.push_back(dagger::spawn(there, nested_depth, 6));
  for (auto& chain : chains) EXPECT_EQ(chain.fetch(), 6);
  chains.clear();
  expect_no_chunks_left();
}

// Array operations built from the library's own kernels travel: with only
// workers in the context, every thunk runs in a worker, and the results are
// bit for bit those of one process.
TEST(Distributed, ArraysComputeInWorkersWithIdenticalResults) {
  cluster_workers();
  const dagger::Context here = dagger::Context::only(dagger::ProcKind::cpu());
  std::vector<dagger::Processor*> local;
  for (dagger::Processor* p : here.processors()) {
    if (p->parent() == &dagger::this_process()) local.push_back(p);
  }
  const dagger::Context one_process(local);
  const dagger::Context remote = workers_only();
  auto x = dagger::randn(dagger::Blocks(60, 50), 200, 130, dagger::Seed{5});
  auto y = dagger::rand(dagger::Blocks(60, 50), 200, 130, dagger::Seed{6});
  auto seed_workload = dagger::sum(dagger::pow(x, 2));
  EXPECT_EQ(dagger::collect(remote, seed_workload), dagger::collect(one_process, seed_workload));
  auto chain = dagger::sqrt(dagger::exp(x) * 2.0 + y) - dagger::sin(y);
  EXPECT_EQ(dagger::collect(remote, chain), dagger::collect(one_process, chain));
  EXPECT_EQ(dagger::collect(remote, dagger::maximum(chain)), dagger::collect(one_process, dagger::maximum(chain)));
  EXPECT_EQ(dagger::collect(remote, dagger::sum(chain, 1)), dagger::collect(one_process, dagger::sum(chain, 1)));
  EXPECT_EQ(dagger::collect(remote, dagger::minimum(y, 2)), dagger::collect(one_process, dagger::minimum(y, 2)));
  auto product = dagger::matmul(x, dagger::transpose(y));
  EXPECT_EQ(dagger::collect(remote, product), dagger::collect(one_process, product));
  {  // (the computed arrays' blocks are freed at the end)
    // A transpose read tile by tile: the kernel and which sources it turns travel.
    auto turned = dagger::transpose(dagger::compute(x)) * 2.0 + dagger::transpose(dagger::compute(y));
    EXPECT_EQ(dagger::collect(remote, turned), dagger::collect(one_process, turned));
    EXPECT_EQ(dagger::collect(remote, dagger::sum(turned, 2)), dagger::collect(one_process, dagger::sum(turned, 2)));
    EXPECT_EQ(dagger::collect(remote, dagger::argmax(turned)), dagger::collect(one_process, dagger::argmax(turned)));
    // The transpose of a random array is drawn in the workers' own thunks.
    auto drawn = dagger::transpose(x) - turned;
    EXPECT_EQ(dagger::collect(remote, drawn), dagger::collect(one_process, drawn));
    EXPECT_EQ(dagger::collect(remote, dagger::sum(drawn, 1)), dagger::collect(one_process, dagger::sum(drawn, 1)));
  }
  auto ints = dagger::ones<std::int64_t>(dagger::Blocks(7, 7), 20, 20);
  EXPECT_EQ(dagger::collect(remote, dagger::sum(ints * ints)), 20 * 20 * 20);
  Eigen::MatrixXd m = Eigen::MatrixXd::Random(30, 20);
  auto d = dagger::distribute(dagger::Blocks(8, 8), m);
  EXPECT_EQ(dagger::collect(remote, d * 3.0), dagger::collect(one_process, d * 3.0));
  expect_no_chunks_left();
}

// Every thunk of the statistics, scans and mapreduce can be sent: with only
// workers in the context they run there (a thunk that cannot travel would
// be a NoProcessorError), with the driver's results.
TEST(Distributed, StatisticsScansAndMapreduceComputeInWorkers) {
  cluster_workers();
  const dagger::Context remote = workers_only();
  const dagger::Context here(std::vector<dagger::Processor*>{&dagger::this_process()});
  auto x = dagger::randn(dagger::Blocks(60, 50), 200, 130, dagger::Seed{7});
  auto y = dagger::rand(dagger::Blocks(60, 50), 200, 130, dagger::Seed{8});
  auto chain = x * 2.0 + y;
  EXPECT_EQ(dagger::collect(remote, dagger::var(chain)), dagger::collect(here, dagger::var(chain)));
  EXPECT_EQ(dagger::collect(remote, dagger::std(chain, 1)), dagger::collect(here, dagger::std(chain, 1)));
  EXPECT_EQ(dagger::collect(remote, dagger::var(chain, 2)), dagger::collect(here, dagger::var(chain, 2)));
  EXPECT_EQ(dagger::collect(remote, dagger::findmin(chain)), dagger::collect(here, dagger::findmin(chain)));
  EXPECT_EQ(dagger::collect(remote, dagger::argmax(chain)), dagger::collect(here, dagger::argmax(chain)));
  EXPECT_EQ(dagger::collect(remote, dagger::extrema(chain)), dagger::collect(here, dagger::extrema(chain)));
  EXPECT_EQ(dagger::collect(remote, dagger::cumsum(x, 1)), dagger::collect(here, dagger::cumsum(x, 1)));
  EXPECT_EQ(dagger::collect(remote, dagger::cumprod(y, 2)), dagger::collect(here, dagger::cumprod(y, 2)));
  EXPECT_EQ(dagger::collect(remote, dagger::count(y > 0.5)), dagger::collect(here, dagger::count(y > 0.5)));
  EXPECT_EQ(dagger::collect(remote, dagger::dot(x, y)), dagger::collect(here, dagger::dot(x, y)));
  auto larger = [](double a, double b) { return a < b ? b : a; };
  EXPECT_EQ(dagger::collect(remote, dagger::reduce(larger, x, 1)), dagger::collect(here, dagger::maximum(x, 1)));
  expect_no_chunks_left();
}

// Gathering blocks (cat, re-blocking for an element-wise operation) runs in
// workers.
TEST(Distributed, ConcatenationAndReblockingComputeInWorkers) {
  cluster_workers();
  const dagger::Context remote = workers_only();
  const dagger::Context here(std::vector<dagger::Processor*>{&dagger::this_process()});
  auto x = dagger::rand(dagger::Blocks(40, 30), 120, 90, dagger::Seed{11});
  auto y = dagger::rand(dagger::Blocks(25, 25), 120, 90, dagger::Seed{12});
  EXPECT_EQ(dagger::collect(remote, dagger::vcat(x, y)), dagger::collect(here, dagger::vcat(x, y)));
  EXPECT_EQ(dagger::collect(remote, dagger::hcat(y, x)), dagger::collect(here, dagger::hcat(y, x)));
  EXPECT_EQ(dagger::collect(remote, x + y), dagger::collect(here, x + y));
  // Row blocks to column blocks: through pieces.
  auto rows = dagger::rand(dagger::Blocks(10, 90), 120, 90, dagger::Seed{13});
  auto cols = dagger::rechunk(rows, dagger::Blocks(120, 10));
  EXPECT_EQ(dagger::collect(remote, cols), dagger::collect(here, rows));
  expect_no_chunks_left();
}

// Blocks, element programs and folds of narrow and unsigned integers travel:
// workers give the driver's results.
TEST(Distributed, NarrowAndUnsignedIntegerArraysComputeInWorkers) {
  cluster_workers();
  const dagger::Context remote = workers_only();
  const dagger::Context here(std::vector<dagger::Processor*>{&dagger::this_process()});
  auto a = dagger::rand<std::int8_t>(dagger::Blocks(30, 20), 90, 70, dagger::Seed{13});
  auto b = dagger::rand<std::uint16_t>(dagger::Blocks(30, 20), 90, 70, dagger::Seed{14});
  auto mixed = dagger::times(a, b) - 7;  // int32
  EXPECT_EQ(dagger::collect(remote, mixed), dagger::collect(here, mixed));
  EXPECT_EQ(dagger::collect(remote, dagger::sum(a)), dagger::collect(here, dagger::sum(a)));
  EXPECT_EQ(dagger::collect(remote, dagger::maximum(b, 2)), dagger::collect(here, dagger::maximum(b, 2)));
  auto v = dagger::rand<std::uint32_t>(dagger::Blocks(500), 4000, dagger::Seed{15});
  EXPECT_EQ(dagger::collect(remote, dagger::cumsum(v)), dagger::collect(here, dagger::cumsum(v)));
  EXPECT_EQ(dagger::collect(remote, dagger::argmin(v)), dagger::collect(here, dagger::argmin(v)));
  {
    auto computed = dagger::compute(remote, a + std::int8_t{3});
    EXPECT_EQ(dagger::collect(computed), dagger::collect(here, a + std::int8_t{3}));
  }
  expect_no_chunks_left();
}

// Every step of the sample sort travels: samples, splitters, partitions,
// bucket sorts and the cut of the result, for values and for indices.
TEST(Distributed, SortAndSortpermComputeInWorkers) {
  cluster_workers();
  const dagger::Context remote = workers_only();
  const dagger::Context here(std::vector<dagger::Processor*>{&dagger::this_process()});
  auto v = dagger::randn(dagger::Blocks(700), 5000, dagger::Seed{21});
  auto u = dagger::rand<std::uint8_t>(dagger::Blocks(900), 4000, dagger::Seed{22});
  for (const auto order : {dagger::SortOrder::ascending, dagger::SortOrder::descending}) {
    EXPECT_EQ(dagger::collect(remote, dagger::sort(v, order)), dagger::collect(here, dagger::sort(v, order)));
    EXPECT_EQ(dagger::collect(remote, dagger::sort(u, order)), dagger::collect(here, dagger::sort(u, order)));
    EXPECT_EQ(dagger::collect(remote, dagger::sortperm(v, order)), dagger::collect(here, dagger::sortperm(v, order)));
  }
  auto taken = dagger::take(v, dagger::sortperm(v));
  EXPECT_EQ(dagger::collect(remote, taken), dagger::collect(here, dagger::sort(v)));
  expect_no_chunks_left();
}

// Each chunk is in the memory of the worker that `assignment` names for
// its block of `layout`.
template <class Chunks>
void expect_kept_by_owners(const Chunks& chunks, const dagger::Layout& l, const dagger::Assignment& assignment,
                           const char* what) {
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    const auto* owner = static_cast<dagger::WorkerProc*>(assignment.owner(l, l.grid_row_of(k), l.grid_col_of(k)));
    EXPECT_EQ(&chunks[k].space(), &owner->memory()) << what << " " << k;
  }
}

// Assigned blocks are made by, and stay in, the worker their assignment
// names; what reads them computes the same values as without one.
TEST(Distributed, AssignedBlocksAreMadeInTheirWorkers) {
  auto& workers = cluster_workers();
  const dagger::Context remote = workers_only();
  const dagger::Context here(std::vector<dagger::Processor*>{&dagger::this_process()});
  const auto rows = dagger::Assignment::cyclicrow(workers);
  const auto cols = dagger::Assignment::blockcol(workers);
  auto a = dagger::rand(dagger::Blocks(10, 10), 40, 30, dagger::Seed{31}, rows);
  const Eigen::MatrixXd values = Eigen::MatrixXd::Random(40, 30);
  auto b = dagger::distribute(dagger::Blocks(10, 10), values, cols);
  for (const auto* m : {&a, &b}) {
    const auto& assignment = m == &a ? rows : cols;
    expect_kept_by_owners(dagger::compute(remote, m->block_thunks()), m->layout(), assignment, "block");
  }
  {
    // So are a sparse array's.
    auto s = dagger::sprand(dagger::Blocks(10, 10), 40, 30, 0.2, dagger::Seed{32}, rows);
    expect_kept_by_owners(dagger::compute(remote, s.block_thunks()), s.layout(), rows, "sparse block");
    EXPECT_EQ(Eigen::MatrixXd(dagger::collect(remote, s)),
              Eigen::MatrixXd(dagger::collect(here, dagger::sprand(dagger::Blocks(10, 10), 40, 30, 0.2, dagger::Seed{32}))));
  }
  auto plain = dagger::rand(dagger::Blocks(10, 10), 40, 30, dagger::Seed{31});
  auto plain_b = dagger::distribute(dagger::Blocks(10, 10), values);
  EXPECT_EQ(dagger::collect(remote, a + b), dagger::collect(here, plain + plain_b));
  EXPECT_EQ(dagger::collect(remote, dagger::sum(a)), dagger::collect(here, dagger::sum(plain)));
  // Blocks pinned to workers cannot be made in a context without them.
  EXPECT_THROW(dagger::collect(here, dagger::sum(a)), dagger::NoProcessorError);
  // A loaded array's blocks are read by, and stay in, their workers.
  const auto dir = std::filesystem::temp_directory_path() / ("dagger-assigned-load-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  dagger::compute(here, dagger::save(plain, (dir / "a").string()));
  auto loaded = dagger::load<double>((dir / "a").string(), rows);
  expect_kept_by_owners(dagger::compute(remote, loaded.block_thunks()), loaded.layout(), rows, "loaded block");
  EXPECT_EQ(dagger::collect(remote, loaded), dagger::collect(here, plain));
  std::filesystem::remove_all(dir);
  expect_no_chunks_left();
}

// A save's write tasks travel: a context of workers only writes every
// block in the worker that holds or computes it, a lazy element-wise block
// included. A chain with a user's function cannot travel, so only the
// driver could write it.
TEST(Distributed, SaveInAWorkersOnlyContextWritesInTheWorkers) {
  cluster_workers();
  const dagger::Context remote = workers_only();
  const dagger::Context here(std::vector<dagger::Processor*>{&dagger::this_process()});
  const auto dir = std::filesystem::temp_directory_path() / ("dagger-save-in-workers-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    auto a = dagger::compute(remote, dagger::rand(dagger::Blocks(10, 10), 40, 30, dagger::Seed{51}));
    dagger::compute(remote, dagger::save(a, (dir / "a").string()));
    EXPECT_EQ(dagger::collect(here, dagger::load<double>((dir / "a").string())), dagger::collect(remote, a));
    auto lazy = a * 2.0 + 1.0;
    dagger::compute(remote, dagger::save(lazy, (dir / "lazy").string(), {.order = dagger::Order::C,
                                                                          .compressor = dagger::Compressor::zstd()}));
    EXPECT_EQ(dagger::collect(here, dagger::load<double>((dir / "lazy").string())), dagger::collect(here, lazy));
    auto by_lambda = dagger::map([](double x) { return x + 1.0; }, a);
    EXPECT_THROW(dagger::compute(remote, dagger::save(by_lambda, (dir / "lambda").string())), dagger::NoProcessorError);
    EXPECT_FALSE(std::filesystem::exists(dir / "lambda"));
  }
  std::filesystem::remove_all(dir);
  expect_no_chunks_left();
}

// Indexing, and the tasks of in-place updates (region assignment, fill,
// assign), travel to workers.
TEST(Distributed, IndexingAndInPlaceUpdatesComputeInWorkers) {
  cluster_workers();
  const dagger::Context remote = workers_only();
  const dagger::Context here(std::vector<dagger::Processor*>{&dagger::this_process()});
  auto a = dagger::rand(dagger::Blocks(10, 10), 40, 30, dagger::Seed{41});
  auto b = dagger::randn(dagger::Blocks(7, 7), 15, 30, dagger::Seed{42});
  a(dagger::range(5, 20), dagger::all) = b;
  a({39, 0, 17}, {3, 29}) = -2.0;
  auto v = dagger::zeros<std::int16_t>(dagger::Blocks(6), 40);
  dagger::fill(v, 3);
  v(dagger::range(10, 30)) = dagger::rand<std::int8_t>(dagger::Blocks(9), 20, dagger::Seed{43});
  auto c = dagger::zeros(dagger::Blocks(8, 8), 40, 30);
  dagger::assign(c, a * 2.0);
  EXPECT_EQ(dagger::collect(remote, a), dagger::collect(here, a));
  EXPECT_EQ(dagger::collect(remote, v), dagger::collect(here, v));
  EXPECT_EQ(dagger::collect(remote, c), dagger::collect(here, c));
  EXPECT_EQ(dagger::collect(remote, a({1, 33, 2}, dagger::range(4, 25))), dagger::collect(here, a({1, 33, 2}, dagger::range(4, 25))));
  expect_no_chunks_left();
}

// A stencil's function, a function pointer or a lambda, runs in workers.
TEST(Distributed, StencilsComputeInWorkers) {
  cluster_workers();
  const dagger::Context remote = workers_only();
  const dagger::Context here(std::vector<dagger::Processor*>{&dagger::this_process()});
  auto x = dagger::rand(dagger::Blocks(40, 30), 120, 90, dagger::Seed{9});
  auto by_pointer = dagger::stencil(x, 1, dagger::Wrap, five_point);
  EXPECT_EQ(dagger::collect(remote, by_pointer), dagger::collect(here, by_pointer));
  const double scale = 3;
  auto by_lambda = dagger::stencil(x, 2, dagger::Reflect, [scale](const dagger::Neighbors<double>& v) {
    return scale * v(2, -2) - v(-1, 1);
  });
  EXPECT_EQ(dagger::collect(remote, by_lambda), dagger::collect(here, by_lambda));
  expect_no_chunks_left();
}

// A sweep over blocks that live in workers moves strips: each halo is cut
// where its block lies. Were neighbours' blocks moved instead, 9 blocks
// would pull 8 blocks each (23 MB); the strips are 58 KB. The scheduler may
// still move a block or two when waiting for a busy worker costs more.
TEST(Distributed, AStencilInWorkersMovesHalosNotBlocks) {
  cluster_workers();
  const dagger::Context remote = workers_only();
  const std::size_t block_bytes = 200 * 200 * sizeof(double);
  {
    auto x = dagger::compute(remote, dagger::rand(dagger::Blocks(200, 200), 600, 600, dagger::Seed{10}));
    auto run = dagger::debug_compute(remote, dagger::sum(dagger::stencil(x, 1, dagger::Wrap, five_point)));
    std::size_t moved = 0;
    for (const dagger::Timespan& e : run.events) moved += e.category == dagger::Category::comm ? e.bytes : 0;
    EXPECT_LT(moved, 3 * block_bytes) << moved << " bytes moved for 9 blocks of " << block_bytes;
  }
  expect_no_chunks_left();
}

TEST(Distributed, ArraysSpreadOverTheDriverAndItsWorkers) {
  cluster_workers();
  auto x = dagger::randn(dagger::Blocks(100, 100), 400, 400, dagger::Seed{7});
  const double expected = dagger::collect(dagger::Context(std::vector<dagger::Processor*>{&dagger::this_process()}),
                                          dagger::sum(dagger::pow(x, 2)));
  EXPECT_EQ(dagger::collect(dagger::sum(dagger::pow(x, 2))), expected);  // default context: every process
  // A user's lambda cannot travel: its blocks stay in the driver, the rest
  // may go anywhere.
  auto mapped = dagger::sum(dagger::map([](double e) { return e * e; }, x));
  EXPECT_NEAR(dagger::collect(mapped), expected, 1e-6 * expected);
  expect_no_chunks_left();
}


TEST(Distributed, MovesBetweenProcessesAreCommEvents) {
  auto& workers = cluster_workers();
  auto chunk = dagger::compute(dagger::Context({workers[0]}), dagger::delayed(ramp)(1000));
  auto t = dagger::delayed(total, {.scope = dagger::Scope::processor(*workers[1])})(chunk);
  auto debug = dagger::debug_compute(t);
  std::size_t comm_bytes = 0;
  for (const auto& e : debug.events) comm_bytes += e.category == dagger::Category::comm ? e.bytes : 0;
  EXPECT_EQ(comm_bytes, sizeof(std::vector<double>) + 1000 * sizeof(double));
  EXPECT_DOUBLE_EQ(dagger::collect(debug.chunk), 999.0 * 1000 / 2);
  chunk = {};
  debug = {};
  t = {};  // the thunk holds the chunk it reads
  expect_no_chunks_left();
}

// A peer that sends garbage is dropped and logged; the driver goes on.
TEST(Distributed, AMalformedMessageDropsOnlyItsConnection) {
  cluster_workers();
  const int port = dagger::listen("127.0.0.1");
  std::atomic<bool> lost{false};
  dagger::detail::Transport::Handlers handlers;
  handlers.on_message = [](dagger::detail::ConnectionId, std::string, dagger::detail::Bytes) {};
  handlers.on_lost = [&](dagger::detail::ConnectionId, const std::string&) { lost = true; };
  dagger::detail::Transport rogue(handlers, 1 << 20);
  auto id = rogue.connect("127.0.0.1", port);
  dagger::detail::OutgoingMessage garbage;
  garbage.header = "not a dagger message";
  rogue.send(id, std::move(garbage));
  for (int i = 0; i < 500 && !lost; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(lost);
  EXPECT_EQ(dagger::workers().size(), 2u);
  EXPECT_EQ(dagger::collect(workers_only(), dagger::delayed(add1)(1)), 2);
}


// A chunk in a GPU's memory reaches a worker through the driver's host
// memory (UCX here has no CUDA transport). The GPU is a stand-in whose
// device memory is host memory: the moves run for real, no kernel does.
TEST(Distributed, ADeviceChunkReachesAWorkerThroughHostMemory) {
  cluster_workers();
  auto& gpu = dagger::add_processor(std::make_unique<dagger::CudaProc>(
      dagger::this_process(), dagger::testing::h100(0),
      std::make_unique<dagger::testing::StandInAllocator>(std::size_t{1} << 28, "CudaProc 0 (stand-in H100)")));
  auto host = dagger::compute(dagger::Context({&dagger::this_process()}), dagger::delayed(block_ramp)(1000));
  auto on_device = dagger::compute(
      dagger::Context({&gpu}),
      dagger::delayed(dagger::versions(dagger::impl(dagger::ProcKind::cpu(), same_block),
                                       dagger::impl(dagger::ProcKind::cuda(), same_block)))(host));
  ASSERT_EQ(on_device.space().kind(), dagger::ProcKind::cuda());
  EXPECT_DOUBLE_EQ(dagger::collect(workers_only(), dagger::delayed(block_total)(on_device)), 999.0 * 1000 / 2);
}

int run_worker_by_hand(const std::string& cookie, int port, const char* executable = "/proc/self/exe") {
  std::vector<std::string> args{executable, "--dagger-worker", "127.0.0.1:" + std::to_string(port)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings{"DAGGER_COOKIE=" + cookie};
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawn(&pid, executable, nullptr, nullptr, argv.data(), env.data()) != 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Distributed, AWrongCookieIsRefused) {
  cluster_workers();
  const int port = dagger::listen("127.0.0.1");
  EXPECT_EQ(run_worker_by_hand("not-the-cookie", port), 1);
  EXPECT_EQ(dagger::workers().size(), 2u);
  EXPECT_EQ(dagger::collect(workers_only(), dagger::delayed(add1)(41)), 42);
}


#ifdef DAGGER_OTHER_EXECUTABLE
TEST(Distributed, AnotherExecutableIsRefused) {
  cluster_workers();
  const int port = dagger::listen("127.0.0.1");
  EXPECT_EQ(run_worker_by_hand(dagger::cluster_cookie(), port, DAGGER_OTHER_EXECUTABLE), 1);
  EXPECT_EQ(dagger::workers().size(), 2u);
}
#endif

// A worker that is sent a function its executable does not have drops the
// connection: here the "driver" is a bare transport of this test.
TEST(Distributed, AnUnknownFunctionIsRefusedByTheWorker) {
  using namespace dagger::detail;
  std::atomic<bool> hello{false}, lost{false};
  Transport* self = nullptr;
  Transport::Handlers handlers;
  handlers.on_message = [&](ConnectionId from, std::string header, Bytes body) {
    DecodedMessage m = decode_message(header, body.view());
    if (!std::holds_alternative<Hello>(m.message)) return;
    hello = true;
    self->send(from, encode_message(m.request, Welcome{1}));
    auto call = std::make_shared<WireWriter>();
    call->u64(0x1234567);  // no invoker has this key
    call->pod<std::uint32_t>(0);
    call->string("forged");
    call->u64(0);
    self->send(from, encode_message(MessageType::run, 1, call));
  };
  handlers.on_lost = [&](ConnectionId, const std::string&) { lost = true; };
  Transport fake_driver(handlers, 1 << 20);
  self = &fake_driver;
  const int port = fake_driver.listen("127.0.0.1", 0);
  EXPECT_EQ(run_worker_by_hand("any", port), 1);
  EXPECT_TRUE(hello);
}

TEST(Distributed, AKilledWorkerIsRecomputedElsewhere) {
  auto& workers = cluster_workers();
  std::vector<dagger::Thunk<int>> squares;
  for (int i = 0; i < 40; ++i) squares.push_back(dagger::delayed(slow_square)(i));
  auto sum = dagger::delayed([](const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), 0); })(squares);
  std::thread killer([pid = workers[1]->pid()] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    ::kill(static_cast<pid_t>(pid), SIGKILL);
  });
  const auto start = std::chrono::steady_clock::now();
  const int got = dagger::collect(workers_only(), sum);
  killer.join();
  EXPECT_EQ(got, 39 * 40 * 79 / 6);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_TRUE(workers[1]->lost());
  EXPECT_EQ(dagger::workers().size(), 1u);
}

// A worker that stops answering (stopped here with SIGSTOP: alive, its
// connection open) is lost after the worker timeout; its tasks run on the
// other worker, and it is killed.
TEST(Distributed, AHungWorkerIsLostAndItsWorkRunsElsewhere) {
  auto& workers = cluster_workers();
  dagger::set_worker_timeout(std::chrono::seconds(2));
  std::vector<dagger::Thunk<int>> squares;
  for (int i = 0; i < 40; ++i) squares.push_back(dagger::delayed(slow_square)(i));
  auto sum = dagger::delayed([](const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), 0); })(squares);
  const auto pid = static_cast<pid_t>(workers[1]->pid());
  std::thread stopper([pid] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    ::kill(pid, SIGSTOP);
  });
  const auto start = std::chrono::steady_clock::now();
  const int got = dagger::collect(workers_only(), sum);
  stopper.join();
  const auto took = std::chrono::steady_clock::now() - start;
  dagger::set_worker_timeout(std::chrono::seconds(60));
  EXPECT_EQ(got, 39 * 40 * 79 / 6);
  EXPECT_GE(took, std::chrono::seconds(2));  // it waited for the timeout, not less
  EXPECT_LT(took, std::chrono::seconds(30));
  EXPECT_TRUE(workers[1]->lost());
  EXPECT_EQ(dagger::workers().size(), 1u);
  // Killed: it is not left stopped behind.
  siginfo_t info{};
  EXPECT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED), 0);
  EXPECT_EQ(info.si_status, SIGKILL);
}

// A worker whose only thread runs one long task still answers the
// heartbeats: it is not taken for hung.
TEST(Distributed, AWorkerBusyWithALongTaskIsNotTakenForHung) {
  auto& workers = cluster_workers();
  dagger::set_worker_timeout(std::chrono::seconds(2));
  auto long_task = dagger::delayed([] {
    std::this_thread::sleep_for(std::chrono::seconds(5));
    return 7;
  });
  std::vector<dagger::Thunk<int>> tasks;
  for (int t = 0; t < workers[0]->threads(); ++t) tasks.push_back(long_task());
  const auto values = dagger::collect(dagger::Context({workers[0]}), tasks);
  dagger::set_worker_timeout(std::chrono::seconds(60));
  for (int v : values) EXPECT_EQ(v, 7);
  EXPECT_FALSE(workers[0]->lost());
  EXPECT_EQ(dagger::workers().size(), 2u);
}

TEST(Distributed, AWorkerTimeoutMustBePositive) {
  EXPECT_THROW(dagger::set_worker_timeout(std::chrono::milliseconds(0)), dagger::UsageError);
  EXPECT_EQ(dagger::worker_timeout(), std::chrono::seconds(60));
}

// A block pinned to a worker that died has nowhere to be made: a typed
// error naming its thunk, and the rest of the runtime goes on.
TEST(Distributed, ABlockPinnedToALostWorkerIsWorkerLost) {
  auto& workers = cluster_workers();
  auto a = dagger::ones(dagger::Blocks(10, 10), 40, 30, dagger::Assignment::cyclicrow(workers));
  ::kill(static_cast<pid_t>(workers[1]->pid()), SIGKILL);
  for (int i = 0; i < 500 && !workers[1]->lost(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(workers[1]->lost());
  try {
    dagger::collect(dagger::sum(a));
    FAIL();
  } catch (const dagger::WorkerLost& e) {
    EXPECT_NE(std::string(e.what()).find("(ones)"), std::string::npos) << e.what();
  }
  auto b = dagger::ones(dagger::Blocks(10, 10), 40, 30, dagger::Assignment::cyclicrow(dagger::workers()));
  EXPECT_EQ(dagger::collect(dagger::sum(b)), 1200.0);
}

// Recovery recomputes only what the lost worker held: results made in the
// driver and on the surviving worker are carried into the next attempt.
std::atomic<int> leaf_runs{0};

// Eager tasks on a worker that dies run again on the other one.
TEST(Distributed, EagerTasksOfAKilledWorkerRunElsewhere) {
  auto& workers = cluster_workers();
  const dagger::Options either{.scope = dagger::Scope::processors({workers[0], workers[1]})};
  std::vector<dagger::Task<int>> squares;
  for (int i = 0; i < 40; ++i) squares.push_back(dagger::spawn(either, slow_square, i));
  std::thread killer([pid = workers[1]->pid()] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    ::kill(static_cast<pid_t>(pid), SIGKILL);
  });
  killer.join();
  int total = 0;
  for (auto& t : squares) {
    try {
      total += t.fetch();
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_EQ(total, 39 * 40 * 79 / 6);
  EXPECT_TRUE(workers[1]->lost());
  // The worker left goes on taking tasks.
  dagger::Task<int> there = dagger::spawn({.scope = dagger::Scope::processor(*workers[0])}, add1, 1);
  EXPECT_EQ(there.fetch(), 2);
}

TEST(Distributed, AfterALostWorkerOnlyWhatItHeldIsComputedAgain) {
  auto& workers = cluster_workers();
  // A std::function cannot travel: the leaves run in the driver, and count.
  std::function<int(int)> counted = [](int v) {
    ++leaf_runs;
    return v;
  };
  const dagger::Options on_workers{.scope = dagger::Scope::processors({workers[0], workers[1]})};
  std::vector<dagger::Thunk<int>> doubled;
  for (int i = 0; i < 8; ++i) {
    auto leaf = dagger::delayed([counted](int v) { return counted(v); })(i);
    doubled.push_back(dagger::delayed(slow_double, on_workers)(leaf));
  }
  auto sum = dagger::delayed([](const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), 0); })(doubled);
  std::thread killer([pid = workers[1]->pid()] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // while every worker thread is in slow_double
    ::kill(static_cast<pid_t>(pid), SIGKILL);
  });
  const int got = dagger::collect(sum);
  killer.join();
  EXPECT_EQ(got, 2 * 28);
  EXPECT_TRUE(workers[1]->lost());
  EXPECT_EQ(leaf_runs.load(), 8);  // not one leaf computed twice
}

TEST(Distributed, LosingEveryWorkerIsWorkerLost) {
  auto& workers = cluster_workers();
  dagger::Context only_workers = workers_only();
  for (dagger::WorkerProc* w : workers) ::kill(static_cast<pid_t>(w->pid()), SIGKILL);
  for (dagger::WorkerProc* w : workers) {
    for (int i = 0; i < 500 && !w->lost(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(w->lost()) << w->name();
  }
  EXPECT_THROW(dagger::collect(only_workers, dagger::delayed(add1)(1)), dagger::WorkerLost);
  // The driver's own processors still work.
  EXPECT_EQ(dagger::collect(dagger::delayed(add1)(1)), 2);
}


int threads_of_this_process() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// Lazy and eager work on every thread of every worker; the pids that ran it.
std::set<std::int64_t> work_on_every_worker_thread() {
  std::set<std::int64_t> pids;
  const dagger::Context there = workers_only();
  const int n = 16 * static_cast<int>(there.processors().size());
  std::vector<dagger::Thunk<std::int64_t>> lazy;
  for (int i = 0; i < n; ++i) lazy.push_back(dagger::delayed(pid_after_a_while)(i));
  for (std::int64_t pid : dagger::collect(there, lazy)) pids.insert(pid);
  std::vector<dagger::Task<std::int64_t>> eager;
  for (dagger::Processor* p : there.processors()) {
    for (int i = 0; i < 4; ++i) eager.push_back(dagger::spawn({.scope = dagger::Scope::processor(*p)}, pid_after_a_while, i));
  }
  for (std::int64_t pid : dagger::fetch(eager)) pids.insert(pid);
  return pids;
}

// Worker processors take a task and report its end through a callback: the
// driver keeps no thread per worker thread, so adding workers adds none.
TEST(Distributed, TheDriversThreadCountDoesNotGrowWithItsWorkers) {
  const std::size_t before = dagger::workers().size();
  dagger::add_local_workers(1);
  EXPECT_EQ(work_on_every_worker_thread().size(), before + 1);
  const int with_few = threads_of_this_process();
  const auto added = dagger::add_local_workers(3);
  ASSERT_EQ(added.size(), 3u);
  int worker_threads = 0;
  for (dagger::WorkerProc* w : dagger::workers()) worker_threads += w->threads();
  EXPECT_GE(worker_threads, 4);
  EXPECT_EQ(work_on_every_worker_thread().size(), before + 4);
  EXPECT_EQ(threads_of_this_process(), with_few) << worker_threads << " worker threads";
  dagger::shutdown_workers();
}

// The fault test: in 20 runs of an array computation a random
// worker is killed at a random time; every result is right, and no run
// hangs.
TEST(Distributed, TwentyRunsEachLosingARandomWorker) {
  std::mt19937 random(2024);
  const dagger::Context here(std::vector<dagger::Processor*>{&dagger::this_process()});
  for (int run = 0; run < 20; ++run) {
    auto workers = dagger::add_local_workers(2);
    auto x = dagger::randn(dagger::Blocks(150, 150), 600, 600, dagger::Seed{static_cast<std::uint64_t>(run)});
    auto work = dagger::sum(dagger::pow(x, 2) + dagger::matmul(x, dagger::transpose(x)));
    const double expected = dagger::collect(here, work);
    dagger::WorkerProc* victim = workers[random() % 2];
    const auto delay = std::chrono::milliseconds(random() % 120);
    std::thread killer([victim, delay] {
      std::this_thread::sleep_for(delay);
      ::kill(static_cast<pid_t>(victim->pid()), SIGKILL);
    });
    const auto start = std::chrono::steady_clock::now();
    double got = 0;
    try {
      got = dagger::collect(dagger::Context({workers[0], workers[1]}), work);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "run " << run << ": " << e.what();
    }
    killer.join();
    EXPECT_EQ(got, expected) << "run " << run;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60)) << "run " << run;
    dagger::shutdown_workers();
  }
}

}  // namespace

int main(int argc, char** argv) {
  dagger::init(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
