// OpenStore: the one place where store backends are registered by name.
//
//   "memory:"                      MemoryStore (nothing persists)
//   "file:///abs/path"             FsStore rooted at /abs/path
//   "file:rel/path"                FsStore rooted at rel/path (relative to the working folder)
//   "/abs/path", "rel/path", "./x" FsStore (a plain path)
//   "s3://bucket/prefix?region=..&endpoint=..&path_style=0|1"
//                                  S3Store (s3/s3_options.h: parameters, credentials, env)
//
// A new backend is a folder under store/, one branch here and a green conformance suite.
#pragma once

#include <memory>
#include <string_view>

#include "core/status.h"
#include "store/object_store.h"

namespace skiff::store {

// Opens the store that `url` names. InvalidArgument naming the url when it is empty, has an
// unknown scheme, a malformed file URL or a malformed s3 URL; otherwise the backend's own error
// (FsStore::Open: the folder cannot be created or opened; S3Store::Open: the bucket check failed).
Result<std::unique_ptr<ObjectStore>> OpenStore(std::string_view url);

}  // namespace skiff::store
