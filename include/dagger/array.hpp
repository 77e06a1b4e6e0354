// dagger's block-distributed arrays.
#pragma once

#include "dagger/array/array_compute.hpp"
#include "dagger/array/block.hpp"
#include "dagger/array/constructors.hpp"
#include "dagger/array/darray.hpp"
#include "dagger/array/dtype.hpp"
#include "dagger/array/elementwise.hpp"
#include "dagger/array/factorizations.hpp"
#include "dagger/array/indexing.hpp"
#include "dagger/array/layout.hpp"
#include "dagger/array/linalg.hpp"
#include "dagger/array/norms.hpp"
#include "dagger/array/reductions.hpp"
#include "dagger/array/save_load.hpp"
#include "dagger/array/sort.hpp"
#include "dagger/array/sparse.hpp"
