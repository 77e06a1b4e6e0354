// How this process started: the arguments init saw (local workers are
// started with the same ones), and whether it is the driver.
#pragma once

#include <string>
#include <vector>

namespace dagger::detail {

bool init_was_called();
const std::vector<std::string>& saved_arguments();

// Called at the end of init in the driver (never in a worker), in the
// order added: how a layer above starts what the environment asks for
// (DAGGER_DASHBOARD). Added from static initializers.
void add_driver_start_hook(void (*hook)());

// Serves the driver at host:port until it ends, then exits the process.
[[noreturn]] void serve_driver(const std::string& host, int port, const std::string& cookie);

}  // namespace dagger::detail
