#include "tools/relay/fault.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_split.h"
#include "lib/cli/values.h"

namespace ipckit::relay_tool {
namespace {

constexpr FaultKind kKinds[] = {FaultKind::kLatency,   FaultKind::kBandwidth, FaultKind::kSlicer,
                                FaultKind::kLimitData, FaultKind::kTimeout,   FaultKind::kResetPeer,
                                FaultKind::kSlowClose, FaultKind::kLoss,      FaultKind::kDuplicate,
                                FaultKind::kReorder};

absl::Status Bad(absl::string_view m) { return absl::InvalidArgumentError(m); }

bool IsChance(FaultKind k) { return k == FaultKind::kLoss || k == FaultKind::kDuplicate || k == FaultKind::kReorder; }

// ParseChance reads "0.1" or "10%" as a chance from 0 to 1.
absl::StatusOr<double> ParseChance(absl::string_view text) {
  bool percent = absl::ConsumeSuffix(&text, "%");
  double v = 0;
  if (!absl::SimpleAtod(text, &v) || !(v >= 0 && v <= (percent ? 100 : 1))) {
    return Bad(absl::StrCat("'", text, percent ? "%" : "", "' is not a chance from 0 to 1 (or 0% to 100%)"));
  }
  return percent ? v / 100 : v;
}

// ParseValue reads the kind's main value (`text`, maybe empty) into `f`.
absl::Status ParseValue(Fault& f, absl::string_view text) {
  const char* kind = FaultKindName(f.kind);
  bool optional = f.kind == FaultKind::kResetPeer;
  if (text.empty() && !optional) {
    bool is_size = f.kind == FaultKind::kBandwidth || f.kind == FaultKind::kSlicer || f.kind == FaultKind::kLimitData;
    return Bad(absl::StrCat(kind, ": missing ", is_size ? "SIZE" : IsChance(f.kind) ? "CHANCE" : "DURATION"));
  }
  if (text.empty()) return absl::OkStatus();
  if (IsChance(f.kind)) {
    absl::StatusOr<double> c = ParseChance(text);
    if (!c.ok()) return Bad(absl::StrCat(kind, ": ", c.status().message()));
    f.chance = *c;
    return absl::OkStatus();
  }
  switch (f.kind) {
    case FaultKind::kBandwidth:
    case FaultKind::kSlicer:
    case FaultKind::kLimitData: {
      absl::ConsumeSuffix(&text, "/s");
      absl::StatusOr<uint64_t> n = cli::ParseSize(text);
      if (!n.ok()) return Bad(absl::StrCat(kind, ": ", n.status().message()));
      if (*n == 0 && f.kind != FaultKind::kLimitData) return Bad(absl::StrCat(kind, ": must be more than 0"));
      f.amount = *n;
      return absl::OkStatus();
    }
    default: {
      absl::StatusOr<absl::Duration> d = cli::ParseDuration(text);
      if (!d.ok()) return Bad(absl::StrCat(kind, ": ", d.status().message()));
      f.duration = *d;
      return absl::OkStatus();
    }
  }
}

// ParseSetting reads one key=value setting into `f`.
absl::Status ParseSetting(Fault& f, absl::string_view key, absl::string_view value) {
  if (key == "dir") {
    if (value == "up") f.dirs = kUp;
    else if (value == "down") f.dirs = kDown;
    else if (value == "both") f.dirs = kUp | kDown;
    else return Bad(absl::StrCat("dir=", value, ": want up, down or both"));
  } else if (key == "p") {
    double p = 0;
    if (!absl::SimpleAtod(value, &p) || !(p >= 0 && p <= 1)) {
      return Bad(absl::StrCat("p=", value, ": not a probability from 0 to 1"));
    }
    f.probability = p;
  } else if (key == "name") {
    if (value.empty() || value.find_first_of(" \t\n") != absl::string_view::npos) {
      return Bad(absl::StrCat("name=", value, ": want a word"));
    }
    f.name = std::string(value);
  } else if (key == "close" && f.kind == FaultKind::kLimitData) {
    if (value != "reset" && value != "fin") return Bad(absl::StrCat("close=", value, ": want fin or reset"));
    f.reset = value == "reset";
  } else if ((key == "jitter" && f.kind == FaultKind::kLatency) || (key == "delay" && f.kind == FaultKind::kSlicer)) {
    absl::StatusOr<absl::Duration> d = cli::ParseDuration(value);
    if (!d.ok()) return Bad(absl::StrCat(key, "=", value, ": ", d.status().message()));
    (key == "jitter" ? f.jitter : f.delay) = *d;
  } else {
    return Bad(absl::StrCat("unknown setting '", key, "' for ", FaultKindName(f.kind),
                            f.kind == FaultKind::kLatency     ? " (dir=, p=, name=, jitter=)"
                            : f.kind == FaultKind::kSlicer    ? " (dir=, p=, name=, delay=)"
                            : f.kind == FaultKind::kLimitData ? " (dir=, p=, name=, close=)"
                                                               : " (dir=, p=, name=)"));
  }
  return absl::OkStatus();
}

// DurationText writes `d` as ParseDuration reads it back: "0s", "1500ms",
// "250us", "inf" (absl::FormatDuration writes "1h2m", which it does not).
std::string DurationText(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return "inf";
  if (d % absl::Seconds(1) == absl::ZeroDuration()) return absl::StrCat(absl::ToInt64Seconds(d), "s");
  if (d % absl::Milliseconds(1) == absl::ZeroDuration()) return absl::StrCat(absl::ToInt64Milliseconds(d), "ms");
  if (d % absl::Microseconds(1) == absl::ZeroDuration()) return absl::StrCat(absl::ToInt64Microseconds(d), "us");
  return absl::StrCat(absl::ToInt64Nanoseconds(d), "ns");
}

}  // namespace

const char* FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kLatency: return "latency";
    case FaultKind::kBandwidth: return "bandwidth";
    case FaultKind::kSlicer: return "slicer";
    case FaultKind::kLimitData: return "limit-data";
    case FaultKind::kTimeout: return "timeout";
    case FaultKind::kResetPeer: return "reset-peer";
    case FaultKind::kSlowClose: return "slow-close";
    case FaultKind::kLoss: return "loss";
    case FaultKind::kDuplicate: return "duplicate";
    case FaultKind::kReorder: return "reorder";
  }
  return "?";
}

