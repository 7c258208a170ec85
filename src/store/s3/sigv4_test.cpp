// SigV4 against published vectors: the AWS SigV4 test suite (aws-sig-v4-test-suite: get-vanilla,
// post-vanilla, get-vanilla-query-order-key-case; credentials AKIDEXAMPLE, 20150830T123600Z,
// us-east-1, service "service") and the GET Object example of the Amazon S3 API reference
// ("Signature Calculations for the Authorization Header", examplebucket, 20130524).
#include "store/s3/sigv4.h"

#include <gtest/gtest.h>

#include "core/ids.h"

namespace skiff::store::s3 {
namespace {

const Credentials kSuite = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const std::string kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

SignInput Suite(std::string method, NameValues query = {}) {
  SignInput in;
  in.method = std::move(method);
  in.canonical_uri = "/";
  in.query = std::move(query);
  in.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  in.payload_sha256 = kEmptySha;
  in.amz_date = "20150830T123600Z";
  in.region = "us-east-1";
  in.service = "service";
  return in;
}

TEST(SigV4Test, GetVanilla) {
  Signature s = Sign(Suite("GET"), kSuite);
  EXPECT_EQ(s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" + kEmptySha);
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(s.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4Test, PostVanilla) {
  Signature s = Sign(Suite("POST"), kSuite);
  EXPECT_TRUE(s.canonical_request.starts_with("POST\n/\n\n")) << s.canonical_request;
  EXPECT_EQ(s.signature, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST(SigV4Test, GetVanillaQueryOrderKeyCase) {
  Signature s = Sign(Suite("GET", {{"Param2", "value2"}, {"Param1", "value1"}}), kSuite);
  EXPECT_EQ(s.canonical_request,
            "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + kEmptySha);
  EXPECT_EQ(s.signature, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4Test, S3GetObjectExampleWithRangeAndContentSha) {
  SignInput in;
  in.method = "GET";
  in.canonical_uri = "/test.txt";
  // Header values are trimmed; names are lower-cased and sorted.
  in.headers = {{"Range", "bytes=0-9 "},
                {"x-amz-date", "20130524T000000Z"},
                {"Host", "examplebucket.s3.amazonaws.com"},
                {"x-amz-content-sha256", kEmptySha}};
  in.payload_sha256 = kEmptySha;
  in.amz_date = "20130524T000000Z";
  in.region = "us-east-1";
  in.service = "s3";
  Signature s = Sign(in, {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""});
  EXPECT_EQ(s.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" + kEmptySha + "\nx-amz-date:20130524T000000Z\n\n"
            "host;range;x-amz-content-sha256;x-amz-date\n" + kEmptySha);
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, AnyChangeChangesTheSignature) {
  const std::string base = Sign(Suite("GET"), kSuite).signature;
  EXPECT_NE(Sign(Suite("PUT"), kSuite).signature, base);
  EXPECT_NE(Sign(Suite("GET", {{"a", "b"}}), kSuite).signature, base);
  SignInput other = Suite("GET");
  other.payload_sha256 = skiff::Sha256Hex("x");
  EXPECT_NE(Sign(other, kSuite).signature, base);
  Credentials wrong = kSuite;
  wrong.secret_access_key += "x";
  EXPECT_NE(Sign(Suite("GET"), wrong).signature, base);
}

TEST(SigV4Test, UriEncodingAndQueryOrder) {
  EXPECT_EQ(UriEncode("a b/c~d+e*", true), "a%20b/c~d%2Be%2A");
  EXPECT_EQ(UriEncode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(UriEncode("\xc3\xa9", false), "%C3%A9");
  std::string out;
  ASSERT_TRUE(UriDecode("a%20b%2Fc+d", &out));
  EXPECT_EQ(out, "a b/c+d");
  EXPECT_FALSE(UriDecode("bad%2", &out));
  EXPECT_FALSE(UriDecode("bad%zz", &out));
  // Sorted on the encoded names, then values; an empty value keeps its '='.
  EXPECT_EQ(CanonicalQuery({{"list-type", "2"}, {"prefix", "a b"}, {"continuation-token", ""},
                            {"B", "1"}}),
            "B=1&continuation-token=&list-type=2&prefix=a%20b");
  EXPECT_EQ(AmzDate(std::chrono::system_clock::time_point(std::chrono::seconds(1440938160))),
            "20150830T123600Z");
}

}  // namespace
}  // namespace skiff::store::s3
