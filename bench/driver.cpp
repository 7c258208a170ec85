// skiff-bench: the load driver of bench/run.sh. Plain-socket HTTP/1.1 keep-alive client (no
// libcurl, so the client costs little next to the server), nlohmann::json for the answers.
//
//   skiff-bench dispatch  --url U --key K --tasks N [--argv JSON] [--poll-ms 20] [--timeout-s T]
//       B1/B3: one job of N tasks; wall time from the POST to the poll that sees it finished;
//       then the full document for per-task figures (doc timestamps, ms resolution).
//   skiff-bench paced     --url U --key K --rate R --job-tasks J --seconds S [--clients C]
//       B1 latency: jobs of J tasks submitted open-loop at R tasks/s; per task ready -> result:
//       ended_at (set when the result is applied, right before its group commit) - created_at.
//   skiff-bench many-jobs --url U --key K --jobs N --job-tasks J [--clients 4]
//       B2: N jobs of J tasks from C threads (one keep-alive connection each) while workers drain.
//   skiff-bench spawn     --n N --par P [--path /bin/true]
//       B3 reference: bare posix_spawn + waitpid, P threads.
//   skiff-bench wait-ready --url U --key K --jobs N [--timeout-s T]
//       B4: polls /readyz (every 2 ms) then GET /v1/jobs until N jobs are listed; prints the
//       CLOCK_REALTIME ns of both moments (run.sh subtracts the moment of the kill -9).
//   skiff-bench submit    --url U --key K --tasks N [--count C] [--argv JSON]
//       submits C jobs of N tasks (sequentially), prints their ids.
//
// Every command prints one line of key=value pairs on stdout (the RESULT fields); errors go to
// stderr with exit code 1. Every loop is bounded by a count and a deadline.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "skiff-bench: %s\n", msg.c_str());
  std::exit(1);
}

double Secs(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int64_t RealtimeNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// ---- flags ----
struct Flags {
  std::map<std::string, std::string> kv;
  std::string Get(const std::string& k, const std::string& def = "") const {
    auto it = kv.find(k);
    if (it != kv.end()) return it->second;
    if (def.empty()) Die("missing --" + k);
    return def;
  }
  long long Int(const std::string& k, long long def = LLONG_MIN) const {
    auto it = kv.find(k);
    if (it == kv.end()) {
      if (def == LLONG_MIN) Die("missing --" + k);
      return def;
    }
    return std::stoll(it->second);
  }
  double Dbl(const std::string& k, double def) const {
    auto it = kv.find(k);
    return it == kv.end() ? def : std::stod(it->second);
  }
};

Flags ParseFlags(int argc, char** argv, int from) {
  Flags f;
  for (int i = from; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || i + 1 >= argc) Die("bad argument " + a);
    f.kv[a.substr(2)] = argv[++i];
  }
  return f;
}

// ---- percentiles (nearest rank) ----
double Pct(std::vector<double>& v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * v.size()));
  if (rank == 0) rank = 1;
  return v[std::min(rank, v.size()) - 1];
}

// ---- time parsing: "2026-11-22T10:00:00.000Z" -> ms since epoch ----
int64_t ParseMs(const Json& j) {
  if (!j.is_string()) return -1;
  const std::string& s = j.get_ref<const std::string&>();
  struct tm tm {};
  int ms = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return int64_t(timegm(&tm)) * 1000 + ms;
}

// ---- HTTP/1.1 client over one keep-alive connection ----
struct Url {
  std::string host;
  int port = 80;
};

Url ParseUrl(const std::string& u) {
  std::string s = u;
  if (s.rfind("http://", 0) == 0) s = s.substr(7);
  while (!s.empty() && s.back() == '/') s.pop_back();
  Url out;
  auto c = s.rfind(':');
  if (c == std::string::npos) Die("url needs a port: " + u);
  out.host = s.substr(0, c);
  out.port = std::stoi(s.substr(c + 1));
  return out;
}

struct Response {
  int status = 0;
  std::string body;
};

