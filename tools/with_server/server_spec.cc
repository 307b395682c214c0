#include "tools/with_server/server_spec.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
  for (const std::string& a : s.command) {
    s.uses_port_file = s.uses_port_file || absl::StrContains(a, "{port_file}");
    s.uses_port = s.uses_port || absl::StrContains(a, "{port}");
  }
  s.ready = s.uses_port_file ? Ready::kPortFile : s.uses_port ? Ready::kPort : Ready::kLines;
  if (s.uses_port && !s.uses_port_file && s.listeners != 1) {
    return absl::InvalidArgumentError(absl::StrCat("--server '", text, "': {port} is one listener (no :N)"));
  }
  return s;
}

namespace {

// Find returns the server named `name`, or nullptr.
ServerSpec* Find(std::vector<ServerSpec>& servers, absl::string_view name) {
  for (ServerSpec& s : servers) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// Split splits "NAME=VALUE" (or "NAME" when `with_value` is false) for
// option `flag` and finds the server.
absl::StatusOr<std::pair<ServerSpec*, std::string>> Split(absl::string_view flag, const std::string& arg,
                                                          bool with_value, std::vector<ServerSpec>& servers) {
  size_t eq = arg.find('=');
  if (with_value && (eq == std::string::npos || eq == 0)) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " '", arg, "': expected NAME=",
                                                   flag == "--ready-log" ? "PATTERN" : "PATH"));
  }
  std::string name = with_value ? arg.substr(0, eq) : arg;
  ServerSpec* s = Find(servers, name);
  if (s == nullptr) return absl::InvalidArgumentError(absl::StrCat(flag, " '", arg, "': no --server ", name));
  return std::make_pair(s, with_value ? arg.substr(eq + 1) : std::string());
}

}  // namespace

namespace {

// Reference is a {NAME_FIELD[_N]} found in a command.
struct Reference {
  std::string text, name;
  int listener = 0;
};

// References returns the {NAME_ADDR}-style references in `arg`.
std::vector<Reference> References(absl::string_view arg) {
  std::vector<Reference> out;
  for (size_t open = arg.find('{'); open != absl::string_view::npos; open = arg.find('{', open + 1)) {
    size_t close = arg.find('}', open);
    if (close == absl::string_view::npos) break;
    if (open > 0 && arg[open - 1] == '$') continue;  // The shell's ${...}.
    absl::string_view inner = arg.substr(open + 1, close - open - 1);
    std::vector<absl::string_view> parts = absl::StrSplit(inner, '_');
    Reference r;
    r.text = std::string(arg.substr(open, close - open + 1));
    if (!parts.empty() && absl::SimpleAtoi(parts.back(), &r.listener) && parts.size() > 1) parts.pop_back();
    if (parts.size() < 2) continue;
    absl::string_view field = parts.back();
    if (field != "ADDR" && field != "HOST" && field != "PORT" && field != "SOCKET") continue;
    parts.pop_back();
    r.name = absl::StrJoin(parts, "_");
    if (r.name.empty() || !absl::ascii_isupper(r.name[0])) continue;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

absl::Status CheckReferences(const std::vector<ServerSpec>& servers) {
  for (size_t i = 0; i < servers.size(); ++i) {
    for (const std::string& arg : servers[i].command) {
      for (const Reference& r : References(arg)) {
        auto it = std::find_if(servers.begin(), servers.end(), [&](const ServerSpec& s) { return s.name == r.name; });
        std::string where = absl::StrCat("--server ", servers[i].name, ": ", r.text);
        if (it == servers.end()) return absl::InvalidArgumentError(absl::StrCat(where, " names no server"));
        if (static_cast<size_t>(it - servers.begin()) >= i) {
          return absl::InvalidArgumentError(absl::StrCat(where, " names ", r.name, ", which starts ",
                                                         it - servers.begin() == static_cast<std::ptrdiff_t>(i)
                                                             ? "with it (its own address is {port} or {port_file})"
                                                             : absl::StrCat("after ", servers[i].name),
                                                         " (servers start in the order given)"));
        }
        if (r.listener >= it->listeners) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": ", r.name, " has ", it->listeners,
                                                         it->listeners == 1 ? " listener" : " listeners"));
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyPerServer(const PerServer& o, std::vector<ServerSpec>& servers) {
  for (const std::string& a : o.ready_log) {
    absl::StatusOr<std::pair<ServerSpec*, std::string>> v = Split("--ready-log", a, true, servers);
    if (!v.ok()) return v.status();
    absl::StatusOr<LogPattern> p = LogPattern::Compile(v->second);
    if (!p.ok()) return absl::InvalidArgumentError(absl::StrCat("--ready-log '", a, "': ", p.status().message()));
    v->first->log_pattern = *p;
    v->first->log_pattern_text = v->second;
    v->first->ready = Ready::kLog;
  }
  for (const std::string& a : o.ready_http) {
    absl::StatusOr<std::pair<ServerSpec*, std::string>> v = Split("--ready-http", a, true, servers);
    if (!v.ok()) return v.status();
    if (!absl::StartsWith(v->second, "/")) {
      return absl::InvalidArgumentError(absl::StrCat("--ready-http '", a, "': PATH must start with /"));
    }
    v->first->http_path = v->second;
  }
  for (const std::string& a : o.socket_activation) {
    absl::StatusOr<std::pair<ServerSpec*, std::string>> v = Split("--socket-activation", a, false, servers);
    if (!v.ok()) return v.status();
    if (v->first->uses_port || v->first->uses_port_file || v->first->listeners != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--socket-activation ", a, ": with_server listens for it (one socket), so it takes no {port}, {port_file} or :N"));
    }
    v->first->ready = Ready::kActivation;
  }
  for (const std::string& a : o.may_exit) {
    absl::StatusOr<std::pair<ServerSpec*, std::string>> v = Split("--may-exit", a, false, servers);
    if (!v.ok()) return v.status();
    v->first->may_exit = true;
  }
  for (const std::string& a : o.allow_unclean_stop) {
    absl::StatusOr<std::pair<ServerSpec*, std::string>> v = Split("--allow-unclean-stop", a, false, servers);
    if (!v.ok()) return v.status();
    v->first->allow_unclean_stop = true;
  }
  return absl::OkStatus();
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
