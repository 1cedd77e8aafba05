// The one place where libpqxx exceptions become absl::Status. Storage never
// throws, so every call into libpqxx runs inside Guard().
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_ERRORS_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_ERRORS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace knob::postgres_internal {

// A database failure: the status for the caller, and what the caller may
// do about it.
struct DatabaseFailure {
  absl::Status status;
  // The connection is unusable (PostgreSQL restarted, the network broke):
  // the pool must replace it.
  bool connection_lost = false;
  // Running the whole transaction again may succeed: a serialization
  // failure or deadlock (ABORTED), or a connection lost before COMMIT was
  // sent. False when the outcome of a COMMIT is unknown.
  bool retryable = false;
};

// Translates the exception being handled; call only inside a catch block.
//   pqxx::broken_connection, connection SQLSTATEs (08xxx, 57P0x) → UNAVAILABLE
//   pqxx::in_doubt_error (COMMIT outcome unknown)              → UNAVAILABLE
//   serialization_failure, deadlock_detected (40xxx)           → ABORTED
//   unique_violation                                           → ALREADY_EXISTS
//   foreign_key_violation, restrict_violation                  →
//   FAILED_PRECONDITION check / not-null violations, invalid data (22xxx) →
//   INVALID_ARGUMENT anything else, including non-libpqxx exceptions → INTERNAL
// The message starts with `operation`.
DatabaseFailure TranslateCurrentException(absl::string_view operation);

// Runs `fn` (returning absl::Status or absl::StatusOr<T>) and turns any
// exception it throws into that return type; the failure's details go to
// `*failure` when it is not null.
template <typename Fn>
auto Guard(absl::string_view operation, DatabaseFailure* failure, Fn&& fn)
    -> decltype(fn()) {
  try {
    return fn();
  } catch (...) {
    DatabaseFailure translated = TranslateCurrentException(operation);
    absl::Status status = translated.status;
    if (failure != nullptr) *failure = std::move(translated);
    return status;
  }
}

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_ERRORS_H_
