#include "server/storage/postgres/internal/errors.h"

#include <exception>
#include <new>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "pqxx/except"

namespace knob::postgres_internal {
namespace {

DatabaseFailure Failure(absl::StatusCode code, absl::string_view operation,
                        absl::string_view detail, bool connection_lost = false,
                        bool retryable = false) {
  // PostgreSQL messages span lines ("ERROR: ...\nDETAIL: ..."); a status
  // message is one line in logs and gRPC replies.
  std::string message(operation);
  message += ": ";
  bool space = false;
  for (char c : detail) {
    if (c == '\n' || c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && message.back() != ' ') message += ' ';
    space = false;
    message += c;
  }
  return {absl::Status(code, std::move(message)), connection_lost, retryable};
}

// Errors libpqxx reports as sql_error although they mean the server is
// going away or not accepting connections.
bool IsConnectionState(const std::string& sqlstate) {
  return absl::StartsWith(sqlstate, "08") || sqlstate == "57P01" ||
         sqlstate == "57P02" || sqlstate == "57P03" || sqlstate == "53300";
}

DatabaseFailure FromSqlError(const pqxx::sql_error& error,
                             absl::string_view operation) {
  const std::string& state = error.sqlstate();
  if (IsConnectionState(state)) {
    return Failure(absl::StatusCode::kUnavailable, operation, error.what(),
                   /*connection_lost=*/true, /*retryable=*/true);
  }
  if (absl::StartsWith(state, "40")) {
    return Failure(absl::StatusCode::kAborted, operation, error.what(),
                   /*connection_lost=*/false, /*retryable=*/true);
  }
  if (state == "23505") {
    return Failure(absl::StatusCode::kAlreadyExists, operation, error.what());
  }
  if (state == "23503" || state == "23001") {
    return Failure(absl::StatusCode::kFailedPrecondition, operation,
                   error.what());
  }
  if (absl::StartsWith(state, "23") || absl::StartsWith(state, "22")) {
    return Failure(absl::StatusCode::kInvalidArgument, operation, error.what());
  }
  return Failure(absl::StatusCode::kInternal, operation, error.what());
}

}  // namespace

DatabaseFailure TranslateCurrentException(absl::string_view operation) {
  try {
    throw;
  } catch (const pqxx::in_doubt_error& error) {
    return Failure(absl::StatusCode::kUnavailable, operation,
                   absl::StrCat("the connection broke during COMMIT, so the "
                                "outcome is unknown: ",
                                error.what()),
                   /*connection_lost=*/true);
  } catch (const pqxx::broken_connection& error) {
    return Failure(absl::StatusCode::kUnavailable, operation,
                   absl::StrCat("database connection lost: ", error.what()),
                   /*connection_lost=*/true, /*retryable=*/true);
  } catch (const pqxx::transaction_rollback& error) {
    return Failure(absl::StatusCode::kAborted, operation, error.what(),
                   /*connection_lost=*/false, /*retryable=*/true);
  } catch (const pqxx::sql_error& error) {
    return FromSqlError(error, operation);
  } catch (const nlohmann::json::exception& error) {
    // Raised while encoding a request: e.g. a string that is not UTF-8.
    return Failure(absl::StatusCode::kInvalidArgument, operation, error.what());
  } catch (const std::bad_alloc&) {
    return Failure(absl::StatusCode::kResourceExhausted, operation,
                   "out of memory");
  } catch (const std::exception& error) {
    return Failure(absl::StatusCode::kInternal, operation, error.what());
  } catch (...) {
    return Failure(absl::StatusCode::kInternal, operation, "unknown exception");
  }
}

}  // namespace knob::postgres_internal
