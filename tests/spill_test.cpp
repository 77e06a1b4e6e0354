// Spilling under a memory limit: real files in a real spill directory, and
// the process's own peak resident memory read from /proc.
#include <gtest/gtest.h>

#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

// Sanitizers keep shadow memory and quarantines: RSS says nothing there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kRssMeaningful = false;
#else
constexpr bool kRssMeaningful = true;
#endif

namespace fs = std::filesystem;
constexpr std::size_t kMiB = 1 << 20;

// Resident memory of this process in bytes: "VmRSS" now or "VmHWM" (peak).
std::size_t status_bytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
  }
  return 0;
}

// What a shell command prints.
std::string output_of(const std::string& command) {
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
    ::pclose(pipe);
  }
  return out;
}

// Starts a new peak: the kernel resets VmHWM to the current RSS.
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

std::size_t files_in(const fs::path& dir) {
  std::size_t n = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

class Spill : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = dagger::config();
    dir_ = fs::temp_directory_path() / ("dagger-spill-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    dagger::configure(saved_);
    fs::remove_all(dir_);
  }
  void limit(std::size_t bytes) {
    dagger::Config c = saved_;
    c.memory_limit = bytes;
    c.spill_directory = dir_;
    dagger::configure(c);
  }

  dagger::Config saved_;
  fs::path dir_;
};

}  // namespace