class Http {
 public:
  Http(Url url, std::string key) : url_(std::move(url)), key_(std::move(key)) {}
  ~Http() { Close(); }
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // One retry on a fresh connection when the kept-alive one was closed under us.
  Response Do(const std::string& method, const std::string& path, const std::string& body = "") {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Connect()) {
        if (attempt == 1) return Response{-1, "connect failed"};
        continue;
      }
      Response r;
      if (Exchange(method, path, body, &r)) return r;
      Close();
    }
    return Response{-1, "request failed"};
  }

 private:
  bool Connect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{120, 0};  // a bounded wait for any answer
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(url_.port));
    if (::inet_pton(AF_INET, url_.host == "localhost" ? "127.0.0.1" : url_.host.c_str(),
                    &a.sin_addr) != 1) {
      Die("host must be an IPv4 address: " + url_.host);
    }
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      Close();
      return false;
    }
    buf_.clear();
    return true;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }
  bool SendAll(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  bool Fill() {  // reads more into buf_
    char tmp[65536];
    for (;;) {
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf_.append(tmp, static_cast<size_t>(n));
      return true;
    }
  }
  bool Exchange(const std::string& method, const std::string& path, const std::string& body,
                Response* r) {
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + url_.host + ":" +
                      std::to_string(url_.port) + "\r\n";
    if (!key_.empty()) req += "Authorization: Bearer " + key_ + "\r\n";
    if (method == "POST" || !body.empty()) {
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n";
    }
    req += "\r\n";
    req += body;
    if (!SendAll(req)) return false;
    size_t hdr_end;
    while ((hdr_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    std::string head = buf_.substr(0, hdr_end);
    buf_.erase(0, hdr_end + 4);
    if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) return false;
    r->status = std::atoi(head.c_str() + 9);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    bool close_after = lower.find("\r\nconnection: close") != std::string::npos;
    size_t cl = lower.find("\r\ncontent-length:");
    if (cl != std::string::npos) {
      size_t len = std::strtoull(lower.c_str() + cl + 17, nullptr, 10);
      while (buf_.size() < len) {
        if (!Fill()) return false;
      }
      r->body = buf_.substr(0, len);
      buf_.erase(0, len);
    } else if (lower.find("transfer-encoding: chunked") != std::string::npos) {
      for (;;) {
        size_t e;
        while ((e = buf_.find("\r\n")) == std::string::npos) {
          if (!Fill()) return false;
        }
        size_t len = std::strtoull(buf_.c_str(), nullptr, 16);
        buf_.erase(0, e + 2);
        while (buf_.size() < len + 2) {
          if (!Fill()) return false;
        }
        r->body.append(buf_, 0, len);
        buf_.erase(0, len + 2);
        if (len == 0) break;
      }
    } else if (r->status == 204 || r->status == 304) {
      r->body.clear();
    } else {
      while (Fill()) {
      }
      r->body = std::move(buf_);
      buf_.clear();
      close_after = true;
    }
    if (close_after) Close();
    return true;
  }

  Url url_;
  std::string key_;
  int fd_ = -1;
  std::string buf_;
};

std::string JobBody(const Json& argv, long long tasks) {
  return Json{{"argv", argv}, {"items", tasks}, {"max_attempts", 1}}.dump();
}

std::string SubmitOrDie(Http& h, const Json& argv, long long tasks) {
  Response r = h.Do("POST", "/v1/jobs", JobBody(argv, tasks));
  if (r.status != 201 && r.status != 200) {
    Die("submit answered " + std::to_string(r.status) + ": " + r.body.substr(0, 300));
  }
  return Json::parse(r.body).at("id").get<std::string>();
}

// Polls GET /v1/jobs/{id}?tasks=0 until finished_at is set; returns the small job.
Json WaitFinished(Http& h, const std::string& id, int poll_ms, Clock::time_point deadline) {
  for (;;) {
    Response r = h.Do("GET", "/v1/jobs/" + id + "?tasks=0");
    if (r.status == 200) {
      Json j = Json::parse(r.body);
      if (!j.at("finished_at").is_null()) return j;
    } else {
      std::fprintf(stderr, "poll %s: %d %s\n", id.c_str(), r.status, r.body.substr(0, 200).c_str());
    }
    if (Clock::now() > deadline) Die("job " + id + " did not finish before the deadline");
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
}

struct TaskFigures {
  std::vector<double> ready_to_end_ms;  // ended_at - created_at (first attempts)
  std::vector<double> lease_to_end_ms;  // ended_at - started_at
  long long ok = 0, ko = 0, attempts = 0;
  int64_t first_start = INT64_MAX, last_end = 0;
};

void AddDoc(const Json& doc, TaskFigures* f) {
  int64_t created = ParseMs(doc.at("created_at"));
  for (auto& [task, state] : doc.at("tasks").items()) {
    if (state == "ok") ++f->ok;
    else ++f->ko;
  }
  for (auto& [task, list] : doc.at("attempts").items()) {
    for (const Json& a : list) {
      ++f->attempts;
      int64_t s = ParseMs(a.at("started_at")), e = ParseMs(a.at("ended_at"));
      if (s < 0 || e < 0) continue;
      f->first_start = std::min(f->first_start, s);
      f->last_end = std::max(f->last_end, e);
      f->lease_to_end_ms.push_back(double(e - s));
      if (a.value("n", 1) == 1) f->ready_to_end_ms.push_back(double(e - created));
    }
  }
}

std::string Fmt(double x, int prec = 1) {
  if (std::isnan(x)) return "nan";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, x);
  return b;
}

// ---- commands ----

int CmdDispatch(const Flags& f) {
  Http h(ParseUrl(f.Get("url")), f.Get("key"));
  long long n = f.Int("tasks");
  Json argv = Json::parse(f.Get("argv", R"(["skiff:noop"])"));
  int poll_ms = static_cast<int>(f.Int("poll-ms", 20));
  auto deadline = Clock::now() + std::chrono::seconds(f.Int("timeout-s", 600));
  auto t0 = Clock::now();
  std::string id = SubmitOrDie(h, argv, n);
  auto t_sub = Clock::now();
  Json small = WaitFinished(h, id, poll_ms, deadline);
  auto t1 = Clock::now();
  double e2e = Secs(t0, t1);
  Response full = h.Do("GET", "/v1/jobs/" + id);
  if (full.status != 200) Die("GET full job: " + std::to_string(full.status));
  Json doc = Json::parse(full.body);
  TaskFigures fig;
  AddDoc(doc, &fig);
  int64_t created = ParseMs(doc.at("created_at")), finished = ParseMs(doc.at("finished_at"));
  double span = (finished - created) / 1000.0;
  std::printf(
      "job=%s tasks=%lld ok=%lld ko=%lld status=%s submit_ms=%s e2e_s=%s tasks_per_s=%.0f "
      "server_span_s=%s server_tasks_per_s=%.0f run_span_s=%s "
      "queue_to_end_p50_ms=%s queue_to_end_p99_ms=%s lease_to_end_p50_ms=%s "
      "lease_to_end_p99_ms=%s doc_bytes=%zu poll_ms=%d\n",
      id.c_str(), n, fig.ok, fig.ko, doc.value("status", "?").c_str(),
      Fmt(Secs(t0, t_sub) * 1000, 1).c_str(), Fmt(e2e, 3).c_str(), n / e2e, Fmt(span, 3).c_str(),
      span > 0 ? n / span : 0.0, Fmt((fig.last_end - fig.first_start) / 1000.0, 3).c_str(),
      Fmt(Pct(fig.ready_to_end_ms, 50), 0).c_str(), Fmt(Pct(fig.ready_to_end_ms, 99), 0).c_str(),
      Fmt(Pct(fig.lease_to_end_ms, 50), 0).c_str(), Fmt(Pct(fig.lease_to_end_ms, 99), 0).c_str(),
      full.body.size(), poll_ms);
  (void)small;
  return fig.ko == 0 ? 0 : 1;
}

int CmdPaced(const Flags& f) {
  Url url = ParseUrl(f.Get("url"));
  std::string key = f.Get("key");
  double rate = f.Dbl("rate", 0);
  long long job_tasks = f.Int("job-tasks", 10);
  double seconds = f.Dbl("seconds", 5);
  int clients = static_cast<int>(f.Int("clients", 4));
  Json argv = Json::parse(f.Get("argv", R"(["skiff:noop"])"));
  if (rate <= 0) Die("--rate must be > 0");
  double jobs_per_s = rate / job_tasks;
  long long njobs = std::max<long long>(1, std::llround(jobs_per_s * seconds));
  std::vector<std::string> ids(njobs);
  std::vector<double> submit_ms(njobs, 0);
  std::atomic<long long> late{0};
  auto start = Clock::now() + std::chrono::milliseconds(50);
  std::atomic<bool> failed{false};
  std::vector<std::thread> th;
  for (int c = 0; c < clients; ++c) {
    th.emplace_back([&, c] {
      Http h(url, key);
      h.Do("GET", "/healthz");  // connect before the clock starts
      for (long long k = c; k < njobs && !failed; k += clients) {
        auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(k / jobs_per_s * 1e9));
        auto now = Clock::now();
        if (now < due) std::this_thread::sleep_until(due);
        else if (now - due > std::chrono::milliseconds(1)) ++late;
        auto t = Clock::now();
        Response r = h.Do("POST", "/v1/jobs", JobBody(argv, job_tasks));
        submit_ms[k] = Secs(t, Clock::now()) * 1000;
        if (r.status != 201) {
          std::fprintf(stderr, "paced submit: %d %s\n", r.status, r.body.substr(0, 200).c_str());
          failed = true;
          return;
        }
        ids[k] = Json::parse(r.body).at("id").get<std::string>();
      }
    });
  }
  for (auto& t : th) t.join();
  if (failed) Die("a paced submit failed");
  double submit_span = Secs(start, Clock::now());
  // Wait for every job, then read the documents.
  Http h(url, key);
  auto deadline = Clock::now() + std::chrono::seconds(f.Int("timeout-s", 300));
  TaskFigures fig;
  for (const std::string& id : ids) {
    WaitFinished(h, id, 5, deadline);
    Response r = h.Do("GET", "/v1/jobs/" + id);
    if (r.status != 200) Die("GET job: " + std::to_string(r.status));
    AddDoc(Json::parse(r.body), &fig);
  }
  std::vector<double> sm = submit_ms;
  std::printf(
      "rate_target=%.0f rate_offered=%.0f job_tasks=%lld jobs=%lld tasks=%lld ok=%lld ko=%lld "
      "late_submits=%lld ready_to_durable_p50_ms=%s ready_to_durable_p99_ms=%s "
      "ready_to_durable_max_ms=%s lease_to_end_p99_ms=%s submit_p50_ms=%s submit_p99_ms=%s\n",
      rate, njobs * job_tasks / submit_span, job_tasks, njobs, njobs * job_tasks, fig.ok, fig.ko,
      late.load(), Fmt(Pct(fig.ready_to_end_ms, 50), 0).c_str(),
      Fmt(Pct(fig.ready_to_end_ms, 99), 0).c_str(), Fmt(Pct(fig.ready_to_end_ms, 100), 0).c_str(),
      Fmt(Pct(fig.lease_to_end_ms, 99), 0).c_str(), Fmt(Pct(sm, 50), 2).c_str(),
      Fmt(Pct(sm, 99), 2).c_str());
  return fig.ko == 0 ? 0 : 1;
}

