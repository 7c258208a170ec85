skiff_test(catalog_test unit "skiff_catalog;skiff_store"
  src/catalog/params_test.cpp src/catalog/template_test.cpp src/catalog/catalog_test.cpp
  src/catalog/catalog_race_test.cpp)
