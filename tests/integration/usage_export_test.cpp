// A 1,000,000-row CSV export streams in bounded memory: the day documents are written straight
// into the server's folder store (as the usage meter would have), curl downloads the export, and
// the server's resident memory (VmRSS) is sampled all along.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <fstream>

#include "core/time.h"
#include "testing/test_server.h"
#include "usage/record.h"
#include "usage_it_util.h"

namespace skiff::it {
namespace {

constexpr int kDocs = 100;
constexpr int kRowsPerDoc = 10000;
constexpr int64_t kDay = 1768435200000;  // 2026-01-15T00:00:00Z

// Writes the documents: row r of document d finishes at kDay + d * kRowsPerDoc + r ms, with an
// email holding a comma and quotes, and every 1000th row a template name with a line break.
void WriteDocs(const std::string& store_dir) {
  std::string dir = store_dir + "/usage/2026-01-15/acme";
  std::filesystem::create_directories(dir);
  for (int d = 0; d < kDocs; ++d) {
    std::string doc;
    doc.reserve(static_cast<size_t>(kRowsPerDoc) * 340);
    char job[32];
    std::snprintf(job, sizeof(job), "job_gen%04d", d);
    char line[1024];
    for (int r = 0; r < kRowsPerDoc; ++r) {
      int64_t t = kDay + static_cast<int64_t>(d) * kRowsPerDoc + r;
      // The meter's line format (usage/record.cpp RecordToLine), printed directly for speed.
      int n = std::snprintf(
          line, sizeof(line),
          R"({"time":"%s","kind":"task","team":"acme",)"
          R"("user_id":"0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",)"
          R"("email":"\"ann, the tester\"@acme.io","job":"%s","round":0,"template":"%s",)"
          R"("task":"t-%d","attempts":1,"result":"ok","wall_seconds":1.25,"cpu_seconds":0.5,)"
          R"("peak_rss_kb":20480,"stdout_bytes":100,"stderr_bytes":0})"
          "\n",
          FormatTime(t).c_str(), job, r % 1000 == 0 ? "video\\npreview@3" : "video-preview@3", r);
      doc.append(line, static_cast<size_t>(n));
      if (d == 0 && r == 0) {  // the same bytes the meter writes for this record
        usage::UsageRecord rec;
        rec.time_ms = t;
        rec.kind = "task";
        rec.team = "acme";
        rec.user_id = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
        rec.email = "\"ann, the tester\"@acme.io";
        rec.job = job;
        rec.template_ref = "video\npreview@3";
        rec.task = "t-0";
        rec.attempts = 1;
        rec.result = "ok";
        rec.wall_seconds = 1.25;
        rec.cpu_seconds = 0.5;
        rec.peak_rss_kb = 20480;
        rec.stdout_bytes = 100;
        EXPECT_EQ(std::string(line, static_cast<size_t>(n)), usage::RecordToLine(rec) + "\n");
      }
    }
    std::ofstream(dir + "/" + job + "-r0-p0000.ndjson", std::ios::binary) << doc;
  }
}

// Counts RFC 4180 records and checks each has `fields` fields, streaming over the file.
struct CsvCount {
  int64_t records = 0;
  int64_t bad_records = 0;
  int64_t bytes = 0;
};
CsvCount CountCsv(const std::string& path, size_t fields) {
  CsvCount c;
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buf(1 << 20);
  bool quoted = false, prev_quote = false, prev_cr = false;
  size_t commas = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    c.bytes += n;
    for (std::streamsize i = 0; i < n; ++i) {
      char ch = buf[static_cast<size_t>(i)];
      if (quoted) {
        if (ch == '"') {
          quoted = false;
          prev_quote = true;
        }
        continue;
      }
      if (ch == '"') {
        quoted = true;  // an opening quote, or the second of a doubled ""
        prev_quote = false;
        continue;
      }
      prev_quote = false;
      if (ch == ',') ++commas;
      if (ch == '\n') {
        if (!prev_cr || commas + 1 != fields) ++c.bad_records;
        ++c.records;
        commas = 0;
      }
      prev_cr = ch == '\r';
    }
  }
  (void)prev_quote;
  return c;
}

// The full path of a program on $PATH ("" when there is none).
std::string FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    if (colon == std::string::npos) colon = dirs.size();
    std::string candidate = dirs.substr(start, colon - start) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = colon + 1;
  }
  return "";
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif

