// eintr.h: how ipckit treats EINTR, in one place. A system call that a
// signal interrupts is either called again (RetryEintr, for a call that
// must complete: a blocking wait, a write of a status byte, an accept
// loop) or, in a non-blocking event loop, taken as "nothing now"
// (WouldBlock: EAGAIN, EWOULDBLOCK and EINTR alike; the loop waits again).
// Code outside lib/io does not test for EINTR itself; fd.h's whole-buffer
// calls use these.
//
//   ssize_t n = io::RetryEintr([&] { return ::recv(fd, buf, size, MSG_PEEK); });
//   if (n < 0 && io::WouldBlock(errno)) return;  // Wait for readiness.
//
// Threads: pure functions of errno, which is per thread.
#ifndef IPCKIT_LIB_IO_EINTR_H_
#define IPCKIT_LIB_IO_EINTR_H_

#include <errno.h>

namespace ipckit::io {

// RetryEintr calls `call` (a system call returning a negative value with
// errno set on failure) again while it fails with EINTR, and returns its
// first other result; errno is the call's.
template <typename Call>
auto RetryEintr(Call call) -> decltype(call()) {
  for (;;) {
    auto r = call();
    if (!(r < 0 && errno == EINTR)) return r;
  }
}

// WouldBlock reports whether errno value `err` means "nothing now: wait for
// readiness and try again" in a non-blocking loop: EAGAIN, EWOULDBLOCK, or
// EINTR.
inline bool WouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

// ConnectPending reports whether a non-blocking connect(2)'s errno `err`
// means the connection goes on in the background: EINPROGRESS, or EINTR (a
// signal interrupted it; it is never restarted, only waited for).
inline bool ConnectPending(int err) { return err == EINPROGRESS || err == EINTR; }

}  // namespace ipckit::io

#endif  // IPCKIT_LIB_IO_EINTR_H_