bool AnyWithStatus(Http& h, const char* status) {
  Response r = h.Do("GET", std::string("/v1/jobs?limit=1&status=") + status);
  if (r.status != 200) Die("list: " + std::to_string(r.status) + " " + r.body.substr(0, 200));
  return !Json::parse(r.body).at("jobs").empty();
}

int CmdManyJobs(const Flags& f) {
  Url url = ParseUrl(f.Get("url"));
  std::string key = f.Get("key");
  long long njobs = f.Int("jobs");
  long long job_tasks = f.Int("job-tasks", 10);
  int clients = static_cast<int>(f.Int("clients", 4));
  int poll_ms = static_cast<int>(f.Int("poll-ms", 20));
  Json argv = Json::parse(f.Get("argv", R"(["skiff:noop"])"));
  std::string body = JobBody(argv, job_tasks);
  std::vector<std::vector<double>> lat(clients);
  std::atomic<bool> failed{false};
  std::vector<std::thread> th;
  std::vector<Http*> conns(clients);
  for (int c = 0; c < clients; ++c) {
    conns[c] = new Http(url, key);
    conns[c]->Do("GET", "/healthz");  // connected before the clock starts
  }
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::seconds(f.Int("timeout-s", 600));
  for (int c = 0; c < clients; ++c) {
    th.emplace_back([&, c] {
      Http& h = *conns[c];
      lat[c].reserve(njobs / clients + 1);
      for (long long k = c; k < njobs && !failed && Clock::now() < deadline; k += clients) {
        auto t = Clock::now();
        Response r = h.Do("POST", "/v1/jobs", body);
        lat[c].push_back(Secs(t, Clock::now()) * 1000);
        if (r.status != 201) {
          std::fprintf(stderr, "submit: %d %s\n", r.status, r.body.substr(0, 200).c_str());
          failed = true;
        }
      }
    });
  }
  for (auto& t : th) t.join();
  auto t_sub = Clock::now();
  for (Http* c : conns) delete c;
  if (failed) Die("a submit failed");
  Http h(url, key);
  while (AnyWithStatus(h, "running") || AnyWithStatus(h, "pending")) {
    if (Clock::now() > deadline) Die("jobs did not finish before the deadline");
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
  auto t1 = Clock::now();
  bool any_failed = AnyWithStatus(h, "failed");
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  double sub = Secs(t0, t_sub), e2e = Secs(t0, t1);
  std::printf(
      "jobs=%lld job_tasks=%lld clients=%d submits_per_s=%.0f submit_p50_ms=%s "
      "submit_p99_ms=%s submit_max_ms=%s submit_s=%s e2e_s=%s tasks_per_s=%.0f failed_jobs=%d\n",
      njobs, job_tasks, clients, njobs / sub, Fmt(Pct(all, 50), 2).c_str(),
      Fmt(Pct(all, 99), 2).c_str(), Fmt(Pct(all, 100), 2).c_str(), Fmt(sub, 3).c_str(),
      Fmt(e2e, 3).c_str(), njobs * job_tasks / e2e, any_failed ? 1 : 0);
  return any_failed ? 1 : 0;
}

int CmdSpawn(const Flags& f) {
  long long n = f.Int("n");
  int par = static_cast<int>(f.Int("par", 4));
  std::string path = f.Get("path", "/bin/true");
  std::atomic<long long> next{0}, bad{0};
  auto t0 = Clock::now();
  std::vector<std::thread> th;
  for (int i = 0; i < par; ++i) {
    th.emplace_back([&] {
      char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
      while (next.fetch_add(1) < n) {
        pid_t pid;
        if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv, environ) != 0) {
          ++bad;
          continue;
        }
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) ++bad;
      }
    });
  }
  for (auto& t : th) t.join();
  double s = Secs(t0, Clock::now());
  std::printf("n=%lld par=%d path=%s secs=%s per_s=%.0f failed=%lld\n", n, par, path.c_str(),
              Fmt(s, 3).c_str(), n / s, bad.load());
  return bad == 0 ? 0 : 1;
}

