// http_request_fuzzer: lib/http's request reader over any bytes, as a
// client's stream. Checked besides memory safety: a request never claims
// more bytes than it was given; the same request is found when more bytes
// follow it; a refusal carries a status from the documented set; and a
// stream read request by request always makes progress.
#include <stddef.h>
#include <stdint.h>

#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "lib/http/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ipckit::http::Parsed;
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  ipckit::http::Limits limits;
  limits.max_head = 512;
  limits.max_body = 1024;
  for (int requests = 0; !input.empty() && requests < 64; ++requests) {
    Parsed p = ipckit::http::ParseRequest(input, limits);
    if (p.kind == Parsed::kIncomplete) break;
    if (p.kind == Parsed::kError) {
      if (p.status != 400 && p.status != 413 && p.status != 431 && p.status != 501 && p.status != 505) std::abort();
      if (p.error.empty()) std::abort();
      break;
    }
    if (p.consumed == 0 || p.consumed > input.size()) std::abort();
    if (p.request.body.size() > limits.max_body) std::abort();
    Parsed again = ipckit::http::ParseRequest(std::string(input) + "GET / HTTP/1.1\r\n\r\n", limits);
    if (again.kind != Parsed::kRequest || again.consumed != p.consumed || again.request.body != p.request.body) {
      std::abort();
    }
    input.remove_prefix(p.consumed);
  }
  return 0;
}
