// save/load in the Zarr v2 layout: round trips, atomic replacement, typed
// errors naming the file, and interop with Python's zarr.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <dagger/array.hpp>
#include <dagger/array/zarr_group.hpp>
#include <dagger/dagger.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <tuple>

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

// An order and a compressor, named as tests/zarr_interop.py names them:
// "<order>_<codec>", the codec "raw", "zstd", "zlib", "gzip", "lz4", "bz2"
// or "blosc-<inner compressor>-<shuffle>", after "delta-" with a Delta
// filter.
struct Case {
  std::string name;
  dagger::SaveOptions options;
};

// Every codec for the element types named in zarr_interop.py's EVERY_CODEC;
// raw and zstd in both orders and Python's default (Blosc lz4, byte
// shuffle, C order) for the others.
// A Delta filter for every type but bool (zarr_interop.py's DELTA_CASES).
std::vector<Case> cases(bool every_codec, bool delta) {
  using dagger::Compressor;
  using dagger::Order;
  using Shuffle = Compressor::Shuffle;
  std::vector<Case> out = {{"F_raw", {Order::F, Compressor::none()}},
                           {"C_raw", {Order::C, Compressor::none()}},
                           {"F_zstd", {Order::F, Compressor::zstd(3)}},
                           {"C_zstd", {Order::C, Compressor::zstd(3)}},
                           {"C_blosc-lz4-byte", {Order::C, Compressor::blosc()}}};
  if (delta) {
    out.push_back({"F_delta-zstd", {Order::F, Compressor::zstd(3), true}});
    out.push_back({"C_delta-raw", {Order::C, Compressor::none(), true}});
  }
  if (!every_codec) return out;
  std::vector<Case> more = {{"F_blosc-zstd-bit", {Order::F, Compressor::blosc("zstd", 3, Shuffle::bit)}},
                            {"C_blosc-blosclz-none", {Order::C, Compressor::blosc("blosclz", 5, Shuffle::none)}},
                            {"F_blosc-lz4hc-byte", {Order::F, Compressor::blosc("lz4hc", 5, Shuffle::byte)}},
                            {"C_blosc-zlib-bit", {Order::C, Compressor::blosc("zlib", 5, Shuffle::bit)}},
                            {"F_zlib", {Order::F, Compressor::zlib(1)}},
                            {"C_gzip", {Order::C, Compressor::gzip(1)}},
                            {"F_lz4", {Order::F, Compressor::lz4()}},
                            {"C_bz2", {Order::C, Compressor::bz2(1)}}};
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

template <class T>
void round_trip(const TempDir& dir, const std::string& type_name) {
  for (bool two_d : {false, true}) {
    for (const auto& [name, options] : cases(true, !std::is_same_v<T, bool>)) {
      const std::string path = dir / (type_name + (two_d ? "_2d_" : "_1d_") + name);
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

// Chunks large enough for the vectorized transposes of C order (whole
// 16 x 16 tiles and ragged edges), checked against the file's bytes.
TEST(SaveLoad, COrderOfLargeChunksIsRowMajor) {
  TempDir dir;
  const std::string path = dir / "c";
  const Matrix<double> values = expected<double>(70, 45);
  dagger::compute(dagger::save(dagger::distribute(dagger::Blocks(40, 33), values), path, {.order = dagger::Order::C}));
  for (const auto& [key, r0, c0] : {std::tuple{"0.0", 0, 0}, std::tuple{"1.1", 40, 33}}) {
    const std::string bytes = read(path + "/" + key);
    ASSERT_EQ(bytes.size(), 40u * 33u * sizeof(double));
    for (int r = 0; r < 40; ++r) {
      for (int c = 0; c < 33; ++c) {
        double stored = 0;
        std::memcpy(&stored, bytes.data() + (r * 33 + c) * sizeof(double), sizeof stored);
        const bool inside = r0 + r < 70 && c0 + c < 45;
        ASSERT_EQ(stored, inside ? values(r0 + r, c0 + c) : 0.0) << key << " " << r << "," << c;
      }
    }
  }
  EXPECT_TRUE(same<double>(dagger::collect(dagger::load<double>(path)), values));
  const Matrix<std::int64_t> integers = expected<std::int64_t>(70, 45);
  dagger::compute(dagger::save(dagger::distribute(dagger::Blocks(40, 33), integers), dir / "i",
                               {.order = dagger::Order::C, .compressor = dagger::Compressor::blosc()}));
  EXPECT_TRUE(same<std::int64_t>(dagger::collect(dagger::load<std::int64_t>(dir / "i")), integers));
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
  // (No Delta: the sums that undo it round random doubles.)
  for (const auto& [name, options] : cases(true, false)) {
    const std::string path = dir / "s";
    auto saved = dagger::compute(dagger::save(s, path, options));
    SCOPED_TRACE(name);
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

  // A missing block file is a chunk of the fill value (Zarr's rule), not an error.
  reset();
  fs::remove(path + "/1.0");
  Matrix<double> holed = expected<double>(7, 5);
  holed.block(3, 0, 3, 2).setZero();
  EXPECT_TRUE(same<double>(dagger::collect(dagger::load<double>(path)), holed));

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
  write(path + "/.zarray", "{\"zarr_format\": 2, \"shape\": [1e99999, 5]}");  // a number JSON cannot hold
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path + "/.zarray") && contains(e.what(), "JSON")) << e.what();
  with_zarray([](nlohmann::json& z) { z["chunks"] = {std::int64_t{1} << 38, 2}; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path + "/.zarray") && contains(e.what(), "1 TiB")) << e.what();
  with_zarray([](nlohmann::json& z) { z["dtype"] = ">c16"; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path) && contains(e.what(), ">c16")) << e.what();
  with_zarray([](nlohmann::json& z) { z["filters"] = {{{"id", "quantize"}, {"digits", 3}, {"dtype", "<f8"}}}; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path + "/.zarray") && contains(e.what(), "quantize")) << e.what();
  with_zarray([](nlohmann::json& z) { z["filters"] = {{{"id", "delta"}, {"dtype", "<f8"}, {"astype", "<f4"}}}; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path + "/.zarray") && contains(e.what(), "<f4")) << e.what();
  with_zarray([](nlohmann::json& z) { z["compressor"] = {{"id", "zfpy"}, {"mode", 4}}; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path) && contains(e.what(), "'zfpy'") && contains(e.what(), "blosc")) << e.what();
  with_zarray([](nlohmann::json& z) { z["compressor"] = {{"id", "blosc"}, {"cname", "snappy"}}; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path) && contains(e.what(), "'snappy'")) << e.what();
  with_zarray([](nlohmann::json& z) { z["compressor"] = {{"id", "blosc"}, {"cname", "lz4"}, {"shuffle", 7}}; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path) && contains(e.what(), "shuffle")) << e.what();
  with_zarray([](nlohmann::json& z) { z["fill_value"] = "Nope"; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path) && contains(e.what(), "fill_value")) << e.what();
  with_zarray([](nlohmann::json& z) { z["dimension_separator"] = "_"; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path) && contains(e.what(), "separator")) << e.what();
  // Shape or chunks that do not match the block files.
  with_zarray([](nlohmann::json& z) { z["shape"] = {4, 5}; });
  e = storage_error([&] { dagger::load<double>(path); });
  EXPECT_TRUE(contains(e.what(), path + "/2.") && contains(e.what(), "inconsistent")) << e.what();
  // Larger than the files: the chunks beyond them are missing, so fill.
  with_zarray([](nlohmann::json& z) { z["shape"] = {10, 5}; });
  Matrix<double> grown = Matrix<double>::Zero(10, 5);
  grown.topRows(7) = expected<double>(7, 5);
  EXPECT_TRUE(same<double>(dagger::collect(dagger::load<double>(path)), grown));
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

// zarr_interop.py's EVERY_CODEC: the element types tried with every codec.
bool every_codec(const std::string& type_name) { return type_name == "f8" || type_name == "i2" || type_name == "b1"; }

template <class T>
int save_all(const TempDir& dir, const std::string& type_name) {
  int saved = 0;
  for (bool two_d : {false, true}) {
    for (const auto& [name, options] : cases(every_codec(type_name), type_name != "b1")) {
      dagger::compute(dagger::save(formula_array<T>(two_d), dir / ("ours/" + type_name + (two_d ? "_2d_" : "_1d_") + name),
                                   options));
      ++saved;
    }
  }
  return saved;
}

template <class T>
int check_all(const TempDir& dir, const std::string& type_name) {
  int checked = 0;
  for (const char* dims : {"1d", "2d"}) {
    for (const auto& c : cases(every_codec(type_name), type_name != "b1")) {
      const std::string path = dir / ("theirs/" + type_name + "_" + dims + "_" + c.name);
      const Matrix<T> want = std::string(dims) == "2d" ? expected<T>(7, 5) : expected<T>(11, 1);
      EXPECT_TRUE(same<T>(dagger::collect(dagger::load<T>(path)), want)) << path;
      ++checked;
    }
  }
  return checked;
}

}  // namespace

TEST(SaveLoad, PythonZarrReadsOurArrays) {
  if (!python_has_zarr()) GTEST_SKIP() << "/usr/bin/python3 lacks zarr/numcodecs/numpy (scripts/setup.sh installs them)";
  TempDir dir;
  fs::create_directories(dir / "ours");
  const int saved = save_all<double>(dir, "f8") + save_all<float>(dir, "f4") + save_all<std::int64_t>(dir, "i8") +
                    save_all<bool>(dir, "b1") + save_all<std::int32_t>(dir, "i4") + save_all<std::int16_t>(dir, "i2") +
                    save_all<std::int8_t>(dir, "i1") + save_all<std::uint64_t>(dir, "u8") +
                    save_all<std::uint32_t>(dir, "u4") + save_all<std::uint16_t>(dir, "u2") +
                    save_all<std::uint8_t>(dir, "u1");
  EXPECT_EQ(saved, 3 * 2 * 13 + 8 * 2 * 5 + 10 * 2 * 2);
  std::string output;
  EXPECT_EQ(run_python("check " + (dir / "ours"), output, dir), 0) << output;
  EXPECT_TRUE(contains(output, "checked " + std::to_string(saved) + " arrays")) << output;
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
  EXPECT_EQ(checked, 3 * 2 * 13 + 8 * 2 * 5 + 10 * 2 * 2);
}

// What Python's zarr writes beyond plain arrays: chunks it never wrote
// (read as the fill value, NaN and the infinities included), big-endian
// dtypes, "/" between chunk indices.
TEST(SaveLoad, WeReadPythonZarrFillValuesByteOrderAndSeparators) {
  if (!python_has_zarr()) GTEST_SKIP() << "/usr/bin/python3 lacks zarr/numcodecs/numpy (scripts/setup.sh installs them)";
  TempDir dir;
  std::string output;
  ASSERT_EQ(run_python("write-special " + (dir / "special"), output, dir), 0) << output;
  // Only chunk (1, 1) of 3x2 chunks written; the rest is the fill value.
  const Matrix<double> sparse = dagger::collect(dagger::load<double>(dir / "special/nan_fill"));
  ASSERT_EQ(sparse.rows(), 7);
  ASSERT_EQ(sparse.cols(), 5);
  for (std::int64_t j = 0; j < 5; ++j) {
    for (std::int64_t i = 0; i < 7; ++i) {
      if (i >= 3 && i < 6 && j >= 2 && j < 4) {
        EXPECT_EQ(sparse(i, j), formula<double>(i, j));
      } else {
        EXPECT_TRUE(std::isnan(sparse(i, j))) << i << "," << j;
      }
    }
  }
  const Matrix<float> inf = dagger::collect(dagger::load<float>(dir / "special/inf_fill"));
  EXPECT_TRUE((inf.array() == -std::numeric_limits<float>::infinity()).all());
  const Matrix<std::int32_t> sevens = dagger::collect(dagger::load<std::int32_t>(dir / "special/int_fill"));
  EXPECT_TRUE((sevens.array() == 7).all());
  EXPECT_TRUE(same<double>(dagger::collect(dagger::load<double>(dir / "special/big_endian_f8")), expected<double>(7, 5)));
  EXPECT_TRUE(same<std::int16_t>(dagger::collect(dagger::load<std::int16_t>(dir / "special/big_endian_i2_blosc")),
                                 expected<std::int16_t>(7, 5)));
  EXPECT_TRUE(same<std::int64_t>(dagger::collect(dagger::load<std::int64_t>(dir / "special/big_endian_i8_delta")),
                                 expected<std::int64_t>(7, 5)));
  EXPECT_TRUE(same<double>(dagger::collect(dagger::load<double>(dir / "special/slash_separator")), expected<double>(7, 5)));
}

// A corrupt block file of any codec is an error naming it, and a block
// file of another chunk's size too: never wrong values.
TEST(SaveLoad, CorruptBlockFilesOfEveryCodecNameTheFile) {
  TempDir dir;
  for (const auto& [name, options] : cases(true, true)) {
    if (options.compressor.kind == dagger::Compressor::Kind::none) continue;
    const std::string path = dir / name;
    dagger::compute(dagger::save(formula_array<double>(true), path, options));
    dagger::compute(dagger::save(dagger::ones(dagger::Blocks(2, 2), 4, 4), dir / (name + "_other"), options));
    fs::copy_file(dir / (name + "_other/0.0"), path + "/0.0", fs::copy_options::overwrite_existing);
    auto e = storage_error([&] { dagger::collect(dagger::load<double>(path)); });
    EXPECT_TRUE(contains(e.what(), path + "/0.0")) << name << ": " << e.what();
    write(path + "/1.1", "garbage, not a compressed block at all");
    fs::remove(path + "/0.0");
    e = storage_error([&] { dagger::collect(dagger::load<double>(path)); });
    EXPECT_TRUE(contains(e.what(), path + "/1.1")) << name << ": " << e.what();
    fs::remove(path + "/1.1");
    fs::resize_file(path + "/2.1", fs::file_size(path + "/2.1") / 2);
    e = storage_error([&] { dagger::collect(dagger::load<double>(path)); });
    EXPECT_TRUE(contains(e.what(), path + "/2.1")) << name << ": " << e.what();
    // With those removed too, the array loads (their chunks as fill).
    fs::remove(path + "/2.1");
    Matrix<double> want = expected<double>(7, 5);
    want.block(0, 0, 3, 2).setZero();
    want.block(3, 2, 3, 2).setZero();
    want.block(6, 2, 1, 2).setZero();
    EXPECT_TRUE(same<double>(dagger::collect(dagger::load<double>(path)), want)) << name;
  }
}

// Delta stores differences: a file of a slowly varying integer array is
// mostly small numbers, and undoing it restores every value, the wrapped
// ones of narrow types included.
TEST(SaveLoad, TheDeltaFilterStoresDifferences) {
  TempDir dir;
  Matrix<std::int64_t> values(64, 3);
  for (int c = 0; c < 3; ++c) {
    for (int r = 0; r < 64; ++r) values(r, c) = 1'000'000 + 3 * (r + 64 * c);
  }
  dagger::compute(dagger::save(dagger::distribute(dagger::Blocks(64, 3), values), dir / "d", {.delta = true}));
  const std::string bytes = read(dir / "d/0.0");
  ASSERT_EQ(bytes.size(), 64u * 3u * 8u);
  std::int64_t first = 0, second = 0;
  std::memcpy(&first, bytes.data(), 8);
  std::memcpy(&second, bytes.data() + 8, 8);
  EXPECT_EQ(first, 1'000'000);
  EXPECT_EQ(second, 3);
  EXPECT_TRUE(same<std::int64_t>(dagger::collect(dagger::load<std::int64_t>(dir / "d")), values));
  const auto z = nlohmann::json::parse(read(dir / "d/.zarray"));
  EXPECT_EQ(z.at("filters"), nlohmann::json::parse(R"([{"id": "delta", "dtype": "<i8", "astype": "<i8"}])"));
  EXPECT_THROW(dagger::compute(dagger::save(formula_array<bool>(true), dir / "b", {.delta = true})),
               dagger::UsageError);
  EXPECT_FALSE(fs::exists(dir / "b"));
}

TEST(SaveLoad, UnknownBloscCompressorIsAUsageError) {
  TempDir dir;
  EXPECT_THROW(dagger::compute(dagger::save(formula_array<double>(true), dir / "x",
                                            {.compressor = dagger::Compressor::blosc("snappy")})),
               dagger::UsageError);
  EXPECT_FALSE(fs::exists(dir / "x"));
}

namespace {

std::vector<std::string> described(const std::vector<dagger::ZarrMember>& members) {
  std::vector<std::string> out;
  for (const auto& m : members) out.push_back(m.path + (m.kind == dagger::ZarrMember::Kind::group ? "/" : ""));
  return out;
}

}  // namespace

TEST(ZarrGroups, MembersAttributesAndConsolidatedMetadata) {
  TempDir dir;
  const std::string g = dir / "store.zarr";
  dagger::create_group(g);
  dagger::create_group(g);  // already a group: left as it is
  dagger::create_group(g + "/sub");
  dagger::compute(dagger::save(formula_array<double>(true), g + "/x"));
  dagger::compute(dagger::save(formula_array<std::int32_t>(false), g + "/sub/y", {.compressor = dagger::Compressor::blosc()}));
  EXPECT_EQ(described(dagger::group_members(g)), (std::vector<std::string>{"sub/", "sub/y", "x"}));

  EXPECT_EQ(dagger::attributes(g), "{}");
  dagger::set_attributes(g, R"({"title": "run 1", "step": 3})");
  dagger::set_attributes(g + "/x", R"({"units": "K"})");
  EXPECT_EQ(dagger::attributes(g), R"({"step":3,"title":"run 1"})");
  EXPECT_EQ(dagger::attributes(g + "/x"), R"({"units":"K"})");
  EXPECT_EQ(dagger::attributes(g + "/sub/y"), "{}");

  // Consolidated: the listing comes from .zmetadata, so an array added
  // later appears once the group is consolidated again.
  dagger::consolidate_metadata(g);
  EXPECT_TRUE(fs::exists(g + "/.zmetadata"));
  const auto z = nlohmann::json::parse(read(g + "/.zmetadata"));
  EXPECT_EQ(z.at("zarr_consolidated_format"), 1);
  EXPECT_EQ(z.at("metadata").at("x/.zattrs").at("units"), "K");
  EXPECT_EQ(z.at("metadata").at("sub/y/.zarray").at("compressor").at("id"), "blosc");
  dagger::compute(dagger::save(dagger::ones(dagger::Blocks(2), 4), g + "/later"));
  EXPECT_EQ(described(dagger::group_members(g)), (std::vector<std::string>{"sub/", "sub/y", "x"}));
  dagger::consolidate_metadata(g);
  EXPECT_EQ(described(dagger::group_members(g)), (std::vector<std::string>{"later", "sub/", "sub/y", "x"}));

  // An array of the group loads by its path.
  EXPECT_TRUE(same<std::int32_t>(dagger::collect(dagger::load<std::int32_t>(g + "/sub/y")), expected<std::int32_t>(11, 1)));
  // Saving over an array of the group replaces it alone, attributes included.
  dagger::compute(dagger::save(formula_array<double>(true), g + "/x", {.compressor = dagger::Compressor::zstd()}));
  EXPECT_EQ(dagger::attributes(g + "/x"), "{}");
  EXPECT_EQ(dagger::attributes(g), R"({"step":3,"title":"run 1"})");
}

TEST(ZarrGroups, ErrorsNameThePath) {
  TempDir dir;
  const std::string g = dir / "g";
  dagger::create_group(g);
  dagger::compute(dagger::save(formula_array<double>(true), g + "/x"));
  EXPECT_THROW(dagger::set_attributes(g, "[1, 2]"), dagger::UsageError);
  EXPECT_THROW(dagger::set_attributes(g, "{\"a\": "), dagger::UsageError);
  EXPECT_EQ(dagger::attributes(g), "{}");  // unchanged

  auto e = storage_error([&] { dagger::attributes(g + "/none"); });
  EXPECT_TRUE(contains(e.what(), g + "/none")) << e.what();
  e = storage_error([&] { dagger::set_attributes(dir.path.string(), "{}"); });
  EXPECT_TRUE(contains(e.what(), "not a Zarr array or group")) << e.what();
  e = storage_error([&] { dagger::create_group(g + "/x"); });
  EXPECT_TRUE(contains(e.what(), g + "/x") && contains(e.what(), "not a Zarr group")) << e.what();
  e = storage_error([&] { dagger::create_group(g + "/no/such"); });
  EXPECT_TRUE(contains(e.what(), g + "/no/such")) << e.what();
  e = storage_error([&] { dagger::group_members(g + "/x"); });
  EXPECT_TRUE(contains(e.what(), g + "/x/.zgroup")) << e.what();
  write(g + "/x/.zattrs", "{not json");
  e = storage_error([&] { dagger::attributes(g + "/x"); });
  EXPECT_TRUE(contains(e.what(), g + "/x/.zattrs") && contains(e.what(), "JSON")) << e.what();
  write(g + "/.zmetadata", "{\"zarr_consolidated_format\": 1}");
  e = storage_error([&] { dagger::group_members(g); });
  EXPECT_TRUE(contains(e.what(), g + "/.zmetadata") && contains(e.what(), "metadata")) << e.what();
  // Still usable.
  dagger::set_attributes(g + "/x", R"({"ok": true})");
  EXPECT_EQ(dagger::attributes(g + "/x"), R"({"ok":true})");
  EXPECT_TRUE(same<double>(dagger::collect(dagger::load<double>(g + "/x")), expected<double>(7, 5)));
}

TEST(ZarrGroups, PythonZarrOpensOurConsolidatedGroup) {
  if (!python_has_zarr()) GTEST_SKIP() << "/usr/bin/python3 lacks zarr/numcodecs/numpy (scripts/setup.sh installs them)";
  TempDir dir;
  const std::string g = dir / "ours";
  dagger::create_group(g);
  dagger::create_group(g + "/sub");
  dagger::compute(dagger::save(formula_array<double>(true), g + "/x", {.order = dagger::Order::C}));
  dagger::compute(dagger::save(formula_array<std::int32_t>(false), g + "/sub/y", {.compressor = dagger::Compressor::blosc()}));
  dagger::set_attributes(g, R"({"title": "run 1", "step": 3})");
  dagger::set_attributes(g + "/x", R"({"units": "K"})");
  dagger::consolidate_metadata(g);
  std::string output;
  EXPECT_EQ(run_python("check-group " + g, output, dir), 0) << output;
  EXPECT_TRUE(contains(output, "group checked")) << output;
}

TEST(ZarrGroups, WeReadPythonZarrGroups) {
  if (!python_has_zarr()) GTEST_SKIP() << "/usr/bin/python3 lacks zarr/numcodecs/numpy (scripts/setup.sh installs them)";
  TempDir dir;
  const std::string g = dir / "theirs";
  std::string output;
  ASSERT_EQ(run_python("write-group " + g, output, dir), 0) << output;
  EXPECT_EQ(described(dagger::group_members(g)), (std::vector<std::string>{"a/", "a/b/", "a/b/y", "x"}));
  fs::remove(g + "/.zmetadata");  // the same from the directories
  EXPECT_EQ(described(dagger::group_members(g)), (std::vector<std::string>{"a/", "a/b/", "a/b/y", "x"}));
  EXPECT_EQ(dagger::attributes(g), R"({"n":2,"title":"from python"})");
  EXPECT_EQ(dagger::attributes(g + "/x"), R"({"units":"m/s"})");
  EXPECT_EQ(dagger::attributes(g + "/a"), "{}");
  EXPECT_TRUE(same<double>(dagger::collect(dagger::load<double>(g + "/x")), expected<double>(7, 5)));
  EXPECT_TRUE(same<std::int16_t>(dagger::collect(dagger::load<std::int16_t>(g + "/a/b/y")), expected<std::int16_t>(11, 1)));
}

// Arrays of 0, 3 and 4 dimensions both ways with Python's zarr
// (zarr_interop.py's write-nd and check-nd): every order, raw and
// compressed, ragged edge chunks, "/" separators and missing chunks.
namespace {

using Shape = std::vector<std::int64_t>;

const std::map<int, std::pair<Shape, Shape>>& nd_shapes() {
  static const std::map<int, std::pair<Shape, Shape>> shapes = {
      {0, {{}, {}}}, {3, {{7, 5, 4}, {3, 2, 3}}}, {4, {{5, 4, 3, 2}, {2, 3, 2, 1}}}};
  return shapes;
}

const std::vector<std::pair<std::string, dagger::SaveOptions>>& nd_cases() {
  using dagger::Compressor;
  using dagger::Order;
  static const std::vector<std::pair<std::string, dagger::SaveOptions>> cases = {
      {"F_raw", {Order::F, Compressor::none()}},
      {"C_raw", {Order::C, Compressor::none()}},
      {"C_zstd", {Order::C, Compressor::zstd(3)}},
      {"F_blosc-lz4-byte", {Order::F, Compressor::blosc()}}};
  return cases;
}

// zarr_interop.py's expected_nd, column-major.
template <class T>
std::vector<T> formula_nd(const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t e : shape) n *= e;
  std::vector<T> out(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t v = 0, rest = i, scale = 1;
    for (std::int64_t e : shape) {
      v += (rest % e) * scale;
      rest /= e;
      scale *= 10;
    }
    if constexpr (std::is_same_v<T, bool>) {
      out[static_cast<std::size_t>(i)] = v % 3 == 0;
    } else {
      out[static_cast<std::size_t>(i)] = static_cast<T>(static_cast<double>(v) + (std::is_floating_point_v<T> ? 0.5 : 0.0));
    }
  }
  return out;
}

template <class T>
int save_nd(const TempDir& dir, const std::string& type_name) {
  int saved = 0;
  for (const auto& [rank, shapes] : nd_shapes()) {
    const auto a = dagger::distribute(dagger::Blocks(shapes.second), formula_nd<T>(shapes.first), shapes.first);
    for (const auto& [name, options] : nd_cases()) {
      const std::string path = dir / ("nd_" + type_name + "_" + std::to_string(rank) + "d_" + name);
      const auto back = dagger::compute(dagger::save(a, path, options));
      EXPECT_EQ(dagger::collect_flat(back), formula_nd<T>(shapes.first)) << path;
      ++saved;
    }
  }
  return saved;
}

template <class T>
int check_nd(const TempDir& dir, const std::string& type_name) {
  int checked = 0;
  for (const auto& [rank, shapes] : nd_shapes()) {
    for (const auto& c : nd_cases()) {
      const std::string path = dir / ("nd_" + type_name + "_" + std::to_string(rank) + "d_" + c.first);
      const auto a = dagger::load<T>(path);
      EXPECT_EQ(a.shape(), shapes.first) << path;
      EXPECT_EQ(a.layout().blocks().sizes, shapes.second) << path;
      EXPECT_EQ(dagger::collect_flat(a), formula_nd<T>(shapes.first)) << path;
      ++checked;
    }
  }
  return checked;
}

}  // namespace

TEST(SaveLoad, ArraysOfAnyRankRoundTripWithPythonZarr) {
  if (!python_has_zarr()) GTEST_SKIP() << "/usr/bin/python3 lacks zarr/numcodecs/numpy (scripts/setup.sh installs them)";
  TempDir ours, theirs;
  const int saved = save_nd<double>(ours, "f8") + save_nd<float>(ours, "f4") + save_nd<std::int32_t>(ours, "i4") +
                    save_nd<std::int16_t>(ours, "i2") + save_nd<bool>(ours, "b1");
  EXPECT_EQ(saved, 5 * 3 * 4);
  std::string output;
  EXPECT_EQ(run_python("check-nd " + ours.path.string(), output, ours), 0) << output;
  ASSERT_EQ(run_python("write-nd " + theirs.path.string(), output, theirs), 0) << output;
  const int checked = check_nd<double>(theirs, "f8") + check_nd<float>(theirs, "f4") +
                      check_nd<std::int32_t>(theirs, "i4") + check_nd<std::int16_t>(theirs, "i2") +
                      check_nd<bool>(theirs, "b1");
  EXPECT_EQ(checked, 5 * 3 * 4);
  EXPECT_EQ(dagger::collect_flat(dagger::load<double>(theirs / "nd_slash")), formula_nd<double>({7, 5, 4}));
  // Only chunk (1, 1, 0) was written; the rest reads as the fill value.
  const std::vector<std::int32_t> filled = dagger::collect_flat(dagger::load<std::int32_t>(theirs / "nd_fill"));
  const std::vector<std::int32_t> values = formula_nd<std::int32_t>({7, 5, 4});
  for (std::int64_t i = 0; i < 7 * 5 * 4; ++i) {
    const std::int64_t r = i % 7, c = i / 7 % 5, p = i / 35;
    const bool written = r >= 3 && r < 6 && c >= 2 && c < 4 && p < 3;
    ASSERT_EQ(filled[static_cast<std::size_t>(i)], written ? values[static_cast<std::size_t>(i)] : -1) << i;
  }
}
