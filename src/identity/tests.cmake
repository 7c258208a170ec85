skiff_test(identity_test unit "skiff_identity" src/identity/identity_test.cpp)
skiff_test(jwt_test unit "skiff_identity" src/identity/jwt_test.cpp src/identity/jwks_test.cpp)
