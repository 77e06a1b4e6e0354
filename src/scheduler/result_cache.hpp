// The process's cache of results of thunks with the `cache` option. It holds
// the only strong reference; the thunk keeps a weak one, so an evicted
// result is recomputed on the next run.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "dagger/chunk.hpp"

namespace dagger::detail {

class ResultCache {
 public:
  void keep(std::uint64_t thunk_id, ChunkPtr chunk);
  void forget(std::uint64_t thunk_id);
  void evict_all();
  std::size_t size();

 private:
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, ChunkPtr> chunks_;
};

ResultCache& result_cache();

}  // namespace dagger::detail
