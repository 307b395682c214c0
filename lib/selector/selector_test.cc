#include "lib/selector/selector.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::selector {
namespace {

using ::absl::StatusCode;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

MATCHER_P3(IsEvent, fd, events, data, "") {
  return arg.fd == fd && arg.events == events && arg.data == data;
}

class SelectorTest : public ::testing::TestWithParam<Selector::Backend> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Selector>> s = Selector::Create(GetParam());
    ASSERT_THAT(s, IsOk());
    sel_ = std::move(*s);
    absl::StatusOr<io::Pipe> p = io::MakePipe();
    ASSERT_THAT(p, IsOk());
    pipe_ = std::move(*p);
  }
  absl::StatusOr<std::vector<Event>> SelectFor(absl::Duration d) {
    return sel_->Select(absl::Now() + d);
  }

  std::unique_ptr<Selector> sel_;
  io::Pipe pipe_;
  int tag_ = 0;
  int tag2_ = 0;
};

TEST_P(SelectorTest, ReadableWhenDataArrives) {
  ASSERT_THAT(sel_->Register(pipe_.read.get(), kReadable, &tag_), IsOk());
  EXPECT_THAT(SelectFor(absl::Milliseconds(20)), IsOkAndHolds(IsEmpty()));
  ASSERT_THAT(io::WriteAll(pipe_.write.get(), "x"), IsOk());
  absl::StatusOr<std::vector<Event>> r = SelectFor(absl::Seconds(5));
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(*r, ElementsAre(IsEvent(pipe_.read.get(), kReadable, &tag_)));
}

TEST_P(SelectorTest, WritableAtOnce) {
  ASSERT_THAT(sel_->Register(pipe_.write.get(), kReadable | kWritable, &tag_), IsOk());
  absl::StatusOr<std::vector<Event>> r = SelectFor(absl::Seconds(5));
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(*r, ElementsAre(IsEvent(pipe_.write.get(), kWritable, &tag_)));
}

TEST_P(SelectorTest, DeadlineReturnsEmptyOnTime) {
  ASSERT_THAT(sel_->Register(pipe_.read.get(), kReadable, &tag_), IsOk());
  absl::Time start = absl::Now();
  absl::StatusOr<std::vector<Event>> r = SelectFor(absl::Milliseconds(100));
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(*r, IsEmpty());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(100));
}

TEST_P(SelectorTest, HangupIsReportedAsRegisteredEvents) {
  ASSERT_THAT(sel_->Register(pipe_.read.get(), kReadable, &tag_), IsOk());
  pipe_.write.reset();
  absl::StatusOr<std::vector<Event>> r = SelectFor(absl::Seconds(5));
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(*r, ElementsAre(IsEvent(pipe_.read.get(), kReadable, &tag_)));
}

TEST_P(SelectorTest, ZeroEventsAreNotWatchedEvenOnHangup) {
  ASSERT_THAT(sel_->Register(pipe_.read.get(), 0, &tag_), IsOk());
  pipe_.write.reset();
  EXPECT_THAT(SelectFor(absl::Milliseconds(50)), IsOkAndHolds(IsEmpty()));
  ASSERT_THAT(sel_->Modify(pipe_.read.get(), kReadable, &tag2_), IsOk());
  absl::StatusOr<std::vector<Event>> r = SelectFor(absl::Seconds(5));
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(*r, ElementsAre(IsEvent(pipe_.read.get(), kReadable, &tag2_)));
  ASSERT_THAT(sel_->Modify(pipe_.read.get(), 0, &tag2_), IsOk());
  EXPECT_THAT(SelectFor(absl::Milliseconds(20)), IsOkAndHolds(IsEmpty()));
}

TEST_P(SelectorTest, UnregisterStopsEvents) {
  ASSERT_THAT(sel_->Register(pipe_.write.get(), kWritable, &tag_), IsOk());
  EXPECT_EQ(sel_->size(), 1u);
  ASSERT_THAT(sel_->Unregister(pipe_.write.get()), IsOk());
  EXPECT_EQ(sel_->size(), 0u);
  EXPECT_THAT(SelectFor(absl::Milliseconds(20)), IsOkAndHolds(IsEmpty()));
}

