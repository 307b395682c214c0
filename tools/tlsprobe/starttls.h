// starttls.h: the plain-text dialogues that come before TLS on mail, chat,
// file-transfer and database ports, as `openssl s_client -starttls` speaks
// them. Starttls runs one on a connected blocking socket; when it returns OK
// the next bytes on the socket are the TLS handshake.
//
// Threads: a dialogue runs on the thread that owns its socket: any thread.
#ifndef IPCKIT_TOOLS_TLSPROBE_STARTTLS_H_
#define IPCKIT_TOOLS_TLSPROBE_STARTTLS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ipckit::tlsprobe {

enum class StarttlsProtocol {
  kNone, kSmtp, kImap, kPop3, kFtp, kXmpp, kPostgres, kLmtp, kNntp, kSieve, kIrc, kMysql, kLdap,
};

// kStarttlsNames lists the protocols by name, in StarttlsProtocol's order
// from kSmtp, for help texts: "smtp, imap, ..., ldap".
extern const char kStarttlsNames[];

// ParseStarttls maps "smtp", "imap", "pop3", "ftp", "xmpp", "postgres",
// "lmtp", "nntp", "sieve", "irc", "mysql" or "ldap" to a protocol, or fails
// with kInvalidArgument "unknown STARTTLS protocol 'x' (want smtp, imap, ...)".
absl::StatusOr<StarttlsProtocol> ParseStarttls(absl::string_view name);

// Starttls speaks `protocol` on `fd` for server `host` until TLS may start.
// It fails with kFailedPrecondition "STARTTLS: server does not offer it
// (EHLO reply: 250 mail.example)" or "STARTTLS: refused: 454 TLS not
// available", kDeadlineExceeded "STARTTLS: timed out" after `deadline`, or
// the socket error ("STARTTLS: connection closed by the server").
absl::Status Starttls(int fd, StarttlsProtocol protocol, const std::string& host,
                      absl::Time deadline);

// SmtpReplyEnd reports whether `line` ends an SMTP/FTP reply ("250 ok" does,
// "250-more" does not), and with `code` its 3-digit code, or -1 when the line
// is not a reply line.
bool SmtpReplyEnd(absl::string_view line, int* code);

}  // namespace ipckit::tlsprobe

#endif  // IPCKIT_TOOLS_TLSPROBE_STARTTLS_H_
