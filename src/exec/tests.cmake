# exec_test: the executors, against real processes (exec_test_helper and /bin/sh).
add_executable(exec_test_helper src/exec/testdata/helper.cpp)
skiff_test(exec_test unit "skiff_exec"
  src/exec/local/local_executor_test.cpp
  src/exec/local/local_executor_kill_test.cpp
  src/exec/local/tail_buffer_test.cpp
  src/exec/builtin/builtin_executor_test.cpp)
target_compile_definitions(exec_test PRIVATE EXEC_HELPER="$<TARGET_FILE:exec_test_helper>")
add_dependencies(exec_test exec_test_helper)
