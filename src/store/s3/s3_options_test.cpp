#include "store/s3/s3_options.h"

#include <gtest/gtest.h>

#include <map>

namespace skiff::store::s3 {
namespace {

GetEnv EnvOf(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

const GetEnv kKeys = EnvOf({{"AWS_ACCESS_KEY_ID", "AK"}, {"AWS_SECRET_ACCESS_KEY", "SK"}});

TEST(S3OptionsTest, AwsDefaultsAreVirtualHosted) {
  auto o = ParseS3Url("s3://my-bucket/team/a/", kKeys);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->bucket, "my-bucket");
  EXPECT_EQ(o->prefix, "team/a/");
  EXPECT_EQ(o->region, "us-east-1");
  EXPECT_EQ(o->endpoint, "https://s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(o->path_style);
  EXPECT_EQ(o->credentials.access_key_id, "AK");
  EXPECT_EQ(o->credentials.secret_access_key, "SK");
}

TEST(S3OptionsTest, UrlParametersWinOverTheEnvironment) {
  GetEnv env = EnvOf({{"AWS_ACCESS_KEY_ID", "AK"},
                      {"AWS_SECRET_ACCESS_KEY", "SK"},
                      {"AWS_SESSION_TOKEN", "TOK"},
                      {"AWS_REGION", "eu-west-1"},
                      {"AWS_ENDPOINT_URL", "http://env:1"}});
  auto from_env = ParseS3Url("s3://bucket", env);
  ASSERT_TRUE(from_env.ok()) << from_env.status().ToString();
  EXPECT_EQ(from_env->region, "eu-west-1");
  EXPECT_EQ(from_env->endpoint, "http://env:1");
  EXPECT_TRUE(from_env->path_style);  // a custom endpoint defaults to path-style
  EXPECT_EQ(from_env->credentials.session_token, "TOK");
  EXPECT_EQ(from_env->prefix, "");

  auto o = ParseS3Url(
      "s3://K%2B1:S%2Fx@bucket.name/p?region=ap-south-1&endpoint=http://127.0.0.1:9000/"
      "&path_style=0&timeout_ms=1500&retries=2&pool=4",
      env);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->bucket, "bucket.name");
  EXPECT_EQ(o->prefix, "p/");
  EXPECT_EQ(o->region, "ap-south-1");
  EXPECT_EQ(o->endpoint, "http://127.0.0.1:9000");
  EXPECT_FALSE(o->path_style);
  EXPECT_EQ(o->timeout_ms, 1500);
  EXPECT_EQ(o->retries, 2);
  EXPECT_EQ(o->pool_size, 4);
  EXPECT_EQ(o->credentials.access_key_id, "K+1");
  EXPECT_EQ(o->credentials.secret_access_key, "S/x");
  EXPECT_EQ(o->credentials.session_token, "");  // belongs to the environment's key only

  auto at_in_prefix = ParseS3Url("s3://bucket/team@corp", env);
  ASSERT_TRUE(at_in_prefix.ok()) << at_in_prefix.status().ToString();
  EXPECT_EQ(at_in_prefix->prefix, "team@corp/");
  EXPECT_EQ(at_in_prefix->credentials.access_key_id, "AK");
}

TEST(S3OptionsTest, ProblemsAreNamedAndSecretsNotEchoed) {
  struct Case {
    std::string url;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"s3://", "names no bucket"},
           {"s3:///prefix", "names no bucket"},
           {"s3://Bad_Bucket", "bad bucket name"},
           {"s3://ab", "bad bucket name"},
           {"s3://bucket/a//b", "empty"},
           {"s3://bucket/../x", "'..'"},
           {"s3://bucket?region=", "needs a value"},
           {"s3://bucket?region=a/b", "bad region"},
           {"s3://bucket?path_style=yes", "path_style must be 0 or 1"},
           {"s3://bucket?timeout_ms=5", "timeout_ms"},
           {"s3://bucket?retries=-1", "retries"},
           {"s3://bucket?colour=red", "unknown parameter \"colour\""},
           {"s3://bucket?endpoint=ftp://x", "must be http(s)://host[:port]"},
           {"s3://bucket?endpoint=http://x/path", "must be http(s)://host[:port]"},
           {"s3://justkey@bucket", "KEY:SECRET@"},
           {"s3://AK:TOPSECRET%zz@bucket", "malformed percent-encoding"},
       }) {
    auto o = ParseS3Url(c.url, kKeys);
    ASSERT_EQ(o.status().code(), Code::kInvalidArgument) << c.url;
    EXPECT_NE(o.status().message().find(c.says), std::string::npos)
        << c.url << ": " << o.status().message();
    EXPECT_EQ(o.status().message().find("TOPSECRET"), std::string::npos) << o.status().message();
  }
  auto none = ParseS3Url("s3://bucket", EnvOf({}));
  EXPECT_EQ(none.status().code(), Code::kInvalidArgument);
  EXPECT_NE(none.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

}  // namespace
}  // namespace skiff::store::s3
