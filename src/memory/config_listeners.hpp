// Layers above memory that keep limits of their own (a GPU backend's device
// memory) hear of each configure() through a listener.
#pragma once

#include "dagger/config.hpp"

namespace dagger::detail {

using ConfigListener = void (*)(const Config& config);
// Called after every configure(). A listener reads config() for the
// settings in force before its first call.
void add_config_listener(ConfigListener listener);

}  // namespace dagger::detail
