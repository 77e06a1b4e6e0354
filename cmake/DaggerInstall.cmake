# `cmake --install` gives an outside project `find_package(dagger)` and the
# target dagger::dagger.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS dagger EXPORT daggerTargets
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
