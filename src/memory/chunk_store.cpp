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

ChunkStore::ChunkStore() {
  const Config c = dagger::config();
  limit_.store(c.memory_limit);
  base_directory_ = c.spill_directory;
}

ChunkStore::~ChunkStore() = default;

ChunkStore& chunk_store() {
  // Never destroyed: chunks held by static objects may die after it would.
  static ChunkStore* store = new ChunkStore();
  return *store;
}

void ChunkStore::configure(const Config& config) {
  {
    std::lock_guard lock(mutex_);
    limit_.store(config.memory_limit);
    if (config.spill_directory != base_directory_) {
      base_directory_ = config.spill_directory;
      directory_.clear();  // files already spilled keep their own paths
    }
    spill_failed_ns_ = 0;
  }
  make_room(0);
}

// ---------------------------------------------------------------- LRU list

void ChunkStore::lru_push(StoreEntry& e) {
  e.older = newest_;
  e.newer = nullptr;
  if (newest_) newest_->newer = &e;
  newest_ = &e;
  if (!oldest_) oldest_ = &e;
  e.in_lru = true;
}

void ChunkStore::lru_remove(StoreEntry& e) {
  if (!e.in_lru) return;
  (e.older ? e.older->newer : oldest_) = e.newer;
  (e.newer ? e.newer->older : newest_) = e.older;
  e.older = e.newer = nullptr;
  e.in_lru = false;
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
  e->payload = payload;
  chunk.store_entry = e;
  {
    std::lock_guard lock(mutex_);
    const std::size_t now = resident_.fetch_add(payload) + payload;
    if (now > peak_) peak_ = now;
    lru_push(*e);
  }
  make_room(0);
}

void ChunkStore::remove(ChunkData& chunk) {
  StoreEntry* e = chunk.store_entry;
  std::filesystem::path file;
  {
    std::unique_lock lock(mutex_);
    // A spill in progress reads the payload: let it finish first.
    settled_.wait(lock, [&] { return e->state != StoreEntry::State::writing; });
    lru_remove(*e);
    if (e->state == StoreEntry::State::spilled) {
      spilled_now_ -= e->payload;
      file = std::move(e->file);
    } else {
      resident_.fetch_sub(e->payload);
    }
  }
  if (!file.empty()) ::unlink(file.c_str());
  chunk.store_entry = nullptr;
  delete e;
}

void ChunkStore::pin(ChunkData& chunk) {
  StoreEntry& e = *chunk.store_entry;
  std::unique_lock lock(mutex_);
  ++e.pins;
  lru_remove(e);
  for (;;) {
    switch (e.state) {
      case StoreEntry::State::resident:
      case StoreEntry::State::writing:  // still in memory; the writer keeps it there
        return;
      case StoreEntry::State::loading:
        settled_.wait(lock);
        break;
      case StoreEntry::State::spilled:
        try {
          reload(lock, e);
        } catch (...) {
          --e.pins;
          throw;
        }
        return;
    }
  }
}

void ChunkStore::reload(std::unique_lock<std::mutex>& lock, StoreEntry& e) {
  e.state = StoreEntry::State::loading;
  const std::filesystem::path file = e.file;
  lock.unlock();
  const std::int64_t start = now_ns();
  make_room(e.payload);
  void* object = e.chunk->value.object();
  std::string problem = e.clean ? e.codec->reread(object, e.sizes) : read_file(file, e.codec->restore(object, e.sizes));
  if (!problem.empty()) e.codec->drop(object);
  lock.lock();
  if (!problem.empty()) {
    e.state = StoreEntry::State::spilled;
    settled_.notify_all();
    throw Error("could not read the spilled result of thunk " + std::to_string(e.chunk->producer) + " back" +
                (e.clean ? "" : " from " + file.string()) + ": " + problem);
  }
  e.state = StoreEntry::State::resident;
  e.clean = false;
  e.file.clear();
  const std::size_t now = resident_.fetch_add(e.payload) + e.payload;
  if (now > peak_) peak_ = now;
  spilled_now_ -= e.payload;
  ++reloads_;
  reloaded_total_ += e.payload;
  settled_.notify_all();
  lock.unlock();
  if (!file.empty()) ::unlink(file.c_str());
  event(e.chunk->producer, start, e.payload, true);
  lock.lock();
}

void ChunkStore::unpin(ChunkData& chunk) {
  StoreEntry& e = *chunk.store_entry;
  bool over;
  {
    std::lock_guard lock(mutex_);
    if (--e.pins == 0 && !e.held && e.state == StoreEntry::State::resident) lru_push(e);
    over = resident_.load() - leaving_ > limit_.load();
  }
  if (over) make_room(0);
}

void ChunkStore::hold(ChunkData& chunk) {
  pin(chunk);
  std::lock_guard lock(mutex_);
  chunk.store_entry->held = true;
}

bool ChunkStore::hold_if_resident(ChunkData& chunk) {
  StoreEntry& e = *chunk.store_entry;
  std::lock_guard lock(mutex_);
  if (e.state != StoreEntry::State::resident && e.state != StoreEntry::State::writing) return false;
  ++e.pins;
  lru_remove(e);
  e.held = true;
  return true;
}

