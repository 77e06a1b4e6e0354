// Whole-file reads and durable writes whose errors are StorageErrors naming
// the file and saying what went wrong in words (no space left, file too
// large, permission denied) rather than an errno number.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace dagger::storage {

// "permission denied", "no space left on device", ... for an errno value.
std::string errno_text(int error);
[[noreturn]] void throw_errno(const std::string& path, const std::string& action, int error);

// Creates `path` (it must not exist), writes every byte, fsyncs and closes
// it: once this returns, the bytes survive a crash. A large page-aligned
// buffer (an array block) goes by direct I/O where the file system allows
// it: no copy into the page cache, which would otherwise fill memory with
// data this process has already let go.
void write_file(const std::string& path, std::span<const std::byte> bytes);
void write_file(const std::string& path, const std::string& text);

// The whole file; a missing or unreadable file is a StorageError.
std::vector<std::byte> read_file(const std::string& path);
std::string read_text(const std::string& path);
// A file held open: what it holds can be read again even after its name is
// replaced or removed.
class OpenFile {
 public:
  explicit OpenFile(const std::string& path);  // StorageError if it cannot be opened
  ~OpenFile();
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;

  const std::string& path() const noexcept { return path_; }
  std::size_t size() const;
  // Fills `out` from the start of the file (by direct I/O for a large
  // page-aligned `out`); a StorageError if the file is shorter.
  void read_all(std::span<std::byte> out) const;

 private:
  int fd_;
  std::string path_;
};

// At most `n` bytes from the start of the file.
std::vector<std::byte> read_prefix(const std::string& path, std::size_t n);

// Makes the entries of a directory (created, renamed files) durable.
void sync_directory(const std::string& path);
void make_directory(const std::string& path);

}  // namespace dagger::storage
