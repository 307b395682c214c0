#include "tools/with_server/readiness.h"

#include <poll.h>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/io/fd.h"
#include "lib/io/wait.h"
#include "lib/net/address.h"
#include "lib/net/socket.h"

namespace ipckit::with_server {

std::string TranslatePattern(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out.push_back(text[i]);
      continue;
    }
    switch (text[++i]) {
      case 'd': out += "[0-9]"; break;
      case 'D': out += "[^0-9]"; break;
      case 'w': out += "[[:alnum:]_]"; break;
      case 'W': out += "[^[:alnum:]_]"; break;
      case 's': out += "[[:space:]]"; break;
      case 'S': out += "[^[:space:]]"; break;
      default: out.push_back('\\'), out.push_back(text[i]); break;
    }
  }
  return out;
}

absl::StatusOr<LogPattern> LogPattern::Compile(absl::string_view text) {
  LogPattern p;
  p.re_ = std::shared_ptr<regex_t>(new regex_t, [](regex_t* r) {
    ::regfree(r);
    delete r;
  });
  int rc = ::regcomp(p.re_.get(), TranslatePattern(text).c_str(), REG_EXTENDED);
  if (rc != 0) {
    char why[256];
    ::regerror(rc, p.re_.get(), why, sizeof(why));
    p.re_.reset(new regex_t, [](regex_t* r) { delete r; });  // Nothing compiled: nothing to free.
    return absl::InvalidArgumentError(absl::StrCat("bad pattern '", text, "': ", why));
  }
  return p;
}

std::optional<std::string> LogPattern::Match(absl::string_view line) const {
  std::string s(line);
  regmatch_t m[2];
  if (::regexec(re_.get(), s.c_str(), 2, m, 0) != 0) return std::nullopt;
  if (m[1].rm_so < 0) return std::string();
  return s.substr(static_cast<size_t>(m[1].rm_so), static_cast<size_t>(m[1].rm_eo - m[1].rm_so));
}

std::string BindHostOf(const std::vector<std::string>& argv) {
  for (const std::string& a : argv) {
    absl::string_view v = a;
    if (size_t colon = v.find(':'); colon != absl::string_view::npos && !absl::StartsWith(v, "[")) {
      // "tls:127.0.0.1:0", "tcp:[::1]:0": drop a transport prefix.
      absl::string_view prefix = v.substr(0, colon);
      if (!prefix.empty() && absl::c_all_of(prefix, [](char c) { return absl::ascii_isalpha(c); })) {
        v.remove_prefix(colon + 1);
      }
    }
    absl::StatusOr<net::HostPort> hp = net::SplitHostPort(v);
    if (!hp.ok()) continue;
    absl::StatusOr<net::SocketAddress> addr = net::SocketAddress::Numeric(hp->host, 0);
    if (!addr.ok()) continue;
    if (hp->host == "0.0.0.0") return "127.0.0.1";
    if (hp->host == "::") return "::1";
    return hp->host;
  }
  return "127.0.0.1";
}

std::vector<std::string> PortFileAddresses(absl::string_view text, const std::string& host) {
  std::vector<std::string> out;
  for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    std::string v(absl::StripAsciiWhitespace(l));
    bool bare = absl::c_all_of(v, [](char c) { return absl::ascii_isdigit(c); });
    if (!bare) {
      out.push_back(v);
    } else if (absl::StrContains(host, ':')) {
      out.push_back(absl::StrCat("[", host, "]:", v));
    } else {
      out.push_back(absl::StrCat(host, ":", v));
    }
  }
  return out;
}

namespace {

// Dial connects to `addr` ("host:port" or "[v6]:port") within `timeout`.
absl::StatusOr<net::Socket> Dial(const std::string& addr, absl::Duration timeout) {
  net::ConnectOptions o;
  o.timeout = timeout;
  return net::ConnectTo(addr, o);
}

}  // namespace

bool TcpConnects(const std::string& addr) { return Dial(addr, absl::Seconds(1)).ok(); }

absl::Status HttpGet(const std::string& addr, const std::string& path, absl::Time deadline) {
  absl::StatusOr<net::Socket> s = Dial(addr, std::max(deadline - absl::Now(), absl::Milliseconds(1)));
  if (!s.ok()) return absl::UnavailableError(s.status().message());
  std::string req = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: ", addr, "\r\nConnection: close\r\n\r\n");
  absl::Status st = io::WriteAll(s->fd(), req, "write");
  if (!st.ok()) return absl::UnavailableError(absl::StrCat("GET ", path, ": ", st.message()));
  std::string got;
  char buf[1024];
  while (got.find("\r\n") == std::string::npos && got.size() < 8192) {
    absl::StatusOr<bool> ready = io::WaitUntil(s->fd(), POLLIN, deadline, "read");
    if (!ready.ok() || !*ready) return absl::UnavailableError(absl::StrCat("GET ", path, ": no status line by the deadline"));
    absl::StatusOr<size_t> n = io::ReadOnce(s->fd(), absl::MakeSpan(buf), "read");
    if (!n.ok() || *n == 0) return absl::UnavailableError(absl::StrCat("GET ", path, ": closed before a status line"));
    got.append(buf, *n);
  }
  std::string status_line = got.substr(0, got.find("\r\n"));
  std::vector<absl::string_view> parts = absl::StrSplit(status_line, absl::MaxSplits(' ', 1));
  if (parts.size() == 2 && absl::StartsWith(parts[0], "HTTP/") && absl::StartsWith(parts[1], "2")) {
    return absl::OkStatus();
  }
  return absl::UnavailableError(
      absl::StrCat("GET ", path, ": ", parts.size() == 2 ? std::string(parts[1]) : status_line));
}

}  // namespace ipckit::with_server
