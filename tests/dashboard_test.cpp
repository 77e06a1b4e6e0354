// The dashboard as a user meets it: its server on loopback (and on every
// interface, with its token), the JSON it streams after real computations,
// eager tasks, failures, spills and real worker processes, the page loaded
// in headless Chromium, and the report file opened in the same browser.
// dagger (Eigen) before httplib.h, whose <resolv.h> defines the macro _res.
#include "dagger/array.hpp"
#include "dagger/dagger.hpp"
#include "dagger/dashboard.hpp"
#include "dagger/distributed.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

using nlohmann::json;

int main(int argc, char** argv) {
  dagger::init(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// Task functions: exported, so the page names them and workers run them.
int dashboard_square(int v) { return v * v; }
int dashboard_slow_square(int v) {
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return v * v;
}
int dashboard_sum(const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), 0); }
int dashboard_increment(int v) { return v + 1; }
int dashboard_throws(int) { throw std::runtime_error("boom in dashboard_throws"); }

namespace {

httplib::Result get(const dagger::Dashboard& dash, const std::string& path) {
  httplib::Client client("127.0.0.1", dash.port());
  client.set_read_timeout(std::chrono::seconds(5));
  return client.Get(path.c_str());
}

std::string with_token(const dagger::Dashboard& dash, const std::string& path) {
  return dash.token().empty() ? path : path + "?token=" + dash.token();
}

json state_of(const dagger::Dashboard& dash) {
  auto r = get(dash, with_token(dash, "/api/state"));
  if (!r || r->status != 200) return json();
  return json::parse(r->body);
}

// Polls the snapshot until `ready` holds (the sampler ticks every 250 ms).
json wait_for(const dagger::Dashboard& dash, const std::function<bool(const json&)>& ready,
              std::chrono::seconds timeout = std::chrono::seconds(15)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json s;
  while (std::chrono::steady_clock::now() < deadline) {
    s = state_of(dash);
    if (!s.is_null() && ready(s)) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "the dashboard never showed what was expected; last state: " << s.dump().substr(0, 4000);
  return s;
}

std::string function_name(const json& s, const json& fn) {
  const int i = fn.get<int>();
  return i < 0 ? std::string() : s["functions"][static_cast<std::size_t>(i)].get<std::string>();
}

// The progress row of `function` in computation `c`, or null.
const json* progress_row(const json& s, const json& c, const std::string& function) {
  for (const json& f : c["functions"]) {
    if (function_name(s, f["fn"]) == function) return &f;
  }
  return nullptr;
}

const json* computation_with(const json& s, const std::string& kind, const std::string& function,
                             const std::string& status) {
  for (const json& c : s["computations"]) {
    if (c["kind"] == kind && c["status"] == status && progress_row(s, c, function)) return &c;
  }
  return nullptr;
}

std::filesystem::path browser_dir() { return std::filesystem::path(DAGGER_SOURCE_DIR) / "tests" / "browser"; }
std::filesystem::path output_dir() {
  std::filesystem::path dir = std::filesystem::path(DAGGER_BINARY_DIR) / "dashboard";
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST(Dashboard, ServesThePageAndItsFilesFromTheBinary) {
  dagger::Dashboard dash("127.0.0.1:0");
  EXPECT_GT(dash.port(), 0);
  EXPECT_TRUE(dash.token().empty());
  EXPECT_EQ(dash.url(), "http://127.0.0.1:" + std::to_string(dash.port()) + "/");
  auto page = get(dash, "/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("dashboard.js"), std::string::npos);
  EXPECT_EQ(page->body.find("dagger:head"), std::string::npos);
  for (const char* file : {"/dashboard.js", "/dashboard.css", "/uPlot.iife.min.js", "/uPlot.min.css"}) {
    auto r = get(dash, file);
    ASSERT_TRUE(r) << file;
    EXPECT_EQ(r->status, 200) << file;
    EXPECT_GT(r->body.size(), 1000u) << file;
  }
  auto missing = get(dash, "/nothing.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

// One graph is handed over per sampler tick: the first small computation to
// start in a tick gives it at once, and one that starts later in the same
// tick gives it from its tasks once the tick has passed. So a long
// computation started just after a stream of tiny ones is still drawn.
TEST(Dashboard, DrawsTheGraphOfALongComputationStartedJustAfterTinyOnes) {
  dagger::Dashboard dash("127.0.0.1:0");
  for (int i = 0; i < 200; ++i) EXPECT_EQ(dagger::collect(dagger::delayed(dashboard_increment)(i)), i + 1);
  std::vector<dagger::Thunk<int>> slow;
  for (int i = 0; i < 60; ++i) slow.push_back(dagger::delayed(dashboard_slow_square)(i));
  auto running = std::async(std::launch::async, [&] { return dagger::collect(dagger::delayed(dashboard_sum)(slow)); });
  const json s = wait_for(dash, [](const json& s) {
    return s["graph"].is_object() && s["graph"]["nodes"].size() == 61u;
  });
  EXPECT_EQ(running.get(), 59 * 60 * 119 / 6);
  ASSERT_TRUE(s["graph"].is_object());
  EXPECT_EQ(s["graph"]["nodes"].size(), 61u);
}

TEST(Dashboard, ShowsAComputationsProgressByFunctionAndItsGraph) {
  dagger::Dashboard dash("127.0.0.1:0");
  std::vector<dagger::Thunk<int>> squares;
  for (int i = 0; i < 50; ++i) squares.push_back(dagger::delayed(dashboard_square)(i));
  EXPECT_EQ(dagger::collect(dagger::delayed(dashboard_sum)(squares)), 49 * 50 * 99 / 6);
  const json s = wait_for(dash, [](const json& s) {
    return computation_with(s, "compute", "dashboard_sum", "done") != nullptr;
  });
  const json* c = computation_with(s, "compute", "dashboard_square", "done");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*progress_row(s, *c, "dashboard_square"))["done"], 50);
  EXPECT_EQ((*progress_row(s, *c, "dashboard_square"))["total"], 50);
  EXPECT_EQ((*progress_row(s, *c, "dashboard_sum"))["done"], 1);
  EXPECT_GE(s["tasks_total"].get<int>(), 51);
  std::size_t compute_spans = 0;
  for (const json& span : s["spans"]) compute_spans += span[2] == 0;
  EXPECT_GE(compute_spans, 51u);
  ASSERT_TRUE(s["graph"].is_object());
  EXPECT_EQ(s["graph"]["nodes"].size(), 51u);
  std::size_t edges = 0;
  for (const json& node : s["graph"]["nodes"]) edges += node[2].size();
  EXPECT_EQ(edges, 50u);  // every square feeds the sum
  ASSERT_FALSE(s["memory"].empty());
  EXPECT_EQ(s["memory"][0]["process"], "driver");
  EXPECT_EQ(s["memory"][0]["limit"].get<std::uint64_t>(), dagger::memory_stats().limit);
}

// Far more tasks than the stream times (2,000 per thread per tick): the
// rest are counted in batches, and every one of them reaches the progress.
TEST(Dashboard, CountsEveryTaskOfALargeComputationThoughItTimesOnlySome) {
  dagger::Dashboard dash("127.0.0.1:0");
  constexpr int n = 30000;
  std::vector<dagger::Thunk<int>> parts;
  for (int i = 0; i < n; ++i) {
    auto square = dagger::delayed(dashboard_square)(i % 10);
    parts.push_back(i % 2 ? dagger::delayed(dashboard_increment)(square) : square);
  }
  EXPECT_EQ(dagger::collect(dagger::delayed(dashboard_sum)(parts)), n / 10 * 285 + n / 2);
  const json s = wait_for(dash, [](const json& s) {
    return computation_with(s, "compute", "dashboard_sum", "done") != nullptr;
  });
  const json* c = computation_with(s, "compute", "dashboard_increment", "done");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*progress_row(s, *c, "dashboard_square"))["done"], n);
  EXPECT_EQ((*progress_row(s, *c, "dashboard_square"))["total"], n);
  EXPECT_EQ((*progress_row(s, *c, "dashboard_increment"))["done"], n / 2);
  EXPECT_EQ((*progress_row(s, *c, "dashboard_increment"))["total"], n / 2);
  EXPECT_EQ((*progress_row(s, *c, "dashboard_sum"))["done"], 1);
  EXPECT_GE(s["tasks_total"].get<int>(), n + n / 2 + 1);
}

TEST(Dashboard, ShowsAFailedTaskWithItsError) {
  dagger::Dashboard dash("127.0.0.1:0");
  EXPECT_THROW(dagger::collect(dagger::delayed(dashboard_throws)(1)), dagger::ThunkError);
  const json s = wait_for(dash, [](const json& s) {
    return computation_with(s, "compute", "dashboard_throws", "failed") != nullptr && !s["failures"].empty();
  });
  const json* c = computation_with(s, "compute", "dashboard_throws", "failed");
  ASSERT_NE(c, nullptr);
  EXPECT_NE((*c)["error"].get<std::string>().find("boom in dashboard_throws"), std::string::npos);
  EXPECT_EQ((*progress_row(s, *c, "dashboard_throws"))["failed"], 1);
  EXPECT_EQ(s["failures"][0]["function"], "dashboard_throws");
  EXPECT_NE(s["failures"][0]["error"].get<std::string>().find("boom"), std::string::npos);
  // The runtime is still usable, and the dashboard still follows it.
  EXPECT_EQ(dagger::collect(dagger::delayed(dashboard_square)(7)), 49);
}

TEST(Dashboard, GroupsSpawnedTasksAndCountsTheirFailures) {
  dagger::Dashboard dash("127.0.0.1:0");
  std::vector<dagger::Task<int>> tasks;
  for (int i = 0; i < 100; ++i) tasks.push_back(dagger::spawn(dashboard_square, i));
  auto bad = dagger::spawn(dashboard_throws, 0);
  int total = 0;
  for (auto& t : tasks) total += t.fetch();
  EXPECT_EQ(total, 99 * 100 * 199 / 6);
  EXPECT_THROW(bad.fetch(), dagger::ThunkError);
  const json s = wait_for(dash, [](const json& s) {
    for (const json& c : s["computations"]) {
      const json* row = progress_row(s, c, "dashboard_square");
      if (c["kind"] == "spawn" && c["status"] != "running" && row && (*row)["done"] == 100) return true;
    }
    return false;
  });
  for (const json& c : s["computations"]) {
    if (c["kind"] != "spawn") continue;
    EXPECT_EQ(c["status"], "failed");  // one of its tasks threw
    const json* squares = progress_row(s, c, "dashboard_square");
    const json* throws = progress_row(s, c, "dashboard_throws");
    ASSERT_TRUE(squares && throws) << c.dump();
    EXPECT_EQ((*squares)["total"], 100);
    EXPECT_EQ((*throws)["failed"], 1);
    EXPECT_LE(c["started"].get<double>(), c["finished"].get<double>());
  }
  bool named = false;
  for (const json& f : s["failures"]) named = named || f["function"] == "dashboard_throws";
  EXPECT_TRUE(named);
}

TEST(Dashboard, ShowsSpillsAsTheirOwnSpans) {
  const dagger::Config before = dagger::config();
  dagger::Config small = before;
  small.memory_limit = 4u << 20;  // 4 MiB, for a 32 MiB array
  dagger::configure(small);
  {
    dagger::Dashboard dash("127.0.0.1:0");
    auto x = dagger::compute(dagger::ones<double>(dagger::Blocks(256, 256), 2048, 2048));
    EXPECT_EQ(dagger::collect(dagger::sum(x)), 2048.0 * 2048.0);
    const json s = wait_for(dash, [](const json& s) {
      for (const json& span : s["spans"]) {
        if (span[2] == 3) return !s["memory"].empty() && s["memory"][0]["spills"].get<int>() > 0;
      }
      return false;
    });
    EXPECT_EQ(s["memory"][0]["limit"].get<std::uint64_t>(), 4u << 20);
    EXPECT_GT(s["memory"][0]["spilled"].get<std::uint64_t>(), 0u);  // x's blocks wait on disk
  }
  dagger::configure(before);
}

TEST(Dashboard, AnotherAddressThanLoopbackNeedsTheToken) {
  dagger::Dashboard dash("0.0.0.0:0");
  ASSERT_EQ(dash.token().size(), 32u);
  EXPECT_NE(dash.url().find("?token=" + dash.token()), std::string::npos);
  for (const char* path : {"/", "/api/state", "/events", "/dashboard.js"}) {
    auto refused = get(dash, path);
    ASSERT_TRUE(refused) << path;
    EXPECT_EQ(refused->status, 403) << path;
    auto wrong = get(dash, std::string(path) + "?token=" + std::string(32, '0'));
    ASSERT_TRUE(wrong) << path;
    EXPECT_EQ(wrong->status, 403) << path;
  }
  auto page = get(dash, with_token(dash, "/"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_FALSE(state_of(dash).is_null());
}

TEST(Dashboard, RefusesABadAddressABusyPortAndASecondDashboard) {
  EXPECT_THROW(dagger::Dashboard("127.0.0.1"), dagger::UsageError);
  EXPECT_THROW(dagger::Dashboard("127.0.0.1:http"), dagger::UsageError);
  EXPECT_THROW(dagger::Dashboard("127.0.0.1:70000"), dagger::UsageError);
  dagger::Dashboard dash("127.0.0.1:0");
  try {
    dagger::Dashboard second("127.0.0.1:0");
    ADD_FAILURE() << "a second dashboard started";
  } catch (const dagger::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("already running"), std::string::npos);
  }
  // The first still serves.
  auto r = get(dash, "/api/state");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(Dashboard, ABusyPortIsAnError) {
  const int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(holder, 1), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int port = ntohs(address.sin_port);
  EXPECT_THROW(dagger::Dashboard("127.0.0.1:" + std::to_string(port)), dagger::Error);
  ::close(holder);
  dagger::Dashboard after("127.0.0.1:0");  // the failed one left nothing behind
  EXPECT_GT(after.port(), 0);
}

TEST(Dashboard, ShowsWorkersTheirMemoryTransfersAndALostOne) {
  dagger::Dashboard dash("127.0.0.1:0");
  std::vector<dagger::WorkerProc*> workers = dagger::add_local_workers(2);
  std::vector<dagger::Processor*> procs(workers.begin(), workers.end());
  std::vector<dagger::Thunk<int>> squares;
  for (int i = 0; i < 20; ++i) squares.push_back(dagger::delayed(dashboard_square)(i));
  EXPECT_EQ(dagger::collect(dagger::Context(procs), dagger::delayed(dashboard_sum)(squares)), 19 * 20 * 39 / 6);
  json s = wait_for(dash, [&](const json& s) {
    int with_memory = 0;
    for (const json& m : s["memory"]) with_memory += m["process"] == workers[0]->name() || m["process"] == workers[1]->name();
    return s["workers"].size() == 2 && with_memory == 2;
  });
  for (std::size_t i = 0; i < 2; ++i) {
    const json& w = s["workers"][i];
    EXPECT_EQ(w["state"], "joined");
    EXPECT_EQ(w["name"], workers[i]->name());
    EXPECT_EQ(w["pid"].get<std::int64_t>(), workers[i]->pid());
    EXPECT_EQ(w["threads"].get<int>(), workers[i]->threads());
    EXPECT_GT(w["sent_bytes"].get<std::uint64_t>(), 0u);
    EXPECT_GT(w["received_bytes"].get<std::uint64_t>(), 0u);
  }
  for (const json& m : s["memory"]) {
    if (m["process"] == workers[0]->name()) {
      EXPECT_EQ(m["limit"].get<std::uint64_t>(), dagger::memory_stats(*workers[0]).limit);
    }
  }
  ::kill(static_cast<pid_t>(workers[1]->pid()), SIGKILL);
  // A killed worker is seen when its connection times out.
  s = wait_for(
      dash, [](const json& s) { return s["workers"].size() == 2 && s["workers"][1]["state"] == "lost"; },
      std::chrono::seconds(90));
  EXPECT_FALSE(s["workers"][1]["reason"].get<std::string>().empty());
  EXPECT_EQ(s["workers"][0]["state"], "joined");
}

// ---------------------------------------------------------------- in a real browser

namespace {

std::atomic<bool> gate_open{false};

// The lines a browser script prints, read as they come.
class Script {
 public:
  explicit Script(const std::string& command) : pipe_(::popen(command.c_str(), "r")) {}
  ~Script() {
    if (pipe_) ::pclose(pipe_);
  }
  json next_line() {
    char line[1 << 16];
    if (!pipe_ || std::fgets(line, sizeof line, pipe_) == nullptr) return json{{"event", "eof"}};
    return json::parse(line, nullptr, false);
  }
  int finish() {
    const int status = ::pclose(pipe_);
    pipe_ = nullptr;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  FILE* pipe_;
};

std::string node_command(const std::string& script, const std::string& a, const std::string& b) {
  return "node '" + (browser_dir() / script).string() + "' '" + a + "' '" + b + "'";
}

}  // namespace

// Tasks that wait until the test has seen the page show them running.
int dashboard_gated(int v) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!gate_open.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return v;
}

TEST(DashboardInBrowser, TheStreamProgressMemoryAndWorkerPanelsShowWhatTheRuntimeReports) {
  ASSERT_TRUE(std::filesystem::exists(browser_dir() / "node_modules" / "playwright-core"))
      << "run scripts/setup.sh: it installs the browser checks' playwright-core";
  dagger::Dashboard dash("127.0.0.1:0");
  std::vector<dagger::WorkerProc*> workers = dagger::add_local_workers(2);
  std::vector<dagger::Processor*> procs(workers.begin(), workers.end());
  std::vector<dagger::Thunk<int>> on_workers;
  for (int i = 0; i < 20; ++i) on_workers.push_back(dagger::delayed(dashboard_slow_square)(i));
  EXPECT_EQ(dagger::collect(dagger::Context(procs), dagger::delayed(dashboard_sum)(on_workers)), 19 * 20 * 39 / 6);

  // A computation in the driver that waits for the page.
  std::vector<dagger::Thunk<int>> gated;
  for (int i = 0; i < 40; ++i) gated.push_back(dagger::delayed(dashboard_gated)(i));
  std::vector<dagger::Processor*> driver_threads;
  for (dagger::Processor* p : dagger::all_processors()) {
    if (p->executes() && p->parent() == &dagger::this_process()) driver_threads.push_back(p);
  }
  auto waiting = std::async(std::launch::async, [&] {
    return dagger::collect(dagger::Context(driver_threads), dagger::delayed(dashboard_sum)(gated));
  });

  const std::filesystem::path shots = output_dir();
  Script browser(node_command("check_dashboard.mjs", dash.url(), shots.string()) + " 2>&1");
  const json running = browser.next_line();
  gate_open.store(true);
  ASSERT_EQ(running["event"], "running") << running.dump();
  EXPECT_LT(running["done"].get<int>(), running["total"].get<int>());
  EXPECT_EQ(waiting.get(), 39 * 40 / 2);

  const json done = browser.next_line();
  ASSERT_EQ(done["event"], "done") << done.dump();
  EXPECT_EQ(browser.finish(), 0);
  // Tasks in the stream: the 21 on the workers and the 41 in the driver.
  EXPECT_GE(done["tasks"].get<int>(), 62);
  EXPECT_GT(done["transfers"].get<int>(), 0);  // inputs and results moved between processes
  bool gated_done = false;
  for (const json& c : done["computations"]) {
    EXPECT_EQ(c["status"], "done");
    gated_done = gated_done || (c["done"] == 41 && c["total"] == 41);
  }
  EXPECT_TRUE(gated_done) << done.dump();
  bool driver_row = false;
  for (const json& m : done["memory"]) {
    if (m["process"] != "driver") continue;
    driver_row = true;
    EXPECT_EQ(m["limit"].get<std::uint64_t>(), dagger::memory_stats().limit);
  }
  EXPECT_TRUE(driver_row) << done.dump();
  ASSERT_EQ(done["workers"].size(), 2u) << done.dump();
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(done["workers"][i]["name"], workers[i]->name());
    EXPECT_EQ(done["workers"][i]["state"], "joined");
  }
  EXPECT_EQ(done["graph_nodes"], 41);  // the latest small computation
  EXPECT_EQ(done["graph_done"], 41);
  for (const char* shot : {"dashboard.png", "stream.png", "progress.png", "memory.png", "workers.png", "graph.png"}) {
    EXPECT_GT(std::filesystem::file_size(shots / shot), 1000u) << shot;
  }
}

TEST(Report, OpensInTheBrowserWithTheTaskCountOfItsEvents) {
  ASSERT_TRUE(std::filesystem::exists(browser_dir() / "node_modules" / "playwright-core"))
      << "run scripts/setup.sh: it installs the browser checks' playwright-core";
  std::vector<dagger::Thunk<int>> squares;
  for (int i = 0; i < 30; ++i) squares.push_back(dagger::delayed(dashboard_square)(i));
  auto result = dagger::debug_compute(dagger::delayed(dashboard_sum)(squares));
  std::size_t tasks = 0;
  for (const dagger::Timespan& e : result.events) tasks += e.category == dagger::Category::compute;
  ASSERT_EQ(tasks, 31u);
  const std::filesystem::path file = output_dir() / "report.html";
  dagger::write_report(result.events, file);
  std::ifstream in(file);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("window.DAGGER_REPORT"), std::string::npos);
  EXPECT_EQ(html.find("src=\""), std::string::npos);  // nothing loaded from elsewhere

  Script browser(node_command("check_report.mjs", file.string(), (output_dir() / "report.png").string()) + " 2>&1");
  const json shown = browser.next_line();
  ASSERT_EQ(shown["event"], "report") << shown.dump();
  EXPECT_EQ(browser.finish(), 0);
  EXPECT_EQ(shown["tasks"].get<std::size_t>(), tasks);
  std::vector<std::string> functions = shown["functions"];
  EXPECT_NE(std::find(functions.begin(), functions.end(), "dashboard_square"), functions.end()) << shown.dump();
  EXPECT_NE(std::find(functions.begin(), functions.end(), "dashboard_sum"), functions.end()) << shown.dump();
}

TEST(Report, AFileThatCannotBeWrittenIsAStorageErrorNamingIt) {
  auto result = dagger::debug_compute(dagger::delayed(dashboard_square)(3));
  try {
    dagger::write_report(result.events, "/nonexistent-directory/report.html");
    ADD_FAILURE() << "wrote into a directory that does not exist";
  } catch (const dagger::StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-directory/report.html"), std::string::npos);
  }
}
