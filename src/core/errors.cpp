// Construction of dagger's errors and the helpers that throw them from
// header templates (kept out of line so the headers stay small).
#include "dagger/errors.hpp"

#include <exception>
#include <string>
#include <typeinfo>

#include "dagger/detail/operation_binder.hpp"
#include "dagger/detail/value.hpp"
#include "dagger/detail/wire.hpp"
#include "core/exception_text.hpp"

namespace dagger {

ThunkError::ThunkError(std::uint64_t thunk_id, std::string function, std::string processor,
                       std::string original_message, std::exception_ptr original)
    : Error("thunk " + std::to_string(thunk_id) + " (" + function + ") failed on " + processor +
            ": " + original_message),
      thunk_id_(thunk_id),
      function_(std::move(function)),
      processor_(std::move(processor)),
      original_message_(std::move(original_message)),
      original_(std::move(original)),
      root_thunk_id_(thunk_id),
      root_function_(function_) {}

ThunkError::ThunkError(std::uint64_t thunk_id, std::string function, const ThunkError& root)
    : Error("thunk " + std::to_string(thunk_id) + " (" + function + ") did not run: its input, root task " +
            std::to_string(root.root_thunk_id()) + " (" + root.root_function() + "), failed on " + root.processor() +
            ": " + root.original_message()),
      thunk_id_(thunk_id),
      function_(std::move(function)),
      processor_(root.processor()),
      original_message_(root.original_message()),
      original_(root.original_),
      root_thunk_id_(root.root_thunk_id()),
      root_function_(root.root_function()) {}

namespace detail {

void throw_value_type_mismatch(const std::type_info& stored, const std::type_info& wanted) {
  throw TypeError("value holds " + demangle(stored.name()) + ", not " + demangle(wanted.name()));
}

void throw_not_copyable(const std::type_info& stored) {
  throw TypeError("value of type " + demangle(stored.name()) + " cannot be copied (move-only)");
}

void throw_empty_value(const std::type_info& wanted) {
  throw TypeError("no value (wanted " + demangle(wanted.name()) + ")");
}

void throw_move_only_shared(const std::type_info& type) {
  throw TypeError("a move-only value of type " + demangle(type.name()) +
                  " is needed by more than one thunk, or is kept (persist, cache, a Chunk "
                  "handle); it cannot be handed over by value");
}

void throw_move_only_collect(const std::type_info& type) {
  throw TypeError("cannot collect a move-only value of type " + demangle(type.name()) +
                  " that is still held elsewhere (persist, cache, another Chunk handle)");
}

void throw_invalid_thunk_argument() {
  throw UsageError("dagger::delayed: an argument is an empty Thunk (default-constructed)");
}

void throw_invalid_task_argument() {
  throw UsageError("an argument is an empty Task (default-constructed)");
}

void throw_invalid_chunk_argument() {
  throw UsageError("dagger::delayed: an argument is an empty Chunk (default-constructed)");
}

void throw_too_many_dependencies() {
  throw UsageError("dagger::delayed: a thunk may have at most 2^32-1 dependencies");
}

void throw_version_table_full(const char* operation) {
  throw UsageError(std::string("dagger::add_version: ") + operation + " already has versions for 7 kinds of processor");
}

void throw_meta_mismatch(const std::string& function, bool meta_requested) {
  if (meta_requested) {
    throw UsageError("dagger::delayed: option meta is set, but " + function +
                     " does not take Chunk<T> for its thunk and chunk arguments");
  }
  throw UsageError("dagger::delayed: " + function +
                   " takes Chunk<T> arguments; pass the option {.meta = true}");
}

}  // namespace detail
}  // namespace dagger

namespace dagger::detail {

std::string message_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

}  // namespace dagger::detail
