// Summaries and exports of a run's Timespans.
#include "dagger/events.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "dagger/processor.hpp"

namespace dagger {
namespace {

constexpr Category kAllCategories[] = {Category::scheduler_init, Category::scheduler,
                                       Category::compute,        Category::comm,
                                       Category::move,           Category::spill};

bool selected(const Timespan& e, const EventFilter& filter) {
  if (filter.processor != nullptr && e.processor != filter.processor) return false;
  return !filter.category || *filter.category == e.category;
}

std::string human_bytes(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char text[64];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.3f %s", bytes, units[u]);
  return text;
}

std::string human_count(double n) {
  char text[64];
  if (n >= 1e6) {
    std::snprintf(text, sizeof text, "%.2f M", n / 1e6);
  } else if (n >= 1e3) {
    std::snprintf(text, sizeof text, "%.2f k", n / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.0f", n);
  }
  return text;
}

std::string line(double seconds, double allocations, double bytes) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6f seconds", seconds);
  return std::string(text) + " (" + human_count(allocations) + " allocations: " + human_bytes(bytes) + ")";
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char code[8];
      std::snprintf(code, sizeof code, "\\u%04x", c);
      out += code;
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string_view to_string(Category category) {
  switch (category) {
    case Category::scheduler_init: return "scheduler_init";
    case Category::scheduler: return "scheduler";
    case Category::compute: return "compute";
    case Category::comm: return "comm";
    case Category::move: return "move";
    case Category::spill: return "spill";
  }
  return "unknown";
}

std::string summarize_events(const std::vector<Timespan>& events, const EventFilter& filter) {
  struct Totals {
    double seconds = 0, allocations = 0, bytes = 0;
    std::size_t count = 0;
  };
  Totals all;
  std::map<int, Totals> per_category;
  for (const Timespan& e : events) {
    if (!selected(e, filter)) continue;
    for (Totals* t : {&all, &per_category[static_cast<int>(e.category)]}) {
      t->seconds += e.seconds();
      t->allocations += static_cast<double>(e.allocations);
      t->bytes += static_cast<double>(e.bytes);
      ++t->count;
    }
  }
  std::string out = line(all.seconds, all.allocations, all.bytes) + "\n";
  for (Category c : kAllCategories) {
    auto it = per_category.find(static_cast<int>(c));
    if (it == per_category.end()) continue;
    char name[32];
    std::snprintf(name, sizeof name, "  %-15s", std::string(to_string(c)).c_str());
    out += name + line(it->second.seconds, it->second.allocations, it->second.bytes) + "  [" +
           std::to_string(it->second.count) + " events]\n";
  }
  return out;
}

std::string to_chrome_trace(const std::vector<Timespan>& events) {
  std::int64_t origin = events.empty() ? 0 : events.front().start_ns;
  for (const Timespan& e : events) origin = std::min(origin, e.start_ns);
  std::unordered_map<const Processor*, int> thread_ids;
  std::string out = "{\"traceEvents\":[";
  bool first = true;
  auto emit = [&](const std::string& item) {
    out += (first ? "\n" : ",\n") + item;
    first = false;
  };
  for (const Timespan& e : events) {
    auto [it, added] = thread_ids.try_emplace(e.processor, static_cast<int>(thread_ids.size()));
    if (added) {
      emit("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":" + std::to_string(it->second) +
           ",\"args\":{\"name\":\"" + json_escape(e.processor ? e.processor->name() : "?") + "\"}}");
    }
    char timing[96];
    std::snprintf(timing, sizeof timing, "\"ts\":%.3f,\"dur\":%.3f",
                  static_cast<double>(e.start_ns - origin) / 1e3,
                  static_cast<double>(e.finish_ns - e.start_ns) / 1e3);
    emit("{\"ph\":\"X\",\"name\":\"" + std::string(to_string(e.category)) +
         (e.id ? " " + std::to_string(e.id) : std::string()) + "\",\"cat\":\"" +
         std::string(to_string(e.category)) + "\"," + timing + ",\"pid\":1,\"tid\":" +
         std::to_string(it->second) + ",\"args\":{\"thunk\":" + std::to_string(e.id) +
         ",\"bytes\":" + std::to_string(e.bytes) + "}}");
  }
  out += "\n],\"displayTimeUnit\":\"ms\"}\n";
  return out;
}

}  // namespace dagger
