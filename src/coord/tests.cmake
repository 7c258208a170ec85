# Unit tests of src/coord: the journal on a temp folder, the coordinator on a MemoryStore.
skiff_test(coord_test unit "skiff_coord;skiff_store"
  src/coord/journal_test.cpp
  src/coord/coordinator_test.cpp
  src/coord/coordinator_recovery_test.cpp
  src/coord/coordinator_events_test.cpp
  src/coord/coordinator_replay_test.cpp
  src/coord/coord_metrics_test.cpp
)
