#include "lib/http/request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ipckit::http {
namespace {

Parsed Error(int status, std::string why) {
  Parsed p;
  p.kind = Parsed::kError;
  p.status = status;
  p.error = std::move(why);
  return p;
}

// IsToken says whether `s` is a non-empty RFC 9110 token (a method or a header name).
bool IsToken(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (absl::ascii_isalnum(c)) continue;
    if (absl::string_view("!#$%&'*+-.^_`|~").find(c) == absl::string_view::npos) return false;
  }
  return true;
}

// ParseRequestLine fills method, path, query and the version's keep-alive
// default, or returns the error.
Parsed ParseRequestLine(absl::string_view line, Request& r) {
  std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
  if (parts.size() != 3 || !IsToken(parts[0]) || parts[1].empty() || parts[1][0] != '/') {
    return Error(400, absl::StrCat("malformed request line '", absl::CHexEscape(line.substr(0, 80)), "'"));
  }
  if (parts[2] != "HTTP/1.1" && parts[2] != "HTTP/1.0") {
    return Error(absl::StartsWith(parts[2], "HTTP/") ? 505 : 400,
                 absl::StrCat("unsupported version '", absl::CHexEscape(parts[2].substr(0, 20)), "'"));
  }
  for (char c : parts[1]) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return Error(400, "control character in the target");
  }
  r.method = std::string(parts[0]);
  absl::string_view target = parts[1];
  size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != absl::string_view::npos) r.query = std::string(target.substr(q + 1));
  r.keep_alive = parts[2] == "HTTP/1.1";
  return {};
}

}  // namespace

const std::string* Request::Header(absl::string_view lowercase_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lowercase_name) return &value;
  }
  return nullptr;
}

Parsed ParseRequest(absl::string_view input, const Limits& limits) {
  size_t end = input.find("\r\n\r\n");
  if (end == absl::string_view::npos) {
    if (input.size() > limits.max_head) return Error(431, absl::StrCat("request head over ", limits.max_head, " bytes"));
    return {};
  }
  if (end + 4 > limits.max_head) return Error(431, absl::StrCat("request head over ", limits.max_head, " bytes"));
  std::vector<absl::string_view> lines = absl::StrSplit(input.substr(0, end), "\r\n");
  Parsed p;
  Request& r = p.request;
  if (Parsed e = ParseRequestLine(lines[0], r); e.kind == Parsed::kError) return e;
  size_t length = 0;
  bool has_length = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    absl::string_view line = lines[i];
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos || !IsToken(line.substr(0, colon))) {
      return Error(400, absl::StrCat("malformed header line '", absl::CHexEscape(line.substr(0, 80)), "'"));
    }
    std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    if (name == "transfer-encoding") return Error(501, "Transfer-Encoding is not supported: send Content-Length");
    if (name == "content-length") {
      size_t n = 0;
      if (!absl::SimpleAtoi(value, &n) || value.empty() || value[0] == '+' || value[0] == '-') {
        return Error(400, absl::StrCat("Content-Length '", absl::CHexEscape(value.substr(0, 40)), "' is not a number"));
      }
      if (has_length && n != length) return Error(400, "two different Content-Length headers");
      length = n;
      has_length = true;
    }
    if (name == "connection") {
      std::string v = absl::AsciiStrToLower(value);
      if (v == "close") r.keep_alive = false;
      if (v == "keep-alive") r.keep_alive = true;
    }
    r.headers.emplace_back(std::move(name), std::move(value));
  }
  if (length > limits.max_body) return Error(413, absl::StrCat("body of ", length, " bytes (at most ", limits.max_body, ")"));
  size_t head = end + 4;
  if (input.size() - head < length) return {};
  r.body = std::string(input.substr(head, length));
  p.kind = Parsed::kRequest;
  p.consumed = head + length;
  return p;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
  }
}

std::string FormatResponse(int status, absl::string_view content_type, absl::string_view body, bool close) {
  bool bodiless = status == 204 || status == 304;
  std::string out = absl::StrCat("HTTP/1.1 ", status, " ", ReasonPhrase(status), "\r\n");
  if (!content_type.empty() && !bodiless) absl::StrAppend(&out, "Content-Type: ", content_type, "\r\n");
  if (!bodiless) absl::StrAppend(&out, "Content-Length: ", body.size(), "\r\n");
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  if (!bodiless) out.append(body.data(), body.size());
  return out;
}

}  // namespace ipckit::http
