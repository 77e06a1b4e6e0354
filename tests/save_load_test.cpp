// save/load in the Zarr v2 layout: round trips, atomic replacement, typed
// errors naming the file, and interop with Python's zarr.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

namespace fs = std::filesystem;

namespace {

// A fresh directory for one test, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() /
           ("dagger_save_load_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

// v(i, j) = i + 1000 j (+ 0.5 for floating types), bool (i + 2 j) % 3 == 0:
// the same formula tests/zarr_interop.py uses.
template <class T>
T formula(std::int64_t i, std::int64_t j) {
  if constexpr (std::is_same_v<T, bool>) {
    return (i + 2 * j) % 3 == 0;
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(static_cast<double>(i + 1000 * j) + 0.5);
  } else {
    return static_cast<T>(i + 1000 * j);
  }
}

template <class T>
Matrix<T> expected(std::int64_t rows, std::int64_t cols) {
  Matrix<T> m(rows, cols);
  for (std::int64_t j = 0; j < cols; ++j)
    for (std::int64_t i = 0; i < rows; ++i) m(i, j) = formula<T>(i, j);
  return m;
}

// 7x5 in blocks of 3x2 (ragged both ways), or 11 in blocks of 4.
template <class T>
dagger::DArray<T> formula_array(bool two_d) {
  if (two_d) return dagger::distribute(dagger::Blocks(3, 2), expected<T>(7, 5));
  Eigen::Matrix<T, Eigen::Dynamic, 1> v = expected<T>(11, 1);
  return dagger::distribute(dagger::Blocks(4), v);
}

template <class T>
bool same(const Matrix<T>& a, const Matrix<T>& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// The temporary directories a save leaves behind (there must be none).
int leftovers(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += contains(e.path().filename().string(), ".saving-");
  return n;
}

// Runs f, which must throw a StorageError (directly or inside a ThunkError);
// returns it.
template <class F>
dagger::StorageError storage_error(F f) {
  try {
    f();
  } catch (const dagger::StorageError& e) {
    return e;
  } catch (const dagger::ThunkError& e) {
    try {
      e.rethrow_original();
    } catch (const dagger::StorageError& original) {
      return original;
    }
  }
  ADD_FAILURE() << "expected a StorageError";
  return dagger::StorageError("", "");
}

std::vector<dagger::SaveOptions> all_options() {
  return {{dagger::Order::F, dagger::Compressor::none()},
          {dagger::Order::F, dagger::Compressor::zstd(3)},
          {dagger::Order::C, dagger::Compressor::none()},
          {dagger::Order::C, dagger::Compressor::zstd(1)}};
}

template <class T>
void round_trip(const TempDir& dir, const std::string& type_name) {
  for (bool two_d : {false, true}) {
    for (const auto& options : all_options()) {
      const std::string path = dir / (type_name + (two_d ? "_2d_" : "_1d_") +
                                      (options.order == dagger::Order::C ? "C_" : "F_") +
                                      (options.compressor.kind == dagger::Compressor::Kind::zstd ? "zstd" : "raw"));
      auto x = formula_array<T>(two_d);
      auto saved = dagger::compute(dagger::save(x, path, options));
      EXPECT_FALSE(saved.computed());  // loaded lazily from the directory
      EXPECT_EQ(saved.layout().shape(), x.layout().shape());
      EXPECT_EQ(saved.layout().block_rows(), x.layout().block_rows());
      const Matrix<T> want = two_d ? expected<T>(7, 5) : expected<T>(11, 1);
      EXPECT_TRUE(same<T>(dagger::collect(saved), want)) << path;
      EXPECT_TRUE(same<T>(dagger::collect(dagger::load<T>(path)), want)) << path;
    }
  }
}

}  // namespace

TEST(SaveLoad, RoundTripsEveryElementTypeOrderAndCodec) {
  TempDir dir;
  round_trip<double>(dir, "f8");
  round_trip<float>(dir, "f4");
  round_trip<std::int64_t>(dir, "i8");
  round_trip<bool>(dir, "b1");
  EXPECT_EQ(leftovers(dir.path), 0);
}

TEST(SaveLoad, WritesTheZarrLayout) {
  TempDir dir;
  const std::string path = dir / "x";
  dagger::compute(dagger::save(formula_array<double>(true), path));
  auto z = nlohmann::json::parse(read(path + "/.zarray"));
  EXPECT_EQ(z["zarr_format"], 2);
  EXPECT_EQ(z["shape"], nlohmann::json({7, 5}));
  EXPECT_EQ(z["chunks"], nlohmann::json({3, 2}));
  EXPECT_EQ(z["dtype"], "<f8");
  EXPECT_TRUE(z["compressor"].is_null());
  EXPECT_EQ(z["order"], "F");
  EXPECT_EQ(z["dimension_separator"], ".");
  EXPECT_TRUE(nlohmann::json::parse(read(path + "/.zattrs")).is_object());
  // 3x3 blocks, each stored as a full 3x2 chunk (edges padded with zeros).
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(fs::file_size(path + "/" + std::to_string(i) + "." + std::to_string(j)), 48u);
  EXPECT_FALSE(fs::exists(path + "/3.0"));
  // The bottom-right block is 1x1: value v(6, 4), then zeros.
  const std::string last = read(path + "/2.2");
  double first = 0, padding = 1;
  std::memcpy(&first, last.data(), 8);
  std::memcpy(&padding, last.data() + 8, 8);
  EXPECT_EQ(first, formula<double>(6, 4));
  EXPECT_EQ(padding, 0.0);
  auto any = dagger::load_any(path);
  ASSERT_TRUE(std::holds_alternative<dagger::DArray<double>>(any));
  EXPECT_TRUE(same<double>(dagger::collect(std::get<dagger::DArray<double>>(any)), expected<double>(7, 5)));
}

TEST(SaveLoad, LazyAndComputedArrays) {
  TempDir dir;
  auto x = formula_array<double>(true);
  const Matrix<double> squares = expected<double>(7, 5).array().square().matrix();
  // A lazy expression: each block is computed and written by one thunk.
  auto lazy = dagger::compute(dagger::save(dagger::pow(x, 2), dir / "lazy", {.compressor = dagger::Compressor::zstd()}));
  EXPECT_TRUE(same<double>(dagger::collect(lazy), squares));
  auto computed = dagger::compute(x);
  dagger::Context one({dagger::Context().processors().front()});
  auto saved = dagger::compute(one, dagger::save(computed, dir / "computed", {.order = dagger::Order::C}));
  EXPECT_TRUE(same<double>(dagger::collect(one, saved), expected<double>(7, 5)));
  EXPECT_TRUE(same<double>(dagger::collect(dagger::load<double>(one, dir / "computed")), expected<double>(7, 5)));
  // Loaded arrays take part in further expressions.
  EXPECT_EQ(dagger::collect(dagger::sum(dagger::load<double>(dir / "lazy"))), squares.sum());
  // A large, uniform array compresses.
  auto big = dagger::compute(dagger::save(dagger::ones(dagger::Blocks(100, 100), 300, 300), dir / "ones",
                                          {.compressor = dagger::Compressor::zstd()}));
  EXPECT_LT(fs::file_size(dir / "ones/0.0"), 1000u);
  EXPECT_EQ(dagger::collect(dagger::sum(big)), 90000.0);
}

TEST(SaveLoad, SparseRoundTrip) {
  TempDir dir;
  std::mt19937 g(3);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Eigen::Triplet<double>> entries;
  for (int j = 0; j < 23; ++j)
    for (int i = 0; i < 37; ++i)
      if (u(g) < 0.1) entries.emplace_back(i, j, u(g) + 0.5);
  Eigen::SparseMatrix<double> m(37, 23);
  m.setFromTriplets(entries.begin(), entries.end());
  auto s = dagger::distribute(dagger::Blocks(10, 7), m);
  for (const auto& options : all_options()) {
    const std::string path = dir / "s";
    auto saved = dagger::compute(dagger::save(s, path, options));
    for (const auto& back : {dagger::collect(saved), dagger::collect(dagger::load_sparse<double>(path))}) {
      EXPECT_EQ(back.rows(), 37);
      EXPECT_EQ(back.cols(), 23);
      EXPECT_EQ(back.nonZeros(), m.nonZeros());
      EXPECT_EQ((Eigen::MatrixXd(back) - Eigen::MatrixXd(m)).cwiseAbs().maxCoeff(), 0.0);
    }
  }
  EXPECT_TRUE(fs::exists(dir / "s/.zgroup"));
  auto attrs = nlohmann::json::parse(read(dir / "s/.zattrs"));
  EXPECT_EQ(attrs["dagger"]["format"], "csc");
  EXPECT_EQ(attrs["dagger"]["shape"], nlohmann::json({37, 23}));
  EXPECT_EQ(attrs["dagger"]["blocks"], nlohmann::json({10, 7}));
  auto indptr = nlohmann::json::parse(read(dir / "s/3.3/indptr/.zarray"));
  EXPECT_EQ(indptr["shape"], nlohmann::json({3}));  // the last block is 7x2
  EXPECT_EQ(indptr["dtype"], "<i8");
  // 1-D, float, some blocks empty.
  auto v = dagger::sprand<float>(dagger::Blocks(50), 200, 0.02, dagger::Seed{4});
  auto back = dagger::collect(dagger::compute(dagger::save(v, dir / "v")));
  EXPECT_EQ((Eigen::MatrixXf(back) - Eigen::MatrixXf(dagger::collect(v))).cwiseAbs().maxCoeff(), 0.0f);
  // Corrupt structure is an error naming the block, not a bad read.
  write(dir / "s/0.0/indptr/0", std::string(read(dir / "s/0.0/indptr/0").size(), '\x7f'));
  auto e = storage_error([&] { dagger::collect(dagger::load_sparse<double>(dir / "s")); });
  EXPECT_TRUE(contains(e.what(), dir / "s/0.0")) << e.what();
  EXPECT_THROW(dagger::load_sparse<float>(dir / "s"), dagger::StorageError);
  EXPECT_THROW(dagger::load_sparse<double>(dir / "v"), dagger::StorageError);
}

TEST(SaveLoad, SavingOverAnArrayReplacesIt) {
  TempDir dir;
  const std::string path = dir / "x";
  dagger::compute(dagger::save(formula_array<double>(true), path));
  dagger::compute(dagger::save(dagger::ones(dagger::Blocks(4), 10), path, {.compressor = dagger::Compressor::zstd()}));
  auto back = dagger::load<double>(path);
  EXPECT_EQ(back.ndims(), 1);
  EXPECT_EQ(dagger::collect(dagger::sum(back)), 10.0);
  EXPECT_FALSE(fs::exists(path + "/0.0"));  // nothing of the old array remains
  EXPECT_EQ(leftovers(dir.path), 0);
  // Something that is not a Zarr array is never replaced.
  fs::create_directories(dir / "data");
  write(dir / "data/notes.txt", "keep me");
  auto e = storage_error([&] { dagger::compute(dagger::save(formula_array<double>(false), dir / "data")); });
  EXPECT_TRUE(contains(e.what(), dir / "data")) << e.what();
  EXPECT_EQ(read(dir / "data/notes.txt"), "keep me");
}

TEST(SaveLoad, FailingSaveLeavesTheOldArray) {
  TempDir dir;
  const std::string path = dir / "x";
  dagger::compute(dagger::save(formula_array<double>(true), path));
  const std::string before = read(path + "/1.1");
  // v(4, 3) = 3004.5 lies in block (1, 1): that block's thunk throws.
  auto failing = dagger::map([](double v) {
    if (v == 3004.5) throw std::runtime_error("bad element");
    return -v;
  }, formula_array<double>(true));
  EXPECT_THROW(dagger::compute(dagger::save(failing, path)), dagger::ThunkError);
  EXPECT_EQ(leftovers(dir.path), 0);
  EXPECT_EQ(read(path + "/1.1"), before);
  EXPECT_TRUE(same<double>(dagger::collect(dagger::load<double>(path)), expected<double>(7, 5)));
  // A failing save of a new name leaves nothing.
  EXPECT_THROW(dagger::compute(dagger::save(failing, dir / "y")), dagger::ThunkError);
  EXPECT_FALSE(fs::exists(dir / "y"));
  EXPECT_EQ(leftovers(dir.path), 0);
}

// What a save that crashed left (its process is gone) is removed by the next
// save of that name; a save in progress (a live process) is left alone.
TEST(SaveLoad, NextSaveRemovesWhatACrashedSaveLeft) {
  TempDir dir;
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  std::string h(host);
  for (char& c : h) {
    if (c == '/' || c == '-') c = '_';
  }
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);  // now a pid with no process
  const std::string crashed = dir / (".x.saving-" + h + "-" + std::to_string(child) + "-0123456789abcdef");
  const std::string running = dir / (".x.saving-" + h + "-" + std::to_string(::getppid()) + "-0123456789abcdef");
  const std::string elsewhere = dir / ".x.saving-otherhost-1-0123456789abcdef";
  for (const auto& d : {crashed, running, elsewhere}) {
    fs::create_directories(d);
    write(d + "/0.0", "partial");
  }
  dagger::compute(dagger::save(formula_array<double>(true), dir / "x"));
  EXPECT_FALSE(fs::exists(crashed));
  EXPECT_TRUE(fs::exists(running));
  EXPECT_TRUE(fs::exists(elsewhere));
  EXPECT_TRUE(same<double>(dagger::collect(dagger::load<double>(dir / "x")), expected<double>(7, 5)));
}

TEST(SaveLoad, ErrorsNameThePathAndTheProblem) {
  TempDir dir;
  const std::string path = dir / "x";
  auto reset = [&](dagger::SaveOptions options = {}) {
    dagger::compute(dagger::save(formula_array<double>(true), path, options));
  };
  auto load = [&] { dagger::collect(dagger::load<double>(path)); };

  auto e = storage_error([&] { dagger::load<double>(dir / "missing"); });
  EXPECT_EQ(e.path(), dir / "missing");
  EXPECT_TRUE(contains(e.what(), dir / "missing")) << e.what();
  e = storage_error([&] { dagger::compute(dagger::save(formula_array<double>(true), dir / "no/such/parent")); });
  EXPECT_TRUE(contains(e.what(), "does not exist")) << e.what();
  EXPECT_THROW(dagger::compute(dagger::save(formula_array<double>(true), "")), dagger::StorageError);

  reset();
  fs::remove(path + "/1.0");
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_EQ(e.path(), path + "/1.0");
  EXPECT_TRUE(contains(e.what(), path + "/1.0") && contains(e.what(), "missing")) << e.what();

  reset();
  fs::resize_file(path + "/0.1", 20);
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path + "/0.1") && contains(e.what(), "truncated")) << e.what();

  // Truncated after load(): the reading thunk finds it.
  reset();
  auto loaded = dagger::load<double>(path);
  fs::resize_file(path + "/2.1", 8);
  e = storage_error([&] { dagger::collect(loaded); });
  EXPECT_TRUE(contains(e.what(), path + "/2.1") && contains(e.what(), "truncated")) << e.what();

  // zstd: a frame of another chunk's size, garbage, a cut-off frame.
  reset({.compressor = dagger::Compressor::zstd()});
  dagger::compute(dagger::save(dagger::ones(dagger::Blocks(2, 2), 4, 4), dir / "other",
                               {.compressor = dagger::Compressor::zstd()}));
  fs::copy_file(dir / "other/0.0", path + "/0.0", fs::copy_options::overwrite_existing);
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path + "/0.0") && contains(e.what(), "truncated")) << e.what();
  write(path + "/0.0", "this is not zstd at all");
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path + "/0.0") && contains(e.what(), "zstd")) << e.what();
  reset({.compressor = dagger::Compressor::zstd()});
  fs::resize_file(path + "/1.2", fs::file_size(path + "/1.2") - 4);
  e = storage_error(load);
  EXPECT_TRUE(contains(e.what(), path + "/1.2") && contains(e.what(), "zstd")) << e.what();

  // Metadata.
  auto with_zarray = [&](const std::function<void(nlohmann::json&)>& edit) {
    reset();
    auto z = nlohmann::json::parse(read(path + "/.zarray"));
    edit(z);
    write(path + "/.zarray", z.dump());
  };
  reset();
  write(path + "/.zarray", "{\"zarr_format\": 2, \"shape\": [7, ");
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path + "/.zarray") && contains(e.what(), "JSON")) << e.what();
  with_zarray([](nlohmann::json& z) { z["dtype"] = "<i4"; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path) && contains(e.what(), "<i4") && contains(e.what(), "<f8")) << e.what();
  with_zarray([](nlohmann::json& z) { z["dtype"] = ">f8"; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path) && contains(e.what(), "big-endian")) << e.what();
  with_zarray([](nlohmann::json& z) { z["compressor"] = {{"id", "blosc"}, {"cname", "lz4"}}; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path) && contains(e.what(), "blosc") && contains(e.what(), "zstd")) << e.what();
  with_zarray([](nlohmann::json& z) { z["compressor"] = {{"id", "lz4"}}; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), "'lz4'")) << e.what();
  // Shape or chunks that do not match the block files.
  with_zarray([](nlohmann::json& z) { z["shape"] = {4, 5}; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path + "/2.") && contains(e.what(), "inconsistent")) << e.what();
  with_zarray([](nlohmann::json& z) { z["shape"] = {10, 5}; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path + "/3.0") && contains(e.what(), "missing")) << e.what();
  with_zarray([](nlohmann::json& z) { z["chunks"] = {2, 3}; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path + "/")) << e.what();

  // The element type asked for is not the stored one.
  reset();
  e = storage_error([&] { dagger::load<float>(path); });
  EXPECT_TRUE(contains(e.what(), path) && contains(e.what(), "double")) << e.what();

  // Still usable.
  reset();
  EXPECT_TRUE(same<double>(dagger::collect(dagger::load<double>(path)), expected<double>(7, 5)));
}

