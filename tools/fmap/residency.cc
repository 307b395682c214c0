// residency.cc: page-cache residency (fincore's and vmtouch's report),
// touch and evict.
#include "tools/fmap/fmap.h"
#include "tools/fmap/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ostream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/json/json_writer.h"
#include "lib/mmap/mapped_file.h"
#include "lib/mmap/residency.h"
#include "tools/fmap/fadvise.h"
#include "tools/fmap/pages.h"
#include "tools/fmap/progress.h"


namespace ipckit::fmap {
namespace {

// ReportResidencyAfter writes {"file","pages","resident"} for Touch and
// Evict, and adds it to `totals` when given.
absl::Status ReportResidencyAfter(const std::string& file, std::ostream& out, PageTotals* totals) {
  absl::StatusOr<mmap::Residency> r = mmap::GetResidency(file);
  if (!r.ok()) return r.status();
  if (totals != nullptr) totals->Add(*r);
  json::JsonWriter j;
  j.BeginObject().Key("file").String(file).Key("pages").Uint(r->pages).Key("resident");
  if (r->known) {
    j.Uint(r->resident);
  } else {
    j.Null();
  }
  out << j.EndObject().str() << "\n";
  return absl::OkStatus();
}

}  // namespace

namespace {

// Restrict limits `r` to the pages in `pages`: its page and resident counts,
// resident bytes and runs.
void Restrict(const std::vector<mmap::PageRun>& pages, mmap::Residency* r) {
  std::vector<mmap::PageRun> runs;
  uint64_t bytes = 0;
  for (const mmap::PageRun& want : pages) {
    for (const mmap::PageRun& have : r->runs) {
      uint64_t lo = std::max(want.first, have.first), hi = std::min(want.first + want.count, have.first + have.count);
      if (lo >= hi) continue;
      runs.push_back({lo, hi - lo});
      bytes += PageBytes(runs.back(), r->page_size, r->size).length;
    }
  }
  std::pair<uint64_t, uint64_t> counted = Count(pages, r->pages, r->runs);
  r->pages = counted.first;
  r->resident = counted.second;
  r->resident_bytes = bytes;
  r->runs = runs;
}

}  // namespace

absl::Status ResidencyReport(const std::vector<std::string>& files, const ResidencyReportOptions& o,
                             std::ostream& out) {
  mmap::ResidencyOptions ro;
  ro.runs = o.ranges || o.pages.has_value();
  uint64_t total_pages = 0, total_resident = 0, total_bytes = 0, total_size = 0;
  for (const std::string& f : files) {
    absl::StatusOr<mmap::Residency> r = mmap::GetResidency(f, ro);
    if (!r.ok()) return r.status();
    if (o.pages && r->known) Restrict(*o.pages, &*r);
    total_pages += r->pages;
    total_size += r->size;
    if (r->known) {
      total_resident += r->resident;
      total_bytes += r->resident_bytes;
    }
    // A run's bytes: whole pages, clipped to the end of the file.
    auto run_bytes = [&](const mmap::PageRun& run) {
      uint64_t off = run.first * r->page_size;
      return std::make_pair(off, std::min(r->size, (run.first + run.count) * r->page_size) - off);
    };
    if (o.json) {
      json::JsonWriter j;
      j.BeginObject().Key("file").String(f).Key("size").Uint(r->size).Key("pages").Uint(r->pages);
      if (r->known) {
        j.Key("resident").Uint(r->resident).Key("bytes").Uint(r->resident_bytes);
      } else {
        j.Key("resident").Null().Key("bytes").Null();
      }
      j.Key("method").String(r->method);
      if (o.ranges && r->known) {
        j.Key("ranges").BeginArray();
        for (const mmap::PageRun& run : r->runs) {
          auto [off, len] = run_bytes(run);
          j.BeginObject().Key("offset").Uint(off).Key("length").Uint(len).Key("first_page").Uint(run.first)
              .Key("pages").Uint(run.count).EndObject();
        }
        j.EndArray();
      }
      out << j.EndObject().str() << "\n";
      continue;
    }
    if (!r->known) {
      out << f << ": residency unknown (mincore cannot see the page cache of a file we may not write)\n";
      continue;
    }
    double pct = r->pages == 0 ? 0 : 100.0 * static_cast<double>(r->resident) / static_cast<double>(r->pages);
    out << absl::StrFormat("%s: %d of %d pages resident (%.1f%%), %d bytes\n", f, r->resident, r->pages, pct,
                           r->resident_bytes);
    for (const mmap::PageRun& run : o.ranges ? r->runs : std::vector<mmap::PageRun>()) {
      auto [off, len] = run_bytes(run);
      out << absl::StrFormat("  %d+%d (pages %d-%d)\n", off, len, run.first, run.first + run.count - 1);
    }
  }
  if (files.size() > 1) {  // The sum, as vmtouch's summary.
    double pct = total_pages == 0 ? 0 : 100.0 * static_cast<double>(total_resident) / static_cast<double>(total_pages);
    if (o.json) {
      out << json::JsonWriter().BeginObject().Key("total").Bool(true).Key("files").Uint(files.size())
                 .Key("size").Uint(total_size).Key("pages").Uint(total_pages).Key("resident").Uint(total_resident)
                 .Key("bytes").Uint(total_bytes).EndObject().str() << "\n";
    } else {
      out << absl::StrFormat("total: %d of %d pages resident (%.1f%%), %d bytes, %d files\n", total_resident,
                             total_pages, pct, total_bytes, files.size());
    }
  }
  return absl::OkStatus();
}

absl::Status Touch(const std::string& file, bool json, const ProgressSink& progress_out, std::ostream& out,
                   const std::vector<mmap::PageRun>* pages, PageTotals* totals) {
  absl::Status cacheable = mmap::CheckCacheable(file);  // A FIFO would block open(2).
  if (!cacheable.ok()) return cacheable;
  absl::StatusOr<mmap::MappedFile> m = mmap::MappedFile::Open(file);
  if (!m.ok()) return m.status();
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<ByteRange> ranges = {{0, mmap::MappedFile::kUnbounded}};
  if (pages != nullptr) {
    ranges.clear();
    for (const mmap::PageRun& r : *pages) ranges.push_back(PageBytes(r, page, m->size()));
  }
  volatile unsigned char sink = 0;
  absl::Status s;
  {
    Progress progress(progress_out, absl::StrCat("fmap touch ", file), m->size());
    for (const ByteRange& r : ranges) {
      if (r.length == 0 || !s.ok()) continue;
      s = m->ForEachChunk(r.offset, r.length, [&](uint64_t off, absl::string_view d) {
        for (size_t i = 0; i < d.size(); i += page) sink = sink + static_cast<unsigned char>(d[i]);
        progress.Update(off + d.size());
        return true;
      });
    }
  }
  if (!s.ok() || !json) return s;
  return ReportResidencyAfter(file, out, totals);
}

absl::Status Evict(const std::string& file, bool json, std::ostream& out, const std::vector<mmap::PageRun>* pages,
                   PageTotals* totals) {
  // A file just written would otherwise stay cached.
  absl::Status s = FadviseWholeFile(file, POSIX_FADV_DONTNEED, /*write_out_first=*/true, "evict", pages);
  if (!s.ok() || !json) return s;
  return ReportResidencyAfter(file, out, totals);
}

void DeclareResidency(cli::Parser& p, ResidencyFlags* f) {
  p.Flag(0, "ranges", "also list the resident ranges: OFFSET+LENGTH (pages FIRST-LAST)", &f->plan.report.ranges)
      .Flag(0, "json", "one JSON object per file (and a total for several)", &f->plan.report.json);
  f->plan.files.Declare(p);
  f->plan.pages.Declare(p);
}

absl::StatusOr<ResidencyPlan> ValidateResidency(const ResidencyFlags& f) { return WithFilesAndPages(f.plan, f.args); }

absl::Status RunResidency(const ResidencyPlan& p, Streams s) {
  absl::StatusOr<FilesAndPages> loaded = LoadFilesAndPages(p.files, p.pages, "fmap residency", s.err);
  if (!loaded.ok()) return loaded.status();
  ResidencyReportOptions o = p.report;
  o.pages = loaded->pages;
  if (absl::Status st = ResidencyReport(loaded->files, o, s.out); !st.ok()) return st;
  return absl::OkStatus();
}

void DeclareTouch(cli::Parser& p, TouchFlags* f) {
  f->plan.touch = absl::EndsWith(p.info().name, "touch");
  p.Flag(0, "json", "report {\"file\",\"pages\",\"resident\"} afterwards, per file", &f->plan.json);
  if (f->plan.touch) p.Flag(0, "progress", "a progress line on stderr (default: if a terminal)", &f->plan.progress);
  f->plan.files.Declare(p);
  f->plan.pages.Declare(p);
}

absl::StatusOr<TouchPlan> ValidateTouch(const TouchFlags& f) { return WithFilesAndPages(f.plan, f.args); }

absl::Status RunTouch(const TouchPlan& p, Streams s) {
  absl::StatusOr<std::optional<std::vector<mmap::PageRun>>> pages = p.pages.Load();
  if (!pages.ok()) return pages.status();
  const std::vector<mmap::PageRun>* only = *pages ? &**pages : nullptr;
  ProgressSink sink = ProgressTo(p.progress, /*results_on_stdout=*/p.json);
  PageTotals totals;
  size_t count = 0;
  absl::Status st = EachFile(p.files, p.touch ? "fmap touch" : "fmap evict", s.err, [&](const std::string& f) {
    ++count;
    return p.touch ? Touch(f, p.json, sink, s.out, only, &totals) : Evict(f, p.json, s.out, only, &totals);
  });
  if (st.ok() && p.json && count > 1) totals.Write(count, true, s.out);
  return st;
}

}  // namespace ipckit::fmap
