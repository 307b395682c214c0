#include "tools/tlsprobe/tlsprobe.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <istream>
#include <mutex>
#include <ostream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/net/address.h"
#include "lib/tls/tls_context.h"
#include "tools/tlsprobe/cert_file.h"
#include "tools/tlsprobe/enumerate.h"
#include "tools/tlsprobe/probe.h"
#include "tools/tlsprobe/starttls.h"

namespace ipckit::tlsprobe {
namespace {

// MakeTlsOptions returns the client's options: the groups' (a client
// certificate, ALPN, CA file, verify) and the version, suite and group
// flags parsed.
absl::StatusOr<tls::TlsOptions> MakeTlsOptions(const Options& o, const cli::TlsClientPlan& client) {
  absl::StatusOr<tls::TlsOptions> identity = o.identity.ClientCertificate("a server");
  if (!identity.ok()) return identity.status();
  tls::TlsOptions t = *std::move(identity);
  t.verify = client.options.verify;
  t.ca_file = client.options.ca_file;
  if (o.min_version) {
    absl::StatusOr<uint16_t> v = tls::ParseTlsVersion(*o.min_version);
    if (!v.ok()) return absl::InvalidArgumentError(absl::StrCat("--min-version: ", v.status().message()));
    t.min_version = *v;
  }
  if (o.max_version) {
    absl::StatusOr<uint16_t> v = tls::ParseTlsVersion(*o.max_version);
    if (!v.ok()) return absl::InvalidArgumentError(absl::StrCat("--max-version: ", v.status().message()));
    t.max_version = *v;
  }
  t.ciphers = o.ciphers.value_or("");
  t.groups = o.groups.value_or("");
  return t;
}

// OrderedOutput prints results in input order as they become ready.
class OrderedOutput {
 public:
  explicit OrderedOutput(size_t n) : ready_(n, false), text_(n) {}
  void Put(size_t i, std::string out, std::string err) {
    std::lock_guard<std::mutex> l(mu_);
    ready_[i] = true;
    text_[i] = {std::move(out), std::move(err)};
    cv_.notify_all();
  }
  // Drain writes everything in order, waiting for each in turn.
  void Drain(std::ostream& out, std::ostream& err) {
    for (size_t i = 0; i < ready_.size(); ++i) {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return ready_[i]; });
      out << text_[i].first;
      out.flush();
      err << text_[i].second;
      err.flush();
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<bool> ready_;
  std::vector<std::pair<std::string, std::string>> text_;
};

std::optional<net::SocketAddress> AddressOf(const ProbeResult& r) {
  absl::StatusOr<std::vector<net::SocketAddress>> addrs =
      net::Resolve(r.ip, r.target.port, net::ResolveOptions{net::Family::kAny, true, false, SOCK_STREAM});
  if (!addrs.ok() || addrs->empty()) return std::nullopt;
  return (*addrs)[0];
}

}  // namespace

// Policies gathers --policy and the single gates, each a Policy, or
// returns the first bad value (--policy-file is read by Run).
absl::StatusOr<std::vector<Policy>> Policies(const Options& o) {
  std::vector<Policy> out;
  if (o.policy) {
    absl::StatusOr<Policy> p = BuiltinPolicy(*o.policy);
    if (!p.ok()) return absl::InvalidArgumentError(absl::StrCat("--policy: ", p.status().message()));
    out.push_back(*std::move(p));
  }
  if (o.forbid_version) {
    Policy p;
    p.label = "forbid-version";
    p.versions = std::vector<std::string>{"SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
    for (absl::string_view v : absl::StrSplit(*o.forbid_version, ',')) {
      std::string name = v == "SSLv3" || v == "3.0" ? "SSLv3" : "";
      if (name.empty()) {
        absl::StatusOr<uint16_t> n = tls::ParseTlsVersion(v);
        if (!n.ok()) return absl::InvalidArgumentError(absl::StrCat("--forbid-version: ", n.status().message()));
        name = tls::TlsVersionName(*n);
      }
      p.versions->erase(std::remove(p.versions->begin(), p.versions->end(), name), p.versions->end());
    }
    out.push_back(std::move(p));
  }
  if (o.forbid_cipher) {
    Policy p;
    p.label = "forbid-cipher";
    for (absl::string_view c : absl::StrSplit(*o.forbid_cipher, ',')) {
      if (absl::Status s = CheckCipherToken(c); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("--forbid-cipher: ", s.message()));
      }
      p.forbid_ciphers.emplace_back(c);
    }
    out.push_back(std::move(p));
  }
  if (o.require_forward_secrecy) {
    Policy p;
    p.label = "require-forward-secrecy";
    p.require_forward_secrecy = true;
    out.push_back(std::move(p));
  }
  if (o.min_dh_bits) {
    Policy p;
    p.label = "min-dh-bits";
    p.min_dh_bits = *o.min_dh_bits;
    out.push_back(std::move(p));
  }
  if (o.min_key_bits) {
    Policy p;
    p.label = "min-key-bits";
    for (const char* type : {"RSA", "RSA-PSS", "EC", "Ed25519", "Ed448", "DSA"}) p.min_key_bits[type] = *o.min_key_bits;
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<Plan> Validate(const Options& o) {
  absl::StatusOr<cli::TlsClientPlan> client = o.tls_client.Validate();
  if (!client.ok()) return client.status();
  if (o.no_sni && !client->servername.empty()) return absl::InvalidArgumentError("--no-sni and --servername conflict");
  if (o.ipv4 && o.ipv6) return absl::InvalidArgumentError("-4 and -6 conflict");
  if (o.jobs < 1) return absl::InvalidArgumentError("-j needs at least 1");
  if (o.timeout <= absl::ZeroDuration()) return absl::InvalidArgumentError("--timeout must be positive");
  Plan p;
  absl::StatusOr<std::vector<Policy>> policies = Policies(o);
  if (!policies.ok()) return policies.status();
  p.policies = *std::move(policies);
  p.policy_file = o.policy_file;
  p.policy_file_at = o.policy ? 1 : 0;
  p.policy_name = o.policy.value_or("");
  if (o.starttls) {
    absl::StatusOr<StarttlsProtocol> proto = ParseStarttls(*o.starttls);
    if (!proto.ok()) return absl::InvalidArgumentError(absl::StrCat("--starttls: ", proto.status().message()));
    p.probe.starttls = *proto;
  }
  p.checks = o.checks;
  if (o.checks.version) {  // Parsed once, kept as reports name versions.
    absl::StatusOr<uint16_t> v = tls::ParseTlsVersion(*o.checks.version);
    if (!v.ok()) return absl::InvalidArgumentError(absl::StrCat("--expect-version: ", v.status().message()));
    p.checks.version = tls::TlsVersionName(*v);
  }
  if (o.checks.spki_pin && !absl::StartsWith(*o.checks.spki_pin, "sha256//")) {
    return absl::InvalidArgumentError("--expect-spki-pin: want sha256//BASE64 (see the report's 'spki pin')");
  }
  absl::StatusOr<tls::TlsOptions> t = MakeTlsOptions(o, *client);
  if (!t.ok()) return t.status();
  if (t->min_version && t->max_version && t->min_version > t->max_version) {
    return absl::InvalidArgumentError("--min-version is above --max-version");
  }
  p.probe.tls = *t;
  if (!client->servername.empty()) p.probe.servername = client->servername;
  p.probe.no_sni = o.no_sni;
  p.probe.timeout = o.timeout;
  p.probe.resume = o.resume;
  p.probe.family = o.ipv4 ? AF_INET : o.ipv6 ? AF_INET6 : 0;
  p.enumerate = o.enumerate || std::any_of(p.policies.begin(), p.policies.end(), NeedsEnumeration);
  if (o.cert_file) {
    if (!o.targets.empty()) return absl::InvalidArgumentError("--cert-file takes no targets");
    bool needs_server = o.enumerate || o.policy || o.policy_file || o.forbid_version || o.forbid_cipher ||
                        o.require_forward_secrecy || o.min_dh_bits || o.starttls || o.resume ||
                        o.checks.version || o.checks.alpn || o.checks.cipher || o.checks.require_ocsp;
    if (needs_server) {
      return absl::InvalidArgumentError(
          "--cert-file checks a certificate file: --ca-file, --servername, --insecure, --min-days-left, "
          "--min-key-bits and --expect-spki-pin apply; the other checks need a server");
    }
    p.enumerate = false;
    p.cert_file = o.cert_file;
  }
  p.targets = o.targets;
  p.jobs = o.jobs;
  p.json = o.json;
  p.quiet = o.quiet;
  p.show_certs = o.show_certs;
  return p;
}

absl::StatusOr<std::vector<Target>> ReadTargets(const std::vector<std::string>& args, std::istream& in) {
  std::vector<std::string> texts = args;
  if (texts.empty()) {
    std::string line;
    while (std::getline(in, line)) {
      absl::string_view t = absl::StripAsciiWhitespace(line);
      if (!t.empty() && t[0] != '#') texts.emplace_back(t);
    }
    if (texts.empty()) return absl::InvalidArgumentError("no targets (give HOST[:PORT] arguments or lines on stdin)");
  }
  std::vector<Target> targets;
  for (const std::string& t : texts) {
    absl::StatusOr<Target> target = ParseTarget(t);
    if (!target.ok()) return target.status();
    targets.push_back(*target);
  }
  return targets;
}

namespace {

// Outcome is one target's report, its stderr lines and its exit code.
struct Outcome {
  std::string text, errors;
  int exit = 0;
};

// Judge applies the checks and policy gates of `p` to `r` (enumerated as
// `e`, when it was), and formats what Run prints for it. The gates are
// judged from `e` whenever it exists, even after a failed handshake; with
// no `e` where one was wanted, they fail as not judged.
Outcome Judge(const Plan& p, ProbeResult r, const std::optional<Enumeration>& e, bool several) {
  Outcome out;
  ApplyChecks(p.checks, &r);
  const tls::CertInfo* leaf = r.chain.empty() ? nullptr : &r.chain[0];
  // Without a handshake of its own (BoringSSL could not: a DSA key, an
  // anon or PSK server), the leaf a TLS 1.2 answer carried in the clear is
  // what the certificate gates judge.
  absl::StatusOr<tls::CertInfo> seen = absl::NotFoundError("no certificate");
  if (leaf == nullptr && e && !e->leaf_der.empty()) {
    seen = tls::DescribeDer(e->leaf_der, absl::Now());
    if (seen.ok()) leaf = &*seen;
  }
  // Whether the probe's own handshake came with a stapled OCSP response.
  std::optional<bool> stapled = r.handshake_done ? std::optional<bool>(r.tls.ocsp_stapled) : std::nullopt;
  if (e && e->unanswered > 0 && (p.enumerate || !p.policies.empty())) {
    // Facts stayed unknown: neither the gates nor the enumeration may pass.
    r.failed_checks.push_back(absl::StrCat(p.policies.empty() ? "enumeration" : "policy gates",
                                           " could not be judged: ", e->unanswered,
                                           " probes got no answer (connections reset or refused)"));
    r.exit = kExitCheck;
  }
  if (e) {
    // The enumeration has the facts whether or not BoringSSL's own
    // handshake worked (anon, DSA, PSK servers): judge from them, and a
    // violation is the verdict (7), not the handshake's failure.
    size_t before = r.failed_checks.size();
    for (const Policy& policy : p.policies) {
      std::vector<std::string> v = Violations(policy, *e, leaf, stapled);
      r.failed_checks.insert(r.failed_checks.end(), v.begin(), v.end());
    }
    if (r.failed_checks.size() > before) r.exit = kExitCheck;
  } else if (r.exit == 0 && !p.cert_file && p.enumerate) {
    // A gate that could not look must not pass, nor may an enumeration
    // that failed outright report success: say so, and fail.
    r.failed_checks.push_back(p.policies.empty()
                                  ? "enumeration could not be judged: it failed (see the enumerate error)"
                                  : "policy gates could not be judged: the enumeration failed (see the enumerate error)");
    r.exit = kExitCheck;
  } else if (r.exit == 0 || (p.cert_file && !r.error)) {
    for (const Policy& policy : p.policies) {  // Certificate-only gates (--min-key-bits).
      std::vector<std::string> v = Violations(policy, Enumeration(), leaf, stapled);
      r.failed_checks.insert(r.failed_checks.end(), v.begin(), v.end());
    }
  }
  if (!r.failed_checks.empty() && r.exit == 0) r.exit = kExitCheck;
  if (p.json) {
    out.text = FormatJson(r, e ? &*e : nullptr, p.show_certs) + "\n";
  } else if (!p.quiet) {
    out.text = FormatText(r, e ? &*e : nullptr, p.show_certs);
    if (several) out.text += "\n";
  }
  if (r.error) absl::StrAppend(&out.errors, "tlsprobe: ", r.target.text, ": ", r.error->message, "\n");
  if (!r.file.empty() && r.exit == kExitVerify) {
    absl::StrAppend(&out.errors, "tlsprobe: ", r.file, ": certificate verify failed: ", r.verify_error, "\n");
  }
  for (const std::string& f : r.failed_checks) {
    absl::StrAppend(&out.errors, "tlsprobe: ", r.target.text, ": check failed: ", f, "\n");
  }
  out.exit = r.exit;
  return out;
}

// ProbeOne probes `target` (and enumerates it with --enumerate), then judges.
Outcome ProbeOne(const Plan& p, const Target& target, const tls::TlsContext& ctx, bool several) {
  ProbeResult r = Probe(target, p.probe, ctx);
  std::optional<Enumeration> e;
  std::string enumerate_error;
  if (p.enumerate && !r.ip.empty()) {
    if (std::optional<net::SocketAddress> addr = AddressOf(r)) {
      EnumerateOptions eo;
      eo.sni = r.sni;
      eo.timeout = p.probe.timeout;
      eo.starttls = p.probe.starttls;
      eo.host = r.target.host;
      absl::StatusOr<Enumeration> got = Enumerate(*addr, eo);
      if (got.ok()) {
        e = *std::move(got);
      } else {
        enumerate_error = absl::StrCat("tlsprobe: ", r.target.text, ": enumerate: ", got.status().message(), "\n");
      }
    }
  }
  Outcome out = Judge(p, std::move(r), e, several);
  out.errors = enumerate_error + out.errors;
  return out;
}

// LoadPolicyFile reads and parses --policy-file (from a guidelines
// document, the configuration `name`), or returns the error naming it
// ("--policy-file p.json: No such file or directory", the parser's
// "p.json: line 3 column 7: ...").
absl::StatusOr<Policy> LoadPolicyFile(const std::string& path, const std::string& name) {
  absl::StatusOr<std::string> text = io::ReadFile(path, absl::StrCat("--policy-file ", path));
  if (!text.ok()) return text.status();
  return ParsePolicy(*text, path, name);
}

// RunCertFile checks plan.cert_file (cert_file.h), writes its report to `out`
// and failures to `err` as Run does, and returns the exit status.
int RunCertFile(const Plan& p, std::ostream& out, std::ostream& err) {
  Outcome o = Judge(p, CheckCertFile(*p.cert_file, p.probe), std::nullopt, false);
  out << o.text;
  err << o.errors;
  return o.exit;
}

// ProbeAll probes `targets` on plan.jobs threads, reporting in input order.
int ProbeAll(const Plan& p, const std::vector<Target>& targets, std::ostream& out, std::ostream& err) {
  absl::StatusOr<tls::TlsContext> ctx = tls::TlsContext::Client(p.probe.tls);
  if (!ctx.ok()) {
    err << "tlsprobe: " << ctx.status().message() << "\n";
    return kExitUsage;
  }
  OrderedOutput output(targets.size());
  std::vector<int> exits(targets.size(), 0);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < targets.size(); i = next++) {
      Outcome o = ProbeOne(p, targets[i], *ctx, targets.size() > 1);
      exits[i] = o.exit;
      output.Put(i, std::move(o.text), std::move(o.errors));
    }
  };
  std::vector<std::thread> threads;
  int n = std::min<int>(p.jobs, static_cast<int>(targets.size()));
  for (int t = 0; t < n; ++t) threads.emplace_back(worker);
  output.Drain(out, err);
  for (std::thread& t : threads) t.join();
  int code = 0;
  for (int e : exits) {
    if (e != 0 && (code == 0 || e < code)) code = e;
  }
  return code;
}

}  // namespace

absl::Status Run(const Plan& plan, std::istream& in, std::ostream& out, std::ostream& err) {
  Plan p = plan;
  if (p.policy_file) {
    absl::StatusOr<Policy> file = LoadPolicyFile(*p.policy_file, p.policy_name);
    if (!file.ok()) {
      err << "tlsprobe: " << file.status().message() << "\n";
      return cli::ExitWith(kExitUsage);
    }
    p.enumerate = p.enumerate || NeedsEnumeration(*file);
    if (file->from_guidelines) {  // --policy NAME's configuration, from the file in place of the built-in.
      p.policies.front() = *std::move(file);
    } else {
      p.policies.insert(p.policies.begin() + static_cast<std::ptrdiff_t>(p.policy_file_at), *std::move(file));
    }
  }
  if (p.cert_file) return cli::ExitWith(RunCertFile(p, out, err));
  absl::StatusOr<std::vector<Target>> targets = ReadTargets(p.targets, in);
  if (!targets.ok()) {  // Bad input, not bad options: no --help hint.
    err << "tlsprobe: " << targets.status().message() << "\n";
    return cli::ExitWith(kExitUsage);
  }
  return cli::ExitWith(ProbeAll(p, *targets, out, err));
}

}  // namespace ipckit::tlsprobe
