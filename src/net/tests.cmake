skiff_test(net_test unit "skiff_net" src/net/http_client_test.cpp)
