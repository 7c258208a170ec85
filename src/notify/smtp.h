// One email over SMTP with libcurl (an internal helper of notify).
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace skiff::notify {

// Sends `message` (RFC 5322 headers, a blank line, the body; CRLF line ends) from `from` to `to`
// through `url` ("smtp://host:port"). Unavailable with curl's message on any failure.
Status SendMail(const std::string& url, const std::string& from, const std::string& to,
                const std::string& message, int64_t timeout_ms);

// An RFC 5322 message: From, To, Subject, Date (from `now_ms`), Message-ID, then `body` with every
// line ending CRLF. Header values must not hold CR or LF (they are replaced with spaces).
std::string BuildMessage(const std::string& from, const std::string& to,
                         const std::string& subject, const std::string& body, int64_t now_ms,
                         const std::string& message_id);

}  // namespace skiff::notify
