#include "lib/relay/relay.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/test_bytes.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::relay {
namespace {

using ::absl::StatusCode;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;

// Harness wires a relay between a "local" side (an input pipe and an output
// pipe, as nc's stdin and stdout) and a "net" side (one end of a socket
// pair); the test plays the user on the pipes and the peer on the socket.
class Harness {
 public:
  Harness() {
    ::signal(SIGPIPE, SIG_IGN);
    in_ = *io::MakePipe();
    out_ = *io::MakePipe();
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    net_ = io::UniqueFd(sv[0]);
    peer_ = io::UniqueFd(sv[1]);
    EXPECT_THAT(io::SetNonBlocking(net_.get(), true), IsOk());
    EXPECT_THAT(io::SetNonBlocking(in_.read.get(), true), IsOk());
    EXPECT_THAT(io::SetNonBlocking(out_.write.get(), true), IsOk());
  }

  // Start runs the relay in a thread.
  void Start(const RelayOptions& options) {
    local_in_ = std::make_unique<io::FdStream>(std::move(in_.read), "stdin");
    local_out_ = std::make_unique<io::FdStream>(std::move(out_.write), "stdout");
    net_stream_ = std::make_unique<io::FdStream>(std::move(net_), "net", io::FdStream::Kind::kSocket);
    start_ = absl::Now();
    result_ = std::async(std::launch::async, [this, options] {
      absl::Status s = Relay({local_in_.get(), local_out_.get()},
                             {net_stream_.get(), net_stream_.get()}, options, &stats_);
      elapsed_ = absl::Now() - start_;
      net_stream_.reset();  // Closes the socket, as the tool does at exit.
      local_out_.reset();
      return s;
    });
  }

  absl::Status Finish() { return result_.get(); }

  // PeerSawEofWithin reports whether the peer's socket reaches EOF within `d`
  // (discarding data).
  bool PeerSawEofWithin(absl::Duration d) {
    absl::Time deadline = absl::Now() + d;
    char buf[4096];
    for (;;) {
      int ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
      if (ms <= 0) return false;
      struct pollfd p = {peer_.get(), POLLIN, 0};
      if (::poll(&p, 1, ms) <= 0) return false;
      ssize_t n = ::read(peer_.get(), buf, sizeof(buf));
      if (n == 0) return true;
      if (n < 0) return false;
    }
  }

