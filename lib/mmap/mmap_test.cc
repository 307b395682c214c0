#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/mmap/find.h"
#include "lib/mmap/mapped_file.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::mmap {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;
using ::testing::ElementsAre;

std::vector<uint64_t> FindAll(const MappedFile& f, absl::string_view pat, bool overlap = true) {
  std::vector<uint64_t> out;
  FindOptions o;
  o.overlap = overlap;
  EXPECT_THAT(Find(f, pat, o, [&](uint64_t at) { out.push_back(at); return true; }), IsOk());
  return out;
}

class MmapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<testing::TempDir> d = testing::TempDir::Create();
    ASSERT_THAT(d, IsOk());
    dir_ = std::make_unique<testing::TempDir>(std::move(*d));
  }
  std::string Write(const std::string& name, const std::string& data) {
    std::string path = dir_->Path(name);
    EXPECT_THAT(io::WriteFileAtomically(path, data), IsOk());
    return path;
  }
  std::unique_ptr<testing::TempDir> dir_;
};

TEST_F(MmapTest, FindOverlappingAndNot) {
  absl::StatusOr<MappedFile> f = MappedFile::Open(Write("a", "aaaa\nxa\naa"));
  ASSERT_THAT(f, IsOk());
  EXPECT_FALSE(f->streamed());
  EXPECT_THAT(FindAll(*f, "aa"), ElementsAre(0, 1, 2, 8));
  EXPECT_THAT(FindAll(*f, "aa", false), ElementsAre(0, 2, 8));
  EXPECT_THAT(FindAll(*f, "a\nx"), ElementsAre(3));
  EXPECT_THAT(FindAll(*f, "zzz"), ElementsAre());
  FindOptions o;
  EXPECT_THAT(Find(*f, "", o, [](uint64_t) { return true; }),
              StatusIs(absl::StatusCode::kInvalidArgument, "empty pattern"));
}

TEST_F(MmapTest, FindAgreesWithNaiveSearchAtEveryAlignment) {
  // Random text over the pattern's own letters (so near misses abound) with
  // planted hits, in files around the 16- and 32-byte SIMD strides.
  std::mt19937 rng(7);
  int file = 0;
  for (size_t m : {1, 2, 3, 8, 17, 33}) {
    std::string pat;
    for (size_t i = 0; i < m; ++i) pat += "FLp"[rng() % 3];
    for (size_t n : {0, 15, 31, 32, 33, 47, 63, 64, 65, 100, 257}) {
      for (int trial = 0; trial < 8; ++trial) {
        std::string data;
        for (size_t i = 0; i < n; ++i) data += "FLp"[rng() % 3];
        for (size_t k = 0; k < n / 16 && m <= n; ++k) data.replace(rng() % (n - m + 1), m, pat);
        std::vector<uint64_t> want;
        for (size_t i = 0; i + m <= n; ++i) {
          if (data.compare(i, m, pat) == 0) want.push_back(i);
        }
        absl::StatusOr<MappedFile> f = MappedFile::Open(Write(absl::StrCat("r", file++), data));
        ASSERT_THAT(f, IsOk());
        ASSERT_EQ(FindAll(*f, pat), want) << "pattern " << pat << " in " << data;
        std::optional<uint64_t> last;
        if (!want.empty()) last = want.back();
        ASSERT_THAT(RFind(*f, pat), IsOkAndHolds(last)) << "pattern " << pat << " in " << data;
      }
    }
  }
}

TEST_F(MmapTest, MaskedFindAgreesWithNaiveSearch) {
  // bgrep-style wildcards: random masks (exact, any byte, high or low
  // nibble) over random patterns, against a byte-by-byte oracle, including
  // patterns with no exact byte at all.
  std::mt19937 rng(11);
  const char kMasks[] = {'\xff', '\xff', '\x00', '\xf0', '\x0f'};
  int file = 0;
  for (size_t m : {1, 2, 3, 5, 9, 20}) {
    for (int trial = 0; trial < 12; ++trial) {
      std::string pat, mask;
      for (size_t i = 0; i < m; ++i) {
        pat += static_cast<char>("AB\x41\x42\xc1"[rng() % 5]);
        mask += trial == 0 ? '\x00' : kMasks[rng() % 5];
      }
      std::string data;
      for (size_t i = 0; i < 300; ++i) data += static_cast<char>("AB\x41\x42\xc1\x01"[rng() % 6]);
      for (int k = 0; k < 4; ++k) data.replace(rng() % (data.size() - m + 1), m, pat);
      std::vector<uint64_t> want;
      for (size_t i = 0; i + m <= data.size(); ++i) {
        bool ok = true;
        for (size_t j = 0; j < m && ok; ++j) ok = ((data[i + j] ^ pat[j]) & mask[j]) == 0;
        if (ok) want.push_back(i);
      }
      absl::StatusOr<MappedFile> f = MappedFile::Open(Write(absl::StrCat("m", file++), data));
      ASSERT_THAT(f, IsOk());
      std::vector<uint64_t> got;
      FindOptions o;
      o.mask = mask;
      ASSERT_THAT(Find(*f, pat, o, [&](uint64_t at) { got.push_back(at); return true; }), IsOk());
      ASSERT_EQ(got, want) << "m=" << m << " trial " << trial;
      std::optional<uint64_t> last;
      if (!want.empty()) last = want.back();
      ASSERT_THAT(RFind(*f, pat, 0, MappedFile::kUnbounded, mask), IsOkAndHolds(last));
    }
  }
  absl::StatusOr<MappedFile> f = MappedFile::Open(Write("short", "abc"));
  ASSERT_THAT(f, IsOk());
  FindOptions o;
  o.mask = "\xff";
  EXPECT_THAT(Find(*f, "ab", o, [](uint64_t) { return true; }),
              StatusIs(absl::StatusCode::kInvalidArgument, "mask and pattern differ in length"));
}

