#include "exec/local/tail_buffer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace skiff::exec {
namespace {

TEST(TailBufferTest, KeepsEverythingUnderTheLimit) {
  TailBuffer tail(10);
  tail.Append("abc", 3);
  tail.Append("def", 3);
  EXPECT_EQ(tail.total(), 6);
  EXPECT_EQ(tail.Take(), "abcdef");
}

TEST(TailBufferTest, KeepsTheLastBytesOfManyAppends) {
  std::mt19937 rng(42);
  std::string all;
  TailBuffer tail(1000);
  for (int i = 0; i < 500; ++i) {
    std::string chunk(rng() % 1500, static_cast<char>('a' + i % 26));
    chunk += std::to_string(i);
    all += chunk;
    tail.Append(chunk.data(), chunk.size());
  }
  EXPECT_EQ(tail.total(), static_cast<int64_t>(all.size()));
  EXPECT_EQ(tail.Take(), all.substr(all.size() - 1000));
}

TEST(TailBufferTest, ZeroLimitOnlyCounts) {
  TailBuffer tail(0);
  tail.Append("abc", 3);
  EXPECT_EQ(tail.total(), 3);
  EXPECT_EQ(tail.Take(), "");
}

}  // namespace
}  // namespace skiff::exec
