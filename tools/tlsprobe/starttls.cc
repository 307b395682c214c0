#include "tools/tlsprobe/starttls.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/io/fd.h"
#include "lib/io/wait.h"

namespace ipckit::tlsprobe {
namespace {

// Dialogue reads lines and writes commands with one deadline. A server's
// replies are bounded (64 KiB) so a hostile peer cannot grow memory.
class Dialogue {
 public:
  Dialogue(int fd, absl::Time deadline) : fd_(fd), deadline_(deadline) {}

  absl::Status Send(absl::string_view text) { return io::WriteAll(fd_, text, "STARTTLS: write"); }

  // ReadLine returns the next line without its CR LF.
  absl::StatusOr<std::string> ReadLine() {
    while (true) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      if (buf_.size() > kMaxReply) return absl::FailedPreconditionError("STARTTLS: reply line too long");
      if (absl::Status s = Fill(); !s.ok()) return s;
    }
  }

  // ReadUntil reads until `marker` has arrived and returns everything.
  absl::StatusOr<std::string> ReadUntil(absl::string_view marker) {
    while (buf_.find(marker.data(), 0, marker.size()) == std::string::npos) {
      if (buf_.size() > kMaxReply) return absl::FailedPreconditionError("STARTTLS: reply too long");
      if (absl::Status s = Fill(); !s.ok()) return s;
    }
    size_t end = buf_.find(marker.data(), 0, marker.size()) + marker.size();
    std::string out = buf_.substr(0, end);
    buf_.erase(0, end);
    return out;
  }

  absl::StatusOr<char> ReadByte() {
    if (buf_.empty()) {
      if (absl::Status s = Fill(); !s.ok()) return s;
    }
    char c = buf_[0];
    buf_.erase(0, 1);
    return c;
  }

  // Smtp reads a whole (multi-line) SMTP or FTP reply: its code and lines.
  absl::StatusOr<int> Smtp(std::vector<std::string>* lines) {
    while (true) {
      absl::StatusOr<std::string> line = ReadLine();
      if (!line.ok()) return line.status();
      lines->push_back(*line);
      int code;
      if (SmtpReplyEnd(*line, &code)) return code;
      if (code < 0 && lines->size() == 1) {
        return absl::FailedPreconditionError(absl::StrCat("STARTTLS: not a reply: ", Shown(*line)));
      }
      if (lines->size() > 1000) return absl::FailedPreconditionError("STARTTLS: reply too long");
    }
  }

  bool leftover() const { return !buf_.empty(); }

  static std::string Shown(absl::string_view line) {
    return absl::CEscape(line.substr(0, 200));
  }

 private:
  static constexpr size_t kMaxReply = 64 * 1024;

  absl::Status Fill() {
    absl::StatusOr<bool> ready = io::WaitUntil(fd_, POLLIN, deadline_, "STARTTLS");
    if (!ready.ok()) return ready.status();
    if (!*ready) return absl::DeadlineExceededError("STARTTLS: timed out");
    char chunk[4096];
    absl::StatusOr<size_t> n = io::ReadOnce(fd_, absl::MakeSpan(chunk), "STARTTLS: read");
    if (!n.ok()) return n.status();
    if (*n == 0) return absl::AbortedError("STARTTLS: connection closed by the server");
    buf_.append(chunk, *n);
    return absl::OkStatus();
  }

  int fd_;
  absl::Time deadline_;
  std::string buf_;
};

absl::Status Expect(bool ok, absl::string_view what, const std::vector<std::string>& lines) {
  if (ok) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("STARTTLS: ", what, ": ", Dialogue::Shown(lines.empty() ? "" : lines.back())));
}

absl::Status Smtp(Dialogue& d) {
  std::vector<std::string> lines;
  absl::StatusOr<int> code = d.Smtp(&lines);
  if (!code.ok()) return code.status();
  if (absl::Status s = Expect(*code == 220, "unexpected greeting", lines); !s.ok()) return s;
  if (absl::Status s = d.Send("EHLO tlsprobe.invalid\r\n"); !s.ok()) return s;
  lines.clear();
  code = d.Smtp(&lines);
  if (!code.ok()) return code.status();
  if (absl::Status s = Expect(*code == 250, "EHLO refused", lines); !s.ok()) return s;
  bool offered = false;
  for (const std::string& l : lines) {
    if (l.size() > 4 && absl::StartsWithIgnoreCase(absl::StripAsciiWhitespace(l.substr(4)), "STARTTLS")) {
      offered = true;
    }
  }
  if (absl::Status s = Expect(offered, "server does not offer it (EHLO reply)", lines); !s.ok()) return s;
  if (absl::Status s = d.Send("STARTTLS\r\n"); !s.ok()) return s;
  lines.clear();
  code = d.Smtp(&lines);
  if (!code.ok()) return code.status();
  return Expect(*code == 220, "refused", lines);
}

absl::Status Ftp(Dialogue& d) {
  std::vector<std::string> lines;
  absl::StatusOr<int> code = d.Smtp(&lines);
  if (!code.ok()) return code.status();
  if (absl::Status s = Expect(*code == 220, "unexpected greeting", lines); !s.ok()) return s;
  if (absl::Status s = d.Send("AUTH TLS\r\n"); !s.ok()) return s;
  lines.clear();
  code = d.Smtp(&lines);
  if (!code.ok()) return code.status();
  return Expect(*code == 234, "refused", lines);
}

