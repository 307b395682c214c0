#include "lib/cli/tls_flags.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/tls/cert_info.h"

namespace ipckit::cli {
namespace {

absl::Status Usage(absl::string_view m) { return absl::InvalidArgumentError(m); }

// Listed joins flag names as a sentence does: "--a, --b and --c".
std::string Listed(const std::vector<std::string>& flags) {
  if (flags.size() < 2) return absl::StrJoin(flags, "");
  std::vector<std::string> head(flags.begin(), flags.end() - 1);
  return absl::StrCat(absl::StrJoin(head, ", "), " and ", flags.back());
}

constexpr char kLegacyHelp[] =
    "also accept TLS 1.0/1.1 and non-AEAD suites, to test old clients (default: TLS 1.2+, ECDHE with AES-GCM or "
    "ChaCha20)";

}  // namespace

void TlsServerFlags::Declare(Parser& p, absl::string_view scope) {
  std::string s(scope);
  p.String(0, names_.cert, "FILE", s + "certificate chain (PEM), leaf first", &cert_)
      .String(0, names_.key, "FILE", s + "private key (PEM) of the certificate", &key_);
  if (names_.client_ca) p.String(0, names_.client_ca, "FILE", s + "require client certificates signed by FILE (PEM)", &client_ca_);
  p.String(0, names_.alpn, "LIST", s + "ALPN protocols, comma-separated, in preference order", &alpn_);
  if (names_.legacy) p.Flag(0, names_.legacy, s + kLegacyHelp, &legacy_);
}

bool TlsServerFlags::given() const { return cert_ || key_ || client_ca_ || alpn_ || legacy_; }

absl::Status TlsServerFlags::ParseAlpn(tls::TlsOptions* t) const {
  if (!alpn_) return absl::OkStatus();
  for (absl::string_view p : absl::StrSplit(*alpn_, ',')) {
    if (p.empty() || p.size() > 255) return Usage(absl::StrCat(Flag(names_.alpn), ": each protocol must be 1 to 255 bytes"));
    t->alpn.emplace_back(p);
  }
  return absl::OkStatus();
}

absl::Status TlsServerFlags::CertAndKeyTogether() const {
  if (cert_.has_value() == key_.has_value()) return absl::OkStatus();
  return Usage(absl::StrCat(Flag(names_.cert), " and ", Flag(names_.key), " go together"));
}

absl::StatusOr<std::optional<tls::TlsOptions>> TlsServerFlags::Validate(bool serves, absl::string_view where) const {
  if (!serves) {
    if (!given()) return std::optional<tls::TlsOptions>();
    return Usage(absl::StrCat(Listed({Flag(names_.cert), Flag(names_.key), Flag(names_.client_ca), Flag(names_.alpn),
                                      Flag(names_.legacy)}),
                              " need a TLS listener (", where, ")"));
  }
  if (!cert_ || !key_) return Usage(absl::StrCat("a TLS listener needs ", Flag(names_.cert), " and ", Flag(names_.key)));
  tls::TlsOptions t;
  t.cert_file = *cert_;
  t.key_file = *key_;
  t.client_ca_file = client_ca_.value_or("");
  t.legacy = legacy_;
  if (absl::Status s = ParseAlpn(&t); !s.ok()) return s;
  return std::optional<tls::TlsOptions>(std::move(t));
}

absl::StatusOr<tls::TlsOptions> TlsServerFlags::ClientCertificate(absl::string_view where) const {
  if (client_ca_ || legacy_) {
    return Usage(absl::StrCat(Flag(names_.client_ca), " and ", Flag(names_.legacy), " require ", where));
  }
  if (absl::Status s = CertAndKeyTogether(); !s.ok()) return s;
  tls::TlsOptions t;
  t.cert_file = cert_.value_or("");
  t.key_file = key_.value_or("");
  if (absl::Status s = ParseAlpn(&t); !s.ok()) return s;
  return t;
}

void TlsClientFlags::Declare(Parser& p, absl::string_view scope) {
  std::string s(scope);
  if (names_.ca_file) p.String(0, names_.ca_file, "FILE", s + "trust these CA certificates (PEM), not the system's", &ca_file_);
  if (names_.servername) {
    p.String(0, names_.servername, "NAME", s + "SNI to send and name to verify (default: the host)", &servername_);
  }
  if (names_.pin) p.String(0, names_.pin, "PINS", s + "require one of these key pins: sha256//BASE64[;sha256//...]", &pin_);
  if (names_.insecure) {
    p.Flag(names_.insecure_short, names_.insecure, s + "do not fail when the certificate does not verify (says so)",
           &insecure_);
  }
}

bool TlsClientFlags::given() const { return ca_file_ || servername_ || pin_ || insecure_; }

absl::StatusOr<TlsClientPlan> TlsClientFlags::Validate() const {
  TlsClientPlan p;
  p.options.verify = !insecure_;
  p.options.ca_file = ca_file_.value_or("");
  p.servername = servername_.value_or("");
  p.insecure = insecure_;
  if (pin_) {
    absl::StatusOr<std::vector<std::string>> pins = tls::ParseSpkiPins(*pin_);
    if (!pins.ok()) return Usage(absl::StrCat("--", names_.pin, ": ", pins.status().message()));
    p.pins = *std::move(pins);
  }
  return p;
}

absl::Status TlsClientFlags::NotFor(absl::string_view where) const {
  std::vector<std::string> flags;
  for (const char* n : {names_.ca_file, names_.servername, names_.pin, names_.insecure}) {
    if (n != nullptr) flags.push_back(absl::StrCat("--", n));
  }
  return Usage(absl::StrCat(Listed(flags), " are for ", where));
}

}  // namespace ipckit::cli
