#include "memory/chunk_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "dagger/errors.hpp"
#include "dagger/processor.hpp"
#include "core/live_view.hpp"
#include "core/clock.hpp"
#include "core/file_io.hpp"

namespace dagger::detail {
namespace {

using storage::errno_text;

// Writes the parts one after the other to a new file; 0 or the errno that
// stopped it.
int write_file(const std::filesystem::path& path, const SpillParts& parts) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return errno;
  int error = 0;
  for (const auto& part : parts) {
    std::size_t done = 0;
    while (error == 0 && done < part.size()) {
      const ssize_t n = ::write(fd, part.data() + done, part.size() - done);
      if (n < 0) {
        if (errno != EINTR) error = errno;
        continue;
      }
      done += static_cast<std::size_t>(n);
    }
  }
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) ::unlink(path.c_str());
  return error;
}

// Whether the file is as long as the parts a spill wrote there.
bool file_holds(const std::filesystem::path& path, const SpillParts& parts) {
  std::size_t total = 0;
  for (const auto& part : parts) total += part.size();
  std::error_code error;
  return std::filesystem::file_size(path, error) == total && !error;
}

// Fills the parts from the file; an empty string or what went wrong.
std::string read_file(const std::filesystem::path& path, const SpillTargets& parts) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_text(errno);
  std::string problem;
  std::size_t total = 0;
  for (const auto& part : parts) {
    std::size_t done = 0;
    while (problem.empty() && done < part.size()) {
      const ssize_t n = ::read(fd, part.data() + done, part.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        problem = errno_text(errno);
      } else if (n == 0) {
        problem = "the file ends after " + std::to_string(total + done) + " bytes";
      } else {
        done += static_cast<std::size_t>(n);
      }
    }
    total += done;
  }
  ::close(fd);
  return problem;
}

// Every spill directory this process made (one per configured location),
// removed at exit with whatever is still in them.
std::vector<std::filesystem::path>& spill_directories_made() {
  static auto* made = new std::vector<std::filesystem::path>();
  return *made;
}

void remove_spill_directories() {
  for (const auto& dir : spill_directories_made()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
}

}  // namespace

ChunkStore::ChunkStore() : tier_(*this, dagger::config().memory_limit) {
  base_directory_ = dagger::config().spill_directory;
}

ChunkStore::~ChunkStore() = default;

ChunkStore& chunk_store() {
  // Never destroyed: chunks held by static objects may die after it would.
  static ChunkStore* store = new ChunkStore();
  return *store;
}

void ChunkStore::configure(const Config& config) {
  {
    std::lock_guard lock(files_mutex_);
    if (config.spill_directory != base_directory_) {
      base_directory_ = config.spill_directory;
      directory_.clear();  // files already spilled keep their own paths
    }
  }
  spill_failed_ns_.store(0);
  tier_.set_limit(config.memory_limit);
}

// ---------------------------------------------------------------- chunks

void ChunkStore::add(ChunkData& chunk) {
  const SpillCodec* codec = chunk.value.spill_codec();
  if (!codec || chunk.space != &host_memory()) return;
  const std::size_t payload = payload_bytes(codec->payload(chunk.value.object()));
  if (payload < kMinSpillBytes) return;
  auto* e = new StoreEntry;
  e->chunk = &chunk;
  e->codec = codec;
  e->bytes = payload;
  chunk.store_entry = e;
  tier_.add(*e);
}

void ChunkStore::remove(ChunkData& chunk) {
  StoreEntry* e = chunk.store_entry;
  tier_.remove(*e);
  chunk.store_entry = nullptr;
  delete e;
}

void ChunkStore::pin(ChunkData& chunk) { tier_.pin(*chunk.store_entry); }
void ChunkStore::unpin(ChunkData& chunk) { tier_.unpin(*chunk.store_entry); }
void ChunkStore::hold(ChunkData& chunk) { tier_.hold(*chunk.store_entry); }
bool ChunkStore::hold_if_resident(ChunkData& chunk) { return tier_.hold_if_resident(*chunk.store_entry); }

void hold_in_memory_slow(ChunkData& chunk) { chunk_store().hold(chunk); }
void pin_slow(ChunkData& chunk) { chunk_store().pin(chunk); }
void unpin_slow(ChunkData& chunk) { chunk_store().unpin(chunk); }

// ---------------------------------------------------------------- spilling

std::filesystem::path ChunkStore::new_spill_file() {
  std::lock_guard lock(files_mutex_);
  if (directory_.empty()) {
    std::random_device random;
    directory_ = base_directory_ / ("dagger-spill-" + std::to_string(::getpid()) + "-" +
                                    std::to_string(random() % 1000000));
    std::error_code error;
    std::filesystem::create_directories(directory_, error);
    if (spill_directories_made().empty()) std::atexit(remove_spill_directories);
    spill_directories_made().push_back(directory_);
  }
  return directory_ / ("chunk-" + std::to_string(++next_file_));
}

bool ChunkStore::may_move_out() {
  const std::int64_t failed = spill_failed_ns_.load();
  return failed == 0 || now_ns() - failed >= kRetrySpillNs;
}

// Values shared with other owners would stay in memory anyway.
bool ChunkStore::movable(TierEntry& entry) {
  auto& e = static_cast<StoreEntry&>(entry);
  void* object = e.chunk->value.object();
  return e.codec->sole_owner(object) && payload_bytes(e.codec->payload(object)) != 0;
}

