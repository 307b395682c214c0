#include "lib/signal/signal_source.h"

#include <signal.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/selector/selector.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::signal {
namespace {

using ::ipckit::testing::IsOk;

TEST(SignalSourceTest, QueuedRealTimeSignalsKeepOrderAndValues) {
  int rt = SIGRTMIN + 1;
  absl::StatusOr<SignalSource> src = SignalSource::Create({rt, SIGUSR1});
  ASSERT_THAT(src, IsOk());
  for (int v = 1; v <= 5; ++v) {
    union sigval val;
    val.sival_int = v * 10;
    ASSERT_EQ(::sigqueue(::getpid(), rt, val), 0);
  }
  absl::StatusOr<std::vector<SignalInfo>> got = src->Read();
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ((*got)[i].signo, rt);
    EXPECT_EQ((*got)[i].code, SI_QUEUE);
    EXPECT_EQ((*got)[i].value, (i + 1) * 10);
    EXPECT_EQ((*got)[i].pid, ::getpid());
    EXPECT_EQ((*got)[i].uid, ::getuid());
  }
}

TEST(SignalSourceTest, StandardSignalsCoalesce) {
  absl::StatusOr<SignalSource> src = SignalSource::Create({SIGUSR1});
  ASSERT_THAT(src, IsOk());
  for (int i = 0; i < 5; ++i) ASSERT_EQ(::kill(::getpid(), SIGUSR1), 0);
  absl::StatusOr<std::vector<SignalInfo>> got = src->Read();
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].code, SI_USER);
  EXPECT_EQ(CodeName((*got)[0].code), "SI_USER");
}

TEST(SignalSourceTest, WorksWithTheSelector) {
  absl::StatusOr<SignalSource> src = SignalSource::Create({SIGUSR2});
  ASSERT_THAT(src, IsOk());
  absl::StatusOr<std::unique_ptr<selector::Selector>> sel = selector::Selector::Create();
  ASSERT_THAT(sel, IsOk());
  ASSERT_THAT((*sel)->Register(src->fd(), selector::kReadable, nullptr), IsOk());
  EXPECT_THAT((*sel)->Select(absl::Now() + absl::Milliseconds(20)), ::ipckit::testing::IsOkAndHolds(::testing::IsEmpty()));
  ASSERT_EQ(::kill(::getpid(), SIGUSR2), 0);
  absl::StatusOr<std::vector<selector::Event>> ev = (*sel)->Select(absl::Now() + absl::Seconds(5));
  ASSERT_THAT(ev, IsOk());
  ASSERT_EQ(ev->size(), 1u);
  EXPECT_THAT(src->Read(), ::ipckit::testing::IsOkAndHolds(::testing::SizeIs(1)));
  ASSERT_THAT((*sel)->Unregister(src->fd()), IsOk());
}

TEST(SignalSourceTest, RestoresTheMask) {
  sigset_t before, after;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &before);
  { absl::StatusOr<SignalSource> src = SignalSource::Create({SIGHUP}); ASSERT_THAT(src, IsOk()); }
  ::pthread_sigmask(SIG_SETMASK, nullptr, &after);
  EXPECT_EQ(sigismember(&before, SIGHUP), sigismember(&after, SIGHUP));
}

}  // namespace
}  // namespace ipckit::signal
