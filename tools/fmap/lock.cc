// lock.cc: fmap lock, vmtouch -l: map and mlock files and hold them.
#include "tools/fmap/fmap.h"
#include "tools/fmap/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/io/wait.h"
#include "lib/json/json_writer.h"
#include "lib/mmap/mapped_file.h"
#include "lib/mmap/mapping.h"
#include "lib/mmap/residency.h"
#include "lib/process/daemon.h"
#include "lib/signal/signal_source.h"
#include "lib/cli/exit_code.h"
#include "tools/fmap/pages.h"


namespace ipckit::fmap {

namespace {

// LockAll maps and locks `files` into `held` and writes the report.
absl::Status LockAll(const std::vector<std::string>& files, bool json,
                     const std::optional<std::vector<mmap::PageRun>>& pages, std::vector<mmap::Mapping>* held,
                     std::ostream& out, std::ostream& log);

}  // namespace

absl::Status Lock(const std::vector<std::string>& files, const LockOptions& o, std::ostream& out, std::ostream& log) {
  std::optional<process::Daemon> daemon;
  if (o.daemon) {
    absl::StatusOr<process::Daemon> d = process::Daemon::Start();
    if (!d.ok()) return d.status();
    if (d->is_parent()) return d->child_status();
    daemon.emplace(*std::move(d));
  }
  // The signals that end the hold arrive on a signalfd.
  absl::StatusOr<signal::SignalSource> sigs = signal::SignalSource::Create({SIGINT, SIGTERM, SIGHUP});
  std::vector<mmap::Mapping> held;
  absl::Status s = sigs.ok() ? LockAll(files, o.json, o.pages, &held, out, log) : sigs.status();
  if (daemon) {
    if (s.ok()) s = daemon->Ready(o.pid_file);
    if (!s.ok()) {
      daemon->Fail(s);
      return cli::Reported(s);  // The parent says it.
    }
  }
  if (!s.ok()) return s;
  for (;;) {  // Until one of them comes; the mappings unlock as they go.
    absl::StatusOr<bool> ready = io::WaitUntil(sigs->fd(), POLLIN, absl::InfiniteFuture(), "signals");
    if (!ready.ok()) return ready.status();
    absl::StatusOr<std::vector<signal::SignalInfo>> got = sigs->Read();
    if (!got.ok()) return got.status();
    if (!got->empty()) return absl::OkStatus();
  }
}

namespace {

absl::Status LockAll(const std::vector<std::string>& files, bool json,
                     const std::optional<std::vector<mmap::PageRun>>& pages, std::vector<mmap::Mapping>* held,
                     std::ostream& out, std::ostream& log) {
  uint64_t total = 0;
  for (const std::string& file : files) {
    absl::Status cacheable = mmap::CheckCacheable(file);  // A FIFO would block open(2).
    if (!cacheable.ok()) return cacheable;
    absl::StatusOr<mmap::MappedFile> m = mmap::MappedFile::Open(file);
    if (!m.ok()) return m.status();
    if (m->streamed()) return absl::FailedPreconditionError(absl::StrCat(file, ": not a regular file"));
    if (m->size() == 0) {
      if (files.size() == 1) return absl::InvalidArgumentError(absl::StrCat(file, ": empty file, nothing to lock"));
      continue;  // In a tree, an empty file has nothing to lock.
    }
    std::vector<ByteRange> ranges = {{0, m->size()}};
    if (pages) {
      const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
      ranges.clear();
      for (const mmap::PageRun& r : *pages) ranges.push_back(PageBytes(r, page, m->size()));
    }
    uint64_t len = 0;
    for (const ByteRange& r : ranges) {
      if (r.length == 0) continue;
      // MAP_POPULATE reads the pages in now (mlock would too, but the
      // sanitizers make mlock a no-op).
      mmap::MapOptions mo;
      mo.populate = true;
      absl::StatusOr<mmap::Mapping> map = mmap::Mapping::Map(m->fd(), r.offset, static_cast<size_t>(r.length), mo, file);
      if (!map.ok()) return map.status();
      absl::Status s = map->Lock();
      if (!s.ok()) return s;
      held->push_back(*std::move(map));
      len += r.length;
    }
    total += len;
    if (json) {
      out << json::JsonWriter().BeginObject().Key("file").String(file).Key("bytes").Uint(len).Key("locked").Bool(true)
                 .EndObject().str() << std::endl;
    }
  }
  if (!json) {
    log << "locked " << (files.size() == 1 ? files[0] : absl::StrCat(held->size(), " files")) << ": " << total
        << " bytes; holding until SIGINT or SIGTERM" << std::endl;
  }
  return absl::OkStatus();
}

}  // namespace

void DeclareLock(cli::Parser& p, LockFlags* f) {
  LockOptions& o = f->plan.lock;
  p.Flag(0, "json", "once locked, print {\"file\",\"bytes\",\"locked\":true} per file", &o.json)
      .Flag('d', "daemon", "hold the locks in the background; return once they hold", &o.daemon)
      .String(0, "pidfile", "FILE", "with --daemon: write the daemon's PID to FILE", &o.pid_file)
      .Flag('w', "wait", "hold in the foreground (the default)", &f->wait);
  f->plan.files.Declare(p);
  f->plan.pages.Declare(p);
}

absl::StatusOr<LockPlan> ValidateLock(const LockFlags& f) {
  absl::StatusOr<LockPlan> plan = WithFilesAndPages(f.plan, f.args);
  if (!plan.ok()) return plan;
  if (f.wait && plan->lock.daemon) return absl::InvalidArgumentError("--wait and --daemon conflict");
  if (!plan->lock.pid_file.empty() && !plan->lock.daemon) return absl::InvalidArgumentError("--pidfile needs --daemon");
  return plan;
}

absl::Status RunLock(const LockPlan& p, Streams s) {
  absl::StatusOr<FilesAndPages> loaded = LoadFilesAndPages(p.files, p.pages, "fmap lock", s.err);
  if (!loaded.ok()) return loaded.status();
  LockOptions o = p.lock;
  o.pages = loaded->pages;
  if (absl::Status st = Lock(loaded->files, o, s.out, s.err); !st.ok()) return st;
  return absl::OkStatus();
}

}  // namespace ipckit::fmap
