# Unit tests of src/core: pure rules and (de)serialisation, no I/O.
skiff_test(core_test unit "skiff_core"
  src/core/status_test.cpp
  src/core/ids_test.cpp
  src/core/time_test.cpp
  src/core/json_input_test.cpp
  src/core/job_spec_test.cpp
  src/core/job_test.cpp
  src/core/worker_protocol_test.cpp
)
