#include "tools/tlsprobe/enumerate.h"

#include <errno.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <deque>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/io/unique_fd.h"
#include "lib/selector/selector.h"
#include "lib/tls/handshake_info.h"
#include "lib/tls/tls_stream.h"

namespace ipckit::tlsprobe {
namespace {

struct JobSpec {
  uint16_t version = 0;   // min = max = version.
  std::string ciphers;    // "" for BoringSSL's default.
  std::string groups;
};

struct JobResult {
  bool ok = false;
  uint16_t version = 0;
  std::string cipher;     // IANA name.
  std::string error;
};

// Job is one connection's state on the selector.
struct Job {
  size_t index = 0;
  io::UniqueFd fd;             // While connecting.
  std::unique_ptr<tls::TlsStream> tls;
  selector::Selector::TimerId timer = 0;
  bool done = false;
};

class Runner {
 public:
  Runner(const net::SocketAddress& addr, const tls::TlsContext& ctx, const EnumerateOptions& o)
      : addr_(addr), ctx_(ctx), o_(o) {}

  // Run runs every job, at most o_.concurrency at a time.
  absl::StatusOr<std::vector<JobResult>> Run(const std::vector<JobSpec>& specs) {
    absl::StatusOr<std::unique_ptr<selector::Selector>> sel = selector::Selector::Create();
    if (!sel.ok()) return sel.status();
    sel_ = std::move(*sel);
    specs_ = &specs;
    results_.assign(specs.size(), JobResult());
    next_ = 0;
    active_ = 0;
    jobs_.clear();
    while (next_ < specs.size() || active_ > 0) {
      while (next_ < specs.size() && active_ < std::max(1, o_.concurrency)) Start(next_++);
      if (active_ == 0) continue;
      absl::StatusOr<std::vector<selector::Event>> events = sel_->Select(absl::InfiniteFuture());
      if (!events.ok()) return events.status();
      for (const selector::Event& e : *events) {
        Job* job = static_cast<Job*>(e.data);
        if (job->done) continue;
        if (e.fd == -1) {
          Finish(job, false, "timed out");
        } else {
          Step(job);
        }
      }
    }
    connections_ += static_cast<int>(specs.size());
    return results_;
  }

  int connections() const { return connections_; }

