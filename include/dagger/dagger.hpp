// dagger: lazy task graphs on every processor you have.
#pragma once

#include "dagger/chunk.hpp"
#include "dagger/compute.hpp"
#include "dagger/config.hpp"
#include "dagger/context.hpp"
#include "dagger/cuda.hpp"
#include "dagger/delayed.hpp"
#include "dagger/distributed.hpp"
#include "dagger/errors.hpp"
#include "dagger/events.hpp"
#include "dagger/options.hpp"
#include "dagger/proc_kind.hpp"
#include "dagger/processor.hpp"
#include "dagger/thunk.hpp"
#include "dagger/versions.hpp"
