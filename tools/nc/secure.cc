#include "tools/nc/secure.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/tls/cert_info.h"
#include "lib/tls/handshake_info.h"

namespace ipckit::nc {
namespace {

absl::Time Deadline(const Options& o) {
  return o.timeout ? absl::Now() + *o.timeout : absl::InfiniteFuture();
}

void Report(const tls::TlsStream& tls, bool client, bool verified, std::ostream& log) {
  tls::HandshakeInfo h = tls::DescribeHandshake(tls.ssl());
  log << "nc: TLS: " << h.version << " " << h.cipher;
  if (!h.group.empty()) log << ", group " << h.group;
  log << ", ALPN " << (h.alpn.empty() ? "none" : h.alpn);
  if (h.resumed) log << ", resumed";
  log << "\n";
  absl::StatusOr<std::vector<tls::CertInfo>> chain = tls::DescribePeerChain(tls.ssl(), absl::Now());
  if (chain.ok()) {
    for (size_t i = 0; i < chain->size(); ++i) {
      const tls::CertInfo& c = (*chain)[i];
      log << "nc: TLS: " << (client ? "server" : "client") << " certificate " << i << ": " << c.subject
          << "; issuer " << c.issuer << "; expires " << c.not_after << " (" << c.days_left
          << " days); " << tls::FormatSpkiPin(c) << "\n";
    }
  }
  if (client) {
    if (verified) {
      log << "nc: TLS: certificate verified\n";
    } else {
      long v = tls.verify_result();
      log << "nc: TLS: certificate NOT verified (--insecure)"
          << (v == X509_V_OK ? "" : absl::StrCat(": ", X509_verify_cert_error_string(v))) << "\n";
    }
  }
}

}  // namespace

absl::StatusOr<std::optional<tls::TlsContext>> MakeTls(const Options& o) {
  if (!o.ssl) return std::optional<tls::TlsContext>();
  tls::TlsOptions t;
  t.verify = !o.insecure;
  t.ca_file = o.ssl_trustfile.value_or("");
  t.cert_file = o.ssl_cert.value_or("");
  t.key_file = o.ssl_key.value_or("");
  if (o.ssl_alpn) t.alpn = absl::StrSplit(*o.ssl_alpn, ',');
  t.ciphers = o.ssl_ciphers.value_or("");
  if (o.listen) {
    t.client_ca_file = o.ssl_verify_client.value_or("");
    t.legacy = o.ssl_legacy;
    absl::StatusOr<tls::TlsContext> c = tls::TlsContext::Server(t);
    if (!c.ok()) return c.status();
    return std::optional<tls::TlsContext>(*std::move(c));
  }
  absl::StatusOr<tls::TlsContext> c = tls::TlsContext::Client(t);
  if (!c.ok()) return c.status();
  return std::optional<tls::TlsContext>(*std::move(c));
}

absl::StatusOr<std::unique_ptr<tls::TlsStream>> SecureClient(const tls::TlsContext& ctx, net::Socket sock,
                                                        const std::string& host, const Options& o,
                                                        std::ostream& log) {
  tls::TlsClientParams params = tls::TlsClientParams::For(o.ssl_servername.value_or(host));
  if (o.insecure) log << "nc: warning: --insecure: the server's certificate is not verified\n";
  absl::StatusOr<std::unique_ptr<tls::TlsStream>> tls = tls::TlsStream::Client(ctx, sock.Release(), params);
  if (!tls.ok()) return tls.status();
  (*tls)->EnableReadAhead();  // The relay reads what it holds (HasBufferedInput).
  absl::Status s = (*tls)->HandshakeUntil(Deadline(o));
  if (!s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> pins = tls::ParseSpkiPins(o.ssl_pin.value_or(""));  // Checked in ValidateTls.
  if (!pins.ok()) return pins.status();
  s = tls::CheckSpkiPins((*tls)->ssl(), *pins);
  if (!s.ok()) return s;
  if (o.verbose > 0) Report(**tls, true, !o.insecure, log);
  return tls;
}

absl::StatusOr<std::unique_ptr<tls::TlsStream>> SecureServer(const tls::TlsContext& ctx, net::Socket sock,
                                                        const Options& o, std::ostream& log) {
  absl::StatusOr<std::unique_ptr<tls::TlsStream>> tls = tls::TlsStream::Server(ctx, sock.Release());
  if (!tls.ok()) return tls.status();
  (*tls)->EnableReadAhead();
  absl::Status s = (*tls)->HandshakeUntil(Deadline(o));
  if (!s.ok()) return s;
  if (o.verbose > 0) Report(**tls, false, true, log);
  return tls;
}

absl::Status ValidateTls(const Options& o) {
  auto usage = [](absl::string_view m) { return absl::InvalidArgumentError(m); };
  bool any_ssl_option = o.ssl_trustfile || o.ssl_servername || o.ssl_alpn || o.ssl_cert || o.ssl_key ||
                        o.ssl_ciphers || o.ssl_pin || o.ssl_verify_client || o.ssl_legacy || o.insecure ||
                        o.ssl_verify;
  if (!o.ssl) {
    if (any_ssl_option) {
      return usage("--ssl-* options and --insecure require --ssl");
    }
  } else {
    if (o.udp) return usage("cannot use --ssl with -u");
    if (o.scan || o.pass_fd) return usage("cannot use --ssl with -z or -F");
    if (o.ssl_cert.has_value() != o.ssl_key.has_value()) return usage("--ssl-cert and --ssl-key go together");
    if (o.listen) {
      if (!o.ssl_cert) return usage("-l --ssl needs --ssl-cert and --ssl-key");
      if (o.ssl_servername || o.ssl_pin || o.ssl_trustfile || o.insecure || o.ssl_verify) {
        return usage("--ssl-servername, --ssl-pin, --ssl-trustfile, --ssl-verify and --insecure are for clients");
      }
    } else if (o.ssl_verify && o.insecure) {
      return usage("cannot use --ssl-verify with --insecure");
    } else if (o.ssl_verify_client || o.ssl_legacy) {
      return usage("--ssl-verify-client and --ssl-legacy require -l");
    }
    if (absl::StatusOr<std::vector<std::string>> pins = tls::ParseSpkiPins(o.ssl_pin.value_or("")); !pins.ok()) {
      return usage(absl::StrCat("--ssl-pin: ", pins.status().message()));
    }
    if (o.ssl_alpn) {
      for (absl::string_view p : absl::StrSplit(*o.ssl_alpn, ',')) {
        if (p.empty() || p.size() > 255) return usage("--ssl-alpn: each protocol must be 1 to 255 bytes");
      }
    }
  }
  if (o.proxy_protocol && !o.proxy) return usage("-X requires -x");
  if (o.proxy_user && !o.proxy) return usage("-P requires -x");
  if (o.proxy) {
    if (o.listen || o.udp || o.unix_socket || o.scan || o.pass_fd) {
      return usage("cannot use -x with -l, -u, -U, -z or -F");
    }
  }
  return absl::OkStatus();
}

}  // namespace ipckit::nc
