// Worker processes: the overhead of tiny tasks spread over 2 local workers,
// the bandwidth of moving 4 MiB and 64 MiB chunks between two processes
// against ucx_perftest on the same machine in the same run (its active
// message bandwidth test, over shared memory and over tcp, the transport
// dagger's peer-checked endpoints use), and the seed's sum(pow(x, 2)) on 2
// workers against one process. Medians of the repetitions.
//
// It also times a cold start: a fresh process that starts 2 local workers,
// runs one task on them and shuts them down (each repetition a new process).
//
// Usage: bench_distributed [repetitions] [startup|tiny|moves|seed]   (default: all)
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dagger/array.hpp"
#include "dagger/dagger.hpp"
#include "dagger/distributed.hpp"

int add1(int v) { return v + 1; }

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

dagger::Context context_of(const std::vector<dagger::Processor*>& processors) { return dagger::Context(processors); }

std::vector<dagger::Processor*> worker_procs() {
  std::vector<dagger::Processor*> out;
  for (dagger::WorkerProc* w : dagger::workers()) out.push_back(w);
  return out;
}

double per_task_us(const dagger::Context& context, int tasks) {
  std::vector<dagger::Thunk<int>> thunks;
  thunks.reserve(static_cast<std::size_t>(tasks));
  for (int i = 0; i < tasks; ++i) thunks.push_back(dagger::delayed(add1)(i));
  const auto start = Clock::now();
  auto values = dagger::collect(context, thunks);
  const double s = seconds_since(start);
  if (values.back() != tasks) std::abort();
  return s / tasks * 1e6;
}