TEST_F(MmapTest, StopsEarlyWhileTheNextWindowIsBeingMapped) {
  // Three windows of a sparse file; stopping in the first leaves the
  // prefetched second to be unmapped, and a full scan sees every needle.
  std::string path = dir_->Path("three");
  io::UniqueFd fd(::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd);
  const uint64_t w = MappedFile::kWindow;
  ASSERT_EQ(::ftruncate(fd.get(), static_cast<off_t>(2 * w + 10)), 0);
  for (uint64_t at : {uint64_t{1}, uint64_t{2}, w + 1, 2 * w + 2}) {
    ASSERT_EQ(::pwrite(fd.get(), "Q", 1, static_cast<off_t>(at)), 1);
  }
  absl::StatusOr<MappedFile> f = MappedFile::Open(path);
  ASSERT_THAT(f, IsOk());
  std::vector<uint64_t> seen;
  FindOptions o;
  EXPECT_THAT(Find(*f, "Q", o, [&](uint64_t at) { seen.push_back(at); return false; }), IsOk());
  EXPECT_THAT(seen, ElementsAre(1));
  EXPECT_THAT(FindAll(*f, "Q"), ElementsAre(1, 2, w + 1, 2 * w + 2));
}

TEST_F(MmapTest, RFindStepsBackAWindowAtATime) {
  // A needle across the step RFind takes back from the end, one cut short by
  // the end of the file, and ranges that cut matches off.
  std::string path = dir_->Path("rfind");
  io::UniqueFd fd(::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd);
  const uint64_t w = MappedFile::kWindow;
  const uint64_t size = 2 * w + 100;
  ASSERT_EQ(::ftruncate(fd.get(), static_cast<off_t>(size)), 0);
  for (uint64_t at : {uint64_t{3}, size - w - 2}) {
    ASSERT_EQ(::pwrite(fd.get(), "NEEDLE", 6, static_cast<off_t>(at)), 6);
  }
  ASSERT_EQ(::pwrite(fd.get(), "NEEDL", 5, static_cast<off_t>(size - 5)), 5);  // Cut by the end.
  absl::StatusOr<MappedFile> f = MappedFile::Open(path);
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->size(), size);
  // The first step back from the end is at size - w: this needle spans it.
  EXPECT_THAT(RFind(*f, "NEEDLE"), IsOkAndHolds(size - w - 2));
  EXPECT_THAT(RFind(*f, "NEEDL"), IsOkAndHolds(size - 5));
  EXPECT_THAT(RFind(*f, "NEEDLE", 0, size - w + 4), IsOkAndHolds(size - w - 2));
  EXPECT_THAT(RFind(*f, "NEEDLE", 0, size - w + 3), IsOkAndHolds(3));  // Not wholly in range.
  EXPECT_THAT(RFind(*f, "NEEDLE", 4), IsOkAndHolds(size - w - 2));
  EXPECT_THAT(RFind(*f, "NEEDLE", 4, 1000), IsOkAndHolds(std::optional<uint64_t>()));
  EXPECT_THAT(RFind(*f, ""), StatusIs(absl::StatusCode::kInvalidArgument, "empty pattern"));
}

TEST_F(MmapTest, EmptyFileIsValid) {
  absl::StatusOr<MappedFile> f = MappedFile::Open(Write("e", ""));
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->size(), 0u);
  EXPECT_THAT(FindAll(*f, "x"), ElementsAre());
}

TEST_F(MmapTest, MatchesSpanMappingWindows) {
  // A sparse file a little over one window, with needles across the boundary.
  std::string path = dir_->Path("big");
  io::UniqueFd fd(::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd);
  const uint64_t w = MappedFile::kWindow;
  ASSERT_EQ(::ftruncate(fd.get(), static_cast<off_t>(w + 4096)), 0);
  for (uint64_t at : {uint64_t{5}, w - 3, w + 100}) {
    ASSERT_EQ(::pwrite(fd.get(), "NEEDLE", 6, static_cast<off_t>(at)), 6);
  }
  absl::StatusOr<MappedFile> f = MappedFile::Open(path);
  ASSERT_THAT(f, IsOk());
  EXPECT_THAT(FindAll(*f, "NEEDLE"), ElementsAre(5, w - 3, w + 100));
}

