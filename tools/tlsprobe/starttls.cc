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
#include "absl/strings/str_split.h"
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

  // ReadBytes returns the next `n` bytes (binary dialogues: MySQL, LDAP).
  absl::StatusOr<std::string> ReadBytes(size_t n) {
    while (buf_.size() < n) {
      if (absl::Status s = Fill(); !s.ok()) return s;
    }
    std::string out = buf_.substr(0, n);
    buf_.erase(0, n);
    return out;
  }

  absl::StatusOr<char> ReadByte() {
    absl::StatusOr<std::string> b = ReadBytes(1);
    if (!b.ok()) return b.status();
    return (*b)[0];
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

// Smtp speaks SMTP (RFC 3207), or LMTP (RFC 2033) with `hello` "LHLO".
absl::Status Smtp(Dialogue& d, absl::string_view hello = "EHLO") {
  std::vector<std::string> lines;
  absl::StatusOr<int> code = d.Smtp(&lines);
  if (!code.ok()) return code.status();
  if (absl::Status s = Expect(*code == 220, "unexpected greeting", lines); !s.ok()) return s;
  if (absl::Status s = d.Send(absl::StrCat(hello, " tlsprobe.invalid\r\n")); !s.ok()) return s;
  lines.clear();
  code = d.Smtp(&lines);
  if (!code.ok()) return code.status();
  if (absl::Status s = Expect(*code == 250, absl::StrCat(hello, " refused"), lines); !s.ok()) return s;
  bool offered = false;
  for (const std::string& l : lines) {
    if (l.size() > 4 && absl::StartsWithIgnoreCase(absl::StripAsciiWhitespace(l.substr(4)), "STARTTLS")) {
      offered = true;
    }
  }
  if (absl::Status s = Expect(offered, absl::StrCat("server does not offer it (", hello, " reply)"), lines); !s.ok()) {
    return s;
  }
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

// Nntp speaks RFC 4642: a 200/201 greeting, CAPABILITIES listing STARTTLS,
// then STARTTLS answered by 382.
absl::Status Nntp(Dialogue& d) {
  absl::StatusOr<std::string> greeting = d.ReadLine();
  if (!greeting.ok()) return greeting.status();
  bool hello = absl::StartsWith(*greeting, "200") || absl::StartsWith(*greeting, "201");
  if (absl::Status s = Expect(hello, "unexpected greeting", {*greeting}); !s.ok()) return s;
  if (absl::Status s = d.Send("CAPABILITIES\r\n"); !s.ok()) return s;
  absl::StatusOr<std::string> head = d.ReadLine();
  if (!head.ok()) return head.status();
  if (absl::Status s = Expect(absl::StartsWith(*head, "101"), "CAPABILITIES refused", {*head}); !s.ok()) return s;
  bool offered = false;
  for (int i = 0;; ++i) {
    absl::StatusOr<std::string> line = d.ReadLine();
    if (!line.ok()) return line.status();
    if (*line == ".") break;
    if (i > 1000) return absl::FailedPreconditionError("STARTTLS: reply too long");
    offered = offered || absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(*line), "STARTTLS");
  }
  if (!offered) return absl::FailedPreconditionError("STARTTLS: server does not offer it (CAPABILITIES)");
  if (absl::Status s = d.Send("STARTTLS\r\n"); !s.ok()) return s;
  absl::StatusOr<std::string> reply = d.ReadLine();
  if (!reply.ok()) return reply.status();
  return Expect(absl::StartsWith(*reply, "382"), "refused", {*reply});
}

// Sieve speaks ManageSieve (RFC 5804): capability lines ending in OK, one of
// them "STARTTLS", then STARTTLS answered by OK.
absl::Status Sieve(Dialogue& d) {
  bool offered = false;
  for (int i = 0;; ++i) {
    absl::StatusOr<std::string> line = d.ReadLine();
    if (!line.ok()) return line.status();
    if (absl::StartsWithIgnoreCase(*line, "OK")) break;
    if (absl::StartsWithIgnoreCase(*line, "NO") || absl::StartsWithIgnoreCase(*line, "BYE") || i > 1000) {
      return absl::FailedPreconditionError(absl::StrCat("STARTTLS: unexpected greeting: ", Dialogue::Shown(*line)));
    }
    offered = offered || absl::StartsWithIgnoreCase(*line, "\"STARTTLS\"");
  }
  if (!offered) return absl::FailedPreconditionError("STARTTLS: server does not offer it (capabilities)");
  if (absl::Status s = d.Send("STARTTLS\r\n"); !s.ok()) return s;
  absl::StatusOr<std::string> reply = d.ReadLine();
  if (!reply.ok()) return reply.status();
  return Expect(absl::StartsWithIgnoreCase(*reply, "OK"), "refused", {*reply});
}

// Irc sends STARTTLS (IRCv3) and waits for numeric 670; 691, or 421 for an
// unknown command, is a refusal. Other lines (NOTICEs) are skipped.
absl::Status Irc(Dialogue& d) {
  if (absl::Status s = d.Send("STARTTLS\r\n"); !s.ok()) return s;
  for (int i = 0; i < 1000; ++i) {
    absl::StatusOr<std::string> line = d.ReadLine();
    if (!line.ok()) return line.status();
    std::vector<std::string> words = absl::StrSplit(*line, ' ', absl::SkipEmpty());
    std::string numeric = words.size() > 1 && absl::StartsWith(words[0], ":") ? words[1] : words.empty() ? "" : words[0];
    if (numeric == "670") return absl::OkStatus();
    if (numeric == "691" || numeric == "421" || numeric == "ERROR") {
      return absl::FailedPreconditionError(absl::StrCat("STARTTLS: refused: ", Dialogue::Shown(*line)));
    }
  }
  return absl::FailedPreconditionError("STARTTLS: no answer to STARTTLS in 1000 lines");
}

// Mysql reads the server's initial handshake packet (protocol 10), checks
// CLIENT_SSL in its capabilities, and sends the SSLRequest packet.
absl::Status Mysql(Dialogue& d) {
  absl::StatusOr<std::string> header = d.ReadBytes(4);
  if (!header.ok()) return header.status();
  size_t length = static_cast<uint8_t>((*header)[0]) | static_cast<uint8_t>((*header)[1]) << 8 |
                  static_cast<uint8_t>((*header)[2]) << 16;
  if (length < 32 || length > 65536) {
    return absl::FailedPreconditionError(absl::StrCat("STARTTLS: not a MySQL handshake packet (length ", length, ")"));
  }
  absl::StatusOr<std::string> packet = d.ReadBytes(length);
  if (!packet.ok()) return packet.status();
  const std::string& body = *packet;
  if (body[0] != 10) return absl::FailedPreconditionError("STARTTLS: not a MySQL handshake packet (protocol 10)");
  size_t version_end = body.find('\0', 1);
  // version NUL, connection id (4), auth data (8), filler (1), capabilities (2).
  if (version_end == std::string::npos || version_end + 16 > body.size()) {
    return absl::FailedPreconditionError("STARTTLS: a short MySQL handshake packet");
  }
  uint16_t caps = static_cast<uint8_t>(body[version_end + 14]) | static_cast<uint8_t>(body[version_end + 15]) << 8;
  if ((caps & 0x0800) == 0) {
    return absl::FailedPreconditionError(absl::StrCat("STARTTLS: server does not offer it (MySQL ",
                                                      Dialogue::Shown(body.substr(1, version_end - 1)),
                                                      " without CLIENT_SSL)"));
  }
  // SSLRequest: length 32, sequence 1; capabilities with CLIENT_SSL and
  // PROTOCOL_41, max packet 16 MiB, utf8, 23 zero bytes (as openssl s_client).
  static const char kRequest[36] = {0x20, 0, 0, 1, static_cast<char>(0x85), static_cast<char>(0xae), 0x7f, 0,
                                    0, 0, 0, 1, 0x21};
  return d.Send(absl::string_view(kRequest, sizeof(kRequest)));
}

// Ldap sends the StartTLS extended request (RFC 4511 4.14) and reads the
// extended response's result code: 0 is success.
absl::Status Ldap(Dialogue& d) {
  static const char kOid[] = "1.3.6.1.4.1.1466.20037";
  std::string request = {0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, static_cast<char>(0x80), 0x16};
  request += kOid;
  if (absl::Status s = d.Send(request); !s.ok()) return s;
  // SEQUENCE (length short or long form), INTEGER messageID,
  // [APPLICATION 24] ExtendedResponse, ENUMERATED resultCode.
  std::string got;
  auto next = [&]() -> absl::StatusOr<uint8_t> {
    absl::StatusOr<char> c = d.ReadByte();
    if (!c.ok()) return c.status();
    got += *c;
    return static_cast<uint8_t>(*c);
  };
  auto length = [&]() -> absl::StatusOr<size_t> {
    absl::StatusOr<uint8_t> first = next();
    if (!first.ok() || *first < 0x80) return first.ok() ? absl::StatusOr<size_t>(*first) : first.status();
    size_t n = 0;
    for (int i = 0; i < (*first & 0x7f) && i < 4; ++i) {
      absl::StatusOr<uint8_t> b = next();
      if (!b.ok()) return b.status();
      n = n << 8 | *b;
    }
    return n;
  };
  auto bad = [&] {
    return absl::FailedPreconditionError(absl::StrCat("STARTTLS: not an LDAP extended response: ",
                                                      absl::BytesToHexString(got)));
  };
  absl::StatusOr<uint8_t> tag = next();
  if (!tag.ok()) return tag.status();
  if (*tag != 0x30) return bad();
  absl::StatusOr<size_t> total = length();
  if (!total.ok()) return total.status();
  absl::StatusOr<std::string> read = d.ReadBytes(std::min<size_t>(*total, 65536));
  if (!read.ok()) return read.status();
  const std::string& message = *read;
  got += message;
  // 02 01 ID | 78 LEN | 0a 01 CODE ...
  if (message.size() < 8 || message[0] != 0x02 || message[1] != 0x01) return bad();
  size_t at = 3;
  if (static_cast<uint8_t>(message[at]) != 0x78) return bad();
  at += static_cast<uint8_t>(message[at + 1]) < 0x80 ? 2 : 2 + (message[at + 1] & 0x7f);
  if (at + 3 > message.size() || message[at] != 0x0a || message[at + 1] != 0x01) return bad();
  int code = static_cast<uint8_t>(message[at + 2]);
  if (code != 0) return absl::FailedPreconditionError(absl::StrCat("STARTTLS: refused: LDAP result code ", code));
  return absl::OkStatus();
}

}  // namespace

