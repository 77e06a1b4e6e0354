// A directory built under a hidden temporary name beside its final place and
// published there by one rename, so that a reader (or a crash) sees the old
// array or the complete new one, never a half-written one.
#pragma once

#include <string>

namespace dagger::storage {

class StagedDirectory {
 public:
  // Checks that `target` can be (re)placed: its parent exists, and it does
  // not exist or is a Zarr array or group or an empty directory (so a typo
  // never deletes unrelated data). Removes staging directories of the same
  // name left by crashed saves on this host, and creates the staging
  // directory "<parent>/.<name>.saving-<host>-<pid>-<random>".
  explicit StagedDirectory(const std::string& target);
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;
  // Removes the staging directory unless it was published: an error during
  // the save leaves nothing behind.
  ~StagedDirectory();

  const std::string& path() const noexcept { return staging_; }
  const std::string& target() const noexcept { return target_; }

  // Syncs every directory under the staging one (files are synced when
  // written), then moves it to the target: rename() when there is none,
  // else an atomic exchange (renameat2 RENAME_EXCHANGE) and removal of the
  // old one.
  void publish();

 private:
  std::string target_;
  std::string staging_;
  bool published_ = false;
};

}  // namespace dagger::storage
