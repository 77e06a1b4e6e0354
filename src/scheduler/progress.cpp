#include "scheduler/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include "scheduler/run.hpp"

namespace dagger::detail {

std::string format_progress(std::size_t done, std::size_t total, double seconds, int width) {
  const double fraction = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
  const int filled = static_cast<int>(fraction * width + 0.5);
  std::string bar(static_cast<std::size_t>(width) + 2, '-');
  bar.front() = '[';
  bar.back() = ']';
  for (int i = 0; i < filled; ++i) bar[static_cast<std::size_t>(i) + 1] = '#';
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  char text[128];
  if (rate >= 1000) {
    std::snprintf(text, sizeof text, " %zu/%zu tasks  %.2f k tasks/s", done, total, rate / 1000);
  } else {
    std::snprintf(text, sizeof text, " %zu/%zu tasks  %.1f tasks/s", done, total, rate);
  }
  return bar + text;
}

ProgressBar::ProgressBar(std::size_t total)
    : total_(total), start_ns_(now_ns()), terminal_(::isatty(STDERR_FILENO) != 0) {}

void ProgressBar::draw(std::size_t done) {
  if (!terminal_) return;
  const double seconds = static_cast<double>(now_ns() - start_ns_) * 1e-9;
  std::fprintf(stderr, "\r%s", format_progress(done, total_, seconds).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish(std::size_t done) {
  if (!drawn_) return;  // short computations leave the terminal alone
  draw(done);
  std::fputc('\n', stderr);
}

}  // namespace dagger::detail
