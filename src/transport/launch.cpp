// dagger::init: decides whether this process is the driver or a worker.
//
// A worker is started one of three ways:
// - by add_local_workers, which sets DAGGER_WORKER_OF and DAGGER_COOKIE;
// - by hand: `./app --dagger-worker HOST:PORT`, with the cookie in
//   DAGGER_COOKIE or in the file named by DAGGER_COOKIE_FILE or
//   `--dagger-cookie-file PATH`;
// - by mpirun: every rank but 0. OpenMPI names the rank in the environment;
//   rank 0 writes its address and cookie to a file only its user can read,
//   named after the job, in DAGGER_RENDEZVOUS_DIR (default: the temporary
//   directory), and the other ranks read it there. No MPI call is made.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "dagger/distributed.hpp"
#include "dagger/errors.hpp"
#include "transport/cluster.hpp"
#include "transport/launch.hpp"

namespace dagger {
namespace detail {
namespace {

std::vector<std::string>& arguments() {
  static std::vector<std::string> args;
  return args;
}
bool init_called = false;

struct Address {
  std::string host;
  int port = 0;
};

Address parse_address(const std::string& text, const char* what) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw UsageError(std::string(what) + ": expected HOST:PORT, got '" + text + "'");
  }
  Address a{text.substr(0, colon), 0};
  try {
    a.port = std::stoi(text.substr(colon + 1));
  } catch (const std::exception&) {
    throw UsageError(std::string(what) + ": bad port in '" + text + "'");
  }
  if (a.port <= 0 || a.port > 65535) throw UsageError(std::string(what) + ": bad port in '" + text + "'");
  return a;
}

std::string read_cookie_file(const std::string& path) {
  std::ifstream in(path);
  std::string cookie;
  if (!in || !std::getline(in, cookie) || cookie.empty()) throw StorageError(path, "cannot read the cluster cookie");
  return cookie;
}

std::string option_value(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == name && i + 1 < argc) return argv[i + 1];
    if (arg.rfind(name + "=", 0) == 0) return arg.substr(name.size() + 1);
  }
  return {};
}

std::string cookie_for_worker(int argc, char** argv) {
  if (const char* env = std::getenv("DAGGER_COOKIE"); env && *env) return env;
  std::string file = option_value(argc, argv, "--dagger-cookie-file");
  if (file.empty()) {
    if (const char* env = std::getenv("DAGGER_COOKIE_FILE"); env && *env) file = env;
  }
  if (file.empty()) {
    throw UsageError("a worker needs the driver's cookie: set DAGGER_COOKIE, DAGGER_COOKIE_FILE or "
                     "--dagger-cookie-file");
  }
  return read_cookie_file(file);
}

std::filesystem::path rendezvous_file(const char* job) {
  std::filesystem::path dir = std::filesystem::temp_directory_path();
  if (const char* env = std::getenv("DAGGER_RENDEZVOUS_DIR"); env && *env) dir = env;
  return dir / ("dagger-mpi-" + std::string(job) + ".address");
}

// mpirun: rank 0 is the driver; it listens and tells the others where.
void start_under_mpirun(int rank, int size, const char* job) {
  const auto file = rendezvous_file(job);
  if (rank == 0) {
    const char* listen_env = std::getenv("DAGGER_LISTEN");
    Address at = listen_env && *listen_env ? parse_address(listen_env, "DAGGER_LISTEN") : Address{"0.0.0.0", 0};
    const int port = cluster().listen(at.host, at.port);
    char hostname[256] = {};
    ::gethostname(hostname, sizeof(hostname) - 1);
    const std::string advertised = at.host == "0.0.0.0" ? hostname : at.host;
    const auto partial = file.string() + ".partial";
    {
      const mode_t old = ::umask(077);
      std::ofstream out(partial);
      ::umask(old);
      out << advertised << ":" << port << "\n" << cluster().cookie() << "\n";
      if (!out) throw StorageError(partial, "cannot write the driver's address for the other ranks");
    }
    std::filesystem::rename(partial, file);
    try {
      wait_for_workers(size - 1, std::chrono::seconds(120));
    } catch (...) {
      std::filesystem::remove(file);
      throw;
    }
    std::filesystem::remove(file);
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::string address, cookie;
  for (;;) {
    std::ifstream in(file);
    if (in && std::getline(in, address) && std::getline(in, cookie)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "dagger worker (mpi rank " << rank << "): no driver address in " << file << " after 120 s\n";
      std::_Exit(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const Address a = parse_address(address, file.c_str());
  serve_driver(a.host, a.port, cookie);
}

}  // namespace

namespace {
std::vector<void (*)()>& driver_start_hooks() {
  static std::vector<void (*)()> hooks;
  return hooks;
}
void run_driver_start_hooks() {
  for (void (*hook)() : driver_start_hooks()) hook();
}
}  // namespace

void add_driver_start_hook(void (*hook)()) { driver_start_hooks().push_back(hook); }

bool init_was_called() { return init_called; }
const std::vector<std::string>& saved_arguments() { return arguments(); }

}  // namespace detail

void init(int argc, char** argv) {
  using namespace detail;
  if (init_called) return;
  init_called = true;
  for (int i = 0; i < argc; ++i) arguments().emplace_back(argv[i]);

  std::string worker_of = option_value(argc, argv, "--dagger-worker");
  if (worker_of.empty()) {
    if (const char* env = std::getenv("DAGGER_WORKER_OF"); env && *env) worker_of = env;
  }
  if (!worker_of.empty()) {
    const Address a = parse_address(worker_of, "--dagger-worker");
    serve_driver(a.host, a.port, cookie_for_worker(argc, argv));
  }
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  const char* job = std::getenv("OMPI_MCA_ess_base_jobid");
  if (rank && size && job && std::atoi(size) > 1) {
    start_under_mpirun(std::atoi(rank), std::atoi(size), job);
    run_driver_start_hooks();
    return;
  }
  if (const char* env = std::getenv("DAGGER_LISTEN"); env && *env) {
    const Address a = parse_address(env, "DAGGER_LISTEN");
    cluster().listen(a.host, a.port);
  }
  run_driver_start_hooks();
}

bool is_driver() { return true; }  // a worker never returns from init

}  // namespace dagger
