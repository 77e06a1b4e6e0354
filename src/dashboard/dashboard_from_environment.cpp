// DAGGER_DASHBOARD=HOST:PORT starts a dashboard when init finds this
// process is the driver; it stops at exit.
#include <cstdlib>

#include "dagger/dashboard.hpp"
#include "transport/launch.hpp"

namespace dagger {
namespace {

Dashboard* from_environment = nullptr;

void start_from_environment() {
  const char* address = std::getenv("DAGGER_DASHBOARD");
  if (address == nullptr || *address == '\0' || from_environment != nullptr) return;
  from_environment = new Dashboard(address);  // a bad address: init throws its UsageError
  std::atexit([] {
    delete from_environment;
    from_environment = nullptr;
  });
}

[[maybe_unused]] const bool registered = (detail::add_driver_start_hook(&start_from_environment), true);

}  // namespace
}  // namespace dagger