 private:
  void Start(size_t index) {
    auto job = std::make_unique<Job>();
    job->index = index;
    Job* j = job.get();
    jobs_.push_back(std::move(job));
    ++active_;
    j->fd = io::UniqueFd(::socket(addr_.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!j->fd) return Finish(j, false, absl::StrCat("socket: ", strerror(errno)));
    if (::connect(j->fd.get(), addr_.get(), addr_.size()) != 0 && errno != EINPROGRESS) {
      return Finish(j, false, absl::StrCat("connect: ", strerror(errno)));
    }
    j->timer = sel_->AddTimer(absl::Now() + o_.timeout, j);
    if (absl::Status s = sel_->Register(j->fd.get(), selector::kWritable, j); !s.ok()) {
      return Finish(j, false, std::string(s.message()));
    }
  }

  void Step(Job* j) {
    if (j->fd) {  // Connecting.
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(j->fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return Finish(j, false, absl::StrCat("connect: ", strerror(err)));
      const JobSpec& spec = (*specs_)[j->index];
      tls::TlsClientParams params;
      params.server_name = o_.sni;
      int fd = j->fd.get();
      absl::StatusOr<std::unique_ptr<tls::TlsStream>> tls = tls::TlsStream::Client(ctx_, std::move(j->fd), params);
      if (!tls.ok()) {
        j->fd = io::UniqueFd(fd);  // Never reached: Client only fails on verify names.
        return Finish(j, false, std::string(tls.status().message()));
      }
      j->tls = *std::move(tls);
      SSL* ssl = j->tls->ssl();
      bool set = true;
      if (spec.version != 0) {
        set = SSL_set_min_proto_version(ssl, spec.version) && SSL_set_max_proto_version(ssl, spec.version);
      }
      if (set && !spec.ciphers.empty()) set = SSL_set_strict_cipher_list(ssl, spec.ciphers.c_str());
      if (set && !spec.groups.empty()) set = SSL_set1_curves_list(ssl, spec.groups.c_str());
      if (!set) return Finish(j, false, "not offered by this BoringSSL");
    }
    absl::Status s = j->tls->Handshake();
    if (s.ok()) {
      tls::HandshakeInfo h = tls::DescribeHandshake(j->tls->ssl());
      results_[j->index].version = h.version_id;
      results_[j->index].cipher = h.cipher;
      return Finish(j, true, "");
    }
    if (absl::IsUnavailable(s)) {
      (void)sel_->Modify(j->tls->fd(), j->tls->HandshakeWaitsFor(), j);
      return;
    }
    Finish(j, false, std::string(s.message()));
  }

  void Finish(Job* j, bool ok, std::string error) {
    j->done = true;
    --active_;
    results_[j->index].ok = ok;
    results_[j->index].error = std::move(error);
    if (j->timer != 0) sel_->CancelTimer(j->timer);
    int fd = j->tls ? j->tls->fd() : j->fd.get();
    if (fd >= 0) (void)sel_->Unregister(fd);
    if (j->tls && ok) (void)j->tls->CloseWrite();
    j->tls.reset();
    j->fd.reset();
  }

  const net::SocketAddress& addr_;
  const tls::TlsContext& ctx_;
  const EnumerateOptions& o_;
  std::unique_ptr<selector::Selector> sel_;
  const std::vector<JobSpec>* specs_ = nullptr;
  std::vector<JobResult> results_;
  std::deque<std::unique_ptr<Job>> jobs_;
  size_t next_ = 0;
  int active_ = 0;
  int connections_ = 0;
};

struct Suite {
  std::string name;      // OpenSSL-style, for cipher lists.
  std::string standard;  // IANA.
};

std::vector<Suite> PreTls13Suites() {
  std::vector<Suite> out;
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx || !SSL_CTX_set_cipher_list(ctx.get(), "ALL")) return out;
  STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(ctx.get());
  for (size_t i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
    if (SSL_CIPHER_get_min_version(c) >= TLS1_3_VERSION) continue;
    out.push_back({SSL_CIPHER_get_name(c), SSL_CIPHER_standard_name(c)});
  }
  return out;
}

constexpr uint16_t kVersions[] = {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION};
// kGroups are the groups probed one at a time (CECPQ2, an experiment
// browsers dropped in 2023, is not one of them).
constexpr const char* kGroups[] = {"X25519", "P-256", "P-384", "P-521"};

// ServerOrder finds the server's preference among `accepted` suites at
// version `v`: offer all that remain, the server picks one; repeat. Then it
// offers them reversed: a server that follows the client picks the other
// end. With a server order, e's last cipher list is put in that order.
absl::Status ServerOrder(Runner& runner, uint16_t v, const std::vector<Suite>& accepted, Enumeration* e) {
  std::vector<Suite> left = accepted;
  std::vector<std::string> order;
  while (!left.empty()) {
    std::vector<std::string> names;
    for (const Suite& s : left) names.push_back(s.name);
    absl::StatusOr<std::vector<JobResult>> one = runner.Run({{v, absl::StrJoin(names, ":"), ""}});
    if (!one.ok()) return one.status();
    if (!(*one)[0].ok) break;
    auto it = std::find_if(left.begin(), left.end(), [&](const Suite& s) { return s.standard == (*one)[0].cipher; });
    if (it == left.end()) break;
    order.push_back(it->standard);
    left.erase(it);
  }
  for (const Suite& s : left) order.push_back(s.standard);  // Undetermined: appended.
  std::vector<std::string> reversed;
  for (auto it = accepted.rbegin(); it != accepted.rend(); ++it) reversed.push_back(it->name);
  absl::StatusOr<std::vector<JobResult>> rev = runner.Run({{v, absl::StrJoin(reversed, ":"), ""}});
  if (!rev.ok()) return rev.status();
  e->server_order = (*rev)[0].ok && !order.empty() && (*rev)[0].cipher == order.front();
  if (e->server_order) e->ciphers.back().second = order;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Enumeration> Enumerate(const net::SocketAddress& addr, const tls::TlsContext& ctx,
                                      const EnumerateOptions& o) {
  Enumeration e;
  Runner runner(addr, ctx, o);
  std::vector<Suite> suites = PreTls13Suites();

  // Round 1: versions, and TLS 1.3 with the default offer.
  std::vector<JobSpec> specs;
  for (uint16_t v : kVersions) specs.push_back({v, "", ""});
  absl::StatusOr<std::vector<JobResult>> r = runner.Run(specs);
  if (!r.ok()) return r.status();
  std::vector<uint16_t> supported;
  std::string last_error;
  for (size_t i = 0; i < specs.size(); ++i) {
    e.versions.push_back({tls::TlsVersionName(kVersions[i]), (*r)[i].ok});
    if ((*r)[i].ok) supported.push_back(kVersions[i]);
    else last_error = (*r)[i].error;
    if ((*r)[i].ok && kVersions[i] == TLS1_3_VERSION) e.tls13_cipher = (*r)[i].cipher;
  }
  if (supported.empty()) {
    return absl::AbortedError(absl::StrCat("no TLS version accepted (last: ", last_error, ")"));
  }

  // Round 2: each pre-1.3 suite at each supported pre-1.3 version, and each
  // group at the newest version.
  specs.clear();
  std::vector<uint16_t> old_versions;
  for (uint16_t v : supported) {
    if (v < TLS1_3_VERSION) old_versions.push_back(v);
  }
  for (uint16_t v : old_versions) {
    for (const Suite& s : suites) specs.push_back({v, s.name, ""});
  }
  uint16_t newest = supported.back();
  size_t groups_at = specs.size();
  for (const char* g : kGroups) specs.push_back({newest, "", g});
  r = runner.Run(specs);
  if (!r.ok()) return r.status();
  size_t k = 0;
  std::vector<Suite> newest_old_accepted;
  for (uint16_t v : old_versions) {
    std::vector<std::string> accepted;
    std::vector<Suite> accepted_suites;
    for (const Suite& s : suites) {
      if ((*r)[k++].ok) {
        accepted.push_back(s.standard);
        accepted_suites.push_back(s);
      }
    }
    e.ciphers.push_back({tls::TlsVersionName(v), accepted});
    if (v == old_versions.back()) newest_old_accepted = accepted_suites;
  }
  e.groups_version = tls::TlsVersionName(newest);
  for (size_t i = 0; i < sizeof(kGroups) / sizeof(kGroups[0]); ++i) {
    e.groups.push_back({kGroups[i], (*r)[groups_at + i].ok});
  }

  // Round 3: the server's preference among the newest pre-1.3 version's suites.
  if (newest_old_accepted.size() > 1) {
    absl::Status s = ServerOrder(runner, old_versions.back(), newest_old_accepted, &e);
    if (!s.ok()) return s;
  }
  e.connections = runner.connections();
  e.notes.push_back(absl::StrCat("this BoringSSL offers ", suites.size(),
                                 " pre-1.3 suites and cannot offer TLS 1.3 suites one at a time: "
                                 "for TLS 1.3 only the negotiated suite is shown"));
  return e;
}

}  // namespace ipckit::tlsprobe
