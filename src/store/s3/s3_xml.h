// The two XML documents S3 answers with that skiff reads: ListBucketResult (ListObjectsV2) and
// Error. Parsed with expat; a document with a DOCTYPE (entities) is rejected, element text is
// capped, and nothing else is interpreted. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace skiff::store::s3 {

struct ListPage {
  std::vector<std::string> keys;  // <Contents><Key>, in document order
  bool is_truncated = false;      // <IsTruncated>true</IsTruncated>
  std::string next_token;         // <NextContinuationToken>
};

// InvalidArgument (naming the problem) for malformed XML or a root other than ListBucketResult.
Result<ListPage> ParseListPage(std::string_view xml);

struct ErrorDoc {
  std::string code;     // "NoSuchKey", "PreconditionFailed", "SlowDown", ...
  std::string message;
};

// Best effort: empty fields when the body is not an S3 <Error> document.
ErrorDoc ParseErrorDoc(std::string_view xml);

}  // namespace skiff::store::s3
