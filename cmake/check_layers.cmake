# Fails when a file of one layer includes an internal header of a layer it
# may not use. Run by the build (target dagger_check_layers):
#   cmake -DSOURCE_DIR=<repo> -P cmake/check_layers.cmake
# The public headers (include/dagger) are the API every layer may see; the
# internal ones ("core/...", "memory/...") follow the same table as the
# libraries in src/CMakeLists.txt, whose link check catches calls.

cmake_minimum_required(VERSION 3.25)

# Each folder, then the folders it may include from besides itself.
set(allowed_core "")
set(allowed_processors core)
set(allowed_memory processors core)
set(allowed_scheduler memory processors core)
set(allowed_transport scheduler memory processors core)
set(allowed_kernels core)
set(allowed_array kernels scheduler memory processors core)
set(allowed_backends array kernels scheduler memory processors core)
set(allowed_io array kernels scheduler memory processors core)
set(allowed_dashboard transport backends array kernels scheduler memory processors core)
set(layers core processors memory scheduler transport array backends io dashboard)

set(violations "")
foreach(layer IN LISTS layers kernels)
  if(layer STREQUAL "kernels")
    file(GLOB_RECURSE files "${SOURCE_DIR}/kernels/cpu/*.cpp" "${SOURCE_DIR}/kernels/cpu/*.hpp")
  else()
    file(GLOB_RECURSE files "${SOURCE_DIR}/src/${layer}/*.cpp" "${SOURCE_DIR}/src/${layer}/*.hpp"
                            "${SOURCE_DIR}/src/${layer}/*.h")
  endif()
  set(may ${layer} ${allowed_${layer}})
  foreach(file IN LISTS files)
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]+\"[a-z_]+/")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]+\"([a-z_]+)/.*$" "\\1" folder "${line}")
      if(folder STREQUAL "dagger")
        continue()
      endif()
      if(NOT folder IN_LIST may)
        file(RELATIVE_PATH shown "${SOURCE_DIR}" "${file}")
        string(STRIP "${line}" line)
        list(APPEND violations "  ${shown}: ${line} (${layer} may include only: ${may})")
      endif()
    endforeach()
  endforeach()
endforeach()

if(violations)
  list(JOIN violations "\n" text)
  message(FATAL_ERROR "includes against the layers (src/CMakeLists.txt, README \"Layout\"):\n${text}")
endif()
