// datagrams.cc: UDP and Unix datagram echo, replying from the address each datagram
// came to (see worker.h).
#include "tools/echod/worker.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

#include "tools/echod/services.h"

namespace ipckit::echod {

void Worker::Datagrams(ListenerHandler* l) {
  for (int i = 0; i < 64; ++i) {
    struct sockaddr_storage from;
    char control[256];
    struct iovec iov = {scratch_->data(), kScratch};
    struct msghdr msg = {};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = ::recvmsg(l->fd, &msg, MSG_DONTWAIT);
    if (n < 0) return;
    Add(counters_->datagrams_in, 1);
    Add(counters_->bytes_in, static_cast<uint64_t>(n));
    if (o_.drop_rate > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < o_.drop_rate) {
      Add(counters_->dropped, 1);
      continue;
    }
    std::string reply;
    const char* out = scratch_->data();
    size_t out_len = static_cast<size_t>(n);
    switch (o_.service) {
      case Service::kEcho: break;
      case Service::kDiscard: continue;
      case Service::kDaytime:
        reply = Daytime();
        out = reply.data();
        out_len = reply.size();
        break;
      case Service::kChargen: {
        uint64_t line = rng_() % 94;
        reply = Chargen(1 + rng_() % 6, &line);
        out = reply.data();
        out_len = reply.size();
        break;
      }
    }
    if (msg.msg_namelen <= sizeof(sa_family_t)) continue;  // An unnamed Unix sender.
    // Reply from the address the datagram came to: pass its pktinfo back.
    struct iovec riov = {const_cast<char*>(out), out_len};
    struct msghdr r = {};
    r.msg_name = &from;
    r.msg_namelen = msg.msg_namelen;
    r.msg_iov = &riov;
    r.msg_iovlen = 1;
    char rcontrol[256];
    size_t clen = 0;
    for (struct cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
      bool v4 = cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO;
      bool v6 = cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO;
      if (!v4 && !v6) continue;
      std::memcpy(rcontrol + clen, cm, cm->cmsg_len);
      if (v4) {
        auto* pi = reinterpret_cast<struct in_pktinfo*>(CMSG_DATA(reinterpret_cast<struct cmsghdr*>(rcontrol + clen)));
        pi->ipi_spec_dst = pi->ipi_addr;
        pi->ipi_ifindex = 0;
      }
      clen += CMSG_ALIGN(cm->cmsg_len);
    }
    if (clen > 0) {
      r.msg_control = rcontrol;
      r.msg_controllen = clen;
    }
    if (::sendmsg(l->fd, &r, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
      Add(counters_->datagrams_out, 1);
      Add(counters_->bytes_out, out_len);
    }
  }
}

}  // namespace ipckit::echod
