// write.cc: the commands that change a file or its cache hints: write,
// resize, sync, advise; and sum, which reads it all.
#include "tools/fmap/fmap.h"
#include "tools/fmap/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <ostream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/io/unique_fd.h"
#include "lib/json/json_writer.h"
#include "lib/mmap/mapped_file.h"
#include "lib/mmap/mapping.h"
#include "lib/mmap/residency.h"
#include "lib/mmap/sigbus_guard.h"
#include "tools/fmap/fadvise.h"
#include "tools/fmap/progress.h"


namespace ipckit::fmap {
namespace {

absl::StatusOr<io::UniqueFd> OpenForWrite(const std::string& file) {
  io::UniqueFd fd(::open(file.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return absl::ErrnoToStatus(errno, absl::StrCat("open ", file));
  return fd;
}

uint64_t FileSize(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// Crc32c computes CRC-32C (Castagnoli), with SSE4.2's crc32 instruction
// where the CPU has it.
uint32_t Crc32cSoftware(uint32_t crc, absl::string_view d) {
  static uint32_t table[256] = {};
  static bool ready = false;
  if (!ready) {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      table[i] = c;
    }
    ready = true;
  }
  for (unsigned char b : d) crc = table[(crc ^ b) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t Crc32cHardware(uint32_t crc, absl::string_view d) {
  const char* p = d.data();
  size_t n = d.size();
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    c = __builtin_ia32_crc32di(c, w);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = __builtin_ia32_crc32qi(c32, static_cast<unsigned char>(*p++));
  return c32;
}
#endif

uint32_t Crc32cUpdate(uint32_t crc, absl::string_view d) {
#if defined(__x86_64__)
  static const bool hw = __builtin_cpu_supports("sse4.2");
  if (hw) return Crc32cHardware(crc, d);
#endif
  return Crc32cSoftware(crc, d);
}

}  // namespace

absl::Status Write(const WriteOptions& o, const std::string& file, std::ostream& out) {
  if (!o.write) return absl::InvalidArgumentError(absl::StrCat("refusing to modify ", file, " without --write"));
  if (o.data.empty()) return absl::InvalidArgumentError("nothing to write");
  absl::StatusOr<io::UniqueFd> fd = OpenForWrite(file);
  if (!fd.ok()) return fd.status();
  uint64_t size = FileSize(fd->get());
  uint64_t end = o.offset + o.data.size();
  if (end > size) {
    if (!o.extend) {
      return absl::InvalidArgumentError(absl::StrCat("writing ", o.data.size(), " bytes at ", o.offset,
                                                     " would extend ", file, " from ", size, " to ",
                                                     end, " bytes; add --extend"));
    }
    if (::ftruncate(fd->get(), static_cast<off_t>(end)) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("extend ", file));
    }
  }
  mmap::MapOptions mo;
  mo.writable = true;
  absl::StatusOr<mmap::Mapping> map = mmap::Mapping::Map(fd->get(), o.offset, o.data.size(), mo, file);
  if (!map.ok()) return map.status();
  absl::Status s;
  {
    // Another process may shrink the file between our size check and here.
    mmap::SigbusGuard guard(map->data(), map->size());
    memcpy(map->data(), o.data.data(), o.data.size());
    if (guard.faulted()) s = absl::DataLossError(absl::StrCat(file, ": file shrank while being written"));
  }
  if (s.ok() && o.sync) s = map->Sync();
  if (s.ok() && o.json) {
    out << json::JsonWriter()
               .BeginObject()
               .Key("file").String(file)
               .Key("offset").Uint(o.offset)
               .Key("bytes").Uint(o.data.size())
               .Key("extended").Bool(end > size)
               .Key("synced").Bool(o.sync)
               .EndObject()
               .str()
        << "\n";
  }
  return s;
}

absl::Status Resize(bool write, uint64_t size, const std::string& file, bool json, std::ostream& out) {
  if (!write) return absl::InvalidArgumentError(absl::StrCat("refusing to modify ", file, " without --write"));
  absl::StatusOr<io::UniqueFd> fd = OpenForWrite(file);
  if (!fd.ok()) return fd.status();
  uint64_t old_size = FileSize(fd->get());
  if (::ftruncate(fd->get(), static_cast<off_t>(size)) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("resize ", file));
  }
  if (json) {
    out << json::JsonWriter().BeginObject().Key("file").String(file).Key("old_size").Uint(old_size)
               .Key("size").Uint(size).EndObject().str() << "\n";
  }
  return absl::OkStatus();
}

absl::Status Sync(const std::string& file, bool json, std::ostream& out) {
  io::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return absl::ErrnoToStatus(errno, absl::StrCat("open ", file));
  if (::fdatasync(fd.get()) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("sync ", file));
  if (json) out << json::JsonWriter().BeginObject().Key("file").String(file).Key("synced").Bool(true).EndObject().str() << "\n";
  return absl::OkStatus();
}

namespace {

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

// AdviseHugepage maps the whole file, marks the mapping MADV_HUGEPAGE and
// asks for MADV_COLLAPSE (Linux 6.1+), which backs the file's page cache
// with huge pages that outlive the mapping.
absl::Status AdviseHugepage(const std::string& file) {
  absl::Status cacheable = mmap::CheckCacheable(file);  // A FIFO would block open(2).
  if (!cacheable.ok()) return cacheable;
  io::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return absl::ErrnoToStatus(errno, absl::StrCat("open ", file));
  uint64_t size = FileSize(fd.get());
  if (size == 0) return absl::OkStatus();  // Nothing to back.
  absl::StatusOr<mmap::Mapping> map = mmap::Mapping::Map(fd.get(), 0, static_cast<size_t>(size), {}, file);
  if (!map.ok()) return map.status();
  absl::Status s = map->Advise(MADV_HUGEPAGE, absl::StrCat("advise ", file, ": hugepage (MADV_HUGEPAGE)"));
  if (!s.ok()) return s;
  s = map->Advise(MADV_COLLAPSE, "MADV_COLLAPSE");
  if (!s.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "advise ", file, ": hugepage: the kernel cannot back this file's page cache with huge pages (",
        s.message(), "; it needs Linux 6.1+ and tmpfs with huge= or CONFIG_READ_ONLY_THP_FOR_FS)"));
  }
  return absl::OkStatus();
}


}  // namespace

absl::Status Advise(const std::string& advice, const std::string& file, bool json, std::ostream& out) {
  absl::Status s;
  if (advice == "hugepage") {
    s = AdviseHugepage(file);
  } else if (advice == "seq") {
    s = FadviseWholeFile(file, POSIX_FADV_SEQUENTIAL, /*write_out_first=*/false, "advise");
  } else if (advice == "random") {
    s = FadviseWholeFile(file, POSIX_FADV_RANDOM, /*write_out_first=*/false, "advise");
  } else if (advice == "willneed") {
    s = FadviseWholeFile(file, POSIX_FADV_WILLNEED, /*write_out_first=*/false, "advise");
  } else if (advice == "dontneed") {
    s = FadviseWholeFile(file, POSIX_FADV_DONTNEED, /*write_out_first=*/false, "advise");
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--advice: expected seq, random, willneed, dontneed or hugepage, got '", advice, "'"));
  }
  if (!s.ok()) return s;
  if (json) {
    out << json::JsonWriter().BeginObject().Key("file").String(file).Key("advice").String(advice).EndObject().str() << "\n";
  }
  return absl::OkStatus();
}

absl::Status Sum(const std::string& algo, uint64_t skip, std::optional<uint64_t> length, const ProgressSink& progress_out,
                 bool json, const std::string& file, std::ostream& out) {
  if (algo != "sha256" && algo != "crc32c") {
    return absl::InvalidArgumentError(absl::StrCat("--algo: expected sha256 or crc32c, got '", algo, "'"));
  }
  absl::StatusOr<mmap::MappedFile> m = mmap::MappedFile::Open(file);
  if (!m.ok()) return m.status();
  SHA256_CTX sha;
  SHA256_Init(&sha);
  uint32_t crc = 0xFFFFFFFFu;
  uint64_t summed = 0;
  absl::Status s;
  {
    Progress progress(progress_out, absl::StrCat("fmap sum ", file), m->size());
    s = m->ForEachChunk(skip, length.value_or(mmap::MappedFile::kUnbounded), [&](uint64_t off, absl::string_view d) {
      progress.Update(off + d.size());
      summed += d.size();
      if (algo == "sha256") {
        SHA256_Update(&sha, d.data(), d.size());
      } else {
        crc = Crc32cUpdate(crc, d);
      }
      return true;
    });
  }
  if (!s.ok()) return s;
  std::string digest;
  if (algo == "sha256") {
    uint8_t d[SHA256_DIGEST_LENGTH];
    SHA256_Final(d, &sha);
    digest = absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(d), sizeof(d)));
  } else {
    digest = absl::StrFormat("%08x", crc ^ 0xFFFFFFFFu);
  }
  if (json) {
    out << json::JsonWriter().BeginObject().Key("file").String(file).Key("algo").String(algo).Key("offset").Uint(skip)
               .Key("length").Uint(summed).Key("digest").String(digest).EndObject().str() << "\n";
  } else {
    out << digest << "  " << file << "\n";
  }
  return absl::OkStatus();
}

