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

absl::Time Deadline(const Settings& o) {
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

absl::StatusOr<std::optional<tls::TlsContext>> MakeTls(const Plan& p) {
  if (!p.tls) return std::optional<tls::TlsContext>();
  absl::StatusOr<tls::TlsContext> c = p.tls->server ? tls::TlsContext::Server(p.tls->options)
                                                    : tls::TlsContext::Client(p.tls->options);
  if (!c.ok()) return c.status();
  return std::optional<tls::TlsContext>(*std::move(c));
}

absl::StatusOr<std::unique_ptr<tls::TlsStream>> SecureClient(const tls::TlsContext& ctx, net::Socket sock,
                                                        const std::string& host, const Plan& p,
                                                        std::ostream& log) {
  const TlsPlan& t = *p.tls;
  tls::TlsClientParams params = tls::TlsClientParams::For(t.servername.empty() ? host : t.servername);
  if (t.insecure) log << "nc: warning: --insecure: the server's certificate is not verified\n";
  absl::StatusOr<std::unique_ptr<tls::TlsStream>> tls = tls::TlsStream::Client(ctx, sock.Release(), params);
  if (!tls.ok()) return tls.status();
  (*tls)->EnableReadAhead();  // The relay reads what it holds (HasBufferedInput).
  absl::Status s = (*tls)->HandshakeUntil(Deadline(p.settings));
  if (!s.ok()) return s;
  s = tls::CheckSpkiPins((*tls)->ssl(), t.pins);
  if (!s.ok()) return s;
  if (p.settings.verbose > 0) Report(**tls, true, !t.insecure, log);
  return tls;
}

absl::StatusOr<std::unique_ptr<tls::TlsStream>> SecureServer(const tls::TlsContext& ctx, net::Socket sock,
                                                        const Plan& p, std::ostream& log) {
  absl::StatusOr<std::unique_ptr<tls::TlsStream>> tls = tls::TlsStream::Server(ctx, sock.Release());
  if (!tls.ok()) return tls.status();
  (*tls)->EnableReadAhead();
  absl::Status s = (*tls)->HandshakeUntil(Deadline(p.settings));
  if (!s.ok()) return s;
  if (p.settings.verbose > 0) Report(**tls, false, true, log);
  return tls;
}

absl::StatusOr<std::optional<TlsPlan>> PlanTls(const Options& o) {
  auto usage = [](absl::string_view m) { return absl::InvalidArgumentError(m); };
  if (!o.ssl) {
    if (o.tls_server.given() || o.tls_client.given() || o.ssl_ciphers || o.ssl_verify) {
      return usage("--ssl-* options and --insecure require --ssl");
    }
    return std::optional<TlsPlan>();
  }
  if (o.udp) return usage("cannot use --ssl with -u");
  if (o.scan || o.pass_fd) return usage("cannot use --ssl with -z or -F");
  TlsPlan plan;
  if (o.listen) {
    if (o.tls_client.given() || o.ssl_verify) {
      return usage("--ssl-trustfile, --ssl-servername, --ssl-pin, --ssl-verify and --insecure are for clients");
    }
    absl::StatusOr<std::optional<tls::TlsOptions>> server = o.tls_server.Validate(true, "-l --ssl");
    if (!server.ok()) return server.status();
    plan.server = true;
    plan.options = **server;
  } else {
    absl::StatusOr<tls::TlsOptions> mine = o.tls_server.ClientCertificate("-l");
    if (!mine.ok()) return mine.status();
    absl::StatusOr<cli::TlsClientPlan> client = o.tls_client.Validate();
    if (!client.ok()) return client.status();
    if (o.ssl_verify && client->insecure) return usage("cannot use --ssl-verify with --insecure");
    plan.options = *std::move(mine);
    plan.options.verify = client->options.verify;
    plan.options.ca_file = client->options.ca_file;
    plan.servername = client->servername;
    plan.pins = client->pins;
    plan.insecure = client->insecure;
  }
  plan.options.ciphers = o.ssl_ciphers.value_or("");
  return std::optional<TlsPlan>(std::move(plan));
}

}  // namespace ipckit::nc
