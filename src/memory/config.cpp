// Runtime settings: defaults from the machine and the environment, and the
// parsing of sizes people write ("2GiB").
#include "dagger/config.hpp"

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "dagger/errors.hpp"
#include "memory/chunk_store.hpp"
#include "memory/config_listeners.hpp"

namespace dagger {
namespace {

std::size_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page) : 0;
}

// The cgroup's memory limit (v2, then v1); 0 when there is none.
std::size_t cgroup_memory_limit() {
  for (const char* file : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(file);
    std::string text;
    if (!(in >> text) || text == "max") continue;
    try {
      const unsigned long long v = std::stoull(text);
      if (v > 0 && v < (1ULL << 60)) return static_cast<std::size_t>(v);
    } catch (const std::exception&) {
    }
  }
  return 0;
}

Config default_config() {
  Config c;
  if (const char* env = std::getenv("DAGGER_MEMORY_LIMIT"); env && *env) {
    c.memory_limit = parse_byte_size(env);
  } else {
    std::size_t total = physical_memory();
    const std::size_t cgroup = cgroup_memory_limit();
    if (cgroup != 0 && (total == 0 || cgroup < total)) total = cgroup;
    c.memory_limit = total == 0 ? (std::size_t{4} << 30) : total / 4 * 3;
  }
  if (const char* env = std::getenv("DAGGER_DEVICE_MEMORY_LIMIT"); env && *env) {
    c.device_memory_limit = parse_byte_size(env);
  }
  if (const char* env = std::getenv("DAGGER_SPILL_DIR"); env && *env) {
    c.spill_directory = env;
  } else {
    c.spill_directory = std::filesystem::temp_directory_path();
  }
  return c;
}

std::mutex config_mutex;
Config& current() {
  static Config c = default_config();
  return c;
}

std::mutex listeners_mutex;
std::vector<detail::ConfigListener>& listeners() {
  static auto* l = new std::vector<detail::ConfigListener>();
  return *l;
}

}  // namespace

Config config() {
  std::lock_guard lock(config_mutex);
  return current();
}

void configure(const Config& config) {
  if (config.memory_limit == 0) throw UsageError("Config::memory_limit must be positive");
  if (config.spill_directory.empty()) throw UsageError("Config::spill_directory must be set");
  {
    std::lock_guard lock(config_mutex);
    current() = config;
  }
  detail::chunk_store().configure(config);
  std::vector<detail::ConfigListener> to_call;
  {
    std::lock_guard lock(listeners_mutex);
    to_call = listeners();
  }
  for (detail::ConfigListener listener : to_call) listener(config);
}

namespace detail {
void add_config_listener(ConfigListener listener) {
  std::lock_guard lock(listeners_mutex);
  listeners().push_back(listener);
}
}  // namespace detail

std::size_t parse_byte_size(std::string_view text) {
  const std::string s(text);
  const char* begin = s.c_str();
  char* end = nullptr;
  const double number = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(number) || number < 0) {
    throw UsageError("not a byte size: \"" + s + "\" (write e.g. 2GiB, 512MB or 1e9)");
  }
  std::string unit;
  for (const char* p = end; *p; ++p) {
    if (!std::isspace(static_cast<unsigned char>(*p))) unit += static_cast<char>(std::tolower(*p));
  }
  double scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  else if (unit == "k" || unit == "kb") scale = 1e3;
  else if (unit == "m" || unit == "mb") scale = 1e6;
  else if (unit == "g" || unit == "gb") scale = 1e9;
  else if (unit == "t" || unit == "tb") scale = 1e12;
  else if (unit == "kib") scale = 1024.0;
  else if (unit == "mib") scale = 1024.0 * 1024;
  else if (unit == "gib") scale = 1024.0 * 1024 * 1024;
  else if (unit == "tib") scale = 1024.0 * 1024 * 1024 * 1024;
  else throw UsageError("not a byte size: \"" + s + "\" (unknown unit \"" + unit + "\")");
  return static_cast<std::size_t>(number * scale);
}

}  // namespace dagger
