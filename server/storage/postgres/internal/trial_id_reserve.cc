#include "server/storage/postgres/internal/trial_id_reserve.h"

#include "pqxx/result"
#include "server/storage/postgres/internal/statements.h"

namespace knob::postgres_internal {

int64_t TrialIdReserve::Next(pqxx::transaction_base& transaction) {
  absl::MutexLock lock(&mu_);
  if (ids_.empty()) {
    // Under the lock, so that concurrent transactions do not each reserve
    // a block when one would do.
    for (const pqxx::row& row :
         transaction.exec_prepared(sql::kTrialIdsReserve, block_size_)) {
      ids_.push_back(row[0].as<int64_t>());
    }
  }
  const int64_t id = ids_.front();
  ids_.pop_front();
  return id;
}

}  // namespace knob::postgres_internal