void DeclareWrite(cli::Parser& p, WriteFlags* f) {
  WriteOptions& o = f->plan.write;
  p.Flag(0, "write", "allow modifying the file", &o.write).Size(0, "offset", "N", "where to write", &o.offset);
  f->plan.data.Declare(p, "the bytes in hex", "from", "the bytes are FILE's contents");
  p.Flag(0, "extend", "allow growing the file", &o.extend)
      .Flag(0, "sync", "msync(MS_SYNC) before exiting", &o.sync)
      .Flag(0, "json", "report what was written as JSON", &o.json);
}

absl::StatusOr<WritePlan> ValidateWrite(const WriteFlags& f) {
  WritePlan plan = f.plan;
  if (f.args.size() != 1) return absl::InvalidArgumentError("expected one FILE");
  plan.file = f.args[0];
  if (absl::Status s = plan.data.Validate("from"); !s.ok()) return s;
  return plan;
}

absl::Status RunWrite(const WritePlan& p, Streams s) {
  WriteOptions o = p.write;
  absl::StatusOr<std::string> data = p.data.Load();
  if (!data.ok()) return data.status();
  o.data = *data;
  if (absl::Status st = Write(o, p.file, s.out); !st.ok()) return st;
  return absl::OkStatus();
}

void DeclareResize(cli::Parser& p, ResizeFlags* f) {
  p.Flag(0, "write", "allow modifying the file", &f->plan.write)
      .Size(0, "size", "N", "the new size", &f->size)
      .Flag(0, "json", "report {\"file\",\"old_size\",\"size\"}", &f->plan.json);
}

