# Docs cannot rot. Every ```cpp block of the documents below is a complete program: at configure
# time it is extracted into <build>/doc_snippets/<doc>_<n>.cpp, built against elman, and run by
# ctest as "docs: <doc>.md block <n>" (it must exit 0). Blocks fenced ```cpp excerpt=<file>
# quote library source instead: tests/test_docs.cpp checks that those lines are still in <file>.
set(ELMAN_DOCS_WITH_CODE tutorial bptt forecasting)
set(snippet_dir ${PROJECT_BINARY_DIR}/doc_snippets)
file(MAKE_DIRECTORY ${snippet_dir})

foreach(doc ${ELMAN_DOCS_WITH_CODE})
  set(md ${PROJECT_SOURCE_DIR}/docs/${doc}.md)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${md})
  file(READ ${md} text)
  # A CMake list splits on ';' and pairs '[' with ']': mask those, then one element per line.
  string(REPLACE ";" "<elman-semicolon>" text "${text}")
  string(REPLACE "[" "<elman-lbracket>" text "${text}")
  string(REPLACE "]" "<elman-rbracket>" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(in_block FALSE)
  set(n 0)
  foreach(line IN LISTS lines)
    if(in_block)
      if(line MATCHES "^```[ \t]*$")
        set(in_block FALSE)
        string(REPLACE "<elman-semicolon>" ";" code "${code}")
        string(REPLACE "<elman-lbracket>" "[" code "${code}")
        string(REPLACE "<elman-rbracket>" "]" code "${code}")
        set(src ${snippet_dir}/${doc}_${n}.cpp)
        set(old "")
        if(EXISTS ${src})
          file(READ ${src} old)
        endif()
        if(NOT old STREQUAL code)
          file(WRITE ${src} "${code}")  # rewritten only when changed: no needless rebuilds
        endif()
        add_executable(doc_${doc}_${n} ${src})
        set_target_properties(doc_${doc}_${n} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${snippet_dir})
        target_link_libraries(doc_${doc}_${n} PRIVATE elman elman_forecast)
        target_compile_options(doc_${doc}_${n} PRIVATE ${ELMAN_HARNESS_FLAGS})
        add_test(NAME "docs: ${doc}.md block ${n}" COMMAND doc_${doc}_${n}
                 WORKING_DIRECTORY ${snippet_dir})
      else()
        string(APPEND code "${line}\n")
      endif()
    elseif(line MATCHES "^```cpp[ \t]*$")
      set(in_block TRUE)
      math(EXPR n "${n} + 1")
      set(code "// Extracted from docs/${doc}.md, block ${n}, by cmake/ElmanDocTests.cmake.\n")
    endif()
  endforeach()
  if(in_block)
    message(FATAL_ERROR "docs/${doc}.md: code block ${n} is not closed")
  endif()
endforeach()

# docs/img/gradient_norms.svg (docs/bptt.md, section 5), drawn with PLplot when it is installed:
#   cmake --build build --target docs_plots
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(ELMAN_DOCS_PLPLOT QUIET IMPORTED_TARGET plplot-c++)
endif()
if(ELMAN_DOCS_PLPLOT_FOUND)
  add_executable(gradient_norms_plot EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/docs/plots/gradient_norms.cpp)
  target_link_libraries(gradient_norms_plot PRIVATE elman PkgConfig::ELMAN_DOCS_PLPLOT)
  target_compile_options(gradient_norms_plot PRIVATE ${ELMAN_WARNINGS})
  add_custom_target(docs_plots
    COMMAND gradient_norms_plot ${PROJECT_SOURCE_DIR}/docs/img/gradient_norms.svg
    DEPENDS gradient_norms_plot
    COMMENT "docs/img/gradient_norms.svg")
endif()
