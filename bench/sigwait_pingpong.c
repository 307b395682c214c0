/* sigwait_pingpong: the plain C reference for bench/sigtest. Parent and
 * child bounce SIGUSR1/SIGUSR2 with kill(2) and sigwaitinfo(2), N times, and
 * the parent prints "p50_us P99_us" of the round trips. Usage: sigwait_pingpong N */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void* a, const void* b) {
  long long x = *(const long long*)a, y = *(const long long*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10000;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, NULL);
  pid_t parent = getpid(), child = fork();
  if (child == 0) {
    for (int i = 0; i < n; i++) {
      sigwaitinfo(&set, NULL);
      kill(parent, SIGUSR2);
    }
    _exit(0);
  }
  long long* rtt = malloc(sizeof(long long) * (size_t)n);
  for (int i = 0; i < n; i++) {
    long long t0 = now_ns();
    kill(child, SIGUSR1);
    sigwaitinfo(&set, NULL);
    rtt[i] = now_ns() - t0;
  }
  waitpid(child, NULL, 0);
  qsort(rtt, (size_t)n, sizeof(rtt[0]), cmp);
  printf("%.2f %.2f\n", rtt[n / 2] / 1e3, rtt[(n * 99) / 100] / 1e3);
  free(rtt);
  return 0;
}
