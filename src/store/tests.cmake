# Unit tests of src/store: the typed conformance and race suites run against every backend.
skiff_test(store_test unit "skiff_store"
  src/store/object_store_test.cpp
  src/store/open_store_test.cpp
  src/store/store_conformance_test.cpp
  src/store/store_race_test.cpp
  src/store/fs/fs_store_test.cpp
  src/store/s3/sigv4_test.cpp
  src/store/s3/s3_options_test.cpp
  src/store/s3/s3_xml_test.cpp
)