  io::Pipe in_, out_;
  io::UniqueFd net_, peer_;
  std::unique_ptr<io::FdStream> local_in_, local_out_, net_stream_;
  std::future<absl::Status> result_;
  RelayStats stats_;
  absl::Time start_;
  absl::Duration elapsed_;
};

struct Mode {
  bool splice;
  selector::Selector::Backend backend;
};

class RelayBulkTest : public ::testing::TestWithParam<Mode> {};

TEST_P(RelayBulkTest, BothDirectionsIntact) {
  Harness h;
  RelayOptions o;
  o.allow_splice = GetParam().splice;
  o.backend = GetParam().backend;
  o.shutdown_net_on_local_eof = true;
  o.keep_sending_after_net_eof = true;  // The peer half-closes while still reading.
  const std::string up = testing::TestBytes(6 << 20, 1), down = testing::TestBytes(5 << 20, 2);
  h.Start(o);
  int user_in = h.in_.write.get();
  std::thread user_writer([&] {
    EXPECT_THAT(io::WriteAll(user_in, up), IsOk());
    h.in_.write.reset();
  });
  std::thread peer([&] {
    EXPECT_THAT(io::ReadToEnd(h.peer_.get()), IsOkAndHolds(::testing::SizeIs(up.size())));
  });
  std::thread peer_writer([&] {
    EXPECT_THAT(io::WriteAll(h.peer_.get(), down), IsOk());
    ::shutdown(h.peer_.get(), SHUT_WR);
  });
  absl::StatusOr<std::string> got = io::ReadToEnd(h.out_.read.get());
  user_writer.join();
  peer.join();
  peer_writer.join();
  EXPECT_THAT(h.Finish(), IsOk());
  ASSERT_THAT(got, IsOk());
  EXPECT_TRUE(*got == down);
  EXPECT_EQ(h.stats_.sent, up.size());
  EXPECT_EQ(h.stats_.received, down.size());
  EXPECT_EQ(h.stats_.spliced, GetParam().splice);
}

INSTANTIATE_TEST_SUITE_P(Modes, RelayBulkTest,
                         ::testing::Values(Mode{true, selector::Selector::Backend::kEpoll},
                                           Mode{false, selector::Selector::Backend::kEpoll},
                                           Mode{true, selector::Selector::Backend::kPoll},
                                           Mode{false, selector::Selector::Backend::kPoll}),
                         [](const ::testing::TestParamInfo<Mode>& i) {
                           return absl::StrCat(i.param.splice ? "Splice" : "Copy",
                                               i.param.backend == selector::Selector::Backend::kEpoll ? "Epoll" : "Poll");
                         });

TEST(RelayTest, PeerCloseFinishesWhileLocalInputIdle) {
  Harness h;
  h.Start(RelayOptions());
  ASSERT_THAT(io::WriteAll(h.peer_.get(), "bye\n"), IsOk());
  h.peer_.reset();
  EXPECT_THAT(h.Finish(), IsOk());
  EXPECT_THAT(io::ReadToEnd(h.out_.read.get()), IsOkAndHolds("bye\n"));
}

TEST(RelayTest, PeerCloseStillSendsWhatLocalInputHas) {
  Harness h;
  const std::string data = testing::TestBytes(2 << 20, 5);
  ASSERT_THAT(io::WriteAll(h.peer_.get(), "early"), IsOk());
  ASSERT_EQ(::shutdown(h.peer_.get(), SHUT_WR), 0);
  // All of the input is there (in a file) before the relay starts.
  absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  io::UniqueFd file(::open(dir->Path("in").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600));
  ASSERT_THAT(io::WriteAll(file.get(), data), IsOk());
  ASSERT_EQ(::lseek(file.get(), 0, SEEK_SET), 0);
  h.in_.read = std::move(file);
  h.Start(RelayOptions());
  absl::StatusOr<std::string> got = io::ReadToEnd(h.peer_.get());
  EXPECT_THAT(h.Finish(), IsOk());
  ASSERT_THAT(got, IsOk());
  EXPECT_TRUE(*got == data);
  EXPECT_THAT(io::ReadToEnd(h.out_.read.get()), IsOkAndHolds("early"));
}

TEST(RelayTest, KeepSendingAfterPeerEof) {
  Harness h;
  RelayOptions o;
  o.keep_sending_after_net_eof = true;
  h.Start(o);
  ASSERT_THAT(io::WriteAll(h.peer_.get(), "hello"), IsOk());
  ASSERT_EQ(::shutdown(h.peer_.get(), SHUT_WR), 0);
  EXPECT_THAT(io::ReadToEnd(h.out_.read.get()), IsOkAndHolds("hello"));  // Local output closed at net EOF.
  ASSERT_THAT(io::WriteAll(h.in_.write.get(), "more"), IsOk());
  h.in_.write.reset();
  EXPECT_THAT(h.Finish(), IsOk());
  EXPECT_THAT(io::ReadToEnd(h.peer_.get()), IsOkAndHolds("more"));
}

TEST(RelayTest, ShutdownOnLocalEofThenReadsDelayedReply) {
  Harness h;
  RelayOptions o;
  o.shutdown_net_on_local_eof = true;
  h.Start(o);
  ASSERT_THAT(io::WriteAll(h.in_.write.get(), "GET /\n"), IsOk());
  h.in_.write.reset();
  // The peer reads the whole request, sees EOF, and only then replies.
  EXPECT_THAT(io::ReadToEnd(h.peer_.get()), IsOkAndHolds("GET /\n"));
  ASSERT_THAT(io::WriteAll(h.peer_.get(), "reply"), IsOk());
  h.peer_.reset();
  EXPECT_THAT(h.Finish(), IsOk());
  EXPECT_THAT(io::ReadToEnd(h.out_.read.get()), IsOkAndHolds("reply"));
}

TEST(RelayTest, WithoutShutdownPeerSeesNoEof) {
  Harness h;
  h.Start(RelayOptions());
  ASSERT_THAT(io::WriteAll(h.in_.write.get(), "x"), IsOk());
  h.in_.write.reset();
  EXPECT_FALSE(h.PeerSawEofWithin(absl::Milliseconds(100)));
  h.peer_.reset();
  EXPECT_THAT(h.Finish(), IsOk());
}

TEST(RelayTest, QuitAfterLocalEofIsAHardDeadline) {
  Harness h;
  RelayOptions o;
  o.quit_after_local_eof = absl::Milliseconds(200);
  h.Start(o);
  ASSERT_THAT(io::WriteAll(h.in_.write.get(), "data"), IsOk());
  h.in_.write.reset();
  // The peer keeps the connection open and silent.
  EXPECT_THAT(h.Finish(), IsOk());
  EXPECT_GE(h.elapsed_, absl::Milliseconds(200));
  EXPECT_LT(h.elapsed_, absl::Seconds(5));
  char buf[16];
  EXPECT_THAT(io::ReadFull(h.peer_.get(), absl::MakeSpan(buf)), IsOkAndHolds(4));
}

TEST(RelayTest, QuitZeroFinishesAtLocalEofAfterFlushing) {
  Harness h;
  RelayOptions o;
  o.quit_after_local_eof = absl::ZeroDuration();
  const std::string data = testing::TestBytes(3 << 20, 3);
  h.Start(o);
  std::thread user([&] {
    EXPECT_THAT(io::WriteAll(h.in_.write.get(), data), IsOk());
    h.in_.write.reset();
  });
  absl::StatusOr<std::string> got = io::ReadToEnd(h.peer_.get());
  user.join();
  EXPECT_THAT(h.Finish(), IsOk());
  ASSERT_THAT(got, IsOk());
  EXPECT_TRUE(*got == data);
}

TEST(RelayTest, IdleTimeout) {
  Harness h;
  RelayOptions o;
  o.idle_timeout = absl::Milliseconds(100);
  h.Start(o);
  EXPECT_THAT(h.Finish(), StatusIs(StatusCode::kDeadlineExceeded, "idle for 100ms"));
  EXPECT_GE(h.elapsed_, absl::Milliseconds(100));
}

TEST(RelayTest, ActivityPostponesIdleTimeout) {
  Harness h;
  RelayOptions o;
  o.idle_timeout = absl::Milliseconds(150);
  h.Start(o);
  for (int i = 0; i < 4; ++i) {
    ASSERT_THAT(io::WriteAll(h.peer_.get(), "."), IsOk());
    char c;
    ASSERT_THAT(io::ReadFull(h.out_.read.get(), absl::MakeSpan(&c, 1)), IsOkAndHolds(1));
    struct pollfd p = {h.peer_.get(), 0, 0};
    ::poll(&p, 1, 60);  // Let 60ms pass with the connection idle.
  }
  // 240ms in, past the 150ms timeout, yet still running thanks to the traffic.
  EXPECT_EQ(h.result_.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  EXPECT_THAT(h.Finish(), StatusIs(StatusCode::kDeadlineExceeded, "idle for 150ms"));
}

TEST(RelayTest, BrokenLocalOutputFailsPromptly) {
  Harness h;
  h.out_.read.reset();  // The reader of our stdout went away.
  h.Start(RelayOptions());
  ASSERT_THAT(io::WriteAll(h.peer_.get(), "data"), IsOk());
  EXPECT_THAT(h.Finish(), StatusIs(StatusCode::kFailedPrecondition, "write stdout: Broken pipe"));
}

TEST(RelayTest, CrlfTranslatesLineEndsSent) {
  Harness h;
  RelayOptions o;
  o.crlf = true;
  o.quit_after_local_eof = absl::ZeroDuration();
  h.Start(o);
  ASSERT_THAT(io::WriteAll(h.in_.write.get(), "a\nb\r\n\n"), IsOk());
  h.in_.write.reset();
  EXPECT_THAT(h.Finish(), IsOk());
  h.net_.reset();
  EXPECT_THAT(io::ReadToEnd(h.peer_.get()), IsOkAndHolds("a\r\nb\r\n\r\n"));
}

TEST(RelayTest, LineIntervalPausesBetweenLines) {
  Harness h;
  RelayOptions o;
  o.line_interval = absl::Milliseconds(60);
  o.shutdown_net_on_local_eof = true;
  o.quit_after_local_eof = absl::ZeroDuration();
  h.Start(o);
  ASSERT_THAT(io::WriteAll(h.in_.write.get(), "1\n2\n3\n"), IsOk());
  h.in_.write.reset();
  EXPECT_THAT(io::ReadToEnd(h.peer_.get()), IsOkAndHolds("1\n2\n3\n"));
  EXPECT_THAT(h.Finish(), IsOk());
  EXPECT_GE(h.elapsed_, absl::Milliseconds(120));
}

TEST(RelayTest, RegularFileInput) {
  absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  const std::string data = testing::TestBytes(1 << 20, 4);
  io::UniqueFd file(::open(dir->Path("in").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600));
  ASSERT_TRUE(file);
  ASSERT_THAT(io::WriteAll(file.get(), data), IsOk());
  ASSERT_EQ(::lseek(file.get(), 0, SEEK_SET), 0);
  Harness h;
  h.in_.read = std::move(file);
  RelayOptions o;
  o.shutdown_net_on_local_eof = true;
  h.Start(o);
  absl::StatusOr<std::string> got = io::ReadToEnd(h.peer_.get());
  h.peer_.reset();
  EXPECT_THAT(h.Finish(), IsOk());
  ASSERT_THAT(got, IsOk());
  EXPECT_TRUE(*got == data);
}

TEST(RelayTest, RecvOnlyNeverReadsLocalInput) {
  Harness h;
  RelayOptions o;
  o.read_local = false;
  ASSERT_THAT(io::WriteAll(h.in_.write.get(), "unread"), IsOk());
  int unread_end = h.in_.read.get();
  io::UniqueFd keep(::dup(unread_end));
  h.Start(o);
  ASSERT_THAT(io::WriteAll(h.peer_.get(), "in"), IsOk());
  h.peer_.reset();
  EXPECT_THAT(h.Finish(), IsOk());
  EXPECT_THAT(io::ReadToEnd(h.out_.read.get()), IsOkAndHolds("in"));
  h.in_.write.reset();
  EXPECT_THAT(io::ReadToEnd(keep.get()), IsOkAndHolds("unread"));
}

TEST(RelayTest, SendOnlyFinishesAtLocalEof) {
  Harness h;
  RelayOptions o;
  o.read_net = false;
  h.Start(o);
  ASSERT_THAT(io::WriteAll(h.peer_.get(), "ignored"), IsOk());
  ASSERT_THAT(io::WriteAll(h.in_.write.get(), "sent"), IsOk());
  h.in_.write.reset();
  EXPECT_THAT(h.Finish(), IsOk());
  EXPECT_THAT(io::ReadToEnd(h.peer_.get()), IsOkAndHolds("sent"));
  EXPECT_THAT(io::ReadToEnd(h.out_.read.get()), IsOkAndHolds(""));  // Dropped.
}

// A local output nobody reads must stop the relay from reading the net:
// what the peer can push is bounded by kernel buffers plus the relay's own.
TEST(RelayTest, BackpressureBoundsBufferedData) {
  Harness h;
  RelayOptions o;
  o.buffer_size = 64 * 1024;
  h.Start(o);
  ASSERT_THAT(io::SetNonBlocking(h.peer_.get(), true), IsOk());
  std::string chunk(64 * 1024, 'x');
  size_t pushed = 0;
  absl::Time deadline = absl::Now() + absl::Seconds(2);
  while (absl::Now() < deadline) {
    absl::StatusOr<size_t> n = io::WriteOnce(h.peer_.get(), chunk);
    if (n.ok()) {
      pushed += *n;
    } else {
      struct pollfd p = {h.peer_.get(), POLLOUT, 0};
      ::poll(&p, 1, 20);
    }
  }
  // socketpair buffers + output pipe (64K-1M) + relay pipe/buffer (<= 1 MiB).
  EXPECT_LT(pushed, 8u << 20) << pushed;
  h.peer_.reset();
  h.out_.read.reset();
  EXPECT_THAT(h.Finish(), StatusIs(StatusCode::kFailedPrecondition, "write stdout: Broken pipe"));
}

// BufferedStream holds its input in user space, as a TLS stream holds a
// decrypted record: its descriptor never becomes readable for it.
class BufferedStream : public io::Stream {
 public:
  BufferedStream(std::string data, int idle_fd) : data_(std::move(data)), fd_(idle_fd) {}
  absl::StatusOr<size_t> Read(absl::Span<char> buf) override {
    size_t n = std::min(buf.size(), data_.size() - pos_);
    memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;  // 0 once everything was read: EOF.
  }
  absl::StatusOr<size_t> Write(absl::string_view data) override { return data.size(); }
  absl::Status CloseWrite() override { return absl::OkStatus(); }
  int fd() const override { return fd_; }
  bool HasBufferedInput() const override { return pos_ <= data_.size(); }
  const std::string& name() const override { return name_; }

 private:
  std::string data_;
  size_t pos_ = 0;
  int fd_;
  std::string name_ = "net";
};

TEST(RelayTest, ReadsInputBufferedInUserSpaceWithoutWaiting) {
  io::Pipe idle = *io::MakePipe();  // Never written: never readable.
  io::Pipe out = *io::MakePipe();
  ASSERT_THAT(io::SetNonBlocking(out.write.get(), true), IsOk());
  std::string data = testing::TestBytes(10000, 7);
  BufferedStream net(data, idle.read.get());
  io::FdStream local_out(out.write.get(), "stdout");
  RelayOptions o;
  o.read_local = false;
  o.buffer_size = 1024;
  o.allow_splice = false;
  o.idle_timeout = absl::Seconds(3);
  std::string got;
  std::thread reader([&] { got = *io::ReadToEnd(out.read.get()); });
  EXPECT_THAT(Relay({nullptr, &local_out}, {&net, &net}, o, nullptr), IsOk());
  out.write.reset();
  reader.join();
  EXPECT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data);
}

}  // namespace
}  // namespace ipckit::relay
