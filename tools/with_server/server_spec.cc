#include "tools/with_server/server_spec.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ipckit::with_server {

absl::StatusOr<ServerSpec> ParseServerSpec(absl::string_view text) {
  size_t eq = text.find('=');
  if (eq == absl::string_view::npos || eq == 0) {
    return absl::InvalidArgumentError(absl::StrCat("--server '", text, "': expected NAME[:N]=COMMAND"));
  }
  ServerSpec s;
  absl::string_view head = text.substr(0, eq);
  size_t colon = head.find(':');
  if (colon != absl::string_view::npos) {
    if (!absl::SimpleAtoi(head.substr(colon + 1), &s.listeners) || s.listeners < 1 || s.listeners > 64) {
      return absl::InvalidArgumentError(
          absl::StrCat("--server '", text, "': N (listeners to wait for) must be 1 to 64"));
    }
    head = head.substr(0, colon);
  }
  bool ok = !head.empty() && absl::ascii_isupper(head[0]);
  for (char c : head) ok = ok && (absl::ascii_isupper(c) || absl::ascii_isdigit(c) || c == '_');
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat("--server '", text, "': NAME must be [A-Z][A-Z0-9_]*"));
  }
  s.name = std::string(head);
  absl::string_view command = text.substr(eq + 1);
  if (absl::StartsWith(command, "sh:")) {
    s.command = {"/bin/sh", "-c", std::string(command.substr(3))};
  } else {
    s.command = absl::StrSplit(command, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  }
  if (s.command.empty()) return absl::InvalidArgumentError(absl::StrCat("--server '", text, "': empty COMMAND"));
  for (const std::string& a : s.command) s.uses_port_file = s.uses_port_file || absl::StrContains(a, "{port_file}");
  return s;
}

std::map<std::string, std::string> AddressEnvironment(const std::string& name, int index,
                                                      const std::string& addr) {
  std::map<std::string, std::string> fields;
  fields["ADDR"] = addr;
  if (!addr.empty() && (addr[0] == '/' || addr[0] == '@' || addr.find(':') == std::string::npos)) {
    fields["SOCKET"] = addr;
  } else {
    size_t colon = addr.rfind(':');
    if (colon != std::string::npos) {
      std::string host = addr.substr(0, colon);
      if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
      fields["HOST"] = host;
      fields["PORT"] = addr.substr(colon + 1);
    }
  }
  std::map<std::string, std::string> env;
  for (const auto& [field, value] : fields) {
    if (index == 0) env[absl::StrCat(name, "_", field)] = value;
    env[absl::StrCat(name, "_", field, "_", index)] = value;
  }
  return env;
}

}  // namespace ipckit::with_server
