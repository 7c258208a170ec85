# Unit tests of src/notify: signature, message, delivery documents on a MemoryStore.
skiff_test(notify_test unit "skiff_notify;skiff_store" src/notify/notifier_test.cpp)