absl::Status Imap(Dialogue& d) {
  absl::StatusOr<std::string> greeting = d.ReadLine();
  if (!greeting.ok()) return greeting.status();
  if (absl::Status s = Expect(absl::StartsWith(*greeting, "* OK"), "unexpected greeting", {*greeting}); !s.ok()) {
    return s;
  }
  if (absl::Status s = d.Send("t1 STARTTLS\r\n"); !s.ok()) return s;
  while (true) {
    absl::StatusOr<std::string> line = d.ReadLine();
    if (!line.ok()) return line.status();
    if (absl::StartsWith(*line, "t1 ")) return Expect(absl::StartsWith(*line, "t1 OK"), "refused", {*line});
  }
}

absl::Status Pop3(Dialogue& d) {
  absl::StatusOr<std::string> greeting = d.ReadLine();
  if (!greeting.ok()) return greeting.status();
  if (absl::Status s = Expect(absl::StartsWith(*greeting, "+OK"), "unexpected greeting", {*greeting}); !s.ok()) {
    return s;
  }
  if (absl::Status s = d.Send("STLS\r\n"); !s.ok()) return s;
  absl::StatusOr<std::string> reply = d.ReadLine();
  if (!reply.ok()) return reply.status();
  return Expect(absl::StartsWith(*reply, "+OK"), "refused", {*reply});
}

absl::Status Xmpp(Dialogue& d, const std::string& host) {
  std::string open = absl::StrCat(
      "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
      "xmlns:stream='http://etherx.jabber.org/streams' to='", host, "' version='1.0'>");
  if (absl::Status s = d.Send(open); !s.ok()) return s;
  absl::StatusOr<std::string> features = d.ReadUntil("</stream:features>");
  if (!features.ok()) return features.status();
  if (features->find("<starttls") == std::string::npos) {
    return absl::FailedPreconditionError("STARTTLS: server does not offer it (no <starttls/> feature)");
  }
  if (absl::Status s = d.Send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"); !s.ok()) return s;
  absl::StatusOr<std::string> reply = d.ReadUntil(">");
  if (!reply.ok()) return reply.status();
  if (reply->find("<proceed") == std::string::npos) {
    return absl::FailedPreconditionError(absl::StrCat("STARTTLS: refused: ", Dialogue::Shown(*reply)));
  }
  return absl::OkStatus();
}

absl::Status Postgres(Dialogue& d) {
  // SSLRequest: length 8, code 80877103.
  static const char kRequest[] = {0, 0, 0, 8, 0x04, static_cast<char>(0xd2), 0x16, 0x2f};
  if (absl::Status s = d.Send(absl::string_view(kRequest, sizeof(kRequest))); !s.ok()) return s;
  absl::StatusOr<char> c = d.ReadByte();
  if (!c.ok()) return c.status();
  if (*c == 'N') return absl::FailedPreconditionError("STARTTLS: server does not offer it (SSLRequest: N)");
  if (*c != 'S') {
    return absl::FailedPreconditionError(absl::StrCat("STARTTLS: unexpected SSLRequest reply ",
                                                      Dialogue::Shown(std::string(1, *c))));
  }
  return absl::OkStatus();
}

}  // namespace

bool SmtpReplyEnd(absl::string_view line, int* code) {
  *code = -1;
  if (line.size() < 3 || !absl::ascii_isdigit(line[0]) || !absl::ascii_isdigit(line[1]) ||
      !absl::ascii_isdigit(line[2])) {
    return false;
  }
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') return false;
  *code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  return line.size() == 3 || line[3] == ' ';
}

absl::StatusOr<StarttlsProtocol> ParseStarttls(absl::string_view name) {
  std::string n = absl::AsciiStrToLower(name);
  if (n == "smtp") return StarttlsProtocol::kSmtp;
  if (n == "imap") return StarttlsProtocol::kImap;
  if (n == "pop3") return StarttlsProtocol::kPop3;
  if (n == "ftp") return StarttlsProtocol::kFtp;
  if (n == "xmpp") return StarttlsProtocol::kXmpp;
  if (n == "postgres") return StarttlsProtocol::kPostgres;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown STARTTLS protocol '", name, "' (want smtp, imap, pop3, ftp, xmpp or postgres)"));
}

absl::Status Starttls(int fd, StarttlsProtocol protocol, const std::string& host, absl::Time deadline) {
  Dialogue d(fd, deadline);
  absl::Status s;
  switch (protocol) {
    case StarttlsProtocol::kNone: return absl::OkStatus();
    case StarttlsProtocol::kSmtp: s = Smtp(d); break;
    case StarttlsProtocol::kImap: s = Imap(d); break;
    case StarttlsProtocol::kPop3: s = Pop3(d); break;
    case StarttlsProtocol::kFtp: s = Ftp(d); break;
    case StarttlsProtocol::kXmpp: s = Xmpp(d, host); break;
    case StarttlsProtocol::kPostgres: s = Postgres(d); break;
  }
  if (s.ok() && d.leftover()) {
    return absl::FailedPreconditionError("STARTTLS: server sent data before the TLS handshake");
  }
  return s;
}

}  // namespace ipckit::tlsprobe