TEST_F(MmapTest, StreamedInputSpansReadChunks) {
  absl::StatusOr<io::Pipe> p = io::MakePipe();
  ASSERT_THAT(p, IsOk());
  std::string data(3 << 20, '.');
  for (uint64_t at : {uint64_t{(1 << 20) - 2}, uint64_t{(2 << 20) + 7}}) data.replace(at, 4, "MARK");
  std::thread writer([&] {
    EXPECT_THAT(io::WriteAll(p->write.get(), data), IsOk());
    p->write.reset();
  });
  absl::StatusOr<MappedFile> f = MappedFile::Open(absl::StrCat("/proc/self/fd/", p->read.get()));
  ASSERT_THAT(f, IsOk());
  EXPECT_TRUE(f->streamed());
  EXPECT_THAT(FindAll(*f, "MARK"), ElementsAre((1 << 20) - 2, (2 << 20) + 7));
  writer.join();
}

TEST_F(MmapTest, ShrinkingFileIsAnErrorNotACrash) {
  std::string path = Write("s", std::string(2 * MappedFile::kWindow / 64, 'x'));
  absl::StatusOr<MappedFile> f = MappedFile::Open(path);
  ASSERT_THAT(f, IsOk());
  ASSERT_EQ(::truncate(path.c_str(), 10), 0);
  EXPECT_THAT(f->ForEachChunk(0, MappedFile::kUnbounded, [](uint64_t, absl::string_view) { return true; }),
              StatusIs(absl::StatusCode::kDataLoss,
                       absl::StrCat(path, ": file shrank from ", f->size(), " to 10 bytes while being read")));
}

TEST_F(MmapTest, ShrinkInsideAWindowIsAnErrorNotACrash) {
  std::string path = Write("w", std::string(1 << 20, 'x'));
  absl::StatusOr<MappedFile> f = MappedFile::Open(path);
  ASSERT_THAT(f, IsOk());
  uint64_t zeros = 0;
  absl::Status s = f->ForEachChunk(0, MappedFile::kUnbounded, [&](uint64_t, absl::string_view data) {
    // The file shrinks while this window is being read.
    EXPECT_EQ(::truncate(path.c_str(), 4096), 0);
    for (char c : data) zeros += c == 0;
    return true;
  });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss,
                          absl::StrCat(path, ": file shrank from ", 1 << 20, " to 4096 bytes while being read ",
                                       "(what was read past 4096 is not the file's)")));
  EXPECT_EQ(zeros, (1u << 20) - 4096);
}

TEST_F(MmapTest, ShrinkThatGrowsBackIsStillReported) {
  std::string path = Write("g", std::string(1 << 20, 'x'));
  absl::StatusOr<MappedFile> f = MappedFile::Open(path);
  ASSERT_THAT(f, IsOk());
  absl::Status s = f->ForEachChunk(0, MappedFile::kUnbounded, [&](uint64_t, absl::string_view data) {
    // Shrunk while read (the read past 4096 faults), then regrown.
    EXPECT_EQ(::truncate(path.c_str(), 4096), 0);
    volatile char sink = data[data.size() - 1];
    (void)sink;
    EXPECT_EQ(::truncate(path.c_str(), 1 << 20), 0);
    return true;
  });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss,
                          absl::StrCat(path, ": file shrank while being read and grew back to ", 1 << 20,
                                       " bytes (what was read may not be the file's)")));
}

TEST_F(MmapTest, TruncatedWhileBeingReadRepeatedly) {
  // A writer keeps shrinking and regrowing the file while readers scan it:
  // every scan ends with OK or a shrink error, never a crash.
  std::string path = Write("r", std::string(8 << 20, 'x'));
  std::atomic<bool> stop{false};
  std::thread churn([&] {
    for (int i = 0; !stop.load(); ++i) {
      ASSERT_EQ(::truncate(path.c_str(), (i % 2) ? 8 << 20 : 4096 * (1 + i % 7)), 0);
    }
  });
  int ok = 0, shrank = 0;
  for (int round = 0; round < 200; ++round) {
    absl::StatusOr<MappedFile> f = MappedFile::Open(path);
    ASSERT_THAT(f, IsOk());
    absl::Status s = f->ForEachChunk(0, MappedFile::kUnbounded, [](uint64_t, absl::string_view data) {
      volatile char sink = 0;
      for (size_t i = 0; i < data.size(); i += 4096) sink = sink + data[i];
      return true;
    });
    if (s.ok()) {
      ++ok;
    } else {
      ASSERT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
      ++shrank;
    }
  }
  stop = true;
  churn.join();
  EXPECT_EQ(ok + shrank, 200);
}

TEST_F(MmapTest, OpenErrors) {
  EXPECT_THAT(MappedFile::Open(dir_->Path("missing")),
              StatusIs(absl::StatusCode::kNotFound, absl::StrCat("open ", dir_->Path("missing"), ": No such file or directory")));
  EXPECT_THAT(MappedFile::Open(dir_->path()),
              StatusIs(absl::StatusCode::kFailedPrecondition, absl::StrCat("open ", dir_->path(), ": Is a directory")));
}

}  // namespace
}  // namespace ipckit::mmap
