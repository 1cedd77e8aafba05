#include "server/storage/postgres/internal/trial_id_reserve.h"

#include <utility>

#include "pqxx/result"
#include "server/storage/postgres/internal/statements.h"

namespace knob::postgres_internal {

std::vector<int64_t> ReserveTrialIds(pqxx::transaction_base& transaction,
                                     int count) {
  std::vector<int64_t> ids;
  ids.reserve(count);
  for (const pqxx::row& row :
       transaction.exec_prepared(sql::kTrialIdsReserve, count)) {
    ids.push_back(row[0].as<int64_t>());
  }
  return ids;
}

TrialIdReserve::TrialIdReserve(int block_size, ReserveFn reserve_ahead)
    : block_size_(block_size), reserve_ahead_(std::move(reserve_ahead)) {
  if (reserve_ahead_ != nullptr) top_up_ = std::thread([this] { TopUpLoop(); });
}

TrialIdReserve::~TrialIdReserve() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (top_up_.joinable()) top_up_.join();
}

int64_t TrialIdReserve::Next(
    absl::FunctionRef<std::vector<int64_t>(int count)> reserve_now) {
  absl::MutexLock lock(&mu_);
  if (ids_.empty()) {
    // Under the lock, so that concurrent transactions do not each reserve
    // a block when one would do.
    for (int64_t id : reserve_now(block_size_)) ids_.push_back(id);
  }
  const int64_t id = ids_.front();
  ids_.pop_front();
  if (Low()) wanted_ = true;
  return id;
}

int TrialIdReserve::available() {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(ids_.size());
}

void TrialIdReserve::TopUpLoop() {
  absl::MutexLock lock(&mu_);
  while (true) {
    mu_.Await(absl::Condition(this, &TrialIdReserve::TopUpWantedOrStopping));
    if (stopping_) return;
    // Transactions keep taking ids meanwhile; one that finds none left
    // reserves its own block rather than wait for this one.
    mu_.Unlock();
    std::vector<int64_t> ids = reserve_ahead_(block_size_);
    mu_.Lock();
    for (int64_t id : ids) ids_.push_back(id);
    wanted_ = Low() && !ids.empty();
  }
}

}  // namespace knob::postgres_internal
