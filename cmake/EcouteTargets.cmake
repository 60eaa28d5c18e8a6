# Helpers that give every module the same flags, include paths and test wiring.

function(ecoute_apply_flags target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  # GCC 12 reports -Wrestrict on `"x" + std::string` inlined from libstdc++ at -O3 where
  # there is no overlap (GCC bug 105651); the warning stays on for clang.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  # Clang checks the lock annotations of util/thread_annotations.h; a breach is an error
  # even without ECOUTE_WERROR.
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety -Werror=thread-safety)
  endif()
  if(ECOUTE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(ECOUTE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(ECOUTE_TSAN)
    target_compile_options(${target} PRIVATE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=thread)
  endif()
endfunction()

# ecoute_library(name SRCS ... DEPS ...): one module of the core, ecoute::name.
function(ecoute_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(ecoute_${name} STATIC ${ARG_SRCS})
  add_library(ecoute::${name} ALIAS ecoute_${name})
  target_include_directories(ecoute_${name}
    PUBLIC ${PROJECT_SOURCE_DIR}/include
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(ecoute_${name} PUBLIC ${ARG_DEPS})
  ecoute_apply_flags(ecoute_${name})
  if(ECOUTE_SANITIZE)
    target_link_options(ecoute_${name} INTERFACE -fsanitize=address,undefined)
  endif()
  if(ECOUTE_TSAN)
    target_link_options(ecoute_${name} INTERFACE -fsanitize=thread)
  endif()
endfunction()

# ecoute_test(name SRCS ... DEPS ... [LABELS ...]): one GoogleTest binary, run by ctest.
function(ecoute_test name)
  if(NOT ECOUTE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name}_test ${ARG_SRCS})
  target_include_directories(${name}_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name}_test PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name}_test PRIVATE
    ECOUTE_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/data")
  ecoute_apply_flags(${name}_test)
  include(GoogleTest)
  # One label per suite: its own (security, golden, cli, crash) or unit. PROPERTIES is a
  # flat list of names and values, so a list value would be split into names.
  set(label unit)
  if(ARG_LABELS)
    set(label ${ARG_LABELS})
  endif()
  gtest_discover_tests(${name}_test DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "ECOUTE_DATA_DIR=${PROJECT_SOURCE_DIR}/data" LABELS ${label})
endfunction()