absl::StatusOr<Fault> ParseFault(absl::string_view text) {
  std::vector<absl::string_view> words = absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (words.empty()) return Bad("empty fault (want e.g. 'latency 100ms')");
  Fault f;
  bool known = false;
  for (FaultKind k : kKinds) {
    if (words[0] == FaultKindName(k)) {
      f.kind = k;
      known = true;
    }
  }
  if (!known) {
    return Bad(absl::StrCat("unknown fault '", words[0],
                            "' (latency, bandwidth, slicer, limit-data, timeout, reset-peer, slow-close, loss, duplicate, "
                            "reorder)"));
  }
  f.name = FaultKindName(f.kind);
  size_t i = 1;
  absl::string_view value;
  if (i < words.size() && words[i].find('=') == absl::string_view::npos) value = words[i++];
  absl::Status s = ParseValue(f, value);
  if (!s.ok()) return s;
  for (; i < words.size(); ++i) {
    size_t eq = words[i].find('=');
    if (eq == absl::string_view::npos) return Bad(absl::StrCat("unexpected '", words[i], "' (settings are KEY=VALUE)"));
    s = ParseSetting(f, words[i].substr(0, eq), words[i].substr(eq + 1));
    if (!s.ok()) return s;
  }
  return f;
}

std::string FormatFault(const Fault& f) {
  std::string out = FaultKindName(f.kind);
  switch (f.kind) {
    case FaultKind::kBandwidth:
    case FaultKind::kSlicer:
    case FaultKind::kLimitData: absl::StrAppend(&out, " ", f.amount); break;
    case FaultKind::kLoss:
    case FaultKind::kDuplicate:
    case FaultKind::kReorder: absl::StrAppend(&out, " ", f.chance); break;
    default: absl::StrAppend(&out, " ", DurationText(f.duration)); break;
  }
  if (f.kind == FaultKind::kLatency) absl::StrAppend(&out, " jitter=", DurationText(f.jitter));
  if (f.kind == FaultKind::kSlicer) absl::StrAppend(&out, " delay=", DurationText(f.delay));
  if (f.reset) absl::StrAppend(&out, " close=reset");
  const char* dir = f.dirs == kUp ? "up" : f.dirs == kDown ? "down" : "both";
  absl::StrAppend(&out, " dir=", dir, " p=", f.probability, " name=", f.name);
  return out;
}

