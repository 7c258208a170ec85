// skiff_s3_test_server: the project's test S3 (S3TestServer) as a process, for the S3 throughput
// measurement (bench/s3_latency.sh) and for trying `skiff up --store s3://...` by hand.
//
//   skiff_s3_test_server [--port N] [--put-latency-ms MS] [--bucket NAME]
//
// Prints one line with the store URL to use, then serves until SIGINT/SIGTERM and prints the
// request counts on the way out.
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "store/s3/testing/s3_test_server.h"

int main(int argc, char** argv) {
  skiff::store::s3::testing::S3TestServerOptions o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--port") {
      o.port = std::atoi(argv[i + 1]);
    } else if (flag == "--put-latency-ms") {
      o.put_latency_ms = std::atoi(argv[i + 1]);
    } else if (flag == "--bucket") {
      o.bucket = argv[i + 1];
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  skiff::store::s3::testing::S3TestServer server(o);
  std::cout << server.StoreUrl("skiff") << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  auto s = server.stats();
  std::cout << "requests: put=" << s.put << " get=" << s.get << " head=" << s.head
            << " delete=" << s.del << " list=" << s.list
            << " rejected_signatures=" << s.rejected_signatures
            << " precondition_failed=" << s.precondition_failed << std::endl;
  return 0;
}
