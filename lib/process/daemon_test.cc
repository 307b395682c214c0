#include "lib/process/daemon.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::process {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

TEST(DaemonTest, ParentReturnsOnceReadyWithThePidFileWritten) {
  absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string pid_file = dir->Path("d.pid");
  absl::StatusOr<Daemon> d = Daemon::Start();
  ASSERT_THAT(d, IsOk());
  if (!d->is_parent()) {
    (void)d->Ready(pid_file);
    ::pause();  // Until the test kills it.
    ::_exit(0);
  }
  EXPECT_THAT(d->child_status(), IsOk());
  pid_t pid = 0;
  std::ifstream(pid_file) >> pid;
  EXPECT_EQ(pid, d->child());
  EXPECT_EQ(::getsid(pid), pid);  // A session of its own.
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

TEST(DaemonTest, ParentGetsTheFailure) {
  absl::StatusOr<Daemon> d = Daemon::Start();
  ASSERT_THAT(d, IsOk());
  if (!d->is_parent()) {
    d->Fail(absl::ResourceExhaustedError("lock x (RLIMIT_MEMLOCK is 8 bytes): Cannot allocate memory"));
    ::_exit(1);
  }
  EXPECT_THAT(d->child_status(), StatusIs(absl::StatusCode::kUnavailable,
                                          "lock x (RLIMIT_MEMLOCK is 8 bytes): Cannot allocate memory"));
}

TEST(DaemonTest, ParentNoticesADeath) {
  absl::StatusOr<Daemon> d = Daemon::Start();
  ASSERT_THAT(d, IsOk());
  if (!d->is_parent()) ::_exit(3);
  EXPECT_THAT(d->child_status(), StatusIs(absl::StatusCode::kUnavailable, "daemon exited before it was ready"));
}

}  // namespace
}  // namespace ipckit::process
