#include "notify/smtp.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <ctime>

namespace skiff::notify {
namespace {

struct Reader {
  const std::string* data;
  size_t pos = 0;
};

size_t ReadBody(char* buf, size_t size, size_t n, void* user) {
  auto* r = static_cast<Reader*>(user);
  size_t len = std::min(size * n, r->data->size() - r->pos);
  std::memcpy(buf, r->data->data() + r->pos, len);
  r->pos += len;
  return len;
}

std::string OneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\r', ' ');
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

}  // namespace

Status SendMail(const std::string& url, const std::string& from, const std::string& to,
                const std::string& message, int64_t timeout_ms) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Internal("curl_easy_init failed");
  std::string mail_from = "<" + OneLine(from) + ">";
  std::string rcpt = "<" + OneLine(to) + ">";
  curl_slist* rcpts = curl_slist_append(nullptr, rcpt.c_str());
  Reader reader{&message};
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
  curl_easy_setopt(curl, CURLOPT_READDATA, &reader);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<int64_t>(timeout_ms, 5000)));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpts);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    return Unavailable("SMTP " + url + ": " + (error[0] ? error : curl_easy_strerror(rc)));
  }
  return OkStatus();
}

std::string BuildMessage(const std::string& from, const std::string& to,
                         const std::string& subject, const std::string& body, int64_t now_ms,
                         const std::string& message_id) {
  char date[64];
  time_t secs = static_cast<time_t>(now_ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  std::strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::string m;
  m += "From: " + OneLine(from) + "\r\n";
  m += "To: " + OneLine(to) + "\r\n";
  m += "Subject: " + OneLine(subject) + "\r\n";
  m += std::string("Date: ") + date + "\r\n";
  m += "Message-ID: <" + OneLine(message_id) + ">\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\n\r\n";
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    std::string line = body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    m += line + "\r\n";
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return m;
}

}  // namespace skiff::notify
