// exec_test_helper: a program whose behaviour the executor tests choose on the command line.
// Runs its operations in order, then exits 0:
//   exit N         exit with code N now
//   out N / err N  write N bytes to stdout / stderr: byte i is 'a' + i % 26
//   print TEXT     write TEXT and a newline to stdout
//   env NAME       write the value of $NAME (or "<unset>") and a newline to stdout
//   cwd            write the working directory and a newline to stdout
//   alloc N        allocate N MiB and touch every page
//   burn N         spin until this process has used N ms of CPU
//   sleep N        sleep N ms
//   bg N           fork a child that sleeps N ms holding stdout and stderr; write "bg=<pid>\n"
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

void WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      std::_Exit(100);
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
}

void WriteLine(const std::string& s) {
  std::string line = s + "\n";
  WriteAll(1, line.data(), line.size());
}

void WritePattern(int fd, long n) {
  std::string chunk;
  for (long i = 0; i < n; ++i) {
    chunk.push_back(static_cast<char>('a' + i % 26));
    if (chunk.size() == 65536) {
      WriteAll(fd, chunk.data(), chunk.size());
      chunk.clear();
    }
  }
  WriteAll(fd, chunk.data(), chunk.size());
}

void SleepMs(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

double CpuMs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string op = argv[i];
    if (op == "cwd") {
      std::vector<char> buf(4096);
      WriteLine(::getcwd(buf.data(), buf.size()) != nullptr ? buf.data() : "<error>");
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "helper: %s needs an argument\n", op.c_str());
      return 99;
    }
    const char* arg = argv[++i];
    long n = std::atol(arg);
    if (op == "exit") {
      return static_cast<int>(n);
    } else if (op == "out" || op == "err") {
      WritePattern(op == "out" ? 1 : 2, n);
    } else if (op == "print") {
      WriteLine(arg);
    } else if (op == "env") {
      const char* value = std::getenv(arg);
      WriteLine(value != nullptr ? value : "<unset>");
    } else if (op == "alloc") {
      size_t bytes = static_cast<size_t>(n) << 20;
      volatile char* p = static_cast<volatile char*>(std::malloc(bytes));
      for (size_t off = 0; p != nullptr && off < bytes; off += 4096) {
        p[off] = 1;
      }
      std::free(const_cast<char*>(p));  // keeps LeakSanitizer quiet in sanitizer builds
    } else if (op == "burn") {
      double until = CpuMs() + static_cast<double>(n);
      volatile unsigned long sink = 0;
      while (CpuMs() < until) {
        for (int k = 0; k < 10000; ++k) sink = sink + k;
      }
    } else if (op == "sleep") {
      SleepMs(n);
    } else if (op == "bg") {
      pid_t pid = ::fork();
      if (pid == 0) {
        SleepMs(n);
        std::_Exit(0);
      }
      WriteLine("bg=" + std::to_string(pid));
    } else {
      std::fprintf(stderr, "helper: unknown op %s\n", op.c_str());
      return 99;
    }
  }
  return 0;
}
