// request.h reads HTTP/1.1 requests from the bytes a client has sent, for
// the small HTTP APIs ipckit's servers speak (relay --api, toxiproxy's API).
// It never waits and never trusts the peer: a request is found whole in the
// buffer or not at all, and every limit is a refusal with the status code to
// answer, not a crash or an unbounded buffer.
//
//   http::Parsed p = http::ParseRequest(client_bytes);
//   if (p.kind == http::Parsed::kIncomplete) ...;          // Read more.
//   if (p.kind == http::Parsed::kError) send(http::FormatResponse(p.status, ...));
//   else { Handle(p.request); client_bytes.erase(0, p.consumed); }
//
// What it takes: a request line "METHOD TARGET HTTP/1.x", header lines
// (obsolete line folding refused), a body of Content-Length bytes (none
// without one). What it refuses: a head over Limits::max_head (431), a body
// over Limits::max_body (413), Transfer-Encoding (501: the APIs' clients all
// send Content-Length), another HTTP version (505), anything malformed (400).
//
// Threads: pure functions, any thread.
#ifndef IPCKIT_LIB_HTTP_REQUEST_H_
#define IPCKIT_LIB_HTTP_REQUEST_H_

#include <stddef.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace ipckit::http {

struct Request {
  std::string method;  // As sent: "GET", "POST".
  std::string path;    // The target without its query: "/proxies/redis".
  std::string query;   // After '?', or "".
  std::vector<std::pair<std::string, std::string>> headers;  // Names lowercased, values trimmed.
  std::string body;
  bool keep_alive = true;  // HTTP/1.1 without "Connection: close", or 1.0 with keep-alive.

  // Header returns the value of the header `lowercase_name` (the first), or nullptr.
  const std::string* Header(absl::string_view lowercase_name) const;
};

struct Limits {
  size_t max_head = 16 * 1024;  // Request line and headers, with their CRLFs.
  size_t max_body = 1 << 20;
};

struct Parsed {
  enum Kind { kIncomplete, kRequest, kError };
  Kind kind = kIncomplete;
  size_t consumed = 0;  // kRequest: the bytes the request took.
  Request request;      // kRequest.
  int status = 0;       // kError: 400, 413, 431, 501 or 505.
  std::string error;    // kError: why, e.g. "Content-Length 'x' is not a number".
};

// ParseRequest finds the first request in `input` (kRequest), says that
// more bytes are needed (kIncomplete; never past the limits), or says why it
// is refused (kError, with the status to answer; the connection should then
// be closed, since where the next request starts is unknown).
Parsed ParseRequest(absl::string_view input, const Limits& limits = {});

// ReasonPhrase returns the status's phrase ("Not Found"), or "Status" for
// one it does not know.
const char* ReasonPhrase(int status);

// FormatResponse returns a whole HTTP/1.1 response: status line,
// Content-Type (omitted when empty), Content-Length, "Connection: close"
// when `close`, then `body`. A 204 or 304 carries no body.
std::string FormatResponse(int status, absl::string_view content_type, absl::string_view body, bool close);

}  // namespace ipckit::http

#endif  // IPCKIT_LIB_HTTP_REQUEST_H_
