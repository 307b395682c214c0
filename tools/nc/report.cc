#include "tools/nc/report.h"

#include <netdb.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"

namespace ipckit::nc {
namespace {


}  // namespace

std::string HostName(const net::SocketAddress& given, bool numeric) {
  if (given.is_unix()) return given.Host();
  // An IPv4 client of a dual-stack listener (::ffff:127.0.0.1) is named as IPv4.
  net::SocketAddress addr = given.Unmapped();
  char host[NI_MAXHOST];
  int flags = NI_NUMERICSERV | (numeric ? NI_NUMERICHOST : 0);
  if (::getnameinfo(addr.get(), addr.size(), host, sizeof(host), nullptr, 0, flags) != 0 &&
      ::getnameinfo(addr.get(), addr.size(), host, sizeof(host), nullptr, 0,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return addr.Host();
  }
  return host;
}

std::string ReportSock(absl::string_view msg, const net::SocketAddress& addr, bool numeric,
                       absl::string_view path) {
  if (!path.empty() || addr.is_unix()) {
    return absl::StrCat(msg, " on ", path.empty() ? addr.Host() : std::string(path));
  }
  return absl::StrCat(msg, " on ", HostName(addr, numeric), " ", addr.port());
}

std::string ConnectionInfo(absl::string_view host, uint16_t port, absl::string_view proto,
                           absl::string_view ip, bool numeric, bool via_proxy) {
  std::string service = "*";
  if (!numeric) {
    std::string p(proto);
    struct servent result;
    struct servent* found = nullptr;
    char buf[1024];
    if (::getservbyport_r(htons(port), p.c_str(), &result, buf, sizeof(buf), &found) == 0 &&
        found != nullptr) {
      service = found->s_name;
    }
  }
  std::string line = absl::StrCat("Connection to ", host);
  if (!numeric && !via_proxy && !ip.empty() && host != ip) absl::StrAppend(&line, " (", ip, ")");
  absl::StrAppend(&line, " ", port, " port [", proto, "/", service, "] succeeded!");
  return line;
}

std::string ConnectFailed(absl::string_view host, uint16_t port, absl::string_view proto,
                          absl::string_view ip, bool numeric, const absl::Status& status) {
  std::string line = absl::StrCat("connect to ", host);
  if (!numeric && !ip.empty() && host != ip) absl::StrAppend(&line, " (", ip, ")");
  // A timed-out connect in netcat-openbsd's words (its errno is EINPROGRESS).
  if (absl::IsDeadlineExceeded(status)) {
    absl::StrAppend(&line, " port ", port, " (", proto, ") timed out: Operation now in progress");
  } else {
    absl::StrAppend(&line, " port ", port, " (", proto, ") failed: ", Reason(status));
  }
  return line;
}

std::string Reason(const absl::Status& status) {
  absl::string_view m = status.message();
  size_t cut = m.rfind(": ");
  return std::string(cut == absl::string_view::npos ? m : m.substr(cut + 2));
}

}  // namespace ipckit::nc