namespace {

struct HelperResult {
  int exit_code;
  std::string output;
};

HelperResult run_helper(const TempDir& dir, const std::string& arguments, const std::string& limits = "") {
  const std::string out = dir / "helper_output.txt";
  const std::string command = "sh -c '" + limits + "exec " + DAGGER_STORAGE_HELPER + " " + arguments + "' > " +
                              out + " 2>&1";
  const int status = std::system(command.c_str());
  HelperResult r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read(out)};
  fs::remove(out);
  return r;
}

}  // namespace

TEST(SaveLoad, FileSizeLimitIsAnErrorAndLeavesNothing) {
  TempDir dir;
  const std::string path = dir / "big";
  // Within the limit: fine.
  auto ok = run_helper(dir, "save " + path + " 100", "ulimit -f 2048; ");
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  const std::string before = read(path + "/0.0");
  // 200x200 blocks of doubles (320 kB) exceed a 256-block limit (128 or 256 kB).
  auto r = run_helper(dir, "save " + path + " 400", "ulimit -f 256; ");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "StorageError") && contains(r.output, dir.path.string()) &&
              contains(r.output, "file too large"))
      << r.output;
  EXPECT_EQ(leftovers(dir.path), 0);
  EXPECT_EQ(read(path + "/0.0"), before);
  EXPECT_EQ(dagger::collect(dagger::sum(dagger::load<double>(path))), 10000.0);
  // And a new name is not created at all.
  r = run_helper(dir, "save " + (dir / "new") + " 400", "ulimit -f 256; ");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_FALSE(fs::exists(dir / "new"));
  EXPECT_EQ(leftovers(dir.path), 0);
}

