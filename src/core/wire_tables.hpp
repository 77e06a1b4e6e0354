// What identifies an executable to the other processes of a cluster.
#pragma once

#include <cstdint>

namespace dagger::detail {

// The executable's build id mixed with its value-type and invoker tables:
// equal in every process of one executable, different for another build.
std::uint64_t executable_fingerprint();

}  // namespace dagger::detail
