# Unit tests of src/obs: the metrics registry and its text output (checked by promtool).
skiff_test(obs_test unit "skiff_obs" src/obs/metrics_test.cpp src/obs/log_search_test.cpp)
