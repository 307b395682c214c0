#include "lib/relay/datagram_shaper.h"

#include <algorithm>

namespace ipckit::relay {
namespace {

bool Chance(double p, std::minstd_rand& rng) {
  if (p <= 0) return false;
  if (p >= 1) return true;
  return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

}  // namespace

bool DatagramShaping::any() const {
  return latency > absl::ZeroDuration() || jitter > absl::ZeroDuration() || rate > 0 || loss > 0 || duplicate > 0 ||
         reorder > 0;
}

bool DatagramShaper::Queue(absl::string_view datagram, absl::Time due) {
  if (queued_ + datagram.size() > capacity_) return false;
  queued_ += datagram.size();
  queue_.emplace(std::make_pair(due, sequence_++), std::string(datagram));
  return true;
}

DatagramShaper::Fate DatagramShaper::Offer(absl::string_view datagram, absl::Time now, std::minstd_rand& rng) {
  if (Chance(shaping_.loss, rng)) return Fate::kLost;
  absl::Time due = now + shaping_.latency;
  if (shaping_.jitter > absl::ZeroDuration()) {
    double j = std::uniform_real_distribution<double>(-1, 1)(rng);
    due = std::max(now, due + j * shaping_.jitter);
  }
  if (shaping_.rate > 0) {
    due = std::max(due, paced_until_);
    paced_until_ = due + absl::Seconds(static_cast<double>(datagram.size()) / static_cast<double>(shaping_.rate));
  }
  if (!Queue(datagram, due)) return Fate::kOverflow;
  if (!Chance(shaping_.duplicate, rng)) return Fate::kQueued;
  return Queue(datagram, due) ? Fate::kDuplicated : Fate::kQueued;
}

void DatagramShaper::TakeDue(absl::Time now, std::minstd_rand& rng, std::vector<std::string>* out) {
  while (!queue_.empty() && queue_.begin()->first.first <= now) {
    std::string d = std::move(queue_.begin()->second);
    queue_.erase(queue_.begin());
    queued_ -= d.size();
    if (!held_ && Chance(shaping_.reorder, rng)) {
      held_.emplace(now + kReorderHold, std::move(d));  // Out after the next one.
      continue;
    }
    out->push_back(std::move(d));
    if (held_) {
      out->push_back(std::move(held_->second));
      held_.reset();
    }
  }
  if (held_ && held_->first <= now) {
    out->push_back(std::move(held_->second));
    held_.reset();
  }
}

absl::Time DatagramShaper::NextTimer() const {
  absl::Time next = queue_.empty() ? absl::InfiniteFuture() : queue_.begin()->first.first;
  return held_ ? std::min(next, held_->first) : next;
}

}  // namespace ipckit::relay
