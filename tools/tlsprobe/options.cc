// options.cc: tlsprobe's options, each declared once with its help text
// (tlsprobe.h), and its --help text.
#include "tools/tlsprobe/tlsprobe.h"

namespace ipckit::tlsprobe {
namespace {

constexpr char kEpilog[] =
    R"(Targets are HOST, HOST:PORT or [IPV6]:PORT (default port 443), as
arguments or one per line on stdin. Verification is on: the chain must lead
to --ca-file (default: the system bundle /etc/ssl/certs/ca-certificates.crt)
and name the host (DNS name, or IP address SAN for an IP target; the
--servername when given). With --insecure the verdict is still reported.

Exit status (several targets: the smallest non-zero one):
  0 ok   1 internal error   2 usage   3 resolve or connect failed   4 timeout
  5 TLS or STARTTLS failure (alert, nothing shared, not TLS, STARTTLS not
    offered, client certificate required)
  6 certificate verification failed   7 an --expect/--min/--require check failed

Examples:
  tlsprobe example.org                        readable report
  tlsprobe --json -j 8 < hosts.txt            one JSON line per host
  tlsprobe --expect-version 1.3 --min-days-left 14 mail.example:465
  tlsprobe --starttls smtp mail.example:25 --show-certs
  tlsprobe --enumerate --insecure 127.0.0.1:8443)";

}  // namespace

cli::ToolInfo ToolInfo() {
  return cli::ToolInfo{
      "tlsprobe",
      {"[options] HOST[:PORT]...", "[options] < targets"},
      "Connect to TLS endpoints and report version, cipher, chain and verification.",
      kEpilog,
      false};
}

// DeclareOptions runs over 80 lines because it is where each of tlsprobe's
// options is declared, once, with its help text.
void DeclareOptions(cli::Parser& p, Options* o) {
  p.Flag(0, "no-sni", "send no server name", &o->no_sni)
      .String(0, "min-version", "V", "lowest TLS version to offer: 1.0, 1.1, 1.2, 1.3", &o->min_version)
      .String(0, "max-version", "V", "highest TLS version to offer", &o->max_version)
      .String(0, "ciphers", "LIST", "TLS 1.2-and-below suites to offer (BoringSSL syntax)", &o->ciphers)
      .String(0, "groups", "LIST", "key-exchange groups to offer: X25519:P-256:P-384:P-521", &o->groups)
      .Duration('w', "timeout", "DUR", "limit for each phase: connect, STARTTLS, handshake (default 5s)",
                &o->timeout)
      .String(0, "starttls", "PROTO", "before TLS: smtp, imap, pop3, ftp, xmpp, postgres, lmtp, nntp, sieve, irc, mysql or ldap", &o->starttls)
      .Flag(0, "resume", "connect again with the session ticket and report resumption", &o->resume)
      .Flag(0, "show-certs", "print each certificate as PEM", &o->show_certs)
      .Int('j', "jobs", "N", "probe N targets in parallel (output keeps input order)", &o->jobs, 1, 1024)
      .Flag(0, "enumerate", "list what the server accepts: versions SSLv3-TLS 1.3, every IANA suite (server order), groups, TLS 1.2 signature schemes, DHE sizes, renegotiation, fallback SCSV, compression, heartbeat, tickets", &o->enumerate)
      .Flag(0, "json", "one JSON object per target per line", &o->json)
      .Flag('4', nullptr, "use IPv4 only", &o->ipv4)
      .Flag('6', nullptr, "use IPv6 only", &o->ipv6)
      .Flag('q', "quiet", "no report; only errors, failed checks and the exit status", &o->quiet)
      .String(0, "expect-version", "V", "check: the negotiated version", &o->checks.version)
      .String(0, "expect-alpn", "PROTO", "check: the agreed ALPN protocol", &o->checks.alpn)
      .String(0, "expect-cipher", "NAME", "check: the suite's IANA name", &o->checks.cipher)
      .Int(0, "min-days-left", "N", "check: every certificate valid N more days", &o->checks.min_days_left,
           -100000, 100000)
      .Flag(0, "require-ocsp", "check: a stapled OCSP response saying good", &o->checks.require_ocsp)
      .String(0, "expect-spki-pin", "PIN", "check: sha256//BASE64 of some certificate's key",
              &o->checks.spki_pin)
      .String(0, "policy", "NAME", "gate: Mozilla's modern, intermediate or old server policy (implies --enumerate)",
              &o->policy)
      .String(0, "policy-file", "FILE", "gate: a JSON policy, or Mozilla's guidelines document whose configuration --policy names (tools/tlsprobe/policy.h lists the fields)", &o->policy_file)
      .String(0, "forbid-version", "LIST", "gate: fail if any is accepted, e.g. 1.0,1.1 (SSLv3 too)",
              &o->forbid_version)
      .String(0, "forbid-cipher", "LIST",
              "gate: fail if a suite matches: anon NULL EXPORT RC4 RC2 DES 3DES IDEA SEED CBC MD5 SHA1 PSK SRP "
              "CAMELLIA ARIA, or a suite name", &o->forbid_cipher)
      .Flag(0, "require-forward-secrecy", "gate: fail if a suite without (EC)DHE is accepted",
            &o->require_forward_secrecy)
      .Int(0, "min-dh-bits", "N", "gate: fail if a DHE prime is smaller", &o->min_dh_bits, 1, 100000)
      .Int(0, "min-key-bits", "N", "gate: fail if the leaf's key is smaller (RSA 2048 and EC 256 differ: a "
           "--policy-file sets both)", &o->min_key_bits, 1, 100000)
      .String(0, "cert-file", "FILE", "check a PEM chain on disk instead of a server: verification (--ca-file, "
              "--servername), chain order, --min-days-left, --min-key-bits, --expect-spki-pin", &o->cert_file);
  o->tls_client.Declare(p);
  o->identity.Declare(p, "client ");
}

}  // namespace ipckit::tlsprobe
