#include "lib/relay/flow.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/selector/selector.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/test_bytes.h"

namespace ipckit::relay {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

// Pair is a non-blocking socketpair: the test writes at `outside`, the flow
// uses `inside` through a stream called `name`.
struct Pair {
  explicit Pair(const char* name) {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    outside = io::UniqueFd(sv[0]);
    stream = std::make_unique<io::FdStream>(io::UniqueFd(sv[1]), name, io::FdStream::Kind::kSocket);
  }
  io::UniqueFd outside;
  std::unique_ptr<io::FdStream> stream;
};

// Fixture: bytes written to src.outside go through the flow to dst.outside.
class FlowTest : public ::testing::Test {
 protected:
  FlowTest() : src_("client"), dst_("server") {}

  Flow Make(const Shaping& shaping, size_t capacity = 1 << 16, size_t delay_capacity = 0) {
    Flow f(src_.stream.get(), dst_.stream.get(), capacity, delay_capacity);
    f.set_shaping(shaping);
    return f;
  }
  // FeedUntilFull writes `data` at the source while the flow asks for
  // input, pumping it at t0_ (nothing is read at the destination).
  void FeedUntilFull(Flow& f, const std::string& data) {
    size_t sent = 0;
    for (int round = 0; round < 10000 && f.SrcEvents() != 0; ++round) {
      ssize_t n = ::write(src_.outside.get(), data.data() + sent, std::min<size_t>(data.size() - sent, 65536));
      if (n > 0) sent += static_cast<size_t>(n);
      ASSERT_THAT(Pump(f, t0_), IsOk());
    }
  }
  void Send(absl::string_view data) { ASSERT_THAT(io::WriteAll(src_.outside.get(), data), IsOk()); }
  void SendEof() { ASSERT_EQ(::shutdown(src_.outside.get(), SHUT_WR), 0); }
  // Received returns what has arrived at the destination so far, and sets
  // *eof when the flow passed the EOF on.
  std::string Received(bool* eof = nullptr) {
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(dst_.outside.get(), buf, sizeof(buf));
      if (n > 0) {
        out.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (eof != nullptr) *eof = n == 0;
      return out;
    }
  }
  absl::Status Pump(Flow& f, absl::Time now) { return f.Pump(now, true, true, absl::MakeSpan(scratch_)); }

