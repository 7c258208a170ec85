// Identifiers and hashes: job ids that sort by creation time, random tokens, SHA-256 hex.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace skiff {

// "job_" + 26 Crockford base32 chars (48 bits of ms time + 80 random bits), like a ULID: ids sort
// in creation order. Thread-safe.
std::string NewJobId(int64_t now_ms);

// `n` bytes from the OS CSPRNG, encoded base62 (for keys) or hex.
std::string RandomBase62(size_t chars);
std::string RandomHex(size_t bytes);

std::string Sha256Hex(std::string_view data);

// Task ids: "t-0001" ... zero-padded to max(4, digits(total)).
std::string TaskId(size_t index, size_t total);
// Inverse of TaskId for a job of `total` tasks; -1 if `id` is not one of its ids.
int64_t TaskIndex(std::string_view id, size_t total);

}  // namespace skiff
