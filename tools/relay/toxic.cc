#include "tools/relay/toxic.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace ipckit::relay_tool {
namespace {

struct Type {
  const char* name;
  std::vector<const char*> attributes;
};

const std::vector<Type>& Types() {
  static const std::vector<Type>* types = new std::vector<Type>{
      {"latency", {"latency", "jitter"}},
      {"bandwidth", {"rate"}},
      {"slicer", {"average_size", "size_variation", "delay"}},
      {"limit_data", {"bytes"}},
      {"timeout", {"timeout"}},
      {"reset_peer", {"timeout"}},
      {"slow_close", {"delay"}},
  };
  return *types;
}

absl::Status BadBody(absl::string_view why) { return absl::InvalidArgumentError(absl::StrCat("bad request body: ", why)); }

// Apply reads the members toxiproxy lets a body change (attributes,
// toxicity) into `t`.
absl::Status Apply(const json::Value& body, Toxic& t) {
  if (const json::Value* v = body.Find("toxicity"); v != nullptr && !v->is_null()) {
    if (!v->is_number() || !(v->number() >= 0 && v->number() <= 1)) return BadBody("toxicity must be a number from 0 to 1");
    t.toxicity = v->number();
  }
  const json::Value* attrs = body.Find("attributes");
  if (attrs == nullptr || attrs->is_null()) return absl::OkStatus();
  if (!attrs->is_object()) return BadBody("attributes must be an object");
  for (auto& [name, value] : t.attributes) {
    const json::Value* v = attrs->Find(name);
    if (v == nullptr || v->is_null()) continue;
    double n = v->is_number() ? v->number() : -1;
    if (!(n >= 0 && n <= 1e15) || std::floor(n) != n) {
      return BadBody(absl::StrCat("attribute '", name, "' must be a whole number from 0"));
    }
    value = static_cast<int64_t>(n);
  }
  return absl::OkStatus();
}

int64_t Attribute(const Toxic& t, absl::string_view name) {
  for (const auto& [n, v] : t.attributes) {
    if (n == name) return v;
  }
  return 0;
}

}  // namespace

absl::StatusOr<Toxic> ParseToxic(const json::Value& body) {
  if (!body.is_object()) return BadBody("want a JSON object");
  Toxic t;
  for (const char* key : {"name", "type", "stream"}) {
    const json::Value* v = body.Find(key);
    if (v == nullptr || v->is_null()) continue;
    if (!v->is_string()) return BadBody(absl::StrCat("'", key, "' must be a string"));
    (key[0] == 'n' ? t.name : key[0] == 't' ? t.type : t.stream) = v->string();
  }
  if (t.stream.empty()) t.stream = "downstream";
  if (t.stream != "upstream" && t.stream != "downstream") {
    return absl::InvalidArgumentError("stream was invalid, can be either upstream or downstream");
  }
  const Type* type = nullptr;
  for (const Type& k : Types()) {
    if (t.type == k.name) type = &k;
  }
  if (type == nullptr) return absl::InvalidArgumentError("invalid toxic type");
  for (const char* a : type->attributes) t.attributes.emplace_back(a, 0);
  if (t.name.empty()) t.name = absl::StrCat(t.type, "_", t.stream);
  if (absl::Status s = Apply(body, t); !s.ok()) return s;
  return t;
}

absl::Status UpdateToxic(const json::Value& body, Toxic& t) {
  if (!body.is_object()) return BadBody("want a JSON object");
  Toxic updated = t;
  if (absl::Status s = Apply(body, updated); !s.ok()) return s;
  t = std::move(updated);
  return absl::OkStatus();
}

void WriteToxicJson(json::JsonWriter& j, const Toxic& t) {
  j.BeginObject().Key("attributes").BeginObject();
  for (const auto& [name, value] : t.attributes) j.Key(name).Int(value);
  j.EndObject();
  j.Key("name").String(t.name).Key("type").String(t.type).Key("stream").String(t.stream);
  j.Key("toxicity").Double(t.toxicity, 6).EndObject();
}

std::optional<Fault> FaultFor(const Toxic& t) {
  Fault f;
  f.name = t.name;
  f.dirs = t.stream == "upstream" ? kUp : kDown;
  f.probability = t.toxicity;
  auto ms = [&](absl::string_view a) { return absl::Milliseconds(Attribute(t, a)); };
  if (t.type == "latency") {
    f.kind = FaultKind::kLatency;
    f.duration = ms("latency");
    f.jitter = ms("jitter");
  } else if (t.type == "bandwidth") {
    if (Attribute(t, "rate") == 0) return std::nullopt;
    f.kind = FaultKind::kBandwidth;
    f.amount = static_cast<uint64_t>(Attribute(t, "rate")) * 1000;
  } else if (t.type == "slicer") {
    if (Attribute(t, "average_size") == 0) return std::nullopt;
    f.kind = FaultKind::kSlicer;
    f.amount = static_cast<uint64_t>(Attribute(t, "average_size"));
    f.delay = absl::Microseconds(Attribute(t, "delay"));
  } else if (t.type == "limit_data") {
    f.kind = FaultKind::kLimitData;
    f.amount = static_cast<uint64_t>(Attribute(t, "bytes"));
  } else if (t.type == "timeout") {
    f.kind = FaultKind::kTimeout;
    f.duration = ms("timeout");
  } else if (t.type == "reset_peer") {
    f.kind = FaultKind::kResetPeer;
    f.duration = ms("timeout");
  } else {
    f.kind = FaultKind::kSlowClose;
    f.duration = ms("delay");
  }
  return f;
}

}  // namespace ipckit::relay_tool
