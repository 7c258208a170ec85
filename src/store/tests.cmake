# Unit tests of src/store: the typed conformance and race suites run against every backend.
skiff_test(store_test unit "skiff_store;skiff_s3_testing"
  src/store/object_store_test.cpp
  src/store/open_store_test.cpp
  src/store/store_conformance_test.cpp
  src/store/store_race_test.cpp
  src/store/fs/fs_store_test.cpp
  src/store/s3/sigv4_test.cpp
  src/store/s3/s3_options_test.cpp
  src/store/s3/s3_xml_test.cpp
  src/store/s3/s3_store_test.cpp
)

# The project's own S3 for tests (signature-checking, conditional puts, artificial latency), as a
# library and as a process for bench/s3_latency.sh; skiff_s3_testing adds the typed-suite backends
# (S3TestServer, s3rver, a real endpoint).
add_library(skiff_s3_test_server STATIC
  src/store/s3/testing/s3_test_server.cpp
  src/store/s3/testing/s3_test_handler.cpp
)
target_link_libraries(skiff_s3_test_server PUBLIC skiff_store skiff_core)
add_executable(skiff_s3_test_server_bin src/store/s3/testing/s3_test_server_main.cpp)
set_target_properties(skiff_s3_test_server_bin PROPERTIES OUTPUT_NAME skiff_s3_test_server)
target_link_libraries(skiff_s3_test_server_bin PRIVATE skiff_s3_test_server)
add_library(skiff_s3_testing STATIC src/store/s3/testing/s3_test_backends.cpp)
target_link_libraries(skiff_s3_testing PUBLIC skiff_s3_test_server skiff_testing)
target_compile_definitions(skiff_s3_testing PRIVATE SKIFF_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