bool ChunkStore::copy_below(TierEntry& entry) {
  auto& e = static_cast<StoreEntry&>(entry);
  e.leaving_ns = now_ns();
  void* object = e.chunk->value.object();
  // A value that can be read again from where it came from is only dropped.
  e.clean = e.codec->rereadable && e.codec->rereadable(object);
  const SpillParts parts = e.codec->payload(object);
  for (std::size_t i = 0; i < kSpillParts; ++i) e.sizes[i] = parts[i].size();
  // A file kept from an earlier spill is reused while it is whole (one
  // stat; someone may have removed the spill directory meanwhile).
  e.reusing_file = !e.clean && !e.file.empty() && file_holds(e.file, parts);
  if (e.clean || e.reusing_file) return true;
  if (!e.file.empty()) ::unlink(e.file.c_str());  // a kept file that is no longer whole
  e.file = new_spill_file();
  const int error = write_file(e.file, parts);
  if (error == 0) return true;
  // Said once per episode: writes that were under way fail alike.
  const std::int64_t now = now_ns();
  const std::int64_t before = spill_failed_ns_.exchange(now);
  if (before == 0 || now - before >= kRetrySpillNs) {
    std::fprintf(stderr, "dagger: cannot spill to %s (%s); keeping data in memory above the limit\n",
                 e.file.c_str(), errno_text(error).c_str());
  }
  e.file.clear();
  return false;
}

void ChunkStore::let_go(TierEntry& entry) {
  auto& e = static_cast<StoreEntry&>(entry);
  e.codec->drop(e.chunk->value.object());
  if (e.clean || e.reusing_file) {
    dropped_clean_ += e.bytes;
  } else {
    ++spills_;
    spilled_total_ += e.bytes;
    event(e.chunk->producer, e.leaving_ns, e.bytes, false);
  }
}

void ChunkStore::discard_copy(TierEntry& entry) {
  auto& e = static_cast<StoreEntry&>(entry);
  // A reused file still holds the value; a fresh one may be half written.
  if (!e.reusing_file) {
    if (!e.file.empty()) ::unlink(e.file.c_str());
    e.file.clear();
  }
  e.clean = false;
  e.reusing_file = false;
}

void ChunkStore::bring_back(TierEntry& entry) {
  auto& e = static_cast<StoreEntry&>(entry);
  const std::int64_t start = now_ns();
  void* object = e.chunk->value.object();
  std::string problem = e.clean ? e.codec->reread(object, e.sizes) : read_file(e.file, e.codec->restore(object, e.sizes));
  if (!problem.empty()) {
    e.codec->drop(object);
    throw Error("could not read the spilled result of thunk " + std::to_string(e.chunk->producer) + " back" +
                (e.clean ? "" : " from " + e.file.string()) + ": " + problem);
  }
  // The file stays: the next spill of this value needs no write.
  e.clean = false;
  e.reusing_file = false;
  event(e.chunk->producer, start, e.bytes, true);
}

void ChunkStore::forget(TierEntry& entry, bool) {
  auto& e = static_cast<StoreEntry&>(entry);
  if (!e.file.empty()) ::unlink(e.file.c_str());
}

// ---------------------------------------------------------------- reporting

bool ChunkStore::under_pressure() const { return tier_.resident() > tier_.limit() / 5 * 4; }

MemoryStats ChunkStore::stats() {
  const TierStats t = tier_.stats();
  MemoryStats s;
  s.limit = t.limit;
  s.resident_bytes = t.resident;
  s.peak_resident_bytes = t.peak;
  s.spilled_bytes = t.below;
  s.spills = spills_.load();
  s.spilled_total_bytes = spilled_total_.load();
  s.reloads = t.moves_back;
  s.reloaded_total_bytes = t.moved_back_bytes;
  s.dropped_clean_bytes = dropped_clean_.load();
  return s;
}

void ChunkStore::reset_peak() { tier_.reset_peak(); }

void ChunkStore::record_events(bool on) { recording_.store(on); }

std::vector<Timespan> ChunkStore::take_events() {
  std::lock_guard lock(events_mutex_);
  return std::exchange(events_, {});
}

void ChunkStore::event(std::uint64_t producer, std::int64_t start, std::size_t bytes, bool reload) {
  LiveView* view = live_view();
  const bool recording = recording_.load(std::memory_order_relaxed);
  if (!recording && !view) return;
  const std::int64_t finish = now_ns();
  if (view) view->span(0, Category::spill, nullptr, producer, &this_process(), start, finish, bytes);
  if (!recording) return;
  // A reload allocates the chunk's memory again; a spill allocates nothing.
  Timespan t{Category::spill, producer, &this_process(), start, finish, bytes, reload ? 1u : 0u};
  std::lock_guard lock(events_mutex_);
  events_.push_back(t);
}

// ---------------------------------------------------------------- pins

PinnedInputs::~PinnedInputs() {
  for (std::size_t i = 0; i < count_; ++i) chunk_store().unpin(*inline_[i]);
  for (ChunkData* c : more_) chunk_store().unpin(*c);
}

void PinnedInputs::add(ChunkData& chunk) {
  if (!chunk.store_entry) return;
  chunk_store().pin(chunk);
  if (count_ < kInline) {
    inline_[count_++] = &chunk;
  } else {
    more_.push_back(&chunk);
  }
}

}  // namespace dagger::detail

namespace dagger {

MemoryStats memory_stats() { return detail::chunk_store().stats(); }
void reset_memory_peak() { detail::chunk_store().reset_peak(); }

}  // namespace dagger
