// Process-wide settings of the runtime, and what its memory is doing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace dagger {

struct Config {
  // Bytes of chunk data this process keeps in host memory. Above it, the
  // least recently used chunks that no running task needs are written to
  // `spill_directory` and read back when a task needs them. Default: 3/4 of
  // the machine's memory or of the cgroup's limit, whichever is smaller;
  // environment variable DAGGER_MEMORY_LIMIT ("2GiB", "512MB", "1e9").
  std::size_t memory_limit = 0;
  // Where spilled chunks go (a private subdirectory is made inside and
  // removed at exit). Default: DAGGER_SPILL_DIR, else the system's
  // temporary directory.
  std::filesystem::path spill_directory;
  // Bytes of blocks each CUDA device keeps in its memory; above it the least
  // recently used blocks no kernel holds go to host memory. 0: 90% of each
  // device's memory. Environment variable DAGGER_DEVICE_MEMORY_LIMIT.
  std::size_t device_memory_limit = 0;
};

// The settings in force (defaults on first use).
Config config();
// Replaces the settings; a lower memory limit spills at once.
void configure(const Config& config);

// "2GiB", "1.5 GB", "512MiB", "4096", "1e9" -> bytes. Throws UsageError
// naming the text when it is not a size.
std::size_t parse_byte_size(std::string_view text);

struct MemoryStats {
  std::size_t limit = 0;
  std::size_t resident_bytes = 0;       // spillable chunk data in memory now
  std::size_t peak_resident_bytes = 0;  // since start or reset_memory_peak()
  std::size_t spilled_bytes = 0;        // on disk now
  std::uint64_t spills = 0;             // chunks written, since start
  std::uint64_t spilled_total_bytes = 0;
  std::uint64_t reloads = 0;            // chunks read back, since start
  std::uint64_t reloaded_total_bytes = 0;
  // Blocks read from an array file leave memory without a write (they are
  // read again from that file); their bytes, since start.
  std::uint64_t dropped_clean_bytes = 0;
};
MemoryStats memory_stats();
void reset_memory_peak();

}  // namespace dagger
