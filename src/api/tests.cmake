skiff_test(api_test unit "skiff_api;skiff_identity;skiff_store" src/api/authz_matrix_test.cpp
  src/api/rate_limit_test.cpp
  src/api/observe_test.cpp)