const char kStarttlsNames[] = "smtp, imap, pop3, ftp, xmpp, postgres, lmtp, nntp, sieve, irc, mysql or ldap";

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
  if (n == "lmtp") return StarttlsProtocol::kLmtp;
  if (n == "nntp") return StarttlsProtocol::kNntp;
  if (n == "sieve") return StarttlsProtocol::kSieve;
  if (n == "irc") return StarttlsProtocol::kIrc;
  if (n == "mysql") return StarttlsProtocol::kMysql;
  if (n == "ldap") return StarttlsProtocol::kLdap;
  return absl::InvalidArgumentError(absl::StrCat("unknown STARTTLS protocol '", name, "' (want ", kStarttlsNames, ")"));
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
    case StarttlsProtocol::kLmtp: s = Smtp(d, "LHLO"); break;
    case StarttlsProtocol::kNntp: s = Nntp(d); break;
    case StarttlsProtocol::kSieve: s = Sieve(d); break;
    case StarttlsProtocol::kIrc: s = Irc(d); break;
    case StarttlsProtocol::kMysql: s = Mysql(d); break;
    case StarttlsProtocol::kLdap: s = Ldap(d); break;
  }
  if (s.ok() && d.leftover()) {
    return absl::FailedPreconditionError("STARTTLS: server sent data before the TLS handshake");
  }
  return s;
}

}  // namespace ipckit::tlsprobe
