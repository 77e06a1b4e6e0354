// A live view of the runtime in the browser, and the same views as one
// HTML file written after the fact (Dask's dashboard and performance_report,
// Dagger.jl's DaggerWebDash).
//
//   dagger::Dashboard dash("127.0.0.1:8787");   // prints its address
//   ... compute, spawn ...                       // watch at http://127.0.0.1:8787/
//
// The page shows a task stream (one row per processor, moves and spills as
// their own bars), progress per computation with its failures, memory per
// process and per GPU, the workers with their state and transfer rates, and
// the graph of the latest small computation. It is served from the binary:
// nothing is fetched from the internet.
//
// Environment: DAGGER_DASHBOARD=HOST:PORT starts one in dagger::init (in
// the driver only).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dagger/events.hpp"

namespace dagger {

class Dashboard {
 public:
  // Serves on HOST:PORT (port 0: any free port). A loopback address
  // (127.x.x.x, ::1, localhost) needs nothing more; any other address
  // makes a random token, printed with the address, that every request
  // must carry (?token=...), or it is refused with 403. One dashboard runs
  // at a time. Throws UsageError for a bad address or a second dashboard,
  // and Error when the port cannot be bound.
  explicit Dashboard(const std::string& address = "127.0.0.1:8787");
  ~Dashboard();
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  int port() const;
  // Empty on loopback.
  const std::string& token() const;
  // "http://HOST:PORT/" with "?token=..." when one is needed.
  std::string url() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Writes the dashboard's views of a finished computation as one
// self-contained HTML file (no server, nothing fetched): its task stream,
// the tasks per function, and the transfers and spills, from
// debug_compute's events; memory and workers as they are when it is
// written. Throws StorageError naming the file when it cannot be written.
void write_report(const std::vector<Timespan>& events, const std::filesystem::path& file);

}  // namespace dagger