int CmdWaitReady(const Flags& f) {
  Url url = ParseUrl(f.Get("url"));
  std::string key = f.Get("key");
  long long want = f.Int("jobs");
  auto deadline = Clock::now() + std::chrono::seconds(f.Int("timeout-s", 300));
  int64_t ready_ns = 0, listed_ns = 0;
  long long polls = 0;
  for (;;) {
    Http h(url, "");
    Response r = h.Do("GET", "/readyz");
    ++polls;
    if (r.status == 200) {
      ready_ns = RealtimeNs();
      break;
    }
    if (Clock::now() > deadline) Die("not ready before the deadline");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  Http h(url, key);
  for (;;) {
    Response r = h.Do("GET", "/v1/jobs?limit=1000");
    if (r.status == 200 && static_cast<long long>(Json::parse(r.body).at("jobs").size()) >= want) {
      listed_ns = RealtimeNs();
      break;
    }
    if (Clock::now() > deadline) Die("jobs not listed before the deadline");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::printf("ready_ns=%" PRId64 " listed_ns=%" PRId64 " readyz_polls=%lld\n", ready_ns, listed_ns,
              polls);
  return 0;
}

int CmdSubmit(const Flags& f) {
  Http h(ParseUrl(f.Get("url")), f.Get("key"));
  long long n = f.Int("tasks");
  long long count = f.Int("count", 1);
  Json argv = Json::parse(f.Get("argv", R"(["skiff:noop"])"));
  std::string ids;
  auto t0 = Clock::now();
  for (long long i = 0; i < count; ++i) {
    if (!ids.empty()) ids += ",";
    ids += SubmitOrDie(h, argv, n);
  }
  std::printf("ids=%s submit_s=%s\n", ids.c_str(), Fmt(Secs(t0, Clock::now()), 3).c_str());
  return 0;
}

int CmdWaitJob(const Flags& f) {
  Http h(ParseUrl(f.Get("url")), f.Get("key"));
  auto deadline = Clock::now() + std::chrono::seconds(f.Int("timeout-s", 120));
  Json j = WaitFinished(h, f.Get("job"), 10, deadline);
  std::printf("status=%s\n", j.value("status", "?").c_str());
  return j.value("status", "") == "succeeded" ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Die("usage: skiff-bench dispatch|paced|many-jobs|spawn|wait-ready|submit|wait-job ...");
  std::string cmd = argv[1];
  Flags f = ParseFlags(argc, argv, 2);
  try {
    if (cmd == "dispatch") return CmdDispatch(f);
    if (cmd == "paced") return CmdPaced(f);
    if (cmd == "many-jobs") return CmdManyJobs(f);
    if (cmd == "spawn") return CmdSpawn(f);
    if (cmd == "wait-ready") return CmdWaitReady(f);
    if (cmd == "submit") return CmdSubmit(f);
    if (cmd == "wait-job") return CmdWaitJob(f);
  } catch (const std::exception& e) {
    Die(cmd + ": " + e.what());
  }
  Die("unknown command " + cmd);
}
