// Notifier units: the signature (RFC 4231 vector), the email message, and the delivery document
// written once per (job, round) on a MemoryStore however often "job.finished" is delivered.
#include <gtest/gtest.h>

#include "core/time.h"
#include "notify/notifier.h"
#include "notify/smtp.h"
#include "store/memory/memory_store.h"

namespace skiff::notify {
namespace {

TEST(SignatureTest, IsHmacSha256Hex) {
  // RFC 4231, test case 2.
  EXPECT_EQ(SignatureHex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(MessageTest, HeadersAreOneLineAndBodyLinesEndInCrlf) {
  std::string m = BuildMessage("jobs@skiff.test", "ann@acme.io\r\nBcc: eve@evil.io",
                               "[skiff] job x\nfailed", "line 1\nline 2\n", 0, "id@skiff");
  EXPECT_NE(m.find("To: ann@acme.io  Bcc: eve@evil.io\r\n"), std::string::npos) << m;
  EXPECT_EQ(m.find("\r\nBcc:"), std::string::npos);
  EXPECT_NE(m.find("Subject: [skiff] job x failed\r\n"), std::string::npos);
  EXPECT_NE(m.find("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\n\r\nline 1\r\nline 2\r\n"), std::string::npos);
}

TEST(NotifierTest, FinishDeliveredTwiceRecordsOneDocument) {
  store::MemoryStore store;
  NotifierOptions opts;  // not started: nothing is sent, the documents are what we look at
  Notifier n(&store, SystemClock(), nullptr, opts);
  auto job = std::make_shared<Job>();
  job->id = "job_1";
  job->team = "acme";
  job->notify = {{"webhook", "http://127.0.0.1:1/x"}, {"email", true}};
  coord::JobEvent e;
  e.type = std::string(coord::kEventJobFinished);
  e.job = job->id;
  e.doc = job;
  e.data = {{"status", "succeeded"}, {"counts", {{"total", 1}, {"ok", 1}, {"ko", 0}}},
            {"finished_ms", 1000}};
  n.OnEvents({e});
  e.recovered = true;
  n.OnEvents({e});
  auto docs = n.Deliveries("job_1");
  ASSERT_TRUE(docs.ok());
  ASSERT_EQ(docs->size(), 1u);
  const Json& d = (*docs)[0];
  EXPECT_EQ(d["payload"]["status"], "succeeded");
  ASSERT_EQ(d["deliveries"].size(), 2u);
  EXPECT_EQ(d["deliveries"][0]["state"], "pending");
  // No email address for the key (no lookup), so the email is failed at once with the reason.
  EXPECT_EQ(d["deliveries"][1]["state"], "failed");
  EXPECT_EQ(d["deliveries"][1]["error"], "the submitting key has no email");
  auto markers = store.List({"notify/pending/", "", 10});
  ASSERT_TRUE(markers.ok());
  EXPECT_EQ(markers->keys, std::vector<std::string>{"notify/pending/job_1-r0"});

  // A second round is a second document.
  e.round = 1;
  n.OnEvents({e});
  docs = n.Deliveries("job_1");
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[1]["round"], 1);
}

TEST(NotifierTest, TeamSecretIsCreatedOnceAndKept) {
  store::MemoryStore store;
  Notifier a(&store, SystemClock(), nullptr, {});
  Notifier b(&store, SystemClock(), nullptr, {});  // another server on the same store
  auto s1 = a.TeamSecret("acme");
  auto s2 = b.TeamSecret("acme");
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_EQ(*s1, *s2);
  EXPECT_EQ(s1->size(), 6u + 43u);
  auto other = a.TeamSecret("globex");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, *s1);
}

}  // namespace
}  // namespace skiff::notify
