#include "lib/mmap/residency.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::mmap {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const uint64_t kPage = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));

// Both methods, so the mincore path is tested on kernels with cachestat.
ResidencyOptions Runs(bool cachestat) {
  ResidencyOptions o;
  o.runs = true;
  o.use_cachestat = cachestat;
  return o;
}

class ResidencyTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    absl::StatusOr<testing::TempDir> d = testing::TempDir::Create();
    ASSERT_THAT(d, IsOk());
    dir_ = std::make_unique<testing::TempDir>(std::move(*d));
    path_ = dir_->Path("f");
  }

  // MakeEvicted writes `pages` pages and 100 bytes, then drops them from the
  // page cache; fd_ stays open with readahead off, so ReadPage caches one page.
  void MakeEvicted(uint64_t pages) {
    ASSERT_THAT(io::WriteFileAtomically(path_, std::string(pages * kPage + 100, 'x')), IsOk());
    fd_ = io::UniqueFd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(fd_);
    ASSERT_EQ(::fdatasync(fd_.get()), 0);
    ASSERT_EQ(::posix_fadvise(fd_.get(), 0, 0, POSIX_FADV_DONTNEED), 0);
    ASSERT_EQ(::posix_fadvise(fd_.get(), 0, 0, POSIX_FADV_RANDOM), 0);
  }
  void ReadPage(uint64_t page) {
    char c;
    ASSERT_EQ(::pread(fd_.get(), &c, 1, static_cast<off_t>(page * kPage)), 1);
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::string path_;
  io::UniqueFd fd_;
};

TEST_P(ResidencyTest, AWrittenFileIsResidentInOneRun) {
  ASSERT_THAT(io::WriteFileAtomically(path_, std::string(40 * kPage + 100, 'x')), IsOk());
  absl::StatusOr<Residency> r = GetResidency(path_, Runs(GetParam()));
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->known);
  EXPECT_EQ(r->size, 40 * kPage + 100);
  EXPECT_EQ(r->pages, 41u);
  EXPECT_EQ(r->resident, 41u);
  EXPECT_EQ(r->resident_bytes, 40 * kPage + 100);
  EXPECT_THAT(r->runs, ElementsAre(PageRun{0, 41}));
}

TEST_P(ResidencyTest, EvictedThenReadPagesAreTheRuns) {
  MakeEvicted(40);
  absl::StatusOr<Residency> r = GetResidency(path_, Runs(GetParam()));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->resident, 0u) << "is the test directory on tmpfs? evicting needs a disk file system";
  EXPECT_THAT(r->runs, IsEmpty());

  for (uint64_t p : {5, 20, 21, 22, 40}) ReadPage(p);
  r = GetResidency(path_, Runs(GetParam()));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->resident, 5u);
  EXPECT_EQ(r->resident_bytes, 4 * kPage + 100);  // The last page holds 100 bytes.
  EXPECT_THAT(r->runs, ElementsAre(PageRun{5, 1}, PageRun{20, 3}, PageRun{40, 1}));
}

TEST_P(ResidencyTest, AlternatingPagesAreOneRunEach) {
  MakeEvicted(16);
  for (uint64_t p = 0; p < 16; p += 2) ReadPage(p);
  absl::StatusOr<Residency> r = GetResidency(path_, Runs(GetParam()));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->resident, 8u);
  EXPECT_EQ(r->resident_bytes, 8 * kPage);  // The partial last page is not among them.
  std::vector<PageRun> want;
  for (uint64_t p = 0; p < 16; p += 2) want.push_back(PageRun{p, 1});
  EXPECT_EQ(r->runs, want);
}

TEST_P(ResidencyTest, WithoutRunsOnlyCounts) {
  ASSERT_THAT(io::WriteFileAtomically(path_, std::string(3 * kPage, 'x')), IsOk());
  ResidencyOptions o = Runs(GetParam());
  o.runs = false;
  absl::StatusOr<Residency> r = GetResidency(path_, o);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->resident, 3u);
  EXPECT_THAT(r->runs, IsEmpty());
}

TEST_P(ResidencyTest, AnEmptyFileHasNoPages) {
  ASSERT_THAT(io::WriteFileAtomically(path_, ""), IsOk());
  absl::StatusOr<Residency> r = GetResidency(path_, Runs(GetParam()));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->pages, 0u);
  EXPECT_EQ(r->resident, 0u);
  EXPECT_THAT(r->runs, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(CachestatAndMincore, ResidencyTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? "Cachestat" : "Mincore";
                         });

TEST(ResidencyErrorsTest, AMissingFileIsTheOpenError) {
  EXPECT_THAT(GetResidency("/nonexistent/x"),
              StatusIs(absl::StatusCode::kNotFound, "open /nonexistent/x: No such file or directory"));
}

TEST(ResidencyErrorsTest, AProcFileHasNoPages) {
  absl::StatusOr<Residency> r = GetResidency("/proc/self/status");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->pages, 0u);
}

TEST(ResidencyErrorsTest, APipeIsNotAFile) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  io::UniqueFd r(p[0]), w(p[1]);
  std::string path = "/proc/self/fd/" + std::to_string(p[0]);
  EXPECT_THAT(GetResidency(path),
              StatusIs(absl::StatusCode::kFailedPrecondition, path + ": not a regular file or block device (a FIFO)"));
}

}  // namespace
}  // namespace ipckit::mmap