void WriteFaultJson(json::JsonWriter& j, const Fault& f) {
  j.BeginObject().Key("name").String(f.name).Key("kind").String(FaultKindName(f.kind));
  j.Key("dir").String(f.dirs == kUp ? "up" : f.dirs == kDown ? "down" : "both");
  j.Key("p").Double(f.probability);
  switch (f.kind) {
    case FaultKind::kBandwidth: j.Key("bytes_per_second").Uint(f.amount); break;
    case FaultKind::kSlicer: j.Key("bytes").Uint(f.amount).Key("delay_ms").Double(absl::ToDoubleMilliseconds(f.delay)); break;
    case FaultKind::kLimitData: j.Key("bytes").Uint(f.amount).Key("close").String(f.reset ? "reset" : "fin"); break;
    case FaultKind::kLoss:
    case FaultKind::kDuplicate:
    case FaultKind::kReorder: j.Key("chance").Double(f.chance, 6); break;
    default: j.Key("ms").Double(absl::ToDoubleMilliseconds(f.duration)); break;
  }
  if (f.kind == FaultKind::kLatency) j.Key("jitter_ms").Double(absl::ToDoubleMilliseconds(f.jitter));
  j.EndObject();
}

relay::Shaping ShapingFor(const std::vector<const Fault*>& faults, int dir) {
  relay::Shaping s;
  for (const Fault* f : faults) {
    if ((f->dirs & dir) == 0) continue;
    switch (f->kind) {
      case FaultKind::kLatency:
        s.latency += f->duration;
        s.jitter += f->jitter;
        break;
      case FaultKind::kBandwidth: s.rate = s.rate == 0 ? f->amount : std::min(s.rate, f->amount); break;
      case FaultKind::kSlicer:
        s.slice = s.slice == 0 ? f->amount : std::min<size_t>(s.slice, f->amount);
        s.slice_delay = std::max(s.slice_delay, f->delay);
        break;
      case FaultKind::kLimitData: s.limit = s.limit.has_value() ? std::min(*s.limit, f->amount) : f->amount; break;
      case FaultKind::kTimeout: s.hold = true; break;
      case FaultKind::kSlowClose: s.eof_delay = std::max(s.eof_delay, f->duration); break;
      case FaultKind::kResetPeer: break;  // The connection's own timer, not shaping.
      case FaultKind::kLoss:
      case FaultKind::kDuplicate:
      case FaultKind::kReorder: break;  // Datagram sessions only.
    }
  }
  return s;
}

absl::Status FitsSessions(const Fault& f, bool datagram) {
  bool both = f.kind == FaultKind::kLatency || f.kind == FaultKind::kBandwidth;
  if (both || IsChance(f.kind) == datagram) return absl::OkStatus();
  if (datagram) {
    return Bad(absl::StrCat(FaultKindName(f.kind),
                            " acts on stream sessions (a datagram FROM takes latency, bandwidth, loss, duplicate, "
                            "reorder)"));
  }
  return Bad(absl::StrCat(FaultKindName(f.kind), " acts on datagram sessions (a udp: or unix-dgram: FROM)"));
}

relay::DatagramShaping DatagramShapingFor(const std::vector<const Fault*>& faults, int dir) {
  relay::Shaping stream = ShapingFor(faults, dir);  // Latency, jitter and rate are the same sums.
  relay::DatagramShaping s;
  s.latency = stream.latency;
  s.jitter = stream.jitter;
  s.rate = stream.rate;
  auto combine = [](double& into, double p) { into = 1 - (1 - into) * (1 - p); };
  for (const Fault* f : faults) {
    if ((f->dirs & dir) == 0) continue;
    switch (f->kind) {
      case FaultKind::kLoss: combine(s.loss, f->chance); break;
      case FaultKind::kDuplicate: combine(s.duplicate, f->chance); break;
      case FaultKind::kReorder: combine(s.reorder, f->chance); break;
      default: break;  // Stream sessions only (FitsSessions keeps them out).
    }
  }
  return s;
}

}  // namespace ipckit::relay_tool
