# DAGGER_CUDA: AUTO builds the CUDA module when nvcc is found, ON requires
# it, OFF builds without. nvcc is looked for where the toolkit installs it
# ($CUDA_HOME/bin, /usr/local/cuda/bin) as well as on PATH: that folder is
# often not on PATH, and a build must not depend on the caller's shell.
set(DAGGER_CUDA AUTO CACHE STRING "Build the CUDA module: AUTO, ON or OFF")
set_property(CACHE DAGGER_CUDA PROPERTY STRINGS AUTO ON OFF)
set(DAGGER_HAVE_CUDA OFF)

if(NOT DAGGER_CUDA STREQUAL "OFF")
  if(NOT CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX})
    find_program(DAGGER_NVCC nvcc HINTS "$ENV{CUDA_HOME}/bin" /usr/local/cuda/bin)
    if(DAGGER_NVCC)
      set(ENV{CUDACXX} "${DAGGER_NVCC}")
    endif()
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # Name the architectures: "native" fails where no GPU is present.
    if(NOT CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 75 80 90)
    endif()
    enable_language(CUDA)
    # Release keeps assertions in CUDA code too.
    string(REPLACE "-DNDEBUG" "" CMAKE_CUDA_FLAGS_RELEASE "${CMAKE_CUDA_FLAGS_RELEASE}")
    string(REPLACE "-DNDEBUG" "" CMAKE_CUDA_FLAGS_RELWITHDEBINFO "${CMAKE_CUDA_FLAGS_RELWITHDEBINFO}")
    find_package(CUDAToolkit REQUIRED)
    set(DAGGER_HAVE_CUDA ON)
    message(STATUS "dagger: building the CUDA module with ${CMAKE_CUDA_COMPILER} for ${CMAKE_CUDA_ARCHITECTURES}")
  elseif(DAGGER_CUDA STREQUAL "ON")
    message(FATAL_ERROR "DAGGER_CUDA=ON but no nvcc was found (set CUDA_HOME or CMAKE_CUDA_COMPILER)")
  else()
    message(STATUS "dagger: no nvcc found, building without the CUDA module")
  endif()
endif()
