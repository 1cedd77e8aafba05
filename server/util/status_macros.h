// Early-return helpers for absl::Status and absl::StatusOr. Abseil 20220623
// ships neither ABSL_RETURN_IF_ERROR nor ABSL_ASSIGN_OR_RETURN.
#ifndef KNOB_SERVER_UTIL_STATUS_MACROS_H_
#define KNOB_SERVER_UTIL_STATUS_MACROS_H_

#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define KNOB_STATUS_CONCAT_INNER_(a, b) a##b
#define KNOB_STATUS_CONCAT_(a, b) KNOB_STATUS_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function when it is not OK.
#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    ::absl::Status knob_status_ = (expr);        \
    if (!knob_status_.ok()) return knob_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` declares x from an OK StatusOr, or
// returns its status from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, expr)                                          \
  KNOB_ASSIGN_OR_RETURN_IMPL_(KNOB_STATUS_CONCAT_(knob_statusor_, __LINE__), \
                              lhs, expr)

#define KNOB_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)   \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)

// Aborts with the status when `expr` is not OK: for invariants that only a
// programming error can break (e.g. registering a built-in twice).
#define CHECK_OK(expr)                                                   \
  do {                                                                   \
    ::absl::Status knob_status_ = (expr);                                \
    if (!knob_status_.ok()) {                                            \
      std::fprintf(stderr, "%s:%d: CHECK_OK(%s) failed: %s\n", __FILE__, \
                   __LINE__, #expr, knob_status_.ToString().c_str());    \
      std::abort();                                                      \
    }                                                                    \
  } while (0)

#endif  // KNOB_SERVER_UTIL_STATUS_MACROS_H_
