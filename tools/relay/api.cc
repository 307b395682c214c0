#include "tools/relay/api.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/json/json_writer.h"

namespace ipckit::relay_tool {
namespace {

constexpr char kJson[] = "application/json";
constexpr char kText[] = "text/plain; charset=utf-8";

// Error is toxiproxy's error answer: {"error":"proxy not found","status":404}.
Response Error(int status, absl::string_view message) {
  json::JsonWriter j;
  j.BeginObject().Key("error").String(message).Key("status").Int(status).EndObject();
  return {status, kJson, j.str() + "\n"};
}

// ErrorFor maps a failure to its answer: kInvalidArgument is the client's
// (400), anything else relay's (500), as toxiproxy answers a listen error.
Response ErrorFor(const absl::Status& s) {
  return Error(absl::IsInvalidArgument(s) ? 400 : absl::IsAlreadyExists(s) ? 409 : 500, s.message());
}

Response Json(int status, const json::JsonWriter& j) { return {status, kJson, j.str()}; }
Response NoContent() { return {204, "", ""}; }

// Segments splits a path into its %-decoded segments: "/proxies/a%20b" -> {"proxies", "a b"}.
std::vector<std::string> Segments(absl::string_view path) {
  std::vector<std::string> out;
  for (absl::string_view seg : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    std::string s;
    for (size_t i = 0; i < seg.size(); ++i) {
      int hi = 0, lo = 0;
      if (seg[i] == '%' && i + 2 < seg.size() && absl::ascii_isxdigit(seg[i + 1]) &&
          absl::ascii_isxdigit(seg[i + 2])) {
        hi = absl::ascii_isdigit(seg[i + 1]) ? seg[i + 1] - '0' : absl::ascii_tolower(seg[i + 1]) - 'a' + 10;
        lo = absl::ascii_isdigit(seg[i + 2]) ? seg[i + 2] - '0' : absl::ascii_tolower(seg[i + 2]) - 'a' + 10;
        s += static_cast<char>(hi * 16 + lo);
        i += 2;
      } else {
        s += seg[i];
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

// ParseBody reads a request body as JSON, or returns toxiproxy's 400 message.
absl::StatusOr<json::Value> ParseBody(absl::string_view body) {
  if (absl::StripAsciiWhitespace(body).empty()) return absl::InvalidArgumentError("bad request body: EOF");
  absl::StatusOr<json::Value> v = json::ParseJson(body);
  if (!v.ok()) return absl::InvalidArgumentError(absl::StrCat("bad request body: ", v.status().message()));
  return v;
}

// ProxyFields reads name, listen, upstream (strings) and enabled (a bool)
// from a proxy object into the given fields, each left as it is when absent.
absl::Status ProxyFields(const json::Value& v, std::string* name, std::string* listen, std::string* upstream,
                         bool* enabled) {
  if (!v.is_object()) return absl::InvalidArgumentError("bad request body: want a JSON object");
  struct {
    const char* key;
    std::string* to;
  } strings[] = {{"name", name}, {"listen", listen}, {"upstream", upstream}};
  for (const auto& s : strings) {
    const json::Value* f = v.Find(s.key);
    if (f == nullptr || f->is_null()) continue;
    if (!f->is_string()) return absl::InvalidArgumentError(absl::StrCat("bad request body: '", s.key, "' must be a string"));
    *s.to = f->string();
  }
  if (const json::Value* f = v.Find("enabled"); f != nullptr && !f->is_null()) {
    if (!f->is_bool()) return absl::InvalidArgumentError("bad request body: 'enabled' must be true or false");
    *enabled = f->boolean();
  }
  return absl::OkStatus();
}

bool IsUpdate(const std::string& method) { return method == "POST" || method == "PATCH"; }

}  // namespace

ToxiproxyApi::~ToxiproxyApi() {
  for (auto& [name, p] : proxies_) Stop(p);
}

absl::Status ToxiproxyApi::Start(ProxyState& p) {
  if (!p.enabled || p.running) return absl::OkStatus();
  std::vector<Fault> faults;
  for (const Toxic& t : p.toxics) {
    if (std::optional<Fault> f = FaultFor(t)) faults.push_back(*f);
  }
  absl::StatusOr<std::string> at = host_->Start(p.name, p.listen, p.upstream, faults);
  if (!at.ok()) {
    p.enabled = false;
    return at.status();
  }
  p.listen = *at;
  p.running = true;
  return absl::OkStatus();
}

void ToxiproxyApi::Stop(ProxyState& p) {
  if (p.running) host_->Stop(p.name);
  p.running = false;
}

void ToxiproxyApi::PushFaults(const ProxyState& p) {
  if (!p.running) return;
  std::vector<Fault> faults;
  for (const Toxic& t : p.toxics) {
    if (std::optional<Fault> f = FaultFor(t)) faults.push_back(*f);
  }
  host_->SetFaults(p.name, faults);
}

void ToxiproxyApi::WriteProxy(json::JsonWriter& j, const ProxyState& p) {
  j.BeginObject().Key("name").String(p.name).Key("listen").String(p.listen).Key("upstream").String(p.upstream);
  j.Key("enabled").Bool(p.enabled).Key("toxics").BeginArray();
  for (const Toxic& t : p.toxics) WriteToxicJson(j, t);
  j.EndArray().EndObject();
}

Response ToxiproxyApi::Handle(const http::Request& r) {
  if (const std::string* ua = r.Header("user-agent"); ua != nullptr && absl::StartsWith(*ua, "Mozilla/")) {
    return {403, kText, "User agent not allowed\n"};
  }
  std::vector<std::string> s = Segments(r.path);
  Response not_allowed{405, "", ""};
  if (s.size() == 1 && s[0] == "version") {
    if (r.method != "GET") return not_allowed;
    return {200, "application/json;charset=utf-8", absl::StrCat("{\"version\": \"", kToxiproxyVersion, "+relay\"}\n")};
  }
  if (s.size() == 1 && s[0] == "reset") return r.method == "POST" ? Reset() : not_allowed;
  if (s.size() == 1 && s[0] == "populate") return r.method == "POST" ? PopulateRequest(r.body) : not_allowed;
  if (s.empty() || s[0] != "proxies" || s.size() > 4 || (s.size() >= 3 && s[2] != "toxics")) {
    return {404, kText, "404 page not found\n"};  // gorilla/mux's answer, as toxiproxy's.
  }
  if (s.size() == 1) return Proxies(r);
  if (s.size() == 2) return OneProxy(r, s[1]);
  auto it = proxies_.find(s[1]);
  if (it == proxies_.end()) return Error(404, "proxy not found");
  return s.size() == 3 ? Toxics(r, it->second) : OneToxic(r, it->second, s[3]);
}

Response ToxiproxyApi::Toxics(const http::Request& r, ProxyState& p) {
  json::JsonWriter j;
  if (r.method == "GET") {
    j.BeginArray();
    for (const Toxic& t : p.toxics) WriteToxicJson(j, t);
    j.EndArray();
    return Json(200, j);
  }
  if (r.method != "POST") return {405, "", ""};
  absl::StatusOr<json::Value> v = ParseBody(r.body);
  if (!v.ok()) return ErrorFor(v.status());
  absl::StatusOr<Toxic> t = ParseToxic(*v);
  if (!t.ok()) return ErrorFor(t.status());
  for (const Toxic& have : p.toxics) {
    if (have.name == t->name) return Error(409, "toxic already exists");
  }
  p.toxics.push_back(*t);
  PushFaults(p);
  WriteToxicJson(j, *t);
  return Json(200, j);
}

Response ToxiproxyApi::OneToxic(const http::Request& r, ProxyState& p, const std::string& toxic) {
  auto it = std::find_if(p.toxics.begin(), p.toxics.end(), [&](const Toxic& t) { return t.name == toxic; });
  if (it == p.toxics.end()) return Error(404, "toxic not found");
  json::JsonWriter j;
  if (r.method == "DELETE") {
    p.toxics.erase(it);
    PushFaults(p);
    return NoContent();
  }
  if (IsUpdate(r.method)) {
    absl::StatusOr<json::Value> v = ParseBody(r.body);
    if (!v.ok()) return ErrorFor(v.status());
    if (absl::Status s = UpdateToxic(*v, *it); !s.ok()) return ErrorFor(s);
    PushFaults(p);
  } else if (r.method != "GET") {
    return {405, "", ""};
  }
  WriteToxicJson(j, *it);
  return Json(200, j);
}

Response ToxiproxyApi::Proxies(const http::Request& r) {
  if (r.method == "POST") return Create(r.body);
  if (r.method != "GET") return {405, "", ""};
  json::JsonWriter j;
  j.BeginObject();
  for (const auto& [name, p] : proxies_) WriteProxy(j.Key(name), p);
  j.EndObject();
  return Json(200, j);
}

Response ToxiproxyApi::Create(absl::string_view body) {
  absl::StatusOr<json::Value> v = ParseBody(body);
  if (!v.ok()) return ErrorFor(v.status());
  ProxyState p;
  if (absl::Status s = ProxyFields(*v, &p.name, &p.listen, &p.upstream, &p.enabled); !s.ok()) return ErrorFor(s);
  if (p.name.empty()) return Error(400, "missing required field: name");
  if (p.upstream.empty()) return Error(400, "missing required field: upstream");
  if (proxies_.count(p.name) > 0) return Error(409, "proxy already exists");
  if (p.listen.empty()) p.listen = "127.0.0.1:0";
  if (absl::Status s = Start(p); !s.ok()) return ErrorFor(s);
  json::JsonWriter j;
  WriteProxy(j, proxies_[p.name] = std::move(p));
  return Json(201, j);
}

Response ToxiproxyApi::OneProxy(const http::Request& r, const std::string& name) {
  auto it = proxies_.find(name);
  if (it == proxies_.end()) return Error(404, "proxy not found");
  ProxyState& p = it->second;
  if (r.method == "DELETE") {
    Stop(p);
    proxies_.erase(it);
    return NoContent();
  }
  if (IsUpdate(r.method)) return Update(p, r.body);
  if (r.method != "GET") return {405, "", ""};
  json::JsonWriter j;
  WriteProxy(j, p);
  return Json(200, j);
}

Response ToxiproxyApi::Update(ProxyState& p, absl::string_view body) {
  absl::StatusOr<json::Value> v = ParseBody(body);
  if (!v.ok()) return ErrorFor(v.status());
  std::string name = p.name, listen = p.listen, upstream = p.upstream;
  bool enabled = p.enabled;
  if (absl::Status s = ProxyFields(*v, &name, &listen, &upstream, &enabled); !s.ok()) return ErrorFor(s);
  if (listen != p.listen || upstream != p.upstream || !enabled) Stop(p);
  p.listen = listen.empty() ? "127.0.0.1:0" : listen;
  p.upstream = upstream;
  p.enabled = enabled;
  if (absl::Status s = Start(p); !s.ok()) return ErrorFor(s);
  json::JsonWriter j;
  WriteProxy(j, p);
  return Json(200, j);
}

Response ToxiproxyApi::Reset() {
  for (auto& [name, p] : proxies_) {
    p.toxics.clear();
    PushFaults(p);
    p.enabled = true;
    if (absl::Status s = Start(p); !s.ok()) return ErrorFor(s);
  }
  return NoContent();
}

absl::StatusOr<std::vector<ToxiproxyApi::ProxyState>> ToxiproxyApi::ParseProxies(absl::string_view body) {
  absl::StatusOr<json::Value> v = ParseBody(body);
  if (v.ok() && !v->is_array()) v = absl::InvalidArgumentError("bad request body: want a JSON array of proxies");
  if (!v.ok()) return v.status();
  std::vector<ProxyState> wanted(v->array().size());
  for (size_t i = 0; i < wanted.size(); ++i) {
    ProxyState& p = wanted[i];
    absl::Status s = ProxyFields(v->array()[i], &p.name, &p.listen, &p.upstream, &p.enabled);
    if (!s.ok()) return s;
    if (p.name.empty()) return absl::InvalidArgumentError(absl::StrCat("missing required field: name at proxy ", i + 1));
    if (p.upstream.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("missing required field: upstream at proxy ", i + 1));
    }
    if (p.listen.empty()) p.listen = "127.0.0.1:0";
  }
  return wanted;
}

absl::Status ToxiproxyApi::MakeProxies(std::vector<ProxyState> wanted, std::vector<std::string>* made) {
  for (ProxyState& p : wanted) {
    auto it = proxies_.find(p.name);
    if (it != proxies_.end() && it->second.listen == p.listen && it->second.upstream == p.upstream) {
      made->push_back(p.name);  // The same proxy: kept as it is, toxics and all.
      continue;
    }
    if (it != proxies_.end()) {
      Stop(it->second);
      proxies_.erase(it);
    }
    if (absl::Status s = Start(p); !s.ok()) return s;
    made->push_back(p.name);
    proxies_[p.name] = std::move(p);
  }
  return absl::OkStatus();
}

absl::Status ToxiproxyApi::Populate(absl::string_view body) {
  absl::StatusOr<std::vector<ProxyState>> wanted = ParseProxies(body);
  if (!wanted.ok()) return wanted.status();
  std::vector<std::string> made;
  return MakeProxies(*std::move(wanted), &made);
}

Response ToxiproxyApi::PopulateRequest(absl::string_view body) {
  absl::StatusOr<std::vector<ProxyState>> wanted = ParseProxies(body);
  if (!wanted.ok()) return ErrorFor(wanted.status());
  std::vector<std::string> made;
  absl::Status failed = MakeProxies(*std::move(wanted), &made);
  json::JsonWriter j;
  j.BeginObject();
  int status = failed.ok() ? 201 : ErrorFor(failed).status;
  if (!failed.ok()) j.Key("error").String(failed.message()).Key("status").Int(status);
  j.Key("proxies").BeginArray();
  for (const std::string& name : made) WriteProxy(j, proxies_[name]);
  j.EndArray().EndObject();
  return Json(status, j);
}

server::ControlSocket::Options ToxiproxyApi::SocketOptions() {
  server::ControlSocket::Options o;
  o.request_timeout = absl::Seconds(15);
  o.max_unread = 16 << 20;  // GET /proxies for thousands of proxies is one answer of megabytes.
  o.timeout_reply = http::FormatResponse(408, kText, "request not finished within 15s\n", true);
  return o;
}

server::ControlSocket::Protocol ToxiproxyApi::Protocol() {
  return [this](absl::string_view input, bool eof) -> std::optional<server::ControlSocket::Reply> {
    if (input.empty()) return std::nullopt;
    http::Parsed p = http::ParseRequest(input);
    if (p.kind == http::Parsed::kIncomplete) {
      if (!eof) return std::nullopt;
      return server::ControlSocket::Reply{input.size(), "", true};  // Gone mid-request: nothing to answer.
    }
    if (p.kind == http::Parsed::kError) {
      return server::ControlSocket::Reply{input.size(), http::FormatResponse(p.status, kText, p.error + "\n", true), true};
    }
    Response r = Handle(p.request);
    bool close = !p.request.keep_alive;
    return server::ControlSocket::Reply{p.consumed, http::FormatResponse(r.status, r.content_type, r.body, close), close};
  };
}

}  // namespace ipckit::relay_tool
