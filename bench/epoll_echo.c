/* epoll_echo: the floor reference for bench/echo. A minimal single-threaded
 * TCP echo loop: level-triggered epoll, one read per event, write straight
 * back, no extra epoll_ctl, a 64 KiB stack buffer. It does not handle short
 * writes or slow readers (it drops what does not fit), so it is not a server
 * to use, only a measure of the kernel's cost per request.
 * Usage: epoll_echo PORT   (prints "listening on 127.0.0.1:PORT") */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in sin = {0};
  sin.sin_family = AF_INET;
  sin.sin_port = htons((unsigned short)port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(sin);
  if (bind(ls, (struct sockaddr*)&sin, sizeof(sin)) || listen(ls, 4096) ||
      getsockname(ls, (struct sockaddr*)&sin, &len)) {
    perror("epoll_echo");
    return 1;
  }
  printf("listening on 127.0.0.1:%d\n", ntohs(sin.sin_port));
  fflush(stdout);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls}, evs[256];
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  char buf[65536];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        int c;
        while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          ev.events = EPOLLIN;
          ev.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
        }
        continue;
      }
      ssize_t r = read(fd, buf, sizeof(buf));
      if (r <= 0) {
        close(fd);
        continue;
      }
      (void)!write(fd, buf, (size_t)r);
    }
  }
}
