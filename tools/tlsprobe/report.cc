#include "tools/tlsprobe/report.h"

#include <openssl/ssl.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/json/json_writer.h"
#include "lib/tls/registry.h"
#include "lib/tls/tls_context.h"

namespace ipckit::tlsprobe {
namespace {

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

std::string Shown(const std::string& s) { return s.empty() ? "none" : s; }

void Line(std::string* out, absl::string_view key, absl::string_view value) {
  absl::StrAppendFormat(out, "%-13s %s\n", key, value);
}

}  // namespace

void ApplyChecks(const Checks& c, ProbeResult* r) {
  // A file's checks are judged even when its chain does not verify.
  bool judged = r->file.empty() ? r->handshake_done && r->exit == kExitOk : !r->error.has_value();
  if (!judged) return;
  auto fail = [&](std::string what) { r->failed_checks.push_back(std::move(what)); };
  if (c.version && *c.version != r->tls.version) {
    fail(absl::StrCat("expect-version: got ", r->tls.version, ", want ", *c.version));
  }
  if (c.alpn && *c.alpn != r->tls.alpn) {
    fail(absl::StrCat("expect-alpn: got ", Shown(r->tls.alpn), ", want ", *c.alpn));
  }
  if (c.cipher && *c.cipher != r->tls.cipher) {
    fail(absl::StrCat("expect-cipher: got ", r->tls.cipher, ", want ", *c.cipher));
  }
  if (c.min_days_left) {
    for (size_t i = 0; i < r->chain.size(); ++i) {
      if (r->chain[i].days_left < *c.min_days_left) {
        fail(absl::StrCat("min-days-left: certificate ", i, " (", r->chain[i].subject, ") has ",
                          r->chain[i].days_left, " days left, want at least ", *c.min_days_left));
      }
    }
  }
  if (c.require_ocsp) {
    if (!r->tls.ocsp_stapled) {
      fail("require-ocsp: no OCSP response stapled");
    } else if (r->tls.ocsp_status != "good") {
      fail(absl::StrCat("require-ocsp: stapled status is ", r->tls.ocsp_status));
    }
  }
  if (c.spki_pin) {
    bool found = false;
    for (const tls::CertInfo& ci : r->chain) found = found || tls::FormatSpkiPin(ci) == *c.spki_pin;
    if (!found) {
      fail(absl::StrCat("expect-spki-pin: no certificate in the chain has ", *c.spki_pin,
                        r->chain.empty() ? "" : absl::StrCat(" (leaf: ", tls::FormatSpkiPin(r->chain[0]), ")")));
    }
  }
  if (!r->failed_checks.empty() && r->exit == kExitOk) r->exit = kExitCheck;
}

// Accepted lists the names marked true, ", " between; "none" for none.
std::string Accepted(const std::vector<std::pair<std::string, bool>>& named) {
  std::vector<std::string> yes;
  for (const auto& [name, ok] : named) {
    if (ok) yes.push_back(name);
  }
  return yes.empty() ? "none" : absl::StrJoin(yes, ", ");
}

std::string YesNo(const std::optional<bool>& b, absl::string_view yes, absl::string_view no) {
  return b.has_value() ? std::string(*b ? yes : no) : "not measured";
}

// FormatEnumeration appends the enumeration's lines: each suite with its
// OpenSSL name beside IANA's, groups and schemes that were accepted.
void FormatEnumeration(const Enumeration& e, std::string* out) {
  std::vector<std::string> v;
  for (const auto& [name, ok] : e.versions) v.push_back(absl::StrCat(name, ok ? " yes" : " no"));
  Line(out, "versions", absl::StrJoin(v, ", "));
  for (const auto& [version, suites] : e.ciphers) {
    Line(out, absl::StrCat(version, " suites"),
         absl::StrCat(suites.size(), version == e.ciphers.back().first
                                         ? (e.server_order ? " (server's order)" : " (client's order)") : ""));
    for (const std::string& s : suites) {
      const tls::SuiteInfo* info = tls::FindSuiteByName(s);
      absl::StrAppend(out, "  ", absl::StrFormat("%-46s", s), info != nullptr ? absl::StrCat(" ", info->openssl) : "",
                      "\n");
    }
  }
  size_t tried = e.groups.size();
  Line(out, "groups", absl::StrCat(Accepted(e.groups), " (at ", e.groups_version.empty() ? "-" : e.groups_version,
                                   "; ", tried, " tried)"));
  if (!e.signature_schemes.empty()) Line(out, "TLSv1.2 schemes", Accepted(e.signature_schemes));
  if (!e.dh_bits.empty()) Line(out, "DHE primes", absl::StrCat(absl::StrJoin(e.dh_bits, ", "), " bits"));
  Line(out, "renegotiation", YesNo(e.secure_renegotiation, "secure (RFC 5746)", "NOT secure (no renegotiation_info)"));
  Line(out, "fallback SCSV", YesNo(e.fallback_scsv, "downgrades refused", "downgrades ACCEPTED"));
  Line(out, "compression", YesNo(e.compression, "DEFLATE ACCEPTED (CRIME)", "none"));
  Line(out, "heartbeat", YesNo(e.heartbeat, "advertised", "not advertised"));
  Line(out, "session tickets", YesNo(e.session_ticket, "yes", "no"));
  Line(out, "connections", absl::StrCat(e.connections));
  for (const std::string& n : e.notes) Line(out, "note", n);
}

std::string FormatText(const ProbeResult& r, const Enumeration* e, bool show_certs) {
  std::string out;
  if (!r.file.empty()) {
    Line(&out, "file", r.file);
  } else {
    Line(&out, "target", r.target.text);
    if (!r.ip.empty()) Line(&out, "address", absl::StrCat(r.ip, " port ", r.target.port));
    Line(&out, "sni", Shown(r.sni));
    Line(&out, "tcp", absl::StrFormat("%.1f ms", Ms(r.tcp)));
  }
  if (r.starttls > absl::ZeroDuration()) Line(&out, "starttls", absl::StrFormat("%.1f ms", Ms(r.starttls)));
  if (r.handshake > absl::ZeroDuration()) Line(&out, "handshake", absl::StrFormat("%.1f ms", Ms(r.handshake)));
  if (r.handshake_done) {
    Line(&out, "version", r.tls.version);
    Line(&out, "cipher", absl::StrFormat("%s (0x%04x)", r.tls.cipher, r.tls.cipher_id));
    Line(&out, "group", absl::StrCat(Shown(r.tls.group), r.tls.hello_retry ? " (after HelloRetryRequest)" : ""));
    Line(&out, "signature", Shown(r.tls.peer_sigalg));
    Line(&out, "alpn", Shown(r.tls.alpn));
    if (r.resumed) Line(&out, "resumed", *r.resumed ? "yes" : "no");
    Line(&out, "ocsp", r.tls.ocsp_stapled ? r.tls.ocsp_status : "not stapled");
    Line(&out, "scts", absl::StrCat(r.tls.sct_count));
  }
  // Whether the server asked for a certificate is known once it asked, or
  // once the handshake got past where it could have.
  if (r.client_auth_requested || r.handshake_done) {
    Line(&out, "client auth", r.client_auth_requested ? "requested" : "not requested");
  }
  for (size_t i = 0; i < r.chain.size(); ++i) {
    const tls::CertInfo& c = r.chain[i];
    Line(&out, "certificate", absl::StrCat(i));
    Line(&out, "  subject", c.subject);
    Line(&out, "  issuer", c.issuer);
    Line(&out, "  san", c.san.empty() ? "none" : absl::StrJoin(c.san, ", "));
    Line(&out, "  valid", absl::StrCat(c.not_before, " to ", c.not_after, " (", c.days_left, " days left, lifespan ",
                                       c.lifespan_days, " days)"));
    if (!c.ocsp_urls.empty()) Line(&out, "  ocsp url", absl::StrJoin(c.ocsp_urls, ", "));
    Line(&out, "  key", absl::StrCat(c.key_type, " ", c.key_curve.empty() ? absl::StrCat(c.key_bits) : c.key_curve));
    Line(&out, "  signed with", c.signature_algorithm);
    Line(&out, "  sha256", c.sha256);
    Line(&out, "  spki pin", tls::FormatSpkiPin(c));
    if (show_certs) out += c.pem;
  }
  if (r.verify_present) {
    Line(&out, "verify", r.verify_ok ? "ok" : absl::StrCat("failed: ", r.verify_error, " (", r.verify_code, ")"));
  }
  if (e != nullptr) FormatEnumeration(*e, &out);
  if (r.error) {
    Line(&out, "error", absl::StrCat(r.error->stage, ": ", r.error->message));
  }
  for (const std::string& f : r.failed_checks) Line(&out, "check failed", f);
  Line(&out, "result", r.exit == 0 ? "ok" : absl::StrCat("exit ", r.exit));
  return out;
}

namespace {

// StringOrNull writes `s`, or null when it is empty.
void StringOrNull(json::JsonWriter& j, const std::string& s) {
  if (s.empty()) {
    j.Null();
  } else {
    j.String(s);
  }
}

// JsonError writes the "error" value: {"stage","alert","alert_name","reason","message"} or null.
void JsonError(json::JsonWriter& j, const ProbeResult& r) {
  if (!r.error) {
    j.Null();
    return;
  }
  j.BeginObject().Key("stage").String(r.error->stage).Key("alert");
  if (r.error->alert >= 0) j.Int(r.error->alert); else j.Null();
  j.Key("alert_name");
  if (r.error->alert >= 0) j.String(SSL_alert_desc_string_long(r.error->alert)); else j.Null();
  j.Key("reason").String(r.error->reason).Key("message").String(r.error->message).EndObject();
}

// JsonTls writes the "tls" value: what the handshake agreed on, or null.
void JsonTls(json::JsonWriter& j, const ProbeResult& r) {
  if (!r.handshake_done) {
    j.Null();
    return;
  }
  j.BeginObject()
      .Key("version").String(r.tls.version)
      .Key("cipher").String(r.tls.cipher)
      .Key("cipher_id").Int(r.tls.cipher_id)
      .Key("group");
  StringOrNull(j, r.tls.group);
  j.Key("hrr").Bool(r.tls.hello_retry).Key("peer_sigalg");
  StringOrNull(j, r.tls.peer_sigalg);
  j.Key("alpn");
  StringOrNull(j, r.tls.alpn);
  j.Key("resumed");
  if (r.resumed) j.Bool(*r.resumed); else j.Null();
  j.EndObject();
}

// JsonChain writes the "cert" value: {"chain":[...]} (with PEM when asked).
void JsonChain(json::JsonWriter& j, const ProbeResult& r, bool show_certs) {
  j.BeginObject().Key("chain").BeginArray();
  for (const tls::CertInfo& c : r.chain) {
    j.BeginObject()
        .Key("subject").String(c.subject)
        .Key("issuer").String(c.issuer)
        .Key("san").Strings(c.san)
        .Key("not_before").String(c.not_before)
        .Key("not_after").String(c.not_after)
        .Key("days_left").Int(c.days_left)
        .Key("lifespan_days").Int(c.lifespan_days)
        .Key("ocsp_urls").Strings(c.ocsp_urls)
        .Key("key_type").String(c.key_type)
        .Key("key_bits").Int(c.key_bits)
        .Key("key_curve").String(c.key_curve)
        .Key("signature_algorithm").String(c.signature_algorithm)
        .Key("serial").String(c.serial)
        .Key("sha256").String(c.sha256)
        .Key("spki_sha256").String(c.spki_sha256);
    if (show_certs) j.Key("pem").String(c.pem);
    j.EndObject();
  }
  j.EndArray().EndObject();
}

// JsonEnumeration writes the "enumerate" value.
void JsonEnumeration(json::JsonWriter& j, const Enumeration& e) {
  j.BeginObject().Key("versions").BeginObject();
  for (const auto& [name, ok] : e.versions) j.Key(name).Bool(ok);
  j.EndObject().Key("ciphers").BeginObject();
  for (const auto& [version, suites] : e.ciphers) j.Key(version).Strings(suites);
  j.EndObject().Key("server_order").Bool(e.server_order).Key("tls13_cipher");
  StringOrNull(j, e.tls13_cipher);
  j.Key("groups").BeginObject();
  for (const auto& [name, ok] : e.groups) j.Key(name).Bool(ok);
  j.EndObject().Key("groups_version");
  StringOrNull(j, e.groups_version);
  j.Key("signature_schemes").BeginObject();
  for (const auto& [name, ok] : e.signature_schemes) j.Key(name).Bool(ok);
  j.EndObject().Key("dh_bits").BeginArray();
  for (int bits : e.dh_bits) j.Int(bits);
  j.EndArray();
  for (const auto& [key, value] : {std::pair{"secure_renegotiation", &e.secure_renegotiation},
                                   {"fallback_scsv", &e.fallback_scsv}, {"compression", &e.compression},
                                   {"heartbeat", &e.heartbeat}, {"session_ticket", &e.session_ticket},
                                   {"server_order_below_13", &e.server_order_below_13}}) {
    j.Key(key);
    if (value->has_value()) {
      j.Bool(**value);
    } else {
      j.Null();
    }
  }
  j.Key("connections").Int(e.connections).Key("unanswered").Int(e.unanswered).Key("notes").Strings(e.notes).EndObject();
}

}  // namespace

std::string FormatJson(const ProbeResult& r, const Enumeration* e, bool show_certs) {
  json::JsonWriter j;
  j.BeginObject();
  j.Key("file");
  StringOrNull(j, r.file);
  j.Key("target").String(r.target.text);
  j.Key("host").String(r.target.host);
  j.Key("ip");
  StringOrNull(j, r.ip);
  j.Key("port").Int(r.target.port);
  j.Key("sni");
  StringOrNull(j, r.sni);
  j.Key("exit").Int(r.exit);
  j.Key("error");
  JsonError(j, r);
  j.Key("timing_ms").BeginObject()
      .Key("tcp").Double(Ms(r.tcp)).Key("starttls").Double(Ms(r.starttls))
      .Key("handshake").Double(Ms(r.handshake)).Key("total").Double(Ms(r.total)).EndObject();
  j.Key("tls");
  JsonTls(j, r);
  j.Key("cert");
  JsonChain(j, r, show_certs);
  j.Key("verify");
  if (r.verify_present) {
    j.BeginObject().Key("ok").Bool(r.verify_ok).Key("error");
    if (r.verify_ok) j.Null(); else j.String(r.verify_error);
    j.Key("code").Int(r.verify_code).EndObject();
  } else {
    j.Null();
  }
  // OCSP, SCTs and client auth are facts of a handshake: null without one
  // (a refused connection has no "stapled": false).
  j.Key("ocsp");
  if (r.handshake_done) {
    j.BeginObject().Key("stapled").Bool(r.tls.ocsp_stapled).Key("status");
    if (r.tls.ocsp_stapled) j.String(r.tls.ocsp_status); else j.Null();
    j.EndObject();
  } else {
    j.Null();
  }
  j.Key("sct");
  if (r.handshake_done) {
    j.BeginObject().Key("count").Int(static_cast<int64_t>(r.tls.sct_count)).EndObject();
  } else {
    j.Null();
  }
  j.Key("client_auth");
  if (r.client_auth_requested || r.handshake_done) {
    j.BeginObject().Key("requested").Bool(r.client_auth_requested).EndObject();
  } else {
    j.Null();
  }
  j.Key("checks_failed").Strings(r.failed_checks);
  if (e != nullptr) {
    j.Key("enumerate");
    JsonEnumeration(j, *e);
  }
  j.EndObject();
  return j.str();
}

}  // namespace ipckit::tlsprobe
