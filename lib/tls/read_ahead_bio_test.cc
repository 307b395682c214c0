#include "lib/tls/read_ahead_bio.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace ipckit::tls {
namespace {

class ReadAheadBioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds_), 0);
    bio_ = NewReadAheadBio(fds_[0]);
    ASSERT_TRUE(bio_);
  }
  void TearDown() override {
    ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  void Send(const std::string& s) { ASSERT_EQ(::send(fds_[1], s.data(), s.size(), 0), static_cast<ssize_t>(s.size())); }
  std::string ReadSome(int len) {
    std::string out(static_cast<size_t>(len), '\0');
    int n = BIO_read(bio_.get(), &out[0], len);
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return out;
  }
  // Record returns a TLS record: a header for `body`, then `body`.
  static std::string Record(const std::string& body) {
    std::string r = {'\x17', '\x03', '\x03', static_cast<char>(body.size() >> 8), static_cast<char>(body.size() & 0xff)};
    return r + body;
  }
  int fds_[2] = {-1, -1};
  bssl::UniquePtr<BIO> bio_;
};

TEST_F(ReadAheadBioTest, OneRecvServesSeveralReads) {
  Send(Record("hello") + Record("world"));
  EXPECT_EQ(ReadSome(5), Record("hello").substr(0, 5));  // A header: the rest is now buffered.
  EXPECT_EQ(BIO_pending(bio_.get()), 15u);
  ::shutdown(fds_[1], SHUT_WR);  // Later reads come from the buffer or see EOF.
  EXPECT_EQ(ReadSome(5), "hello");
  EXPECT_EQ(ReadSome(100), Record("world"));  // Never more than it holds.
  EXPECT_EQ(BIO_pending(bio_.get()), 0u);
  EXPECT_EQ(ReadSome(1), "");  // EOF.
}

TEST_F(ReadAheadBioTest, WouldBlockSetsRetryAndEofIsZero) {
  char c;
  EXPECT_EQ(BIO_read(bio_.get(), &c, 1), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_TRUE(BIO_should_retry(bio_.get()));
  EXPECT_TRUE(BIO_should_read(bio_.get()));
  Send("z");
  EXPECT_EQ(ReadSome(1), "z");
  EXPECT_FALSE(BIO_should_retry(bio_.get()));
  ::close(fds_[1]);
  fds_[1] = -1;
  EXPECT_EQ(BIO_read(bio_.get(), &c, 1), 0);
  EXPECT_FALSE(BIO_should_retry(bio_.get()));
}

TEST_F(ReadAheadBioTest, LargeReadsGoStraightToTheCaller) {
  std::string big(kReadAhead + 10, 'b');
  big[0] = 'B';
  // The socketpair's buffer may take less than all: read what it took.
  ssize_t sent = ::send(fds_[1], big.data(), big.size(), 0);
  ASSERT_GT(sent, 0);
  std::string got = ReadSome(static_cast<int>(big.size()));
  EXPECT_EQ(got, big.substr(0, got.size()));
  EXPECT_EQ(BIO_pending(bio_.get()), 0u);
}

TEST_F(ReadAheadBioTest, ResetIsAnErrorWithErrno) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  ::close(fds[1]);
  bssl::UniquePtr<BIO> bio = NewReadAheadBio(fds[0]);
  ::close(fds[0]);  // Now a bad descriptor.
  char c;
  EXPECT_EQ(BIO_read(bio.get(), &c, 1), -1);
  EXPECT_EQ(errno, EBADF);
  EXPECT_FALSE(BIO_should_retry(bio.get()));
}

}  // namespace
}  // namespace ipckit::tls
