// Runs one save or load in its own process, for the tests that need limits
// the test process must not take on itself: a file size limit (ulimit -f)
// or an unprivileged user. Prints what happened; exits 0 on success, 2 on a
// StorageError (also one carried by a ThunkError), 3 on anything else.
//
//   storage_helper [--as-nobody] save PATH N   an N x N double array, blocks of 200x200
//   storage_helper [--as-nobody] load PATH     loads and sums a double array
#include <grp.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <string>

namespace {

// Root ignores file modes, so permission errors are only seen as another
// user; 65534 is "nobody" on Debian.
void become_nobody() {
  if (::geteuid() != 0) return;
  if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) {
    std::perror("storage_helper: cannot drop privileges");
    std::exit(3);
  }
}

int report_storage_error(const dagger::StorageError& e) {
  std::printf("StorageError: %s\npath: %s\n", e.what(), e.path().c_str());
  return 2;
}

int run(int argc, char** argv) {
  int a = 1;
  if (a < argc && std::strcmp(argv[a], "--as-nobody") == 0) {
    become_nobody();
    ++a;
  }
  const std::string command = a < argc ? argv[a] : "";
  if (command == "save" && a + 2 < argc) {
    const std::int64_t n = std::stoll(argv[a + 2]);
    auto x = dagger::ones(dagger::Blocks(200, 200), n, n);
    auto saved = dagger::compute(dagger::save(x, argv[a + 1]));
    std::printf("saved %s\n", argv[a + 1]);
    return saved.rows() == n ? 0 : 3;
  }
  if (command == "load" && a + 1 < argc) {
    const double total = dagger::collect(dagger::sum(dagger::load<double>(argv[a + 1])));
    std::printf("loaded, sum %g\n", total);
    return 0;
  }
  std::fprintf(stderr, "usage: storage_helper [--as-nobody] save PATH N | load PATH\n");
  return 3;
}

}  // namespace

int main(int argc, char** argv) {
  // With SIGXFSZ ignored, writing past the file size limit fails with EFBIG
  // (which save reports) instead of killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    return run(argc, argv);
  } catch (const dagger::StorageError& e) {
    return report_storage_error(e);
  } catch (const dagger::ThunkError& e) {
    try {
      e.rethrow_original();
    } catch (const dagger::StorageError& original) {
      return report_storage_error(original);
    } catch (...) {
    }
    std::printf("ThunkError: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 3;
  }
}
