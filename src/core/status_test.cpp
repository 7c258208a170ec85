#include "core/status.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace skiff {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("x: odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x).status());
  return OkStatus();
}

TEST(StatusTest, OkAndToString) {
  EXPECT_TRUE(OkStatus().ok());
  EXPECT_EQ(OkStatus().ToString(), "OK");
  Status s = NotFound("no such key: jobs/x.json");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.ToString(), "NotFound: no such key: jobs/x.json");
  EXPECT_EQ(CodeName(Code::kResourceExhausted), "ResourceExhausted");
}

TEST(StatusTest, ResultAndMacros) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "x: odd");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).code(), Code::kInvalidArgument);
  Result<int> from_ok = OkStatus();  // a Result never holds an ok Status
  EXPECT_FALSE(from_ok.ok());
  EXPECT_EQ(from_ok.status().code(), Code::kInternal);
  EXPECT_TRUE(Half(2).status().ok());
}

TEST(StatusTest, ErrnoMapping) {
  EXPECT_EQ(ErrnoStatus("open x", ENOENT).code(), Code::kNotFound);
  EXPECT_EQ(ErrnoStatus("open x", ENOSPC).code(), Code::kUnavailable);
  EXPECT_EQ(ErrnoStatus("open x", EIO).code(), Code::kUnavailable);
  EXPECT_EQ(ErrnoStatus("open x", EACCES).code(), Code::kPermissionDenied);
  EXPECT_EQ(ErrnoStatus("open x", EINVAL).code(), Code::kInternal);
  EXPECT_EQ(ErrnoStatus("open x", ENOENT).message().rfind("open x: ", 0), 0u);
}

}  // namespace
}  // namespace skiff
