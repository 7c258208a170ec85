# Unit tests of src/events: numbering, filters, the store documents and reading them back.
skiff_test(events_test unit "skiff_events;skiff_store" src/events/event_log_test.cpp)
