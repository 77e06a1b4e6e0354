#include "scheduler/result_cache.hpp"

#include <vector>

#include "dagger/compute.hpp"

namespace dagger::detail {

void ResultCache::keep(std::uint64_t thunk_id, ChunkPtr chunk) {
  std::lock_guard lock(mutex_);
  chunks_[thunk_id] = std::move(chunk);
}

void ResultCache::forget(std::uint64_t thunk_id) {
  ChunkPtr dropped;  // released outside the lock
  std::lock_guard lock(mutex_);
  auto it = chunks_.find(thunk_id);
  if (it != chunks_.end()) {
    dropped = std::move(it->second);
    chunks_.erase(it);
  }
}

void ResultCache::evict_all() {
  std::unordered_map<std::uint64_t, ChunkPtr> dropped;
  std::lock_guard lock(mutex_);
  dropped.swap(chunks_);
}

std::size_t ResultCache::size() {
  std::lock_guard lock(mutex_);
  return chunks_.size();
}

ResultCache& result_cache() {
  static ResultCache* cache = new ResultCache();  // outlives every thunk, even static ones
  return *cache;
}

}  // namespace dagger::detail

namespace dagger {
void evict_cache() { detail::result_cache().evict_all(); }
}  // namespace dagger