absl::StatusOr<ResizePlan> ValidateResize(const ResizeFlags& f) {
  if (f.args.size() != 1 || !f.size) return absl::InvalidArgumentError("expected --size N and one FILE");
  ResizePlan plan = f.plan;
  plan.size = *f.size;
  plan.file = f.args[0];
  return plan;
}

absl::Status RunResize(const ResizePlan& p, Streams s) {
  if (absl::Status st = Resize(p.write, p.size, p.file, p.json, s.out); !st.ok()) return st;
  return absl::OkStatus();
}

void DeclareSync(cli::Parser& p, SyncFlags* f) {
  p.Flag(0, "json", "report {\"file\",\"synced\":true}", &f->plan.json);
  f->plan.files.Declare(p);
}

absl::StatusOr<SyncPlan> ValidateSync(const SyncFlags& f) { return WithFiles(f.plan, f.args); }

absl::Status RunSync(const SyncPlan& p, Streams s) {
  return EachFile(p.files, "fmap sync", s.err, [&](const std::string& f) { return Sync(f, p.json, s.out); });
}

void DeclareAdvise(cli::Parser& p, AdviseFlags* f) {
  p.String(0, "advice", "ADVICE", "seq, random, willneed, dontneed or hugepage", &f->plan.advice)
      .Flag(0, "json", "report {\"file\",\"advice\"}", &f->plan.json);
  f->plan.files.Declare(p);
}

absl::StatusOr<AdvisePlan> ValidateAdvise(const AdviseFlags& f) {
  absl::StatusOr<AdvisePlan> plan = WithFiles(f.plan, f.args);
  if (plan.ok() && plan->advice.empty()) return absl::InvalidArgumentError("missing --advice");
  return plan;
}

absl::Status RunAdvise(const AdvisePlan& p, Streams s) {
  return EachFile(p.files, "fmap advise", s.err, [&](const std::string& f) { return Advise(p.advice, f, p.json, s.out); });
}

void DeclareSum(cli::Parser& p, SumFlags* f) {
  SumPlan& o = f->plan;
  p.String(0, "algo", "ALGO", "sha256 (default) or crc32c", &o.algo)
      .Size('s', "skip", "OFF", "start at byte OFF", &o.skip)
      .Size('n', "length", "LEN", "at most LEN bytes", &o.length)
      .Flag(0, "json", "{\"file\",\"algo\",\"offset\",\"length\",\"digest\"} instead", &o.json)
      .Flag(0, "progress", "a progress line on stderr (default: if a terminal, for files of 256M+)", &o.progress);
  o.files.Declare(p);
}

absl::StatusOr<SumPlan> ValidateSum(const SumFlags& f) { return WithFiles(f.plan, f.args); }

absl::Status RunSum(const SumPlan& p, Streams s) {
  return EachFile(p.files, "fmap sum", s.err, [&](const std::string& f) {  // One line each, as sha256sum's.
    return Sum(p.algo, p.skip, p.length, ProgressTo(p.progress), p.json, f, s.out);
  });
}

}  // namespace ipckit::fmap