  Pair src_, dst_;
  char scratch_[65536];
  absl::Time t0_ = absl::FromUnixSeconds(1000);
};

TEST_F(FlowTest, PassesBytesThenEof) {
  Flow f = Make({});
  Send("hello");
  SendEof();
  ASSERT_THAT(Pump(f, t0_), IsOk());
  ASSERT_THAT(Pump(f, t0_), IsOk());
  bool eof = false;
  EXPECT_EQ(Received(&eof), "hello");
  EXPECT_TRUE(eof);
  EXPECT_TRUE(f.done());
  EXPECT_EQ(f.moved(), 5u);
  EXPECT_EQ(f.SrcEvents(), 0u);
  EXPECT_EQ(f.NextTimer(t0_), absl::InfiniteFuture());
}

TEST_F(FlowTest, LatencyHoldsBytesUntilDue) {
  Shaping s;
  s.latency = absl::Milliseconds(50);
  Flow f = Make(s);
  Send("late");
  ASSERT_THAT(Pump(f, t0_), IsOk());
  EXPECT_EQ(Received(), "");
  EXPECT_EQ(f.NextTimer(t0_), t0_ + absl::Milliseconds(50));
  ASSERT_THAT(Pump(f, t0_ + absl::Milliseconds(49)), IsOk());
  EXPECT_EQ(Received(), "");
  ASSERT_THAT(Pump(f, t0_ + absl::Milliseconds(50)), IsOk());
  EXPECT_EQ(Received(), "late");
}

TEST_F(FlowTest, JitterStaysWithinBoundsAndKeepsOrder) {
  Shaping s;
  s.latency = absl::Milliseconds(100);
  s.jitter = absl::Milliseconds(20);
  Flow f = Make(s);
  std::string sent;
  for (int i = 0; i < 50; ++i) {
    std::string piece = absl::StrCat(i, ",");
    sent += piece;
    Send(piece);
    absl::Time now = t0_ + absl::Milliseconds(i);
    ASSERT_THAT(Pump(f, now), IsOk());
    absl::Time next = f.NextTimer(now);
    EXPECT_GE(next, t0_ + absl::Milliseconds(80));
    EXPECT_LE(next, t0_ + absl::Milliseconds(120 + i));
  }
  ASSERT_THAT(Pump(f, t0_ + absl::Seconds(1)), IsOk());
  EXPECT_EQ(Received(), sent);
}

TEST_F(FlowTest, RateDeliversBytesPerSecond) {
  Shaping s;
  s.rate = 1000;
  Flow f = Make(s);
  Send(testing::TestBytes(3000));
  absl::Time now = t0_;
  ASSERT_THAT(Pump(f, now), IsOk());
  EXPECT_EQ(Received().size(), 0u);  // The bucket starts empty.
  size_t got = 0;
  while (now < t0_ + absl::Seconds(2)) {
    now = std::min(f.NextTimer(now), t0_ + absl::Seconds(2));
    ASSERT_THAT(Pump(f, now), IsOk());
    got += Received().size();
  }
  EXPECT_GE(got, 1980u);
  EXPECT_LE(got, 2000u);
}

TEST_F(FlowTest, SlicesWritesWithPauses) {
  Shaping s;
  s.slice = 3;
  s.slice_delay = absl::Milliseconds(10);
  Flow f = Make(s);
  Send("abcdefgh");
  ASSERT_THAT(Pump(f, t0_), IsOk());
  EXPECT_EQ(Received(), "abc");
  EXPECT_EQ(f.NextTimer(t0_), t0_ + absl::Milliseconds(10));
  ASSERT_THAT(Pump(f, t0_ + absl::Milliseconds(5)), IsOk());
  EXPECT_EQ(Received(), "");
  ASSERT_THAT(Pump(f, t0_ + absl::Milliseconds(10)), IsOk());
  EXPECT_EQ(Received(), "def");
  ASSERT_THAT(Pump(f, t0_ + absl::Milliseconds(20)), IsOk());
  EXPECT_EQ(Received(), "gh");
}

TEST_F(FlowTest, LimitDeliversExactlyThenStops) {
  Shaping s;
  s.limit = 5;
  Flow f = Make(s);
  Send("hello world");
  SendEof();
  ASSERT_THAT(Pump(f, t0_), IsOk());
  ASSERT_THAT(Pump(f, t0_), IsOk());
  bool eof = true;
  EXPECT_EQ(Received(&eof), "hello");
  EXPECT_FALSE(eof);  // The owner closes the connection; the flow passes no EOF.
  EXPECT_TRUE(f.limit_reached());
  EXPECT_EQ(f.SrcEvents(), 0u);
}

TEST_F(FlowTest, HoldKeepsBytesAndEofUntilLifted) {
  Shaping s;
  s.hold = true;
  Flow f = Make(s);
  Send("held");
  SendEof();
  ASSERT_THAT(Pump(f, t0_), IsOk());
  ASSERT_THAT(Pump(f, t0_), IsOk());
  bool eof = true;
  EXPECT_EQ(Received(&eof), "");
  EXPECT_FALSE(eof);
  EXPECT_EQ(f.NextTimer(t0_), absl::InfiniteFuture());
  f.set_shaping({});
  ASSERT_THAT(Pump(f, t0_), IsOk());
  EXPECT_EQ(Received(&eof), "held");
  EXPECT_TRUE(eof);
}

TEST_F(FlowTest, EofDelayHoldsTheEof) {
  Shaping s;
  s.eof_delay = absl::Milliseconds(200);
  Flow f = Make(s);
  Send("x");
  SendEof();
  ASSERT_THAT(Pump(f, t0_), IsOk());
  ASSERT_THAT(Pump(f, t0_), IsOk());
  bool eof = true;
  EXPECT_EQ(Received(&eof), "x");
  EXPECT_FALSE(eof);
  EXPECT_EQ(f.NextTimer(t0_), t0_ + absl::Milliseconds(200));
  ASSERT_THAT(Pump(f, t0_ + absl::Milliseconds(200)), IsOk());
  Received(&eof);
  EXPECT_TRUE(eof);
}

TEST_F(FlowTest, FullQueueStopsReadingTheSource) {
  Flow f = Make({}, 4096);
  std::string big = testing::TestBytes(8 << 20);
  // Nobody reads the destination: the socket fills, then the queue, then
  // the flow stops asking for input.
  FeedUntilFull(f, big);
  EXPECT_EQ(f.SrcEvents(), 0u);
  EXPECT_EQ(f.queued(), 4096u);
  EXPECT_EQ(f.DstEvents(), selector::kWritable);
  std::string got = Received();
  while (f.queued() > 0) {
    ASSERT_THAT(Pump(f, t0_), IsOk());
    got += Received();
  }
  EXPECT_EQ(got, big.substr(0, got.size()));
}

TEST_F(FlowTest, LatencyQueuesUpToTheDelayCapacityNotTheWindow) {
  Shaping s;
  s.latency = absl::Milliseconds(100);
  Flow f = Make(s, 4096, 256 * 1024);
  std::string big = testing::TestBytes(1 << 20);
  // Held for their latency, bytes queue past `capacity`, up to the delay
  // capacity: then (and only then) the flow stops reading.
  FeedUntilFull(f, big);
  EXPECT_EQ(f.SrcEvents(), 0u);
  EXPECT_GE(f.queued(), 256u * 1024);
  EXPECT_EQ(Received(), "");  // Nothing is due yet.
  s.latency = absl::ZeroDuration();
  f.set_shaping(s);  // Without a latency the bound is `capacity` again: still full.
  EXPECT_EQ(f.SrcEvents(), 0u);
}

TEST_F(FlowTest, WriteErrorNamesTheStream) {
  ::signal(SIGPIPE, SIG_IGN);
  Flow f = Make({});
  dst_.outside.reset();
  Send("x");
  EXPECT_THAT(Pump(f, t0_), StatusIs(absl::StatusCode::kFailedPrecondition, "write server: Broken pipe"));
}

TEST_F(FlowTest, ABulkTransferSplicesEveryByte) {
  Flow f = Make({}, 1 << 20);
  std::string big = testing::TestBytes(8 << 20);
  std::string got;
  size_t sent = 0;
  for (int round = 0; round < 100000 && got.size() < big.size(); ++round) {
    if (sent < big.size()) {
      ssize_t n = ::write(src_.outside.get(), big.data() + sent, std::min<size_t>(big.size() - sent, 1 << 17));
      if (n > 0) sent += static_cast<size_t>(n);
      if (sent == big.size()) SendEof();
    }
    ASSERT_THAT(Pump(f, t0_), IsOk());
    got += Received();
  }
  ASSERT_THAT(Pump(f, t0_), IsOk());
  bool eof = false;
  got += Received(&eof);
  EXPECT_TRUE(got == big) << got.size() << " of " << big.size();
  EXPECT_TRUE(eof);
  EXPECT_TRUE(f.splicing());
  EXPECT_GT(f.spliced(), big.size() / 2);  // All but what came before the first full read.
  EXPECT_EQ(f.moved(), big.size());
}

TEST_F(FlowTest, SmallExchangesKeepTheCopyPath) {
  Flow f = Make({}, 1 << 20);
  for (int i = 0; i < 100; ++i) {
    Send("ping");
    ASSERT_THAT(Pump(f, t0_), IsOk());
    EXPECT_EQ(Received(), "ping");
  }
  EXPECT_FALSE(f.splicing());
  EXPECT_EQ(f.spliced(), 0u);
}

TEST_F(FlowTest, AShapingSetWhileSplicingKeepsWhatThePipeHolds) {
  Flow f = Make({}, 1 << 20);
  std::string big = testing::TestBytes(4 << 20);
  FeedUntilFull(f, big);  // Nobody reads the destination: the pipe fills.
  ASSERT_TRUE(f.splicing());
  ASSERT_GT(f.queued(), 0u);
  Shaping s;
  s.latency = absl::Milliseconds(5);
  f.set_shaping(s);
  EXPECT_FALSE(f.splicing());
  std::string got = Received();
  for (int round = 0; round < 10000 && f.queued() > 0; ++round) {
    ASSERT_THAT(Pump(f, t0_ + absl::Seconds(1)), IsOk());
    got += Received();
  }
  EXPECT_EQ(f.queued(), 0u);
  EXPECT_TRUE(got == big.substr(0, got.size())) << "bytes out of order or lost";
  EXPECT_EQ(f.moved(), got.size());
}

TEST_F(FlowTest, ASplicedWriteErrorNamesTheStream) {
  ::signal(SIGPIPE, SIG_IGN);
  Flow f = Make({}, 1 << 20);
  Send(testing::TestBytes(1 << 16));  // A full read: splicing from here on.
  ASSERT_THAT(Pump(f, t0_), IsOk());
  ASSERT_TRUE(f.splicing());
  dst_.outside.reset();
  Send("x");
  EXPECT_THAT(Pump(f, t0_), StatusIs(absl::StatusCode::kFailedPrecondition, "write server: Broken pipe"));
}

}  // namespace
}  // namespace ipckit::relay
