#include "lib/mmap/sigbus_guard.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

namespace ipckit::mmap {
namespace {

struct Slot {
  std::atomic<bool> used{false};
  std::atomic<uintptr_t> start{0};
  std::atomic<uintptr_t> end{0};
  std::atomic<int> faulted{0};
};

Slot g_slots[SigbusGuard::kSlots];
struct sigaction g_previous;
std::once_flag g_install;
bool g_installed = false;

void OnSigbus(int sig, siginfo_t* info, void* context) {
  uintptr_t addr = reinterpret_cast<uintptr_t>(info->si_addr);
  for (Slot& s : g_slots) {
    if (!s.used.load(std::memory_order_acquire)) continue;
    if (addr < s.start.load(std::memory_order_acquire) || addr >= s.end.load(std::memory_order_acquire)) continue;
    uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    void* at = reinterpret_cast<void*>(addr / page * page);
    // A private zero page where the file's page was; the access is retried.
    if (::mmap(at, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
      s.faulted.store(1, std::memory_order_release);
      return;
    }
    break;
  }
  // Not ours (or the page could not be replaced): the previous action, which
  // for a real fault is the default one, on the retried access.
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) {
      g_previous.sa_sigaction(sig, info, context);
      return;
    }
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
    g_previous.sa_handler(sig);
    return;
  }
  ::signal(SIGBUS, SIG_DFL);
}

void Install() {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = OnSigbus;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  g_installed = ::sigaction(SIGBUS, &sa, &g_previous) == 0;
}

}  // namespace

SigbusGuard::SigbusGuard(const void* addr, size_t len) {
  std::call_once(g_install, Install);
  if (!g_installed) return;
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    Slot& s = g_slots[i];
    // Claim the slot with its range unset, then publish the range.
    if (s.used.load(std::memory_order_relaxed)) continue;
    s.start.store(0, std::memory_order_relaxed);
    s.end.store(0, std::memory_order_relaxed);
    if (!s.used.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) continue;
    s.faulted.store(0, std::memory_order_relaxed);
    s.start.store(reinterpret_cast<uintptr_t>(addr), std::memory_order_release);
    s.end.store(reinterpret_cast<uintptr_t>(addr) + len, std::memory_order_release);
    slot_ = i;
    return;
  }
}

SigbusGuard::~SigbusGuard() {
  if (slot_ < 0) return;
  Slot& s = g_slots[slot_];
  s.end.store(0, std::memory_order_release);
  s.start.store(0, std::memory_order_release);
  s.used.store(false, std::memory_order_release);
}

bool SigbusGuard::faulted() const {
  return slot_ >= 0 && g_slots[slot_].faulted.load(std::memory_order_acquire) != 0;
}

}  // namespace ipckit::mmap
