// A one-line progress bar on standard error: tasks done / total and rate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dagger::detail {

// "[#######-------------]  350/1000 tasks  1.25 k tasks/s"
std::string format_progress(std::size_t done, std::size_t total, double seconds, int width = 30);

class ProgressBar {
 public:
  explicit ProgressBar(std::size_t total);
  void draw(std::size_t done);
  void finish(std::size_t done);

 private:
  std::size_t total_;
  std::int64_t start_ns_;
  bool drawn_ = false;
  bool terminal_;
};

}  // namespace dagger::detail
