#include "lib/tls/tls_error.h"

#include <openssl/err.h>

#include "absl/strings/str_cat.h"

namespace ipckit::tls {

std::string TlsErrorReason() {
  uint32_t err = ERR_get_error();
  ERR_clear_error();
  if (err == 0) return "";
  const char* reason = ERR_reason_error_string(err);
  if (reason != nullptr) return reason;
  return absl::StrCat("error ", ERR_GET_LIB(err), ":", ERR_GET_REASON(err));
}

absl::Status TlsError(absl::StatusCode code, absl::string_view context) {
  std::string reason = TlsErrorReason();
  if (reason.empty()) reason = "unknown TLS error";
  return absl::Status(code, absl::StrCat(context, ": ", reason));
}

}  // namespace ipckit::tls
