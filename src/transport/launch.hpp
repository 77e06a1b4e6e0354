// How this process started: the arguments init saw (local workers are
// started with the same ones), and whether it is the driver.
#pragma once

#include <string>
#include <vector>

namespace dagger::detail {

bool init_was_called();
const std::vector<std::string>& saved_arguments();

// Serves the driver at host:port until it ends, then exits the process.
[[noreturn]] void serve_driver(const std::string& host, int port, const std::string& cookie);

}  // namespace dagger::detail