TEST(Config, ParsesByteSizes) {
  EXPECT_EQ(dagger::parse_byte_size("4096"), 4096u);
  EXPECT_EQ(dagger::parse_byte_size("2GiB"), 2ull << 30);
  EXPECT_EQ(dagger::parse_byte_size("1.5 GB"), 1'500'000'000u);
  EXPECT_EQ(dagger::parse_byte_size("512MiB"), 512ull << 20);
  EXPECT_EQ(dagger::parse_byte_size("1e9"), 1'000'000'000u);
  EXPECT_THROW(dagger::parse_byte_size("lots"), dagger::UsageError);
  EXPECT_THROW(dagger::parse_byte_size("3 parsecs"), dagger::UsageError);
  EXPECT_GT(dagger::config().memory_limit, 0u);
  EXPECT_THROW(dagger::configure(dagger::Config{}), dagger::UsageError);
}

// Prints the settings when run by the test below (skipped otherwise).
TEST(Config, Print) {
  if (!std::getenv("DAGGER_TEST_PRINT_CONFIG")) GTEST_SKIP() << "run by other tests";
  std::cout << "limit=" << dagger::config().memory_limit << " dir=" << dagger::config().spill_directory.string()
            << "\n";
}

TEST(Config, EnvironmentSetsTheLimitAndTheSpillDirectory) {
  const std::string command = "DAGGER_TEST_PRINT_CONFIG=1 DAGGER_MEMORY_LIMIT=123MiB DAGGER_SPILL_DIR=/scratch/x "
                              "/proc/" + std::to_string(::getpid()) + "/exe --gtest_filter=Config.Print 2>&1";
  const std::string out = output_of(command);
  EXPECT_NE(out.find("limit=" + std::to_string(123u << 20) + " dir=/scratch/x"), std::string::npos) << out;
}

TEST_F(Spill, ComputedArrayLargerThanTheLimitSpillsAndReloads) {
  limit(4 * kMiB);
  const auto before = dagger::memory_stats();
  {
    // 32 MiB of blocks of 512 KiB, kept by compute: most must go to disk.
    auto x = dagger::compute(dagger::rand(dagger::Blocks(256, 256), 2048, 2048, dagger::Seed{7}));
    const auto held = dagger::memory_stats();
    EXPECT_LE(held.resident_bytes, 4 * kMiB);
    EXPECT_GE(held.spilled_bytes, 27 * kMiB);
    EXPECT_GT(held.spills, before.spills);
    EXPECT_GE(files_in(dir_), 54u);

    // Reading them back gives the same values as an unlimited run.
    const double spilled_sum = dagger::collect(dagger::sum(x * 2.0));
    EXPECT_GT(dagger::memory_stats().reloads, held.reloads);
    dagger::configure(saved_);
    const double direct = dagger::collect(
        dagger::sum(dagger::rand(dagger::Blocks(256, 256), 2048, 2048, dagger::Seed{7}) * 2.0));
    EXPECT_DOUBLE_EQ(spilled_sum, direct);
    limit(4 * kMiB);
    // collect reads every block back but does not keep them in memory.
    Eigen::MatrixXd m = dagger::collect(x);
    EXPECT_NEAR(m.sum() * 2.0, direct, 1e-12 * direct);  // summed in another order
    EXPECT_LE(dagger::memory_stats().resident_bytes, 4 * kMiB + 512 * 1024);
  }
  // Released chunks leave nothing on disk.
  EXPECT_EQ(dagger::memory_stats().spilled_bytes, 0u);
  EXPECT_EQ(files_in(dir_), 0u);
  EXPECT_EQ(dagger::live_chunks(), 0);
}

TEST_F(Spill, SpillsAndReloadsAreEventsWithByteCounts) {
  limit(2 * kMiB);
  auto x = dagger::compute(dagger::ones<double>(dagger::Blocks(256, 256), 1024, 1024));
  auto debug = dagger::debug_compute(dagger::sum(x));
  EXPECT_DOUBLE_EQ(debug.chunk.value(), 1024.0 * 1024.0);
  std::size_t reloaded = 0, spilled = 0;
  for (const auto& e : debug.events) {
    if (e.category != dagger::Category::spill) continue;
    EXPECT_EQ(e.bytes, 256u * 256u * sizeof(double));
    (e.allocations == 1 ? reloaded : spilled) += e.bytes;
  }
  EXPECT_GE(reloaded, 6 * 256u * 256u * sizeof(double));  // 16 blocks, at most 4 fit
  EXPECT_GT(spilled, 0u);
  EXPECT_NE(dagger::summarize_events(debug.events).find("spill"), std::string::npos);
}

// The seed's A + transpose(A) with no save, on an array ten times the limit:
// right values, and resident memory held to the limit plus what the running
// tasks hold (each: two input blocks and its output). A is computed first:
// a random A left lazy would be generated tile by tile where it is read and
// never need the disk.
TEST_F(Spill, SumOfAPlusTransposeTenTimesTheLimit) {
  const std::int64_t n = 7000, b = 1000;
  const std::size_t block = static_cast<std::size_t>(b * b) * sizeof(double);
  const double expected = [&] {
    auto a = dagger::rand(dagger::Blocks(b, b), n, n, dagger::Seed{11});
    return dagger::collect(dagger::sum(a + dagger::transpose(a)));
  }();

  const std::size_t memory_limit = 40 * kMiB;  // the array is 392 MB
  limit(memory_limit);
  const auto stats_before = dagger::memory_stats();
  const std::size_t rss_before = status_bytes("VmRSS");
  reset_peak_rss();
  auto a = dagger::compute(dagger::rand(dagger::Blocks(b, b), n, n, dagger::Seed{11}));
  const double got = dagger::collect(dagger::sum(a + dagger::transpose(a)));
  a = {};
  const std::size_t peak = status_bytes("VmHWM");
  const auto stats_after = dagger::memory_stats();

  EXPECT_NEAR(got, expected, 1e-9 * expected);
  EXPECT_GT(stats_after.spilled_total_bytes, stats_before.spilled_total_bytes);  // the limit did bite
  const std::size_t threads = dagger::Context().processors().size();
  const std::size_t allowance = memory_limit + threads * 3 * block;
  if (kRssMeaningful) {
    EXPECT_LE(peak - rss_before, allowance) << "peak RSS " << peak / kMiB << " MiB, before "
                                          << rss_before / kMiB << " MiB";
  }
  EXPECT_LE(stats_after.peak_resident_bytes, memory_limit + threads * 3 * block);
  std::cout << "A+A' " << n << "^2 under " << memory_limit / kMiB << " MiB: peak RSS +"
            << (peak - rss_before) / kMiB << " MiB, spilled "
            << (stats_after.spilled_total_bytes - stats_before.spilled_total_bytes) / kMiB << " MiB\n";
  EXPECT_EQ(files_in(dir_), 0u);
}

// Dask's users run out of memory re-blocking short-fat chunks into
// tall-skinny ones. Row blocks to column blocks of an array 10 times the
// limit stays within the limit plus a few blocks per thread.
TEST_F(Spill, RechunkRowsToColumnsTenTimesTheLimit) {
  const std::int64_t n = 4000, b = 250;
  const std::size_t block = static_cast<std::size_t>(n * b) * sizeof(double);  // 8 MB
  const std::size_t memory_limit = 12 * kMiB;                                  // the array is 128 MB
  limit(memory_limit);
  const auto stats_before = dagger::memory_stats();
  dagger::reset_memory_peak();
  const std::size_t rss_before = status_bytes("VmRSS");
  reset_peak_rss();
  auto rows = dagger::compute(dagger::rand(dagger::Blocks(b, n), n, n, dagger::Seed{12}));
  auto cols = dagger::compute(dagger::rechunk(rows, dagger::Blocks(n, b)));
  rows = {};
  const double got = dagger::collect(dagger::sum(cols));
  const auto corner = dagger::collect(cols(dagger::range(n - 3, n), dagger::range(0, 3)));
  cols = {};
  const std::size_t peak = status_bytes("VmHWM");
  const auto stats_after = dagger::memory_stats();

  const double expected = dagger::collect(dagger::sum(dagger::rand(dagger::Blocks(b, n), n, n, dagger::Seed{12})));
  EXPECT_NEAR(got, expected, 1e-9 * expected);
  EXPECT_EQ(corner, dagger::collect(dagger::rand(dagger::Blocks(b, n), n, n, dagger::Seed{12})(
                        dagger::range(n - 3, n), dagger::range(0, 3))));
  EXPECT_GT(stats_after.spilled_total_bytes, stats_before.spilled_total_bytes);  // the limit did bite
  const std::size_t threads = dagger::Context().processors().size();
  const std::size_t allowance = memory_limit + threads * 3 * block;
  if (kRssMeaningful) {
    EXPECT_LE(peak - rss_before, allowance) << "peak RSS " << peak / kMiB << " MiB, before " << rss_before / kMiB
                                          << " MiB";
  }
  EXPECT_LE(stats_after.peak_resident_bytes, allowance);
  std::cout << "rechunk " << n << "^2 rows to columns under " << memory_limit / kMiB << " MiB: peak RSS +"
            << (peak - rss_before) / kMiB << " MiB, resident peak " << stats_after.peak_resident_bytes / kMiB
            << " MiB, spilled " << (stats_after.spilled_total_bytes - stats_before.spilled_total_bytes) / kMiB
            << " MiB\n";
  EXPECT_EQ(files_in(dir_), 0u);
}

// A value never changes, so one read back keeps its file, and leaving
// memory again costs no write; a kept file that someone removed is written
// anew rather than trusted.
TEST_F(Spill, AValueReadBackIsNotWrittenAgain) {
  limit(12 * kMiB);
  const auto start = dagger::memory_stats();
  auto a = dagger::compute(dagger::rand(dagger::Blocks(500, 500), 2000, 2000, dagger::Seed{5}));  // 32 MB
  const double first = dagger::collect(dagger::sum(a));
  const double second = dagger::collect(dagger::sum(a));
  const auto after = dagger::memory_stats();
  EXPECT_EQ(first, second);
  EXPECT_GT(after.reloads, start.reloads);
  // Each 2 MB block written at most once, however often it was read back.
  EXPECT_LE(after.spilled_total_bytes - start.spilled_total_bytes, std::size_t{32'000'000});
  EXPECT_GT(after.dropped_clean_bytes, start.dropped_clean_bytes);
  // Every block back in memory, each with its kept file; the files go.
  limit(std::size_t{1} << 30);
  EXPECT_EQ(dagger::collect(dagger::sum(a)), first);
  for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
    if (entry.is_regular_file()) fs::remove(entry.path());
  }
  // A lower limit spills at once: the blocks are written anew, not dropped
  // on the word of files that are gone, and every value comes back.
  const auto before_lower = dagger::memory_stats();
  limit(12 * kMiB);
  EXPECT_GT(dagger::memory_stats().spilled_total_bytes, before_lower.spilled_total_bytes);
  EXPECT_EQ(dagger::collect(a), dagger::collect(dagger::rand(dagger::Blocks(500, 500), 2000, 2000, dagger::Seed{5})));
  a = {};
  EXPECT_EQ(files_in(dir_), 0u);
}

TEST_F(Spill, SparseBlocksSpillAndComeBackEqual) {
  auto s = dagger::sprand(dagger::Blocks(1000, 1000), 4000, 4000, 0.05, dagger::Seed{21});
  auto block_sums = [](const std::vector<dagger::Chunk<dagger::SparseBlock>>& chunks) {
    std::vector<double> sums;
    for (const auto& c : chunks) sums.push_back(c.value().view<double>().sum());
    return sums;
  };
  const std::vector<double> expected = block_sums(dagger::compute(s.block_thunks()));
  limit(2 * kMiB);  // the 16 blocks hold about 13 MB
  const auto before = dagger::memory_stats();
  auto held = dagger::compute(s.block_thunks());
  const auto after = dagger::memory_stats();
  EXPECT_GE(after.spilled_bytes, 10 * kMiB);
  EXPECT_GT(after.spills, before.spills);
  EXPECT_EQ(block_sums(held), expected);  // each value() reads its block back
  EXPECT_EQ(dagger::memory_stats().spilled_bytes, 0u);
}

// Many tasks on every thread pin, reload and spill the same small blocks at
// once (the ThreadSanitizer build runs this too): every sum must still be
// exact.
TEST_F(Spill, ConcurrentPinsReloadsAndSpillsKeepValuesExact) {
  auto x = dagger::compute(dagger::rand(dagger::Blocks(128, 128), 1024, 1024, dagger::Seed{31}));  // 64 blocks of 128 KiB
  const auto& blocks = x.block_thunks();
  auto pair_sum = [](const dagger::Block& a, const dagger::Block& b) {
    double s = 0;
    for (std::int64_t i = 0; i < a.size(); ++i) s += a.data<double>()[i] * 2 + b.data<double>()[i];
    return s;
  };
  auto all_sums = [&] {
    std::vector<dagger::Thunk<double>> sums;
    for (std::size_t i = 0; i < 400; ++i) {
      sums.push_back(dagger::delayed(pair_sum)(blocks[(i * 7) % blocks.size()], blocks[(i * 13 + 5) % blocks.size()]));
    }
    std::vector<double> out;
    for (const auto& c : dagger::compute(sums)) out.push_back(c.value());
    return out;
  };
  const std::vector<double> expected = all_sums();
  limit(512 * 1024);  // four blocks
  dagger::reset_memory_peak();
  const auto before = dagger::memory_stats();
  for (int round = 0; round < 3; ++round) EXPECT_EQ(all_sums(), expected) << "round " << round;
  const auto after = dagger::memory_stats();
  EXPECT_GT(after.reloads - before.reloads, 100u);
  EXPECT_LE(after.peak_resident_bytes, 512 * 1024 + 2 * 2 * 128 * 128 * sizeof(double) + 128 * 128 * sizeof(double));
}

// Blocks read from a raw array file leave memory without a write and are
// read again from the file they came from, which stays open: replacing the
// array on disk does not change them.
TEST_F(Spill, BlocksReadFromAnArrayFileAreDroppedNotWritten) {
  const fs::path saved = dir_ / "saved";
  fs::create_directories(saved);
  const std::string path = (saved / "A").string();
  auto a = dagger::rand(dagger::Blocks(256, 256), 1024, 1024, dagger::Seed{41});  // 16 blocks of 512 KiB
  const double expected = dagger::collect(dagger::sum(a));
  dagger::compute(dagger::save(a, path));
  limit(1 * kMiB);
  const auto before = dagger::memory_stats();
  auto x = dagger::compute(dagger::load<double>(path));
  const auto held = dagger::memory_stats();
  EXPECT_GE(held.dropped_clean_bytes - before.dropped_clean_bytes, 6 * kMiB);
  EXPECT_EQ(held.spilled_total_bytes, before.spilled_total_bytes);  // nothing written
  EXPECT_LE(held.resident_bytes, 1 * kMiB);

  dagger::configure(saved_);
  dagger::compute(dagger::save(dagger::ones<double>(dagger::Blocks(256, 256), 1024, 1024), path));
  limit(1 * kMiB);
  EXPECT_NEAR(dagger::collect(dagger::sum(x)), expected, 1e-12 * expected);
  EXPECT_GT(dagger::memory_stats().reloads, held.reloads);
}

// The seed's saving pipeline at CI size: A (392 MB) saved, A + A' computed
// from the saved copy and saved too, under a 40 MiB limit.
TEST_F(Spill, SavedPipelineTenTimesTheLimit) {
  const std::int64_t n = 7000, b = 1000;
  const std::size_t block = static_cast<std::size_t>(b * b) * sizeof(double);
  const std::size_t memory_limit = 40 * kMiB;
  limit(memory_limit);
  const fs::path saved = dir_ / "saved";
  fs::create_directories(saved);
  const std::size_t rss_before = status_bytes("VmRSS");
  reset_peak_rss();
  auto a = dagger::rand(dagger::Blocks(b, b), n, n, dagger::Seed{12});
  auto saved_a = dagger::compute(dagger::save(a, (saved / "A").string()));
  auto apat = dagger::compute(dagger::save(saved_a + dagger::transpose(saved_a), (saved / "ApAt").string()));
  const double sum_apat = dagger::collect(dagger::sum(apat));
  const std::size_t peak = status_bytes("VmHWM");

  const double sum_a = dagger::collect(dagger::sum(saved_a));
  EXPECT_NEAR(sum_apat, 2 * sum_a, 1e-9 * sum_a);
  // Spot check: a block off the diagonal, against the generator.
  auto corner = dagger::collect(apat(dagger::range(5000, 5100), dagger::range(1000, 1100)));
  auto left = dagger::collect(a(dagger::range(5000, 5100), dagger::range(1000, 1100)));
  auto right = dagger::collect(a(dagger::range(1000, 1100), dagger::range(5000, 5100)));
  EXPECT_TRUE(corner.isApprox(left + right.transpose(), 1e-15));
  const std::size_t threads = dagger::Context().processors().size();
  if (kRssMeaningful) {
    EXPECT_LE(peak - rss_before, memory_limit + threads * 3 * block)
        << "peak RSS " << peak / kMiB << " MiB, before " << rss_before / kMiB << " MiB";
  }
  std::cout << "saved pipeline " << n << "^2 under " << memory_limit / kMiB << " MiB: peak RSS +"
            << (peak - rss_before) / kMiB << " MiB\n";
}

// One thread, and a graph whose ready queue holds, behind two tasks that
// only allocate (W and X: their input O1 has other consumers left), one that
// releases an input (U2: the last consumer of P). Far from the limit the
// thread takes the newest task first (X, W, U2); near it, U2 first.
std::vector<int> run_order_near_limit(std::size_t memory_limit, const std::filesystem::path& dir) {
  dagger::Config c = dagger::config();
  c.memory_limit = memory_limit;
  c.spill_directory = dir;
  dagger::configure(c);
  static std::vector<int> order;
  order.clear();
  auto make = [](int tag) {
    order.push_back(tag);
    dagger::Block b = dagger::Block::make(dagger::DType::f64, 128, 1024);  // 1 MiB
    std::fill_n(b.mutable_data<double>(), b.size(), tag);
    return b;
  };
  auto use = [make](const dagger::Block& input, int tag) {
    EXPECT_EQ(input.rows, 128);
    return make(tag);
  };
  auto p = dagger::delayed(make)(0);
  auto u1 = dagger::delayed(use)(p, 1);
  auto u2 = dagger::delayed(use)(p, 2);
  auto v = dagger::delayed(use)(u1, 3);
  auto w = dagger::delayed(use)(u1, 4);
  auto x = dagger::delayed(use)(u1, 5);
  dagger::Context one_thread({dagger::Context().processors().front()});
  dagger::compute(one_thread, std::vector<dagger::Thunk<dagger::Block>>{v, w, x, u2});
  return order;
}

TEST_F(Spill, NearTheLimitATaskThatFreesMemoryGoesFirst) {
  EXPECT_EQ(run_order_near_limit(64 * kMiB, dir_), (std::vector<int>{0, 1, 3, 5, 4, 2}));
  // P, O1 and V resident: 3 MiB, above 80% of 3.5 MiB and below the limit.
  EXPECT_EQ(run_order_near_limit(7 * kMiB / 2, dir_), (std::vector<int>{0, 1, 3, 2, 5, 4}));
  EXPECT_EQ(dagger::memory_stats().spilled_bytes, 0u);
}

// Run by the test below in a process whose files may not exceed 64 KiB.
TEST_F(Spill, WhenTheDiskRefusesDataStaysInMemory) {
  if (!std::getenv("DAGGER_TEST_SMALL_FILE_LIMIT")) GTEST_SKIP() << "run by other tests";
  std::signal(SIGXFSZ, SIG_IGN);  // a refused write is then an error, EFBIG
  limit(1 * kMiB);
  auto x = dagger::compute(dagger::ones<double>(dagger::Blocks(256, 256), 1024, 1024));
  EXPECT_EQ(dagger::memory_stats().spilled_bytes, 0u);
  EXPECT_GT(dagger::memory_stats().resident_bytes, 1 * kMiB);
  EXPECT_EQ(dagger::collect(dagger::sum(x)), 1024.0 * 1024.0);
  std::cout << "computed in memory\n";
}

TEST(SpillDiskFull, AWriteErrorIsSaidOnceAndNothingIsLost) {
  const std::string command = "ulimit -f 64 && DAGGER_TEST_SMALL_FILE_LIMIT=1 /proc/" + std::to_string(::getpid()) +
                              "/exe --gtest_filter=Spill.WhenTheDiskRefusesDataStaysInMemory 2>&1";
  const std::string out = output_of(command);
  EXPECT_NE(out.find("computed in memory"), std::string::npos) << out;
  EXPECT_NE(out.find("[  PASSED  ] 1 test"), std::string::npos) << out;
  const auto first = out.find("dagger: cannot spill to ");
  ASSERT_NE(first, std::string::npos) << out;
  EXPECT_EQ(out.find("dagger: cannot spill to ", first + 1), std::string::npos) << "said more than once:\n" << out;
  EXPECT_NE(out.find("keeping data in memory above the limit"), std::string::npos) << out;
}

TEST_F(Spill, LostSpillFileIsATypedErrorAndTheRuntimeStaysUsable) {
  limit(1 * kMiB);
  auto x = dagger::compute(dagger::ones<double>(dagger::Blocks(256, 256), 1024, 1024));
  ASSERT_GT(files_in(dir_), 0u);
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    if (e.is_regular_file()) fs::remove(e.path());
  }
  try {
    dagger::collect(dagger::sum(x));
    FAIL() << "no error";
  } catch (const dagger::ThunkError& e) {
    EXPECT_NE(e.original_message().find("could not read the spilled result"), std::string::npos) << e.what();
    EXPECT_NE(e.original_message().find(dir_.string()), std::string::npos) << e.what();
  }
  x = {};
  EXPECT_EQ(dagger::collect(dagger::sum(dagger::ones<double>(dagger::Blocks(256, 256), 512, 512))),
            512.0 * 512.0);
  EXPECT_EQ(dagger::live_chunks(), 0);
}