// A real full device: a 1 MiB tmpfs mounted in a private mount namespace
// (gone with the process), where a 1.28 MB array cannot fit.
TEST(SaveLoad, NoSpaceLeftOnDeviceIsAnErrorAndLeavesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs in a private mount namespace";
  TempDir dir;
  const std::string out = dir.path.string() + ".out";
  const std::string command = "unshare -m sh -c 'mount -t tmpfs -o size=1m none " + dir.path.string() + " && { " +
                              DAGGER_STORAGE_HELPER + " save " + (dir / "x") + " 400; echo exit=$?; ls -a " +
                              dir.path.string() + "; }' > " + out + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::string output = read(out);
  fs::remove(out);
  if (contains(output, "mount:")) GTEST_SKIP() << "cannot mount here: " << output;
  EXPECT_TRUE(contains(output, "exit=2")) << output;
  EXPECT_TRUE(contains(output, "StorageError") && contains(output, dir.path.string()) &&
              contains(output, "no space left on device"))
      << output;
  // What the device holds afterwards (listed after "exit="): nothing.
  const std::string listing = output.substr(output.find("exit="));
  EXPECT_FALSE(contains(listing, ".saving-")) << output;
  EXPECT_FALSE(contains(listing, "\nx\n")) << output;
}

TEST(SaveLoad, PermissionDeniedNamesThePath) {
  TempDir dir;
  fs::permissions(dir.path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
  // A directory nobody may write to.
  const std::string readonly = dir / "readonly";
  fs::create_directories(readonly);
  fs::permissions(readonly, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  auto r = run_helper(dir, "--as-nobody save " + readonly + "/x 10");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, readonly) && contains(r.output, "permission denied")) << r.output;

  // An array directory nobody may read.
  const std::string hidden = dir / "hidden";
  dagger::compute(dagger::save(formula_array<double>(true), hidden));
  fs::permissions(hidden, fs::perms::none);
  r = run_helper(dir, "--as-nobody load " + hidden);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, hidden) && contains(r.output, "permission denied")) << r.output;
  fs::permissions(hidden, fs::perms::owner_all);

  // One block file nobody may read: found by the thunk that reads it.
  const std::string block = dir / "block";
  dagger::compute(dagger::save(formula_array<double>(true), block));
  fs::permissions(block + "/1.1", fs::perms::none);
  r = run_helper(dir, "--as-nobody load " + block);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, block + "/1.1") && contains(r.output, "permission denied")) << r.output;
}

