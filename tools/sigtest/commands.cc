#include "tools/sigtest/commands.h"

#include <limits.h>
#include <signal.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/signal/names.h"
#include "tools/sigtest/demos.h"

namespace ipckit::sigtest {
namespace {

absl::Status NoArguments(const std::vector<std::string>& args) {
  if (args.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError("unexpected argument '" + args[0] + "'");
}

}  // namespace

void DeclareList(cli::Parser& p, ListFlags* f) { p.Flag(0, "json", "machine-readable output", &f->json); }

absl::StatusOr<ListPlan> ValidateList(const ListFlags& f) {
  ListPlan plan;
  plan.json = f.json;
  for (const std::string& a : f.args) {
    absl::StatusOr<int> sig = signal::ParseSignal(a);
    if (!sig.ok()) return sig.status();
    plan.queries.push_back({*sig, !a.empty() && a[0] >= '0' && a[0] <= '9'});
  }
  return plan;
}

absl::Status RunList(const ListPlan& p, cli::Streams s) { return List(p.queries, p.json, s.out); }

void DeclareSend(cli::Parser& p, SendFlags* f) {
  p.String('s', "signal", "SIG", "signal name or number, 0 to check only (default TERM)", &f->signal)
      .Int(0, "value", "N", "send with sigqueue(3) and this int payload", &f->value, INT32_MIN, INT32_MAX);
}

absl::StatusOr<SendPlan> ValidateSend(const SendFlags& f) {
  SendPlan plan;
  plan.signal = 0;
  if (f.signal != "0") {
    absl::StatusOr<int> parsed = signal::ParseSignal(f.signal);
    if (!parsed.ok()) return parsed.status();
    plan.signal = *parsed;
  }
  if (f.args.empty()) return absl::InvalidArgumentError("expected PID or -PGID");
  plan.value = f.value;
  for (const std::string& t : f.args) {
    int target = 0;
    if (!absl::SimpleAtoi(t, &target) || target == 0 || target == -1) {
      return absl::InvalidArgumentError(absl::StrCat("invalid target '", t, "' (PID or -PGID)"));
    }
    if (f.value.has_value() && target < 0) return absl::InvalidArgumentError("--value needs a PID, not a process group");
    plan.targets.push_back(target);
  }
  return plan;
}

absl::Status RunSend(const SendPlan& p, cli::Streams s) { return Send(p, s.err); }

void DeclareMask(cli::Parser& p, MaskFlags* f) { p.Flag(0, "json", "machine-readable output", &f->json); }

absl::StatusOr<MaskPlan> ValidateMask(const MaskFlags& f) {
  MaskPlan plan;
  plan.json = f.json;
  int pid = 0;
  if (f.args.size() != 1 || !absl::SimpleAtoi(f.args[0], &pid) || pid <= 0) {
    return absl::InvalidArgumentError("expected one PID");
  }
  plan.pid = pid;
  return plan;
}

absl::Status RunMask(const MaskPlan& p, cli::Streams s) { return Mask(p.pid, p.json, s.out); }

void DeclareLog(cli::Parser& p, LogFlags* f) {
  LogPlan& o = f->plan;
  p.String('c', "catch", "SIGS", "comma-separated signals to catch", &f->catch_list)
      .Flag('a', "all", "catch every signal that can be caught", &f->all)
      .Int('n', "count", "N", "exit after N signals", &o.count, 0, 1 << 30)
      .String(0, "ready-file", "FILE", "write our PID to FILE once the signals are blocked", &o.ready_file)
      .Int(0, "ready-fd", "N", "write a byte to fd N once the signals are blocked", &o.ready_fd, 3, 1 << 20)
      .Flag(0, "json", "one JSON object per line", &o.json);
}

absl::StatusOr<LogPlan> ValidateLog(const LogFlags& f) {
  if (absl::Status s = NoArguments(f.args); !s.ok()) return s;
  if (f.all == !f.catch_list.empty()) return absl::InvalidArgumentError("give exactly one of --catch SIGS and --all");
  LogPlan plan = f.plan;
  if (f.all) {
    plan.signals = signal::CatchableSignals();
    return plan;
  }
  absl::StatusOr<std::vector<int>> list = signal::ParseSignalList(f.catch_list);
  if (!list.ok()) return list.status();
  for (int s : *list) {
    if (s == SIGKILL || s == SIGSTOP) {
      return absl::InvalidArgumentError(absl::StrCat(signal::SignalName(s), " cannot be caught"));
    }
  }
  plan.signals = *list;
  return plan;
}

absl::Status RunLog(const LogPlan& p, cli::Streams s) { return Log(p, s.out); }

void DeclareDemo(cli::Parser& p, DemoFlags* f) {
  DemoPlan& o = f->plan;
  o.demo = p.info().name.substr(p.info().name.rfind(' ') + 1);
  p.Flag(0, "json", "machine-readable output", &o.json);
  if (o.demo == "coalesce") p.Int('n', "count", "N", "signals of each kind to send (default 5)", &o.count, 1, 1000);
  if (o.demo == "alarm") {
    p.Duration('i', "interval", "DURATION", "timer interval (default 100ms)", &o.interval)
        .Int('n', "count", "N", "ticks (default 5)", &o.count, 1, 1 << 30);
  }
  if (o.demo == "latency") p.Int('n', "iterations", "N", "round trips (default 10000)", &o.iterations, 1, 1 << 30);
}

absl::StatusOr<DemoPlan> ValidateDemo(const DemoFlags& f) {
  if (absl::Status s = NoArguments(f.args); !s.ok()) return s;
  return f.plan;
}

absl::Status RunDemo(const DemoPlan& p, cli::Streams s) {
  if (p.demo == "coalesce") return Coalesce(p.count, p.json, s.out);
  if (p.demo == "alarm") return Alarm(p.interval, p.count, p.json, s.out);
  return Latency(p.iterations, p.json, s.out);
}

}  // namespace ipckit::sigtest
