// The message of an exception held in an exception_ptr.
#pragma once

#include <exception>
#include <string>

namespace dagger::detail {

// what() of a std::exception; a fixed text for anything else.
std::string message_of(const std::exception_ptr& error);

}  // namespace dagger::detail
