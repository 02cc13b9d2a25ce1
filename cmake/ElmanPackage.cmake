# The package: the version header, the umbrella header <elman/elman.hpp>, install rules, the
# CMake package config (find_package(elman CONFIG)) and elman.pc (pkg-config).
#
# Include layout, the same in the build tree and after install:
#   <include>/elman/elman.hpp           umbrella, generated from cmake/elman.hpp.in
#   <include>/elman/version.hpp         generated from cmake/version.hpp.in
#   <include>/elman/{core,layers,optim,datasets,io,forecast}/*.hpp   (io/detail/: internal, not installed)
# Targets: elman::elman (core, layers, optim, datasets, io) and elman::forecast (forecast/, the
# forecasting pipeline, which links elman::elman).
# The headers include each other as "core/tape.hpp", so <include>/elman is an include
# directory of the target as well as <include>.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ELMAN_GENERATED_INCLUDE ${PROJECT_BINARY_DIR}/include)
set(elman_gen ${ELMAN_GENERATED_INCLUDE}/elman)
file(MAKE_DIRECTORY ${elman_gen})
configure_file(${PROJECT_SOURCE_DIR}/cmake/version.hpp.in ${elman_gen}/version.hpp @ONLY)

set(ELMAN_MODULES core layers optim datasets io forecast)
set(ELMAN_UMBRELLA_INCLUDES "")
foreach(module ${ELMAN_MODULES})
  file(GLOB headers CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}
       ${PROJECT_SOURCE_DIR}/${module}/*.hpp)
  # forecast/: its API (the entry headers include every public type), not the stages' internals.
  if(module STREQUAL "forecast")
    set(headers forecast/forecast.hpp forecast/predict.hpp)
  endif()
  list(SORT headers)
  foreach(header ${headers})
    string(APPEND ELMAN_UMBRELLA_INCLUDES "#include \"${header}\"\n")
  endforeach()
  # In-tree <elman/core/tape.hpp>: build/include/elman/core is a link to the sources.
  if(NOT EXISTS ${elman_gen}/${module})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${module} ${elman_gen}/${module} SYMBOLIC)
  endif()
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/elman.hpp.in ${elman_gen}/elman.hpp @ONLY)

target_include_directories(elman PUBLIC
  $<BUILD_INTERFACE:${ELMAN_GENERATED_INCLUDE}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/elman>)
set_target_properties(elman PROPERTIES VERSION ${PROJECT_VERSION} EXPORT_NAME elman)
set_target_properties(elman_forecast PROPERTIES VERSION ${PROJECT_VERSION} EXPORT_NAME forecast)
# The builtin series after install (datasets/builtin.cpp falls back to it when the source tree
# is gone); $ELMAN_DATA_DIR overrides both.
target_compile_definitions(elman PRIVATE
  ELMAN_INSTALL_DATA_DIR="${CMAKE_INSTALL_FULL_DATADIR}/elman/data")

if(NOT ELMAN_INSTALL)
  return()
endif()

set(ELMAN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/elman)
install(TARGETS elman elman_forecast EXPORT elmanTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(module ${ELMAN_MODULES})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${module}/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/elman/${module}
          FILES_MATCHING PATTERN "*.hpp" PATTERN "data" EXCLUDE PATTERN "detail" EXCLUDE)
endforeach()
install(FILES ${elman_gen}/elman.hpp ${elman_gen}/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/elman)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/datasets/data/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/elman/data)
install(FILES ${PROJECT_SOURCE_DIR}/docs/CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# A static libelman.a carries its private dependencies into the consumer's link line, so the
# config finds them too (ELMAN_SHARED is substituted into elmanConfig.cmake).
get_target_property(elman_type elman TYPE)
if(elman_type STREQUAL "SHARED_LIBRARY")
  set(ELMAN_SHARED TRUE)
else()
  set(ELMAN_SHARED FALSE)
endif()

install(EXPORT elmanTargets NAMESPACE elman:: DESTINATION ${ELMAN_CMAKE_DIR})
# The build tree is a package too: find_package(elman CONFIG) with elman_DIR=<build dir>.
export(EXPORT elmanTargets NAMESPACE elman:: FILE ${PROJECT_BINARY_DIR}/elmanTargets.cmake)
set(ELMAN_DATA_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/elman/data)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/elmanConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/elmanConfig.cmake
                              INSTALL_DESTINATION ${ELMAN_CMAKE_DIR}
                              PATH_VARS ELMAN_DATA_INSTALL_DIR)
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/elmanConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/elmanConfig.cmake ${PROJECT_BINARY_DIR}/elmanConfigVersion.cmake
        DESTINATION ${ELMAN_CMAKE_DIR})

# elman.pc, relocatable: prefix is found from the .pc file's own directory (pkgconf's
# ${pcfiledir}), so `cmake --install build --prefix /anywhere` works.
set(ELMAN_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH ELMAN_PC_TO_PREFIX /root/${ELMAN_PC_DIR} /root)
string(REGEX REPLACE "/$" "" ELMAN_PC_TO_PREFIX "${ELMAN_PC_TO_PREFIX}")
set(ELMAN_PC_LIBS "")
if(NOT ELMAN_SHARED)
  # libopenblas.so -> -lopenblas (BLAS and LAPACK as CMake found them)
  # io/: libzip, HDF5, ONNX and protobuf
  # forecast/: xxHash (shards)
  foreach(lib ${BLAS_LIBRARIES} ${LAPACK_LIBRARIES} -L${HDF5_LIBRARY_DIRS} -lhdf5 -lzip
              -lonnx -lonnx_proto -lprotobuf -lxxhash)
    if(lib MATCHES "/lib([^/]+)\\.(so|a)[.0-9]*$")
      list(APPEND ELMAN_PC_LIBS "-l${CMAKE_MATCH_1}")
    elseif(lib MATCHES "^-")
      list(APPEND ELMAN_PC_LIBS "${lib}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES ELMAN_PC_LIBS)
  # core/parallel.cpp's OpenMP runtime (libgomp with GCC, libomp with clang)
  list(APPEND ELMAN_PC_LIBS -fopenmp)
endif()
list(JOIN ELMAN_PC_LIBS " " ELMAN_PC_LIBS)
configure_file(${PROJECT_SOURCE_DIR}/cmake/elman.pc.in ${PROJECT_BINARY_DIR}/elman.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/elman.pc DESTINATION ${ELMAN_PC_DIR})
