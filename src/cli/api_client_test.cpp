#include "cli/api_client.h"

#include <gtest/gtest.h>

namespace skiff::cli {
namespace {

TEST(ParseApiError, TheApiShape) {
  ApiError e = ParseApiError(
      400, R"({"error": {"code": "invalid_argument", "message": "items[3].name: expected a string"}})");
  EXPECT_EQ(e.code, "invalid_argument");
  EXPECT_EQ(e.message, "items[3].name: expected a string");
}

TEST(ParseApiError, NotTheApiShapeFallsBackOnHttpStatus) {
  ApiError e = ParseApiError(502, "<html>Bad Gateway</html>");
  EXPECT_EQ(e.code, "unavailable");
  EXPECT_EQ(e.message, "HTTP 502: <html>Bad Gateway</html>");
  EXPECT_EQ(ParseApiError(404, "").code, "not_found");
  EXPECT_EQ(ParseApiError(404, "").message, "HTTP 404");
  EXPECT_EQ(ParseApiError(418, "{}").code, "http_418");
  EXPECT_EQ(ParseApiError(400, R"({"error": "oops"})").code, "invalid_argument");
}

TEST(ParseApiError, MessageIsSanitizedAndShortened) {
  ApiError e = ParseApiError(500, std::string(1000, 'x') + "\x1b");
  EXPECT_LT(e.message.size(), 400u);
  ApiError esc = ParseApiError(
      409, R"({"error": {"code": "failed_precondition", "message": "job\u001b[31m running"}})");
  EXPECT_EQ(esc.message, "job?[31m running");
}

TEST(ApiErrorStatus, CodesMap) {
  Status s = ApiErrorStatus({"not_found", "no job job_x"}, 404);
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "not_found: no job job_x");
  EXPECT_EQ(CodeForApiError("already_exists", 409), Code::kAlreadyExists);
  EXPECT_EQ(CodeForApiError("failed_precondition", 409), Code::kFailedPrecondition);
  EXPECT_EQ(CodeForApiError("unavailable", 503), Code::kUnavailable);
  EXPECT_EQ(CodeForApiError("something_new", 403), Code::kPermissionDenied);
  EXPECT_EQ(CodeForApiError("something_new", 599), Code::kInternal);
}

}  // namespace
}  // namespace skiff::cli
