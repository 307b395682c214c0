#include "lib/tls/client_hello.h"

#include <openssl/rand.h>

#include "lib/tls/registry.h"

namespace ipckit::tls {
namespace {

void U8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }

void U16(std::string& out, uint16_t v) {
  U8(out, static_cast<uint8_t>(v >> 8));
  U8(out, static_cast<uint8_t>(v));
}

void U24(std::string& out, uint32_t v) {
  U8(out, static_cast<uint8_t>(v >> 16));
  U16(out, static_cast<uint16_t>(v));
}

// Vec8 / Vec16 append `body` with its 1- or 2-byte length.
void Vec8(std::string& out, const std::string& body) {
  U8(out, static_cast<uint8_t>(body.size()));
  out += body;
}

void Vec16(std::string& out, const std::string& body) {
  U16(out, static_cast<uint16_t>(body.size()));
  out += body;
}

std::string List16(const std::vector<uint16_t>& codes) {
  std::string s;
  for (uint16_t c : codes) U16(s, c);
  return s;
}

void Extension(std::string& out, uint16_t type, const std::string& body) {
  U16(out, type);
  Vec16(out, body);
}

std::string Extensions(const ClientHelloSpec& s) {
  std::string e;
  if (!s.server_name.empty()) {
    std::string name;
    U8(name, 0);  // host_name
    Vec16(name, s.server_name);
    std::string list;
    Vec16(list, name);
    Extension(e, kExtServerName, list);
  }
  if (!s.groups.empty()) {
    std::string groups;
    Vec16(groups, List16(s.groups));
    Extension(e, kExtSupportedGroups, groups);
    Extension(e, kExtEcPointFormats, std::string("\x01\x00", 2));  // uncompressed
  }
  if (s.version >= 0x0303) {
    std::string schemes;
    Vec16(schemes, List16(s.signature_schemes.empty() ? DefaultSignatureSchemes(s.version) : s.signature_schemes));
    Extension(e, kExtSignatureAlgorithms, schemes);
  }
  if (!s.alpn.empty()) {
    std::string protocols;
    for (const std::string& p : s.alpn) Vec8(protocols, p);
    std::string body;
    Vec16(body, protocols);
    Extension(e, kExtAlpn, body);
  }
  if (s.heartbeat) Extension(e, kExtHeartbeat, std::string("\x01", 1));  // peer_allowed_to_send
  if (s.session_ticket) Extension(e, kExtSessionTicket, "");
  if (s.extended_master_secret) Extension(e, kExtExtendedMasterSecret, "");
  if (s.renegotiation_info && s.version < 0x0304) Extension(e, kExtRenegotiationInfo, std::string("\x00", 1));
  if (s.version >= 0x0304) {
    std::string versions;
    Vec8(versions, List16({0x0304}));
    Extension(e, kExtSupportedVersions, versions);
    std::string shares;
    Vec16(shares, "");  // Empty: a server that accepts asks again (HelloRetryRequest).
    Extension(e, kExtKeyShare, shares);
  }
  return e;
}

}  // namespace

std::vector<uint16_t> DefaultSignatureSchemes(uint16_t version) {
  std::vector<uint16_t> out;
  for (const SignatureSchemeInfo& s : SignatureSchemes()) {
    if (version < 0x0304 || (s.code & 0xFF) != 0x02) out.push_back(s.code);  // DSA below TLS 1.3 only.
  }
  return out;
}

std::string BuildClientHello(const ClientHelloSpec& s) {
  const bool ssl3 = s.version <= 0x0300;
  std::string body;
  U16(body, s.version >= 0x0304 ? 0x0303 : s.version);
  uint8_t random[32];
  RAND_bytes(random, sizeof(random));
  body.append(reinterpret_cast<const char*>(random), sizeof(random));
  if (s.version >= 0x0304) {  // A legacy session id, as TLS 1.3 clients send for middleboxes.
    uint8_t id[32];
    RAND_bytes(id, sizeof(id));
    Vec8(body, std::string(reinterpret_cast<const char*>(id), sizeof(id)));
  } else {
    Vec8(body, "");
  }
  std::vector<uint16_t> suites = s.suites;
  if (s.renegotiation_info && ssl3) suites.push_back(kEmptyRenegotiationInfoScsv);
  if (s.fallback_scsv) suites.push_back(kFallbackScsv);
  Vec16(body, List16(suites));
  std::string methods(s.compression.begin(), s.compression.end());
  Vec8(body, methods);
  if (!ssl3) {
    std::string ext = Extensions(s);
    // A hello of 256-511 bytes hangs some old load balancers (F5): pad it to
    // 512 as browsers do (RFC 7685; the padding extension's own 4 bytes count).
    size_t length = 4 + body.size() + 2 + ext.size();
    if (length >= 256 && length < 512) {
      size_t pad = 512 - length;
      Extension(ext, kExtPadding, std::string(pad >= 4 ? pad - 4 : 1, '\0'));
    }
    Vec16(body, ext);
  }

  std::string handshake;
  U8(handshake, 1);  // client_hello
  U24(handshake, static_cast<uint32_t>(body.size()));
  handshake += body;

  std::string record;
  U8(record, 22);  // handshake
  U16(record, ssl3 ? 0x0300 : 0x0301);
  Vec16(record, handshake);
  return record;
}

}  // namespace ipckit::tls
