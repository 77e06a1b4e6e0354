# Warnings are errors on dagger's own code (not on third-party headers).
function(dagger_warnings target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Werror>)
  # nvcc: its own warnings are errors, and the host compiler's as above.
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CUDA>:-Werror=all-warnings -Xcompiler=-Wall,-Wextra,-Werror>)
  # GCC 12 reports false -Wrestrict overlaps inside std::string's own
  # operator+ at -O2 (GCC bug 105329); the warning says nothing about our code.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wno-restrict>)
  endif()
  # Sanitizer instrumentation makes GCC's flow analysis report uninitialized
  # reads inside the standard library (std::function in <regex>); the
  # uninstrumented Release build keeps the warning.
  if(DAGGER_SANITIZE)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wno-maybe-uninitialized>)
  endif()
endfunction()