void hold_in_memory_slow(ChunkData& chunk) { chunk_store().hold(chunk); }
void pin_slow(ChunkData& chunk) { chunk_store().pin(chunk); }
void unpin_slow(ChunkData& chunk) { chunk_store().unpin(chunk); }

// ---------------------------------------------------------------- spilling

void ChunkStore::make_room(std::size_t incoming) {
  std::unique_lock lock(mutex_);
  while (spill_one(lock, incoming)) {
  }
}

std::filesystem::path ChunkStore::new_spill_file() {
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

// Writes the least recently used unpinned chunk out if the resident bytes
// (plus `incoming`) exceed the limit. False when nothing more can be done.
bool ChunkStore::spill_one(std::unique_lock<std::mutex>& lock, std::size_t incoming) {
  if (resident_.load() - leaving_ + incoming <= limit_.load()) return false;
  if (spill_failed_ns_ != 0 && now_ns() - spill_failed_ns_ < kRetrySpillNs) return false;
  StoreEntry* victim = oldest_;
  // Values shared with other owners would stay in memory anyway; they come
  // back to the list at their next unpin.
  while (victim && (!victim->codec->sole_owner(victim->chunk->value.object()) ||
                    payload_bytes(victim->codec->payload(victim->chunk->value.object())) == 0)) {
    StoreEntry* next = victim->newer;
    lru_remove(*victim);
    victim = next;
  }
  if (!victim) return false;
  lru_remove(*victim);
  victim->state = StoreEntry::State::writing;
  leaving_ += victim->payload;
  void* object = victim->chunk->value.object();
  // A value that can be read again from where it came from is only dropped.
  const bool clean = victim->codec->rereadable && victim->codec->rereadable(object);
  const std::filesystem::path file = clean ? std::filesystem::path() : new_spill_file();
  lock.unlock();

  const std::int64_t start = now_ns();
  const SpillParts parts = victim->codec->payload(object);
  const int error = clean ? 0 : write_file(file, parts);

  lock.lock();
  leaving_ -= victim->payload;
  const bool written = error == 0;
  const bool dropped = written && victim->pins == 0;
  if (dropped) {
    victim->codec->drop(object);
    victim->state = StoreEntry::State::spilled;
    victim->file = file;
    victim->clean = clean;
    for (std::size_t i = 0; i < kSpillParts; ++i) victim->sizes[i] = parts[i].size();
    resident_.fetch_sub(victim->payload);
    spilled_now_ += victim->payload;
    if (clean) {
      dropped_clean_ += victim->payload;
    } else {
      ++spills_;
      spilled_total_ += victim->payload;
    }
  } else {
    victim->state = StoreEntry::State::resident;
    if (victim->pins == 0 && !victim->held) lru_push(*victim);
  }
  if (!written) {
    // Said once per episode: writes that were under way fail alike.
    const std::int64_t now = now_ns();
    const bool news = spill_failed_ns_ == 0 || now - spill_failed_ns_ >= kRetrySpillNs;
    spill_failed_ns_ = now;
    if (news) {
      std::fprintf(stderr, "dagger: cannot spill to %s (%s); keeping data in memory above the limit\n",
                   file.c_str(), errno_text(error).c_str());
    }
  }
  settled_.notify_all();
  const std::uint64_t producer = victim->chunk->producer;
  const std::size_t bytes = victim->payload;
  lock.unlock();
  if (written && !dropped && !clean) ::unlink(file.c_str());
  if (dropped && !clean) event(producer, start, bytes, false);
  lock.lock();
  return written;
}

// ---------------------------------------------------------------- reporting

bool ChunkStore::under_pressure() const {
  return resident_.load(std::memory_order_relaxed) > limit_.load(std::memory_order_relaxed) / 5 * 4;
}

MemoryStats ChunkStore::stats() {
  std::lock_guard lock(mutex_);
  MemoryStats s;
  s.limit = limit_.load();
  s.resident_bytes = resident_.load();
  s.peak_resident_bytes = peak_;
  s.spilled_bytes = spilled_now_;
  s.spills = spills_;
  s.spilled_total_bytes = spilled_total_;
  s.reloads = reloads_;
  s.reloaded_total_bytes = reloaded_total_;
  s.dropped_clean_bytes = dropped_clean_;
  return s;
}

void ChunkStore::reset_peak() {
  std::lock_guard lock(mutex_);
  peak_ = resident_.load();
}

void ChunkStore::record_events(bool on) { recording_.store(on); }

std::vector<Timespan> ChunkStore::take_events() {
  std::lock_guard lock(events_mutex_);
  return std::exchange(events_, {});
}

void ChunkStore::event(std::uint64_t producer, std::int64_t start, std::size_t bytes, bool reload) {
  if (!recording_.load(std::memory_order_relaxed)) return;
  // A reload allocates the chunk's memory again; a spill allocates nothing.
  Timespan t{Category::spill, producer, &this_process(), start, now_ns(), bytes, reload ? 1u : 0u};
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
