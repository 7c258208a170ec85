// HTTPS on the API (--tls-cert, --tls-key) with a self-signed certificate made by `openssl req` in
// the test: curl, the CLI (SKIFF_CA_CERT) and a standalone worker (--ca-cert) talk to it; old
// protocol versions, weak ciphers, unverified clients and plain HTTP are refused.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "it_util.h"

namespace skiff::it {
namespace {

using skiff::testing::ProcessResult;
using skiff::testing::RunProcess;
using skiff::testing::TempDir;

// The full path of a program on $PATH (RunProcess does not search it), or the name itself.
std::string OnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return name;
}

struct Cert {
  std::string cert;
  std::string key;
};

// A P-256 self-signed certificate for 127.0.0.1, valid for a day.
Cert MakeCert(const std::string& dir) {
  Cert c{dir + "/cert.pem", dir + "/key.pem"};
  ProcessResult r = RunProcess({OnPath("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", c.key, "-out",
                                c.cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                                "subjectAltName=IP:127.0.0.1"},
                               {}, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return c;
}

ProcessResult Curl(const std::string& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {OnPath("curl"), "-sS", "--max-time", "10", "-o", "/dev/null",
                                   "-w", "%{http_code} %{ssl_verify_result}"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, {}, dir, seconds(20));
}

TEST(TlsTest, HttpsServesCurlTheCliAndAWorkerAndRefusesWeakOrUnverifiedClients) {
  TempDir tmp;
  Cert cert = MakeCert(tmp.path());
  ASSERT_FALSE(::testing::Test::HasFailure());
  TestServerOptions o;
  o.verb = "server";
  o.tls_cert = cert.cert;
  o.tls_key = cert.key;
  o.ca_cert = cert.cert;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  ASSERT_EQ(server.url().rfind("https://", 0), 0u) << server.url();
  const std::string url = server.url();

  // curl trusting the certificate: TLS 1.2 and 1.3 both work.
  ProcessResult ok13 = Curl(tmp.path(), {"--cacert", cert.cert, "--tlsv1.3", url + "/healthz"});
  EXPECT_EQ(ok13.exit_code, 0) << ok13.err;
  EXPECT_EQ(ok13.out, "200 0");
  ProcessResult ok12 = Curl(tmp.path(), {"--cacert", cert.cert, "--tlsv1.2", "--tls-max", "1.2",
                                         "-H", "Authorization: Bearer " + server.key(),
                                         url + "/v1/whoami"});
  EXPECT_EQ(ok12.exit_code, 0) << ok12.err;
  EXPECT_EQ(ok12.out, "200 0");

  // Refused: a client that does not trust the certificate (curl's own check), TLS 1.1, TLS 1.2
  // with a CBC cipher without forward secrecy, and plain HTTP on the TLS port.
  ProcessResult untrusted = Curl(tmp.path(), {url + "/healthz"});
  EXPECT_NE(untrusted.exit_code, 0) << untrusted.out;
  ProcessResult tls11 = Curl(tmp.path(), {"--cacert", cert.cert, "--tlsv1.1", "--tls-max", "1.1",
                                          url + "/healthz"});
  EXPECT_NE(tls11.exit_code, 0) << "TLS 1.1 was accepted: " << tls11.out;
  ProcessResult weak = Curl(tmp.path(), {"--cacert", cert.cert, "--tls-max", "1.2", "--ciphers",
                                         "AES128-SHA:AES256-SHA:ECDHE-ECDSA-AES128-SHA",
                                         url + "/healthz"});
  EXPECT_NE(weak.exit_code, 0) << "a CBC cipher was accepted: " << weak.out;
  std::string plain_url = "http://127.0.0.1:" + std::to_string(server.port()) + "/healthz";
  ProcessResult plain = Curl(tmp.path(), {plain_url});
  EXPECT_NE(plain.out.substr(0, 3), "200") << "plain HTTP was served on the TLS port";
  std::cout << "TLS: 1.3 and 1.2 answered; untrusted exit " << untrusted.exit_code
            << ", TLS 1.1 exit " << tls11.exit_code << ", CBC ciphers exit " << weak.exit_code
            << ", plain HTTP answered \"" << plain.out << "\"\n";

  // The CLI (SKIFF_CA_CERT, set by RunCli) submits; a standalone worker (--ca-cert) runs the job.
  std::unique_ptr<skiff::testing::Subprocess> worker = server.StartWorker(2, "tls-worker");
  std::string job_file = tmp.path() + "/job.yaml";
  skiff::testing::WriteFileOrDie(job_file, "argv: [sh, -c, 'echo over-tls']\n");
  ProcessResult submit = server.RunCli({"job", "submit", job_file});
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  std::string id = submit.out.substr(0, submit.out.find_first_of("\r\n"));
  ASSERT_EQ(id.rfind("job_", 0), 0u) << submit.out;
  IT_ASSIGN_OR_FAIL(Json job, server.WaitFinished(id, seconds(30)));
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_NE(AttemptsOf(job, "t-0001")[0].value("stdout_tail", "").find("over-tls"),
            std::string::npos);
  EXPECT_EQ(AttemptsOf(job, "t-0001")[0].value("worker", ""), "tls-worker");
  // Without the CA the CLI refuses the server's certificate and says so.
  ProcessResult no_ca = server.RunCli({"job", "list"}, {{"SKIFF_CA_CERT", "\x01unset"}});
  EXPECT_EQ(no_ca.exit_code, 3) << no_ca.out;
  EXPECT_NE(no_ca.err.find("certificate"), std::string::npos) << no_ca.err;
  EXPECT_EQ(worker->Terminate(seconds(20)), 0);
}

TEST(TlsTest, UnreadableCertificateOrKeyStopsTheServerNamingTheFile) {
  TempDir tmp;
  Cert cert = MakeCert(tmp.path());
  TempDir tmp2;
  Cert other = MakeCert(tmp2.path());  // its key does not match `cert`
  for (const auto& [c, k, expect] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {tmp.path() + "/missing.pem", cert.key, "--tls-cert"},
           {cert.cert, tmp.path() + "/missing.pem", "--tls-key"},
           {cert.cert, "", "--tls-key"},
           {cert.cert, other.key, "mismatch"},
       }) {
    std::vector<std::string> argv = {SKIFF_BINARY, "server", "--data", tmp.path() + "/data",
                                     "--listen", "127.0.0.1:0", "--tls-cert", c};
    if (!k.empty()) argv.insert(argv.end(), {"--tls-key", k});
    ProcessResult r = RunProcess(argv, {}, tmp.path(), seconds(30));
    EXPECT_NE(r.exit_code, 0) << c << " " << k;
    EXPECT_NE(r.err.find(expect), std::string::npos) << c << " / " << k << ": " << r.err;
  }
}

}  // namespace
}  // namespace skiff::it
