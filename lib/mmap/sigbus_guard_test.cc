#include "lib/mmap/sigbus_guard.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "lib/io/unique_fd.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::mmap {
namespace {

using ::ipckit::testing::TempDir;

const size_t kPage = static_cast<size_t>(::sysconf(_SC_PAGESIZE));

// Shrunk maps a file of `pages` pages of 'x' and then truncates it to one page.
struct Shrunk {
  io::UniqueFd fd;
  char* p = nullptr;
  size_t len = 0;
  ~Shrunk() {
    if (p != nullptr) ::munmap(p, len);
  }
};

void MakeShrunk(const std::string& path, size_t pages, Shrunk* s) {
  s->fd = io::UniqueFd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  ASSERT_TRUE(s->fd);
  std::string data(pages * kPage, 'x');
  ASSERT_EQ(::write(s->fd.get(), data.data(), data.size()), static_cast<ssize_t>(data.size()));
  s->len = data.size();
  void* p = ::mmap(nullptr, s->len, PROT_READ, MAP_SHARED, s->fd.get(), 0);
  ASSERT_NE(p, MAP_FAILED);
  s->p = static_cast<char*>(p);
  ASSERT_EQ(::ftruncate(s->fd.get(), static_cast<off_t>(kPage)), 0);
}

TEST(SigbusGuardTest, ReadsPastTheNewEndAsZerosAndRecordsIt) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  Shrunk s;
  MakeShrunk(dir->Path("f"), 4, &s);
  SigbusGuard guard(s.p, s.len);
  ASSERT_TRUE(guard.active());
  EXPECT_EQ(s.p[0], 'x');  // Still in the file.
  EXPECT_FALSE(guard.faulted());
  volatile char past = s.p[2 * kPage + 5];
  EXPECT_EQ(past, 0);
  EXPECT_TRUE(guard.faulted());
}

TEST(SigbusGuardTest, UnguardedFaultStillKills) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  Shrunk s;
  MakeShrunk(dir->Path("g"), 4, &s);
  { SigbusGuard installs_the_handler(s.p, 1); }
  // Killed by SIGBUS; under a sanitizer, its own handler (chained) reports it.
  EXPECT_DEATH({ volatile char c = s.p[3 * kPage]; (void)c; }, "");
}

TEST(SigbusGuardTest, GuardsInManyThreads) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  std::vector<std::thread> threads;
  std::vector<int> faulted(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Shrunk s;
      MakeShrunk(dir->Path("t" + std::to_string(t)), 3, &s);
      SigbusGuard guard(s.p, s.len);
      volatile char c = s.p[2 * kPage];
      (void)c;
      faulted[t] = guard.faulted();
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(faulted, std::vector<int>(8, 1));
}

}  // namespace
}  // namespace ipckit::mmap
