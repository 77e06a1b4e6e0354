# `cmake --install` gives an outside project `find_package(dagger)` and the
# target dagger::dagger.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS dagger dagger_core dagger_processors dagger_memory dagger_scheduler dagger_transport dagger_kernels
                dagger_array dagger_backend_cuda dagger_io dagger_dashboard EXPORT daggerTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/dagger DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT daggerTargets NAMESPACE dagger::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dagger)
configure_package_config_file(cmake/daggerConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/daggerConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dagger)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/daggerConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/daggerConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/daggerConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dagger)
