#include "tools/tlsprobe/cert_file.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <string.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/tls/cert_info.h"
#include "lib/tls/tls_context.h"

namespace ipckit::tlsprobe {
namespace {

// Failed records that the file could not be checked (exit 1).
ProbeResult Failed(ProbeResult r, std::string message) {
  r.error = ProbeError{"file", -1, "", std::move(message)};
  r.exit = kExitInternal;
  return r;
}

// Verify checks `chain` against the trust store of `o` and, when a name is
// given, the leaf's SANs; it records the outcome in `r`.
void Verify(const std::vector<bssl::UniquePtr<X509>>& chain, const ProbeOptions& o, ProbeResult& r) {
  bssl::UniquePtr<X509_STORE> store(X509_STORE_new());
  std::string ca = o.tls.ca_file.empty() ? tls::kSystemCaFile : o.tls.ca_file;
  r.verify_present = true;
  if (!store || !X509_STORE_load_locations(store.get(), ca.c_str(), nullptr)) {
    r.verify_error = absl::StrCat("cannot load CA file ", ca);
    r.verify_code = -1;
    return;
  }
  bssl::UniquePtr<STACK_OF(X509)> untrusted(sk_X509_new_null());
  for (size_t i = 1; i < chain.size(); ++i) {
    X509_up_ref(chain[i].get());  // The stack frees what it holds.
    sk_X509_push(untrusted.get(), chain[i].get());
  }
  bssl::UniquePtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), chain[0].get(), untrusted.get());
  if (o.servername) {
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    if (!X509_VERIFY_PARAM_set1_ip_asc(param, o.servername->c_str())) {  // Not an IP literal: a DNS name.
      X509_VERIFY_PARAM_set1_host(param, o.servername->data(), o.servername->size());
    }
  }
  r.verify_ok = X509_verify_cert(ctx.get()) == 1;
  r.verify_code = r.verify_ok ? 0 : X509_STORE_CTX_get_error(ctx.get());
  if (!r.verify_ok) r.verify_error = X509_verify_cert_error_string(r.verify_code);
}

}  // namespace

ProbeResult CheckCertFile(const std::string& path, const ProbeOptions& o) {
  ProbeResult r;
  r.file = path;
  r.target.text = path;
  bssl::UniquePtr<BIO> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return Failed(std::move(r), absl::StrCat("open ", path, ": ", strerror(errno)));
  std::vector<bssl::UniquePtr<X509>> chain;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) chain.emplace_back(cert);
  ERR_clear_error();  // The end of the file reads as an error.
  if (chain.empty()) return Failed(std::move(r), absl::StrCat(path, ": no PEM certificate in it"));
  for (const bssl::UniquePtr<X509>& c : chain) {
    absl::StatusOr<tls::CertInfo> info = tls::DescribeCert(c.get(), absl::Now());
    if (!info.ok()) return Failed(std::move(r), absl::StrCat(path, ": ", info.status().message()));
    r.chain.push_back(*std::move(info));
  }
  Verify(chain, o, r);
  if (r.verify_present && !r.verify_ok && o.tls.verify) r.exit = kExitVerify;
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    if (X509_check_issued(chain[i + 1].get(), chain[i].get()) != X509_V_OK) {
      r.failed_checks.push_back(absl::StrCat("chain-order: certificate ", i + 1, " (", r.chain[i + 1].subject,
                                             ") did not issue certificate ", i, " (issuer ", r.chain[i].issuer, ")"));
    }
  }
  return r;
}

}  // namespace ipckit::tlsprobe
