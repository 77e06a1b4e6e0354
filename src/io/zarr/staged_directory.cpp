#include "io/zarr/staged_directory.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>  // renameat2 (glibc >= 2.28)
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <filesystem>

#include "dagger/errors.hpp"
#include "core/file_io.hpp"

namespace dagger::storage {
namespace fs = std::filesystem;

namespace {

bool is_zarr_or_empty(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / ".zarray", ec) || fs::exists(dir / ".zgroup", ec) || fs::is_empty(dir, ec);
}

void sync_tree(const fs::path& root) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory()) sync_directory(it->path().string());
  }
  if (ec) throw_errno(root.string(), "cannot list directory", ec.value());
  sync_directory(root.string());
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "host";
  std::string out(name);
  for (char& c : out) {
    if (c == '/' || c == '-') c = '_';
  }
  return out;
}

// Staging directories of saves that crashed on this host: "<prefix><host>-<pid>-..."
// whose process no longer exists. Saves from other hosts (a shared file
// system) and from live processes are left alone.
void remove_abandoned(const fs::path& parent, const std::string& prefix, const std::string& host) {
  std::error_code ec;
  const std::string ours = prefix + host + "-";
  for (auto it = fs::directory_iterator(parent, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(ours, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + ours.size(), nullptr, 10);
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

}  // namespace

StagedDirectory::StagedDirectory(const std::string& target) {
  // "" would name the working directory: never a place to replace.
  if (target.empty()) throw StorageError(target, "cannot save: empty path");
  std::error_code ec;
  fs::path t = fs::absolute(target, ec).lexically_normal();
  if (t.has_filename() == false) t = t.parent_path();  // "dir/" names "dir"
  target_ = t.string();
  const fs::path parent = t.parent_path();
  if (!fs::is_directory(parent, ec)) {
    throw StorageError(target_, "cannot save: the parent directory " + parent.string() + " does not exist");
  }
  if (fs::exists(t, ec)) {
    if (!fs::is_directory(t, ec) || !is_zarr_or_empty(t)) {
      throw StorageError(target_, "cannot save: it exists and is not a Zarr array or group (not replacing it)");
    }
  }
  // Same parent, so the final rename never crosses file systems; a leading
  // dot keeps it out of listings; host and pid let a later save remove
  // what a crashed one left; a random suffix keeps concurrent saves apart.
  // Not mkdtemp: its mode 0700 would become the saved array's, and other
  // users could not read it; mkdir(0777) leaves that to the umask.
  static thread_local std::mt19937_64 random(std::random_device{}());
  const std::string host = host_name();
  const std::string name_prefix = "." + t.filename().string() + ".saving-";
  remove_abandoned(parent, name_prefix, host);
  const std::string prefix =
      (parent / (name_prefix + host + "-" + std::to_string(::getpid()) + "-")).string();
  for (int attempt = 0; staging_.empty(); ++attempt) {
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
    const std::string name = prefix + suffix;
    if (::mkdir(name.c_str(), 0777) == 0) {
      staging_ = name;
    } else if (errno != EEXIST || attempt == 100) {
      throw StorageError(target_, "cannot create a temporary directory in " + parent.string() + ": " + errno_text(errno));
    }
  }
}

StagedDirectory::~StagedDirectory() {
  if (published_) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);  // best effort: we are already failing
}

void StagedDirectory::publish() {
  sync_tree(staging_);
  std::error_code ec;
  if (!fs::exists(target_, ec)) {
    // RENAME_NOREPLACE: if another writer published meanwhile, exchange below.
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) == 0) {
      published_ = true;
    } else if (errno == EINVAL) {
      // The file system lacks renameat2 flags: plain rename, still atomic.
      if (::rename(staging_.c_str(), target_.c_str()) != 0) throw_errno(target_, "cannot publish the saved array", errno);
      published_ = true;
    } else if (errno != EEXIST) {
      throw_errno(target_, "cannot publish the saved array", errno);
    }
  }
  if (!published_) {
    if (!fs::is_directory(target_, ec) || !is_zarr_or_empty(target_)) {
      throw StorageError(target_, "cannot save: it exists and is not a Zarr array or group (not replacing it)");
    }
    // Readers see the old array or the new one; the old one then sits at
    // the staging name and is removed.
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
      throw_errno(target_, "cannot replace the existing array", errno);
    }
    published_ = true;
    fs::remove_all(staging_, ec);
    if (ec) throw_errno(staging_, "saved, but cannot remove the replaced array", ec.value());
  }
  sync_directory(fs::path(target_).parent_path().string());
}

}  // namespace dagger::storage