namespace {

bool python_has_zarr() {
  return std::system("/usr/bin/python3 -c 'import zarr, numcodecs, numpy' > /dev/null 2>&1") == 0;
}

int run_python(const std::string& arguments, std::string& output, const TempDir& dir) {
  const std::string out = dir / "python_output.txt";
  const int status = std::system(
      ("/usr/bin/python3 " + std::string(DAGGER_ZARR_INTEROP_SCRIPT) + " " + arguments + " > " + out + " 2>&1").c_str());
  output = read(out);
  fs::remove(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

template <class T>
void save_all(const TempDir& dir, const std::string& type_name) {
  for (bool two_d : {false, true}) {
    for (const auto& options : all_options()) {
      dagger::compute(dagger::save(formula_array<T>(two_d), dir / ("ours/" + type_name + (two_d ? "_2d_" : "_1d_") +
                                                                  (options.order == dagger::Order::C ? "C_" : "F_") +
                                                                  (options.compressor.kind == dagger::Compressor::Kind::zstd ? "zstd" : "raw")),
                                   options));
    }
  }
}

template <class T>
int check_all(const TempDir& dir, const std::string& type_name) {
  int checked = 0;
  for (const char* dims : {"1d", "2d"}) {
    for (const char* order : {"C", "F"}) {
      for (const char* codec : {"raw", "zstd"}) {
        const std::string path = dir / ("theirs/" + type_name + "_" + dims + "_" + order + "_" + codec);
        const Matrix<T> want = std::string(dims) == "2d" ? expected<T>(7, 5) : expected<T>(11, 1);
        EXPECT_TRUE(same<T>(dagger::collect(dagger::load<T>(path)), want)) << path;
        ++checked;
      }
    }
  }
  return checked;
}

}  // namespace

TEST(SaveLoad, PythonZarrReadsOurArrays) {
  if (!python_has_zarr()) GTEST_SKIP() << "/usr/bin/python3 lacks zarr/numcodecs/numpy (scripts/setup.sh installs them)";
  TempDir dir;
  fs::create_directories(dir / "ours");
  save_all<double>(dir, "f8");
  save_all<float>(dir, "f4");
  save_all<std::int64_t>(dir, "i8");
  save_all<bool>(dir, "b1");
  save_all<std::int32_t>(dir, "i4");
  save_all<std::int16_t>(dir, "i2");
  save_all<std::int8_t>(dir, "i1");
  save_all<std::uint64_t>(dir, "u8");
  save_all<std::uint32_t>(dir, "u4");
  save_all<std::uint16_t>(dir, "u2");
  save_all<std::uint8_t>(dir, "u1");
  std::string output;
  EXPECT_EQ(run_python("check " + (dir / "ours"), output, dir), 0) << output;
  EXPECT_TRUE(contains(output, "checked 88 arrays")) << output;
}

TEST(SaveLoad, WeReadPythonZarrArrays) {
  if (!python_has_zarr()) GTEST_SKIP() << "/usr/bin/python3 lacks zarr/numcodecs/numpy (scripts/setup.sh installs them)";
  TempDir dir;
  std::string output;
  ASSERT_EQ(run_python("write " + (dir / "theirs"), output, dir), 0) << output;
  int checked = check_all<double>(dir, "f8") + check_all<float>(dir, "f4") + check_all<std::int64_t>(dir, "i8") +
                check_all<bool>(dir, "b1") + check_all<std::int32_t>(dir, "i4") + check_all<std::int16_t>(dir, "i2") +
                check_all<std::int8_t>(dir, "i1") + check_all<std::uint64_t>(dir, "u8") +
                check_all<std::uint32_t>(dir, "u4") + check_all<std::uint16_t>(dir, "u2") +
                check_all<std::uint8_t>(dir, "u1");
  EXPECT_EQ(checked, 88);
}
