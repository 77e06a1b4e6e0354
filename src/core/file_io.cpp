#include "core/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "dagger/errors.hpp"

namespace dagger::storage {
namespace {

// Closes on every path out, so an error thrown mid-write leaks no descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // close() can report a delayed write error (NFS, quotas): check it.
  int release_and_close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Fd open_for_reading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno(path, "cannot open", errno);
  return Fd(fd);
}

// Direct I/O moves whole aligned pages between the device and our buffer.
constexpr std::size_t kPage = 4096;
constexpr std::size_t kDirectMin = 1 << 20;

// The leading bytes of a transfer that can go by direct I/O (a multiple of
// the page); 0 when the buffer is small or unaligned, or the file system
// does not do direct I/O (tmpfs).
std::size_t start_direct(const Fd& fd, const void* buffer, std::size_t n) {
  if (n < kDirectMin || reinterpret_cast<std::uintptr_t>(buffer) % kPage != 0) return 0;
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_DIRECT) != 0) return 0;
  return n / kPage * kPage;
}

void stop_direct(const Fd& fd) {
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_DIRECT);
}

// Reads or writes [done, n) of `buffer`; direct I/O for its first `direct`
// bytes. A file system may still refuse a direct transfer (EINVAL): the rest
// then goes through the page cache.
template <class Transfer>
std::size_t transfer_all(const Fd& fd, const std::string& path, const char* action, std::size_t n,
                         std::size_t direct, Transfer transfer) {
  std::size_t done = 0;
  while (done < n) {
    if (direct != 0 && done >= direct) {
      stop_direct(fd);
      direct = 0;
    }
    const std::size_t want = direct != 0 ? direct - done : n - done;
    const ssize_t moved = transfer(done, want);
    if (moved < 0) {
      if (errno == EINTR) continue;
      if (errno == EINVAL && direct != 0) {
        stop_direct(fd);
        direct = 0;
        continue;
      }
      throw_errno(path, action, errno);
    }
    if (moved == 0) break;  // end of file
    done += static_cast<std::size_t>(moved);
    if (direct != 0 && done % kPage != 0) {
      stop_direct(fd);  // a short direct transfer: finish unaligned
      direct = 0;
    }
  }
  return done;
}

// Reads until `n` bytes or end of file.
std::size_t read_up_to(const Fd& fd, const std::string& path, std::byte* out, std::size_t n) {
  return transfer_all(fd, path, "cannot read", n, 0,
                      [&](std::size_t at, std::size_t want) { return ::read(fd.get(), out + at, want); });
}

}  // namespace

std::string errno_text(int error) {
  switch (error) {
    case ENOENT: return "does not exist";
    case EACCES:
    case EPERM: return "permission denied";
    case ENOSPC: return "no space left on device";
    case EDQUOT: return "disk quota exceeded";
    case EFBIG: return "file too large (over the file size limit)";
    case EROFS: return "read-only file system";
    case ENOTDIR: return "a component of the path is not a directory";
    case EISDIR: return "is a directory, not a file";
    default: return std::strerror(error);
  }
}

void throw_errno(const std::string& path, const std::string& action, int error) {
  throw StorageError(path, action + ": " + errno_text(error));
}

void write_file(const std::string& path, std::span<const std::byte> bytes) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) throw_errno(path, "cannot create", errno);
  const std::size_t direct = start_direct(fd, bytes.data(), bytes.size());
  transfer_all(fd, path, "cannot write", bytes.size(), direct, [&](std::size_t at, std::size_t want) {
    return ::write(fd.get(), bytes.data() + at, want);
  });
  if (::fsync(fd.get()) != 0) throw_errno(path, "cannot sync", errno);
  if (fd.release_and_close() != 0) throw_errno(path, "cannot close", errno);
}

void write_file(const std::string& path, const std::string& text) {
  write_file(path, std::as_bytes(std::span(text.data(), text.size())));
}

std::vector<std::byte> read_file(const std::string& path) {
  Fd fd = open_for_reading(path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno(path, "cannot stat", errno);
  if (S_ISDIR(st.st_mode)) throw_errno(path, "cannot read", EISDIR);
  std::vector<std::byte> out(static_cast<std::size_t>(st.st_size));
  out.resize(read_up_to(fd, path, out.data(), out.size()));
  return out;
}

OpenFile::OpenFile(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)), path_(path) {
  if (fd_ < 0) throw_errno(path, "cannot open", errno);
}

OpenFile::~OpenFile() { ::close(fd_); }

std::size_t OpenFile::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw_errno(path_, "cannot stat", errno);
  if (S_ISDIR(st.st_mode)) throw_errno(path_, "cannot read", EISDIR);
  return static_cast<std::size_t>(st.st_size);
}

void OpenFile::read_all(std::span<std::byte> out) const {
  // A new open file description of the same file (even if its name is gone):
  // O_DIRECT is a flag of the description, and concurrent reads must not
  // share it.
  const std::string self = "/proc/self/fd/" + std::to_string(fd_);
  const Fd fd(::open(self.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno(path_, "cannot read", errno);
  const std::size_t direct = start_direct(fd, out.data(), out.size());
  const std::size_t got = transfer_all(fd, path_, "cannot read", out.size(), direct, [&](std::size_t at, std::size_t want) {
    return ::pread(fd.get(), out.data() + at, want, static_cast<off_t>(at));
  });
  if (got != out.size()) {
    throw StorageError(path_, "file has " + std::to_string(got) + " bytes, expected " + std::to_string(out.size()));
  }
}

std::string read_text(const std::string& path) {
  std::vector<std::byte> bytes = read_file(path);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::vector<std::byte> read_prefix(const std::string& path, std::size_t n) {
  Fd fd = open_for_reading(path);
  std::vector<std::byte> out(n);
  out.resize(read_up_to(fd, path, out.data(), n));
  return out;
}

void sync_directory(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno(path, "cannot open directory", errno);
  if (::fsync(fd.get()) != 0) throw_errno(path, "cannot sync directory", errno);
}

void make_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0) throw_errno(path, "cannot create directory", errno);
}

}  // namespace dagger::storage
