// Trial ids reserved ahead from knob.trial's identity sequence, so that a
// study transaction can name the trials it creates before it writes them,
// and then write all of them in one statement (see trial_writes.h).
//
// Ids are unique across replicas, since each reserves its own from the
// one sequence, but not consecutive: a block's unused ids are skipped when
// the server stops, and so are the ids of a transaction that rolled back.
// Trial numbers, not ids, are a study's order.
//
// Thread-safe.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_ID_RESERVE_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_ID_RESERVE_H_

#include <cstdint>
#include <deque>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "pqxx/transaction_base"

namespace knob::postgres_internal {

class TrialIdReserve final {
 public:
  // `block_size` >= 1: how many ids one trip to the sequence reserves.
  explicit TrialIdReserve(int block_size) : block_size_(block_size) {}

  // The next reserved id. When none is left, reserves a block through
  // `transaction` (sequence values are not rolled back with it). Throws
  // what libpqxx throws.
  int64_t Next(pqxx::transaction_base& transaction);

 private:
  const int block_size_;
  absl::Mutex mu_;
  std::deque<int64_t> ids_ ABSL_GUARDED_BY(mu_);
};

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_ID_RESERVE_H_
