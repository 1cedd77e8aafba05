// Trial ids reserved ahead from knob.trial's identity sequence, so that a
// study transaction can name the trials it creates before it writes them,
// and then write all of them in one statement (see trial_writes.h).
//
// Reserving a block costs about a millisecond of the database's time. A
// transaction that has to do it makes every request of its group wait
// that much longer, so a thread of the reserve's own tops it up whenever
// fewer than half a block is left: transactions find ids waiting, and
// reserve a block themselves only when a burst used up the reserve first.
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
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "pqxx/transaction_base"

namespace knob::postgres_internal {

// Takes `count` ids from the sequence through `transaction` (sequence
// values are not rolled back with it). Throws what libpqxx throws.
std::vector<int64_t> ReserveTrialIds(pqxx::transaction_base& transaction,
                                     int count);

class TrialIdReserve final {
 public:
  // Reserves `count` ids, or returns none if it cannot.
  using ReserveFn = std::function<std::vector<int64_t>(int count)>;

  // `block_size` >= 1: how many ids one trip to the sequence reserves.
  // `reserve_ahead`, unless null, tops the reserve up on the reserve's
  // own thread, on a connection of its own; it must not throw.
  TrialIdReserve(int block_size, ReserveFn reserve_ahead);
  // Waits for a top-up under way.
  ~TrialIdReserve();

  TrialIdReserve(const TrialIdReserve&) = delete;
  TrialIdReserve& operator=(const TrialIdReserve&) = delete;

  // The next reserved id. When none is left, reserves a block with
  // `reserve_now` (the caller's transaction). Throws what it throws.
  int64_t Next(absl::FunctionRef<std::vector<int64_t>(int count)> reserve_now);

  // Ids in reserve.
  int available();

 private:
  void TopUpLoop();
  // Fewer than half a block left: time to top up.
  bool Low() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return 2 * ids_.size() < static_cast<size_t>(block_size_);
  }
  bool TopUpWantedOrStopping() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return wanted_ || stopping_;
  }

  const int block_size_;
  const ReserveFn reserve_ahead_;
  absl::Mutex mu_;
  std::deque<int64_t> ids_ ABSL_GUARDED_BY(mu_);
  // Whether the top-up thread should reserve a block.
  bool wanted_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Last, so that it starts once the rest is built.
  std::thread top_up_;
};

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_ID_RESERVE_H_
