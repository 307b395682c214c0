// tls_flags.h: the TLS flag groups, so that every tool that speaks TLS
// declares its TLS flags in one place, with one help text and one set of
// messages, and validates them into a typed sub-plan of parsed values. No
// file is opened here: the sub-plan's tls::TlsOptions become a TlsContext in
// the tool's Run (lib/tls loads the files then).
//
//   TlsServerFlags: --cert --key --client-ca --alpn --tls-legacy (echod,
//                   relay's tls: FROM); nc spells them as ncat does
//                   (--ssl-cert --ssl-key --ssl-verify-client --ssl-alpn
//                   --ssl-legacy).
//   TlsClientFlags: --ca-file --servername --pin --insecure (relay's tls:
//                   TO, tlsprobe); nc: --ssl-trustfile --ssl-servername
//                   --ssl-pin --insecure.
//
//   cli::TlsServerFlags tls(cli::TlsServerFlags::kIpckit);
//   tls.Declare(parser);
//   ... parse ...
//   absl::StatusOr<std::optional<tls::TlsOptions>> server = tls.Validate(any_tls_listener, "--tls or -l tls:ADDR");
//
// Threads: used from main's thread, as Parser is.
#ifndef IPCKIT_LIB_CLI_TLS_FLAGS_H_
#define IPCKIT_LIB_CLI_TLS_FLAGS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/cli/options.h"
#include "lib/tls/tls_context.h"

namespace ipckit::cli {

class TlsServerFlags {
 public:
  // Names are a tool's long-option spellings of the group's flags; a
  // client that takes only a certificate and ALPN (tlsprobe) leaves
  // client_ca and legacy nullptr, and they are not declared.
  struct Names {
    const char* cert;
    const char* key;
    const char* client_ca;
    const char* alpn;
    const char* legacy;
  };
  static constexpr Names kIpckit = {"cert", "key", "client-ca", "alpn", "tls-legacy"};
  static constexpr Names kNcat = {"ssl-cert", "ssl-key", "ssl-verify-client", "ssl-alpn", "ssl-legacy"};

  explicit TlsServerFlags(Names names) : names_(names) {}

  // Declare adds the group's flags to `p`, each help text after `scope`
  // ("tls: FROM: ", "with -l: ").
  void Declare(Parser& p, absl::string_view scope = "");

  // given reports whether any of the flags was given.
  bool given() const;

  // Validate returns, for a tool that `serves` TLS, the server's options (a
  // certificate chain and key, client CAs, ALPN protocols, legacy); nullopt
  // when it does not serve TLS and no flag was given. It fails with
  // kInvalidArgument: "a TLS listener needs --cert and --key", "--cert,
  // --key, --client-ca, --alpn and --tls-legacy need a TLS listener
  // (WHERE)", "--alpn: each protocol must be 1 to 255 bytes".
  absl::StatusOr<std::optional<tls::TlsOptions>> Validate(bool serves, absl::string_view where) const;

  // ClientCertificate returns the options a TLS client takes from the
  // group (nc's --ssl-cert, --ssl-key and --ssl-alpn serve both sides):
  // its certificate and key (both or neither) and the ALPN protocols it
  // offers; the server-only flags fail with kInvalidArgument
  // "--ssl-verify-client and --ssl-legacy require WHERE".
  absl::StatusOr<tls::TlsOptions> ClientCertificate(absl::string_view where) const;

 private:
  std::string Flag(const char* name) const { return std::string("--") + name; }
  absl::Status ParseAlpn(tls::TlsOptions* t) const;
  absl::Status CertAndKeyTogether() const;

  Names names_;
  std::optional<std::string> cert_, key_, client_ca_, alpn_;
  bool legacy_ = false;
};

// TlsClientPlan is a TLS client's flags, parsed.
struct TlsClientPlan {
  tls::TlsOptions options;         // verify (false with --insecure) and ca_file.
  std::string servername;          // SNI and the name to verify; "": the host connected to.
  std::vector<std::string> pins;   // sha256//BASE64 key pins, one of which must match.
  bool insecure = false;           // The tool warns that it does not verify.
};

class TlsClientFlags {
 public:
  // Names are a tool's long-option spellings; nullptr leaves a flag out.
  // insecure_short is --insecure's short name (tlsprobe's -k, as curl's),
  // or 0.
  struct Names {
    const char* ca_file;
    const char* servername;
    const char* pin;
    const char* insecure;
    char insecure_short;
  };
  static constexpr Names kIpckit = {"ca-file", "servername", "pin", "insecure", 0};
  static constexpr Names kNcat = {"ssl-trustfile", "ssl-servername", "ssl-pin", "insecure", 0};

  explicit TlsClientFlags(Names names) : names_(names) {}

  // Declare adds the group's flags to `p`, each help text after `scope`.
  void Declare(Parser& p, absl::string_view scope = "");

  // given reports whether any of the flags was given.
  bool given() const;

  // Validate returns the client's sub-plan, or kInvalidArgument "--pin:
  // want sha256//BASE64 (44 characters), got 'x'".
  absl::StatusOr<TlsClientPlan> Validate() const;

  // NotFor is the usage error for the group's flags given where no TLS
  // client runs: "--ca-file, --servername, --pin and --insecure are for
  // WHERE".
  absl::Status NotFor(absl::string_view where) const;

 private:
  Names names_;
  std::optional<std::string> ca_file_, servername_, pin_;
  bool insecure_ = false;
};

}  // namespace ipckit::cli

#endif  // IPCKIT_LIB_CLI_TLS_FLAGS_H_
