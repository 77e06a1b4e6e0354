// Typed errors a user of dagger can catch.
#pragma once

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>

namespace dagger {

// Base of every error dagger throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A user function threw. Names the thunk and function and carries the
// original exception (rethrow it with `rethrow_original()`).
class ThunkError : public Error {
 public:
  ThunkError(std::uint64_t thunk_id, std::string function, std::string processor,
             std::string original_message, std::exception_ptr original);
  // A task that did not run because its input `root` failed: it names the
  // root task, and carries the root's original exception.
  ThunkError(std::uint64_t thunk_id, std::string function, const ThunkError& root);

  std::uint64_t thunk_id() const noexcept { return thunk_id_; }
  // The task whose function threw (this one, unless an input failed).
  std::uint64_t root_thunk_id() const noexcept { return root_thunk_id_; }
  const std::string& root_function() const noexcept { return root_function_; }
  bool is_root() const noexcept { return root_thunk_id_ == thunk_id_; }
  const std::string& function() const noexcept { return function_; }
  const std::string& processor() const noexcept { return processor_; }
  const std::string& original_message() const noexcept { return original_message_; }
  [[noreturn]] void rethrow_original() const { std::rethrow_exception(original_); }

 private:
  std::uint64_t thunk_id_;
  std::string function_;
  std::string processor_;
  std::string original_message_;
  std::exception_ptr original_;
  std::uint64_t root_thunk_id_;
  std::string root_function_;
};

// A cancelled task (Task::cancel), or one whose input was cancelled: fetch
// throws this. Names the task.
class Cancelled : public Error {
 public:
  Cancelled(std::uint64_t thunk_id, std::string function, const std::string& why)
      : Error("task " + std::to_string(thunk_id) + " (" + function + ") was cancelled" + why),
        thunk_id_(thunk_id),
        function_(std::move(function)) {}
  std::uint64_t thunk_id() const noexcept { return thunk_id_; }
  const std::string& function() const noexcept { return function_; }

 private:
  std::uint64_t thunk_id_;
  std::string function_;
};

// No processor of the context may run a thunk (placement, missing kernel
// versions, empty context).
class NoProcessorError : public Error {
 public:
  using Error::Error;
};

// A value was used as a type it is not (e.g. a Chunk cast to the wrong T).
class TypeError : public Error {
 public:
  using Error::Error;
};

// Saving or loading an array failed: a missing or unreadable file, a
// truncated or corrupt block, metadata dagger cannot read, no space or no
// permission. The message names the file or directory and what is wrong;
// path() is that file or directory.
class StorageError : public Error {
 public:
  StorageError(std::string path, const std::string& problem)
      : Error(path + ": " + problem), path_(std::move(path)) {}
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

// A CUDA, cuBLAS, cuSPARSE or cuRAND call failed on a device, or a device
// ran out of memory with nothing left to evict. The message names the
// device and the call; call() is that call ("cublasDgemm_64").
class CudaError : public Error {
 public:
  CudaError(std::string device, std::string call, const std::string& problem)
      : Error(device + ": " + problem), device_(std::move(device)), call_(std::move(call)) {}
  const std::string& device() const noexcept { return device_; }
  const std::string& call() const noexcept { return call_; }

 private:
  std::string device_;
  std::string call_;
};

// A worker process died, or its connection broke, and a computation needed
// it: no processor that is left can run a thunk, or a chunk that only the
// lost worker held cannot be computed again (a Chunk made by an earlier
// compute). The message names the worker.
class WorkerLost : public Error {
 public:
  WorkerLost(std::string worker, const std::string& problem)
      : Error(worker + ": " + problem), worker_(std::move(worker)) {}
  const std::string& worker() const noexcept { return worker_; }

 private:
  std::string worker_;
};

// What a user function threw in a worker process: the exception's type and
// message (the original object stays in that process). A ThunkError's
// original exception when the thunk ran on a worker.
class RemoteError : public Error {
 public:
  RemoteError(std::string type, const std::string& message) : Error(message), type_(std::move(type)) {}
  const std::string& type() const noexcept { return type_; }

 private:
  std::string type_;
};

// The API was used in a way it does not support (e.g. compute from inside a
// running thunk, a meta option on a function that does not take Chunks).
class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace dagger
