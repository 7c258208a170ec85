# Unit tests of src/usage: records, CSV, ranges and exactly-once counting on a MemoryStore with a
# real coordinator (journal in a temp folder).
skiff_test(usage_test unit "skiff_usage;skiff_coord;skiff_store"
  src/usage/usage_test.cpp
)