TEST_P(SelectorTest, RegistrationErrors) {
  ASSERT_THAT(sel_->Register(pipe_.read.get(), kReadable, &tag_), IsOk());
  int fd = pipe_.read.get();
  EXPECT_THAT(sel_->Register(fd, kReadable, &tag_),
              StatusIs(StatusCode::kAlreadyExists, absl::StrCat("register fd ", fd, ": already registered")));
  int other = pipe_.write.get();
  EXPECT_THAT(sel_->Modify(other, kReadable, &tag_),
              StatusIs(StatusCode::kNotFound, absl::StrCat("modify fd ", other, ": not registered")));
  EXPECT_THAT(sel_->Unregister(other),
              StatusIs(StatusCode::kNotFound, absl::StrCat("unregister fd ", other, ": not registered")));
  EXPECT_THAT(sel_->Register(-1, kReadable, &tag_),
              StatusIs(StatusCode::kInvalidArgument, "register fd -1: bad descriptor"));
}

TEST_P(SelectorTest, TimersFireInOrderWithData) {
  absl::Time now = absl::Now();
  sel_->AddTimer(now + absl::Milliseconds(30), &tag2_);
  sel_->AddTimer(now + absl::Milliseconds(10), &tag_);
  std::vector<void*> fired;
  absl::Time deadline = now + absl::Seconds(5);
  while (fired.size() < 2 && absl::Now() < deadline) {
    absl::StatusOr<std::vector<Event>> r = sel_->Select(deadline);
    ASSERT_THAT(r, IsOk());
    for (const Event& e : *r) {
      EXPECT_EQ(e.fd, -1);
      fired.push_back(e.data);
    }
  }
  EXPECT_THAT(fired, ElementsAre(&tag_, &tag2_));
  EXPECT_GE(absl::Now() - now, absl::Milliseconds(30));
}

TEST_P(SelectorTest, CancelledTimerDoesNotFire) {
  Selector::TimerId id = sel_->AddTimer(absl::Now() + absl::Milliseconds(10), &tag_);
  EXPECT_TRUE(sel_->CancelTimer(id));
  EXPECT_FALSE(sel_->CancelTimer(id));
  EXPECT_THAT(SelectFor(absl::Milliseconds(50)), IsOkAndHolds(IsEmpty()));
}

TEST_P(SelectorTest, TimerAfterDeadlineWaitsForNextSelect) {
  sel_->AddTimer(absl::Now() + absl::Milliseconds(60), &tag_);
  EXPECT_THAT(SelectFor(absl::Milliseconds(10)), IsOkAndHolds(IsEmpty()));
  absl::StatusOr<std::vector<Event>> r = SelectFor(absl::Seconds(5));
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(*r, ElementsAre(IsEvent(-1, 0u, &tag_)));
}

TEST_P(SelectorTest, SignalsDoNotEndTheWaitEarly) {
  struct sigaction sa = {}, old;
  sa.sa_handler = [](int) {};
  ASSERT_EQ(::sigaction(SIGUSR2, &sa, &old), 0);  // No SA_RESTART.
  ASSERT_THAT(sel_->Register(pipe_.read.get(), kReadable, &tag_), IsOk());
  pthread_t self = ::pthread_self();
  std::thread interrupter([self] {
    for (int i = 0; i < 5; ++i) ::pthread_kill(self, SIGUSR2);
  });
  absl::Time start = absl::Now();
  absl::StatusOr<std::vector<Event>> r = SelectFor(absl::Milliseconds(150));
  interrupter.join();
  ::sigaction(SIGUSR2, &old, nullptr);
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(*r, IsEmpty());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(150));
}

INSTANTIATE_TEST_SUITE_P(Backends, SelectorTest,
                         ::testing::Values(Selector::Backend::kEpoll, Selector::Backend::kPoll),
                         [](const ::testing::TestParamInfo<Selector::Backend>& info) {
                           return info.param == Selector::Backend::kEpoll ? "Epoll" : "Poll";
                         });

}  // namespace
}  // namespace ipckit::selector
