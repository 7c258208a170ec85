#include "store/s3/s3_xml.h"

#include <gtest/gtest.h>

namespace skiff::store::s3 {
namespace {

TEST(S3XmlTest, ListPageWithNamespaceAndToken) {
  auto p = ParseListPage(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>
<Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Contents><Key>p/a&amp;b</Key><ETag>&quot;x&quot;</ETag><Size>1</Size></Contents>
<Contents><Key>p/c d</Key><Size>2</Size></Contents>
<NextContinuationToken>tok/en==</NextContinuationToken></ListBucketResult>)");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->keys, (std::vector<std::string>{"p/a&b", "p/c d"}));
  EXPECT_TRUE(p->is_truncated);
  EXPECT_EQ(p->next_token, "tok/en==");
}

TEST(S3XmlTest, EmptyListing) {
  auto p = ParseListPage("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->keys.empty());
  EXPECT_FALSE(p->is_truncated);
}

TEST(S3XmlTest, HostileOrMalformedDocumentsAreRejected) {
  const std::string bomb =
      R"(<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>)"
      R"(<ListBucketResult><Contents><Key>&b;</Key></Contents></ListBucketResult>)";
  for (const std::string& xml :
       {bomb, std::string("<ListBucketResult><Contents>"), std::string("not xml"),
        std::string("<Error><Code>x</Code></Error>"),
        std::string("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"),
        "<ListBucketResult><Contents><Key>" + std::string(70000, 'k') +
            "</Key></Contents></ListBucketResult>"}) {
    auto p = ParseListPage(xml);
    EXPECT_EQ(p.status().code(), Code::kInvalidArgument) << xml.substr(0, 80);
  }
}

TEST(S3XmlTest, ErrorDocument) {
  ErrorDoc e = ParseErrorDoc(
      "<?xml version=\"1.0\"?><Error><Code>PreconditionFailed</Code><Message>At least one of the "
      "pre-conditions you specified did not hold</Message><Condition>If-Match</Condition></Error>");
  EXPECT_EQ(e.code, "PreconditionFailed");
  EXPECT_EQ(e.message, "At least one of the pre-conditions you specified did not hold");
  EXPECT_EQ(ParseErrorDoc("").code, "");
  EXPECT_EQ(ParseErrorDoc("<html>bad gateway</html>").code, "");
}

}  // namespace
}  // namespace skiff::store::s3
