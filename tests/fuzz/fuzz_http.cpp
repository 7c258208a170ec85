// Raw bytes from a client socket, handled in-process as HttpServer does: Beast's request parser
// with the server's header and body limits, then api/wire.h's conversion and the real Router with
// every route (identity on a MemoryStore, a coordinator with its journal in a scratch folder). The
// input may hold several pipelined requests. The bootstrap key below is in the seed corpus, so the
// fuzzer reaches the handlers behind authentication.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "api/api.h"
#include "api/router.h"
#include "api/wire.h"
#include "coord/coordinator.h"
#include "core/ids.h"
#include "core/time.h"
#include "fuzz_util.h"
#include "identity/identity.h"
#include "store/memory/memory_store.h"

namespace skiff::fuzz {
namespace {

namespace http = boost::beast::http;

constexpr size_t kMaxHeaderBytes = 16u << 10;  // api::ServerOptions' defaults
constexpr size_t kMaxBodyBytes = 16u << 20;

struct Env {
  store::MemoryStore store;
  std::unique_ptr<identity::Identity> identity;
  std::unique_ptr<coord::Coordinator> coordinator;
  std::unique_ptr<api::Router> router;
};

Env* GetEnv() {
  static Env* env = [] {
    QuietLogs();
    auto* e = new Env;
    identity::IdentityOptions io;
    io.bootstrap_key_hash = Sha256Hex("skf_FuzzKeyFuzzKeyFuzzKeyFuzzKeyFuzzKeyFuzzKeyF");
    io.max_failures_per_minute = 1 << 30;
    auto id = identity::Identity::Open(&e->store, SystemClock(), io);
    if (!id.ok()) std::abort();
    e->identity = std::move(id).value();
    coord::CoordinatorOptions co;
    co.journal_dir = ScratchDir() + "/journal";
    co.journal.sync = false;
    co.journal.segment_bytes = 1 << 20;
    auto c = coord::Coordinator::Open(&e->store, SystemClock(), co);
    if (!c.ok()) std::abort();
    e->coordinator = std::move(c).value();
    // A lease would otherwise long-poll for up to wait_ms: draining makes it answer at once.
    e->coordinator->Drain();
    e->router = std::make_unique<api::Router>(e->identity.get());
    api::RegisterRoutes(*e->router, {e->coordinator.get(), e->identity.get(), SystemClock(),
                                     [] { return true; }});
    return e;
  }();
  return env;
}

}  // namespace
}  // namespace skiff::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace skiff;
  fuzz::Env* env = fuzz::GetEnv();
  boost::asio::const_buffer in(data, size);
  for (int requests = 0; in.size() > 0 && requests < 8; ++requests) {
    namespace http = boost::beast::http;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(fuzz::kMaxHeaderBytes));
    parser.body_limit(fuzz::kMaxBodyBytes);
    parser.eager(true);
    boost::system::error_code ec;
    while (in.size() > 0 && !parser.is_done()) {
      size_t used = parser.put(in, ec);
      in += used;
      if (ec == http::error::need_more) {
        ec = {};
        if (used == 0) break;
        continue;
      }
      if (ec) break;
      if (used == 0) break;
    }
    if (!ec && !parser.is_done() && in.size() == 0) parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;  // the server answers 400/413/431 and closes
    api::Request req = api::RequestFromBeast(parser.release(), "127.0.0.1:1");
    api::Response res = api::Dispatch(*env->router, req);
    if (res.status < 100 || res.status > 599) std::abort();
  }
  return 0;
}
