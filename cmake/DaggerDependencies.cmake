# Finds what dagger needs and says which Debian package is missing.
find_package(Threads REQUIRED)

function(dagger_missing what package)
  message(FATAL_ERROR
    "dagger needs ${what}, which was not found. Install the Debian package "
    "'${package}' (scripts/setup.sh installs everything dagger needs).")
endfunction()

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  dagger_missing("pkg-config" "pkg-config")
endif()

# A pkg-config module as the imported target PkgConfig::<prefix>.
macro(dagger_require_pkg prefix module what package)
  pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${module})
  if(NOT ${prefix}_FOUND)
    dagger_missing("${what}" "${package}")
  endif()
endmacro()

dagger_require_pkg(HWLOC hwloc "hwloc (processor topology)" libhwloc-dev)
dagger_require_pkg(OPENBLAS openblas "OpenBLAS (block matrix products)" libopenblas-dev)
dagger_require_pkg(ZSTD libzstd "zstd (compressed Zarr blocks)" libzstd-dev)
dagger_require_pkg(BLOSC blosc "c-blosc (Blosc-compressed Zarr blocks, Python zarr's default)" libblosc-dev)
dagger_require_pkg(LZ4 liblz4 "lz4 (LZ4-compressed Zarr blocks)" liblz4-dev)
find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  dagger_missing("zlib (zlib- and gzip-compressed Zarr blocks)" "zlib1g-dev")
endif()
find_package(BZip2 QUIET)
if(NOT BZIP2_FOUND)
  dagger_missing("bzip2 (bz2-compressed Zarr blocks)" "libbz2-dev")
endif()
dagger_require_pkg(HWY libhwy "Highway (SIMD kernels with run-time dispatch)" libhwy-dev)
dagger_require_pkg(HTTPLIB cpp-httplib "cpp-httplib (the dashboard's server)" libcpp-httplib-dev)
dagger_require_pkg(HWY_CONTRIB libhwy-contrib "Highway's vqsort (sorting array buckets)" libhwy-dev)
find_package(nlohmann_json 3 QUIET)
if(NOT nlohmann_json_FOUND)
  dagger_missing("nlohmann-json 3 (Zarr metadata)" "nlohmann-json3-dev")
endif()
find_package(Eigen3 3.4 QUIET NO_MODULE)
if(NOT Eigen3_FOUND)
  dagger_missing("Eigen 3.4 (array blocks)" "libeigen3-dev")
endif()
# A CMake package, or a message naming the Debian package that has it.
macro(dagger_require_package name what package)
  find_package(${name} QUIET ${ARGN})
  if(NOT ${name}_FOUND)
    dagger_missing("${what}" "${package}")
  endif()
endmacro()

dagger_require_package(cereal "cereal (values sent to worker processes)" libcereal-dev)
# UCX: ucx::ucp alone fails to link ("DSO missing from command line").
dagger_require_package(ucx "UCX (worker processes)" libucx-dev)