TEST(UsageExportTest, AMillionRowsStreamInBoundedMemory) {
  // Under AddressSanitizer the server's freed memory sits in a quarantine (256 MiB by default)
  // before it is reused, which RSS would count: keep it small (for this server only) so RSS
  // measures what is live.
  const char* asan_env = std::getenv("ASAN_OPTIONS");
  const std::optional<std::string> asan_prev =
      asan_env ? std::optional<std::string>(asan_env) : std::nullopt;
  if (kAsan) {
    std::string opts = asan_prev.value_or("") + (asan_prev && !asan_prev->empty() ? ":" : "") +
                       "quarantine_size_mb=4:thread_local_quarantine_size_kb=256";
    ::setenv("ASAN_OPTIONS", opts.c_str(), 1);
  }
  TestServer server(Opts(0));
  if (kAsan) {
    if (asan_prev) {
      ::setenv("ASAN_OPTIONS", asan_prev->c_str(), 1);
    } else {
      ::unsetenv("ASAN_OPTIONS");
    }
  }
  ASSERT_TRUE(server.started());
  auto t0 = Clock::now();
  WriteDocs(server.data_dir() + "/store");
  std::cout << "wrote " << kDocs * kRowsPerDoc << " records in " << MsSince(t0) << " ms\n";

  ASSERT_FALSE(FindInPath("curl").empty()) << "curl is needed (scripts/setup.sh installs it)";
  long base_kb = testing::ResidentKb(server.pid());
  ASSERT_GT(base_kb, 0);
  std::string out = server.scratch() + "/big.csv";
  std::string err = server.scratch() + "/curl.err";
  t0 = Clock::now();
  testing::Subprocess curl(
      {FindInPath("curl"), "-sS", "--fail", "-o", out, "-H", "Authorization: Bearer " + server.key(),
       server.url() + "/v1/usage/export.csv?from=2026-01-15&to=2026-01-16"},
      {}, err, err);
  long peak_kb = base_kb;
  while (curl.Running()) {
    peak_kb = std::max(peak_kb, testing::ResidentKb(server.pid()));
    std::this_thread::sleep_for(milliseconds(10));
    ASSERT_LT(MsSince(t0), 240000) << "the export takes too long";
  }
  int64_t took = MsSince(t0);
  ASSERT_EQ(curl.exit_status(), 0) << testing::ReadFileOrEmpty(err);

  CsvCount c = CountCsv(out, kUsageColumns.size());
  std::cout << "exported " << c.records - 1 << " rows, " << c.bytes / (1 << 20) << " MiB in "
            << took << " ms; server RSS " << base_kb << " KiB before, peak " << peak_kb
            << " KiB\n";
  EXPECT_EQ(c.records, 1 + kDocs * kRowsPerDoc);
  EXPECT_EQ(c.bad_records, 0);
  EXPECT_GT(c.bytes, 150 << 20);
  // The body is over 150 MiB; the server's memory grows by one document and a chunk, not that.
  EXPECT_LT(peak_kb - base_kb, 64 * 1024);

  std::cout << "counted in " << MsSince(t0) - took << " ms\n";
  // Range edges on the same data: [first + 1 ms, first + 11 ms) is exactly 10 rows.
  auto http = server.Client();
  auto part = http->Get("/v1/usage/export.csv?from=2026-01-15T00:00:00.001Z&to=2026-01-15T00:00:00.011Z");
  ASSERT_TRUE(part.ok());
  bool ok = false;
  auto rows = ParseCsv(part->body, &ok);
  ASSERT_TRUE(ok);
  ASSERT_EQ(rows.size(), 11u);
  EXPECT_EQ(rows[1][0], "2026-01-15T00:00:00.001Z");
  EXPECT_EQ(rows[10][0], "2026-01-15T00:00:00.010Z");
  EXPECT_EQ(rows[1][4], "\"ann, the tester\"@acme.io");
  // The first millisecond alone: the row whose template holds a line break, quoted.
  part = http->Get("/v1/usage/export.csv?from=2026-01-15&to=2026-01-15T00:00:00.001Z");
  ASSERT_TRUE(part.ok());
  rows = ParseCsv(part->body, &ok);
  ASSERT_TRUE(ok) << part->body;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][7], "video\npreview@3");
  EXPECT_NE(part->body.find("\"video\npreview@3\""), std::string::npos);
  std::filesystem::remove(out);

  // A client that goes away mid-export: the server stops streaming and keeps serving.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  std::string req = "GET /v1/usage/export.csv?from=2026-01-15 HTTP/1.1\r\nHost: x\r\n"
                    "Authorization: Bearer " + server.key() + "\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  std::string got;
  char buf[65536];
  while (got.size() < (1u << 20)) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    ASSERT_GT(n, 0);
    got.append(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u);
  ::close(fd);
  auto health = http->Get("/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  EXPECT_LT(testing::ResidentKb(server.pid()) - base_kb, 64 * 1024);
  std::cout << "range queries done at " << MsSince(t0) << " ms\n";
}

}  // namespace
}  // namespace skiff::it
