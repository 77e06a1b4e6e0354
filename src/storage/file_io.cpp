#include "storage/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

// Reads until `n` bytes or end of file.
std::size_t read_up_to(const Fd& fd, const std::string& path, std::byte* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::read(fd.get(), out + done, n - done);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_errno(path, "cannot read", errno);
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
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
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t put = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (put < 0) {
      if (errno == EINTR) continue;
      throw_errno(path, "cannot write", errno);
    }
    done += static_cast<std::size_t>(put);
  }
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
