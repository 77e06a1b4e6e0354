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
pkg_check_modules(HWLOC QUIET IMPORTED_TARGET hwloc)
if(NOT HWLOC_FOUND)
  dagger_missing("hwloc (processor topology)" "libhwloc-dev")
endif()

find_package(Eigen3 3.4 QUIET NO_MODULE)
if(NOT Eigen3_FOUND)
  dagger_missing("Eigen 3.4 (array blocks)" "libeigen3-dev")
endif()
pkg_check_modules(OPENBLAS QUIET IMPORTED_TARGET openblas)
if(NOT OPENBLAS_FOUND)
  dagger_missing("OpenBLAS (block matrix products)" "libopenblas-dev")
endif()