// ucx_perftest's active-message bandwidth for one message size, in GB/s;
// 0 when it cannot run.
double ucx_perftest_gbps(std::size_t bytes, const char* tls) {
  const int port = 13000 + static_cast<int>(::getpid() % 1000);
  std::ostringstream env;
  if (tls != nullptr) env << "UCX_TLS=" << tls << " ";
  std::ostringstream server, client;
  server << env.str() << "ucx_perftest -p " << port << " >/dev/null 2>&1 &";
  client << env.str() << "ucx_perftest 127.0.0.1 -p " << port << " -t ucp_am_bw -s " << bytes
         << " -n 40 -w 4 2>/dev/null | grep Final:";
  if (std::system(server.str().c_str()) != 0) return 0;
  ::usleep(500'000);
  FILE* out = ::popen(client.str().c_str(), "r");
  if (out == nullptr) return 0;
  char line[512] = {};
  const bool got = std::fgets(line, sizeof(line), out) != nullptr;
  ::pclose(out);
  if (!got) return 0;
  std::istringstream fields(line);
  std::string word;
  std::vector<std::string> words;
  while (fields >> word) words.push_back(word);
  if (words.size() < 7) return 0;
  return std::stod(words[6]) * 1048576.0 / 1e9;  // "overall" MB/s, MB of 2^20 bytes
}

dagger::Block filled_block(std::int64_t doubles) {
  dagger::Block b = dagger::Block::make(dagger::DType::f64, doubles, 1);
  std::fill(b.mutable_data<double>(), b.mutable_data<double>() + doubles, 1.5);
  return b;
}

// Fetching a chunk that lives in a worker into the driver, in GB/s.
double fetch_gbps(dagger::WorkerProc& worker, std::size_t bytes, int repetitions) {
  const auto doubles = static_cast<std::int64_t>(bytes / sizeof(double));
  auto chunk = dagger::compute(dagger::Context({&worker}),
                               dagger::delayed([doubles] { return filled_block(doubles); })());
  std::vector<double> rates;
  for (int r = 0; r < repetitions; ++r) {
    const auto start = Clock::now();
    dagger::Block b = dagger::collect(chunk);
    const double s = seconds_since(start);
    if (b.rows != doubles) std::abort();
    rates.push_back(static_cast<double>(bytes) / s / 1e9);
  }
  return median(rates);
}

double seed_seconds(const dagger::Context& context, int repetitions) {
  std::vector<double> times;
  for (int r = 0; r < repetitions; ++r) {
    auto x = dagger::randn(dagger::Blocks(1000, 1000), 4000, 4000, dagger::Seed{1});
    const auto start = Clock::now();
    volatile double v = dagger::collect(context, dagger::sum(dagger::pow(x, 2)));
    (void)v;
    times.push_back(seconds_since(start));
  }
  return median(times);
}

// In a process of its own: starting 2 local workers, one task on them,
// shutting them down, in seconds.
double cold_start_seconds(int argc, char** argv) {
  const auto start = Clock::now();
  dagger::init(argc, argv);
  dagger::add_local_workers(2);
  if (dagger::collect(context_of(worker_procs()), dagger::delayed(add1)(1)) != 2) std::abort();
  dagger::shutdown_workers();
  return seconds_since(start);
}

// Runs this executable with "startup-once" `repetitions` times: the medians
// of what the process timed (from before dagger::init to after the
// shutdown) and of the whole process as seen from here (exec and exit too).
std::pair<double, double> median_cold_start_seconds(const char* self, int repetitions) {
  std::vector<double> inside, whole;
  for (int r = 0; r < repetitions; ++r) {
    const auto start = Clock::now();
    FILE* out = ::popen((std::string(self) + " 1 startup-once").c_str(), "r");
    if (out == nullptr) std::abort();
    double s = 0;
    if (std::fscanf(out, "%lf", &s) != 1) std::abort();
    ::pclose(out);
    whole.push_back(seconds_since(start));
    inside.push_back(s);
  }
  return {median(inside), median(whole)};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string only = argc > 2 ? argv[2] : "";
  if (only == "startup-once") {  // (a worker started by it never returns from init)
    std::printf("%.6f\n", cold_start_seconds(argc, argv));
    return 0;
  }
  dagger::init(argc, argv);
  const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const auto wanted = [&](const char* part) { return only.empty() || only == part; };
  if (wanted("startup")) {
    std::printf("== cold start: init, 2 local workers, one task, shut down; median of %d processes\n", repetitions);
    const auto [inside, whole] = median_cold_start_seconds(argv[0], repetitions);
    std::printf("%.1f ms in the process, %.1f ms with its exec and exit\n", 1e3 * inside, 1e3 * whole);
    if (only == "startup") return 0;
  }
  dagger::add_local_workers(2);
  std::vector<dagger::Processor*> here{&dagger::this_process()};
  const dagger::Context local = context_of(here);
  const dagger::Context remote = context_of(worker_procs());

  if (wanted("tiny")) {
    std::printf("== tiny tasks (2000 independent add1), median of %d\n", repetitions);
    per_task_us(remote, 200);  // warm up: connections, learned runtimes
    std::vector<double> remote_us, local_us;
    for (int r = 0; r < repetitions; ++r) {
      remote_us.push_back(per_task_us(remote, 2000));
      local_us.push_back(per_task_us(local, 2000));
    }
    std::printf("2 workers: %.1f us/task    one process: %.2f us/task\n", median(remote_us), median(local_us));
  }
  if (wanted("moves")) {
    // A fetch is short and this kind of machine noisy: four times the samples.
    std::printf("== chunk moves between two processes (worker -> driver), median of %d\n", 4 * repetitions);
    for (std::size_t mib : {4, 64}) {
      const std::size_t bytes = mib << 20;
      const double ours = fetch_gbps(*dagger::workers().front(), bytes, 4 * repetitions);
      const double perf_tcp = ucx_perftest_gbps(bytes, "tcp");
      const double perf_shm = ucx_perftest_gbps(bytes, nullptr);
      std::printf("%2zu MiB: dagger %.2f GB/s   ucx_perftest tcp %.2f GB/s (ratio %.2f)   shared memory %.2f GB/s "
                  "(ratio %.2f)\n",
                  mib, ours, perf_tcp, perf_tcp > 0 ? ours / perf_tcp : 0.0, perf_shm,
                  perf_shm > 0 ? ours / perf_shm : 0.0);
    }
  }
  if (!wanted("seed")) return 0;
  std::printf("== sum(pow(randn(4000x4000, blocks 1000x1000), 2)), median of %d\n", repetitions);
  const double one = seed_seconds(local, repetitions);
  const double two = seed_seconds(remote, repetitions);
  const double all = seed_seconds(dagger::Context(), repetitions);
  std::printf("one process: %.3f s   2 workers: %.3f s (ratio %.2f)   driver + 2 workers: %.3f s (ratio %.2f)\n", one,
              two, two / one, all, all / one);
  return 0;
}
