#include "tools/relay/control.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "lib/json/json_writer.h"

namespace ipckit::relay_tool {
namespace {

constexpr char kHelp[] =
    "ok commands: fault add KIND [VALUE] [dir=up|down|both] [p=P] [name=N]; fault rm NAME; fault list; "
    "fault clear; down [close]; stall; up; stats; help";

std::string Error(absl::string_view m) { return absl::StrCat("error: ", m); }

std::string FaultCommand(absl::string_view rest, FaultTable& table) {
  if (absl::ConsumePrefix(&rest, "add ")) {
    absl::StatusOr<Fault> f = ParseFault(rest);
    if (!f.ok()) return Error(f.status().message());
    absl::Status s = table.Add(*f);
    return s.ok() ? absl::StrCat("ok ", f->name) : Error(s.message());
  }
  if (absl::ConsumePrefix(&rest, "rm ")) {
    absl::Status s = table.Remove(std::string(absl::StripAsciiWhitespace(rest)));
    return s.ok() ? "ok" : Error(s.message());
  }
  if (rest == "list") {
    json::JsonWriter j;
    j.BeginArray();
    for (const Fault& f : *table.Snapshot()) WriteFaultJson(j, f);
    j.EndArray();
    return j.str();
  }
  if (rest == "clear") {
    table.Clear();
    return "ok";
  }
  return Error(absl::StrCat("unknown command 'fault ", rest, "' (fault add, rm, list, clear)"));
}

}  // namespace

std::string ExecuteControl(absl::string_view line, FaultTable& table, const std::function<std::string()>& stats) {
  line = absl::StripAsciiWhitespace(line);
  if (absl::ConsumePrefix(&line, "fault ")) return FaultCommand(absl::StripAsciiWhitespace(line), table);
  if (line == "down" || line == "down reset") {
    table.set_admission(Admission::kReset);
    return "ok";
  }
  if (line == "down close") {
    table.set_admission(Admission::kClose);
    return "ok";
  }
  if (line == "stall") {
    table.set_admission(Admission::kStall);
    return "ok";
  }
  if (line == "up") {
    table.set_admission(Admission::kServe);
    return "ok";
  }
  if (line == "stats") return stats();
  if (line == "help") return kHelp;
  return Error(absl::StrCat("unknown command '", line, "' (try help)"));
}

}  // namespace ipckit::relay_tool
