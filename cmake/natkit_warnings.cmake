# Warnings and sanitizers for natkit's own targets (never forced on consumers).
function(natkit_project_options target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion)
    if(NATKIT_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(NATKIT_SANITIZE)
      target_compile_options(${target} PRIVATE -fsanitize=${NATKIT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
      target_link_options(${target} PRIVATE -fsanitize=${NATKIT_SANITIZE})
      if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        # GCC's flow analysis reports false maybe-uninitialized warnings in instrumented code
        # (seen in libstdc++'s <regex> through Catch2).
        target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
      endif()
    endif()
  endif()
endfunction()
