// dagger: eager tasks and lazy task graphs on every processor you have.
// What a program that builds and runs tasks needs, and no more: worker
// processes (dagger/distributed.hpp), CUDA devices (dagger/cuda.hpp), arrays
// (dagger/array.hpp) and values sent through cereal (dagger/cereal.hpp) have
// their own headers, so that a file that only builds a graph does not
// compile them.
#pragma once

#include "dagger/chunk.hpp"
#include "dagger/compute.hpp"
#include "dagger/config.hpp"
#include "dagger/context.hpp"
#include "dagger/datadeps.hpp"
#include "dagger/delayed.hpp"
#include "dagger/errors.hpp"
#include "dagger/events.hpp"
#include "dagger/options.hpp"
#include "dagger/proc_kind.hpp"
#include "dagger/processor.hpp"
#include "dagger/spawn.hpp"
#include "dagger/task.hpp"
#include "dagger/thunk.hpp"
#include "dagger/versions.hpp"
