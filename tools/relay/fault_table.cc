#include "tools/relay/fault_table.h"

#include "absl/strings/str_cat.h"

namespace ipckit::relay_tool {

const char* AdmissionName(Admission a) {
  switch (a) {
    case Admission::kServe: return "serve";
    case Admission::kReset: return "down";
    case Admission::kClose: return "down close";
    case Admission::kStall: return "stall";
  }
  return "?";
}

absl::Status FaultTable::Add(const Fault& f) {
  if (absl::Status s = FitsSessions(f, datagram_.load(std::memory_order_acquire)); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  for (const Fault& g : *faults_) {
    if (g.name == f.name) {
      return absl::AlreadyExistsError(
          absl::StrCat("a fault named '", f.name, "' exists (give name=OTHER, or fault rm it first)"));
    }
  }
  auto next = std::make_shared<Faults>(*faults_);
  next->push_back(f);
  faults_ = std::move(next);
  version_.fetch_add(1, std::memory_order_acq_rel);
  return absl::OkStatus();
}

absl::Status FaultTable::Remove(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto next = std::make_shared<Faults>();
  for (const Fault& g : *faults_) {
    if (g.name != name) next->push_back(g);
  }
  if (next->size() == faults_->size()) return absl::NotFoundError(absl::StrCat("no fault named '", name, "'"));
  faults_ = std::move(next);
  version_.fetch_add(1, std::memory_order_acq_rel);
  return absl::OkStatus();
}

void FaultTable::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_ = std::make_shared<Faults>();
  version_.fetch_add(1, std::memory_order_acq_rel);
}

std::shared_ptr<const FaultTable::Faults> FaultTable::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return faults_;
}

void FaultTable::set_admission(Admission a) {
  admission_.store(a, std::memory_order_release);
  version_.fetch_add(1, std::memory_order_acq_rel);
}

}  // namespace ipckit::relay_tool
