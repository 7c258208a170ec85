// Journal replay: whatever bytes are found in the journal folder at start-up. The input becomes the
// first segment file and the coordinator opens on it, as a server restarting on a damaged disk
// would: the journal's framing (lengths, CRCs, seqs, torn tails) and then the coordinator's replay
// of each intact record into job state. Two input shapes, chosen by the first byte:
//   'F': the rest is split on '\n' into payloads that the harness frames correctly (right length,
//        CRC and seq), so the coordinator's replay of record payloads is reached;
//   anything else: the rest is the raw segment file.
// Either way Open must return a Status (a corrupt record in the middle is Internal), never crash.
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "coord/coordinator.h"
#include "core/time.h"
#include "fuzz_util.h"
#include "store/memory/memory_store.h"

namespace {

void PutLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// The framing of coord/journal.h: u32 length, u32 CRC-32 of (seq, payload), u64 seq, payload.
std::string Frame(uint64_t seq, std::string_view payload) {
  std::string seq_bytes;
  PutLe(seq_bytes, seq, 8);
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(seq_bytes.data()), 8);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(payload.data()),
              static_cast<uInt>(payload.size()));
  std::string out;
  PutLe(out, payload.size(), 4);
  PutLe(out, crc, 4);
  out += seq_bytes;
  out += payload;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace skiff;
  static const std::string dir = [] {
    fuzz::QuietLogs();
    std::string d = fuzz::ScratchDir() + "/journal";
    ::mkdir(d.c_str(), 0700);
    return d;
  }();
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string segment;
  if (data[0] == 'F') {
    uint64_t seq = 1;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      segment += Frame(seq++, rest.substr(0, nl));
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
  } else {
    segment.assign(rest);
  }
  fuzz::ClearDir(dir);
  int fd = ::open((dir + "/00000000000000000001.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) std::abort();
  if (::write(fd, segment.data(), segment.size()) != static_cast<ssize_t>(segment.size())) {
    std::abort();
  }
  ::close(fd);

  store::MemoryStore store;
  coord::CoordinatorOptions opts;
  opts.journal_dir = dir;
  opts.journal.sync = false;
  opts.checkpoint_interval_ms = 3600000;
  auto c = coord::Coordinator::Open(&store, SystemClock(), opts);
  if (c.ok()) {
    (void)(*c)->Stats();
    (*c)->Shutdown();  // the final checkpoint writes every replayed job as a document
  }
  return 0;
}
