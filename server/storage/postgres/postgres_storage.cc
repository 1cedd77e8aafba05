#include "server/storage/postgres/postgres_storage.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "pqxx/nontransaction"
#include "pqxx/transaction"
#include "server/storage/postgres/embedded_migrations.h"
#include "server/storage/postgres/internal/codec.h"
#include "server/storage/postgres/internal/config_cache.h"
#include "server/storage/postgres/internal/connection_pool.h"
#include "server/storage/postgres/internal/errors.h"
#include "server/storage/postgres/internal/rows.h"
#include "server/storage/postgres/internal/statements.h"
#include "server/storage/postgres/internal/study_tables.h"
#include "server/storage/postgres/internal/study_transaction.h"
#include "server/storage/postgres/internal/trial_id_reserve.h"
#include "server/storage/postgres/internal/trial_reads.h"
#include "server/storage/postgres/migrator.h"
#include "server/storage/postgres/study_config_json.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

namespace pg = postgres_internal;
namespace sql = postgres_internal::sql;

// Attempts per call when a conflict or a lost connection makes trying
// again worthwhile.
constexpr int kMaxAttempts = 4;

// Trial ids reserved per trip to the sequence: a trip per this many new
// trials, and at most this many ids skipped when the server stops.
constexpr int kTrialIdBlock = 128;

// The study columns of StudyColumns(), then the config.
constexpr int kStudyConfigColumn = 10;

constexpr absl::string_view kStudyTokenPrefix = "study:";
constexpr absl::string_view kTrialTokenPrefix = "trial:";

// Randomized, growing pauses so that replicas that collided do not collide
// again in lockstep.
void Backoff(int attempt) {
  thread_local absl::BitGen bitgen;
  const int64_t base_ms = int64_t{5} << attempt;
  absl::SleepFor(absl::Milliseconds(
      absl::Uniform<int64_t>(bitgen, base_ms / 2, base_ms + 1)));
}

std::string PageToken(absl::string_view prefix, int64_t last) {
  return absl::StrCat(prefix, last);
}

// The key after which the page starts: `first` for the first page.
absl::StatusOr<int64_t> PageStart(absl::string_view token,
                                  absl::string_view prefix, int64_t first) {
  if (token.empty()) return first;
  int64_t last = 0;
  absl::string_view key = token;
  if (!absl::ConsumePrefix(&key, prefix) || !absl::SimpleAtoi(key, &last) ||
      last < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: malformed token \"", token, "\""));
  }
  return last;
}

absl::Status CheckPageSize(int page_size) {
  if (page_size > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("page_size: must be positive, got ", page_size));
}

std::optional<std::string> OptionalText(const std::optional<int64_t>& value) {
  if (!value.has_value()) return std::nullopt;
  return absl::StrCat(*value);
}

std::optional<std::string> OptionalText(const std::optional<double>& value) {
  if (!value.has_value()) return std::nullopt;
  return pg::DoubleLiteral(*value);
}

class PostgresStorage final : public Storage {
 public:
  explicit PostgresStorage(std::unique_ptr<pg::ConnectionPool> pool)
      : pool_(std::move(pool)) {}

  absl::StatusOr<Study> CreateStudy(
      const std::string& name, const StudyConfig& config,
      const std::map<std::string, std::string>& metadata,
      absl::Time now) override;
  absl::StatusOr<Study> GetStudy(int64_t study_id) override;
  absl::StatusOr<Study> GetStudyByName(const std::string& name) override;
  absl::StatusOr<Page<Study>> ListStudies(const StudyQuery& query) override;
  absl::StatusOr<TrialCounts> CountTrials(int64_t study_id) override;
  absl::Status DeleteStudy(int64_t study_id) override;
  absl::Status Transact(
      int64_t study_id,
      absl::FunctionRef<absl::Status(StudyTransaction&)> fn) override;
  absl::StatusOr<Trial> GetTrial(int64_t trial_id) override;
  absl::StatusOr<int64_t> StudyOfTrial(int64_t trial_id) override;
  absl::StatusOr<Page<Trial>> ListTrials(const TrialQuery& query) override;
  absl::StatusOr<std::vector<int64_t>> StudiesWithExpiredLeases(
      absl::Time now) override;

 private:
  // Runs `fn(connection)` on a pooled connection, again on a fresh one if
  // the connection was lost before anything was committed.
  template <typename Fn>
  auto WithConnection(absl::string_view operation, Fn&& fn)
      -> decltype(fn(std::declval<pqxx::connection&>()));

  absl::Status TransactOnce(
      int64_t study_id, absl::FunctionRef<absl::Status(StudyTransaction&)> fn,
      pg::DatabaseFailure& failure);

  // Ids for the reserve's own thread, on a connection of their own; none
  // if the database cannot be reached (a transaction that runs out then
  // reserves its own and reports why that failed).
  std::vector<int64_t> ReserveTrialIdsAhead(int count);

  // A row of study_get / study_get_by_name / study_list.
  absl::StatusOr<Study> FullStudy(const pqxx::row& row);

  std::unique_ptr<pg::ConnectionPool> pool_;
  pg::ConfigCache configs_;
  // Last: its thread uses the pool, and stops before the pool goes.
  pg::TrialIdReserve trial_ids_{
      kTrialIdBlock, [this](int count) { return ReserveTrialIdsAhead(count); }};
};

template <typename Fn>
auto PostgresStorage::WithConnection(absl::string_view operation, Fn&& fn)
    -> decltype(fn(std::declval<pqxx::connection&>())) {
  for (int attempt = 1;; ++attempt) {
    ASSIGN_OR_RETURN(pg::ConnectionPool::Lease lease, pool_->Acquire());
    pg::DatabaseFailure failure;
    auto result =
        pg::Guard(operation, &failure, [&] { return fn(lease.connection()); });
    if (failure.connection_lost) lease.Discard();
    if (!failure.retryable || attempt == kMaxAttempts) return result;
    Backoff(attempt);
  }
}

std::vector<int64_t> PostgresStorage::ReserveTrialIdsAhead(int count) {
  absl::StatusOr<std::vector<int64_t>> ids =
      WithConnection("reserving trial ids",
                     [&](pqxx::connection& connection)
                         -> absl::StatusOr<std::vector<int64_t>> {
                       pqxx::nontransaction session(connection);
                       return pg::ReserveTrialIds(session, count);
                     });
  if (!ids.ok()) return {};
  return *std::move(ids);
}

absl::StatusOr<Study> PostgresStorage::FullStudy(const pqxx::row& row) {
  ASSIGN_OR_RETURN(std::shared_ptr<const StudyConfig> config,
                   configs_.Get(row[0].as<int64_t>(), [&] {
                     return row[kStudyConfigColumn].as<std::string>();
                   }));
  return pg::StudyFromRow(row, *config);
}

absl::StatusOr<Study> PostgresStorage::CreateStudy(
    const std::string& name, const StudyConfig& config,
    const std::map<std::string, std::string>& metadata, absl::Time now) {
  absl::StatusOr<Study> created = WithConnection(
      absl::StrCat("creating study \"", name, "\""),
      [&](pqxx::connection& connection) -> absl::StatusOr<Study> {
        std::optional<std::string> max_wall_time;
        if (config.stopping.max_wall_time.has_value()) {
          max_wall_time = pg::IntervalLiteral(*config.stopping.max_wall_time);
        }
        const std::optional<std::string> max_trials =
            OptionalText(config.stopping.max_trials);
        const std::optional<std::string> max_failed_trials =
            OptionalText(config.stopping.max_failed_trials);
        const std::optional<std::string> target_value =
            OptionalText(config.stopping.target_value);
        const std::optional<std::string> patience =
            OptionalText(config.stopping.patience);
        pqxx::work transaction(connection);
        pqxx::row row = transaction.exec_prepared1(
            sql::kStudyCreate, name, pg::DumpJson(StudyConfigToJson(config)),
            pg::StringMapToJson(metadata), config.sampler.name,
            config.pruner.name, absl::StrCat(config.seed),
            pg::OrNull(max_trials), pg::OrNull(max_failed_trials),
            pg::OrNull(max_wall_time),
            pg::IntervalLiteral(config.lease_duration),
            pg::TimestampLiteral(now),
            pg::DumpJson(pg::StudyParameterRows(config)),
            pg::DumpJson(pg::StudyObjectiveRows(config)),
            pg::DumpJson(pg::StudyMetricNames(config)),
            pg::DumpJson(pg::StudyConstraintRows(config)),
            pg::OrNull(target_value), pg::OrNull(patience),
            config.max_stale_retries);
        transaction.commit();
        Study study;
        study.id = row[0].as<int64_t>();
        study.name = name;
        study.config = config;
        study.metadata = metadata;
        study.create_time = pg::TruncateToMicros(now);
        study.update_time = study.create_time;
        configs_.Put(study.id, config);
        return study;
      });
  if (created.status().code() == absl::StatusCode::kAlreadyExists) {
    if (absl::StrContains(created.status().message(), "study_name_key")) {
      return absl::AlreadyExistsError(
          absl::StrCat("study \"", name, "\" already exists"));
    }
    // Any other unique key is a duplicate inside the config itself.
    return absl::InvalidArgumentError(created.status().message());
  }
  return created;
}

absl::StatusOr<Study> PostgresStorage::GetStudy(int64_t study_id) {
  return WithConnection(
      absl::StrCat("reading study ", study_id),
      [&](pqxx::connection& connection) -> absl::StatusOr<Study> {
        pqxx::nontransaction session(connection);
        pqxx::result result = session.exec_prepared(sql::kStudyGet, study_id);
        if (result.empty()) {
          return absl::NotFoundError(absl::StrCat("no study ", study_id));
        }
        return FullStudy(result[0]);
      });
}

absl::StatusOr<Study> PostgresStorage::GetStudyByName(const std::string& name) {
  return WithConnection(
      absl::StrCat("reading study \"", name, "\""),
      [&](pqxx::connection& connection) -> absl::StatusOr<Study> {
        pqxx::nontransaction session(connection);
        pqxx::result result = session.exec_prepared(sql::kStudyGetByName, name);
        if (result.empty()) {
          return absl::NotFoundError(absl::StrCat("no study \"", name, "\""));
        }
        return FullStudy(result[0]);
      });
}

absl::StatusOr<Page<Study>> PostgresStorage::ListStudies(
    const StudyQuery& query) {
  RETURN_IF_ERROR(CheckPageSize(query.page_size));
  ASSIGN_OR_RETURN(int64_t after,
                   PageStart(query.page_token, kStudyTokenPrefix, 0));
  return WithConnection(
      "listing studies",
      [&](pqxx::connection& connection) -> absl::StatusOr<Page<Study>> {
        pqxx::nontransaction session(connection);
        pqxx::result result = session.exec_prepared(
            sql::kStudyList,
            query.state.has_value() ? StudyStateName(*query.state) : nullptr,
            after, query.page_size + 1);
        Page<Study> page;
        for (const pqxx::row& row : result) {
          if (static_cast<int>(page.items.size()) == query.page_size) {
            page.next_page_token =
                PageToken(kStudyTokenPrefix, page.items.back().id);
            break;
          }
          ASSIGN_OR_RETURN(Study study, FullStudy(row));
          page.items.push_back(std::move(study));
        }
        return page;
      });
}

absl::StatusOr<TrialCounts> PostgresStorage::CountTrials(int64_t study_id) {
  return WithConnection(
      absl::StrCat("counting the trials of study ", study_id),
      [&](pqxx::connection& connection) -> absl::StatusOr<TrialCounts> {
        pqxx::read_transaction transaction(connection);
        if (transaction.exec_prepared(sql::kStudyExists, study_id).empty()) {
          return absl::NotFoundError(absl::StrCat("no study ", study_id));
        }
        return pg::TrialCountsFromResult(
            transaction.exec_prepared(sql::kTrialCounts, study_id));
      });
}

absl::Status PostgresStorage::DeleteStudy(int64_t study_id) {
  RETURN_IF_ERROR(WithConnection(
      absl::StrCat("deleting study ", study_id),
      [&](pqxx::connection& connection) -> absl::Status {
        pqxx::work transaction(connection);
        if (transaction.exec_prepared(sql::kStudyDelete, study_id).empty()) {
          return absl::NotFoundError(absl::StrCat("no study ", study_id));
        }
        transaction.commit();
        return absl::OkStatus();
      }));
  configs_.Erase(study_id);
  return absl::OkStatus();
}

absl::Status PostgresStorage::Transact(
    int64_t study_id, absl::FunctionRef<absl::Status(StudyTransaction&)> fn) {
  for (int attempt = 1;; ++attempt) {
    pg::DatabaseFailure failure;
    absl::Status status = TransactOnce(study_id, fn, failure);
    if (!failure.retryable || attempt == kMaxAttempts) return status;
    Backoff(attempt);
  }
}

absl::Status PostgresStorage::TransactOnce(
    int64_t study_id, absl::FunctionRef<absl::Status(StudyTransaction&)> fn,
    pg::DatabaseFailure& failure) {
  ASSIGN_OR_RETURN(pg::ConnectionPool::Lease lease, pool_->Acquire());
  absl::Status status = pg::Guard(
      absl::StrCat("transaction on study ", study_id), &failure,
      [&]() -> absl::Status {
        pqxx::work transaction(lease.connection());
        pqxx::result locked =
            transaction.exec_prepared(sql::kStudyLock, study_id);
        if (locked.empty()) {
          return absl::NotFoundError(absl::StrCat("no study ", study_id));
        }
        ASSIGN_OR_RETURN(std::shared_ptr<const StudyConfig> config,
                         configs_.Get(study_id, [&] {
                           return transaction
                               .exec_prepared1(sql::kStudyConfig, study_id)[0]
                               .as<std::string>();
                         }));
        ASSIGN_OR_RETURN(Study study, pg::StudyFromRow(locked[0], *config));
        pg::PostgresStudyTransaction changes(transaction, std::move(study),
                                             trial_ids_);
        absl::Status result = fn(changes);
        if (result.ok()) result = changes.Finish();
        // A failed statement aborted the transaction on the server, whatever
        // the callback made of the error.
        if (changes.failure().has_value()) {
          failure = *changes.failure();
          return failure.status;
        }
        RETURN_IF_ERROR(result);
        transaction.commit();
        return absl::OkStatus();
      });
  if (failure.connection_lost) lease.Discard();
  return status;
}

absl::StatusOr<Trial> PostgresStorage::GetTrial(int64_t trial_id) {
  return WithConnection(
      absl::StrCat("reading trial ", trial_id),
      [&](pqxx::connection& connection) -> absl::StatusOr<Trial> {
        pqxx::nontransaction session(connection);
        pqxx::result result = session.exec_prepared(sql::kTrialGet, trial_id);
        if (result.empty()) {
          return absl::NotFoundError(absl::StrCat("no trial ", trial_id));
        }
        return pg::TrialFromRow(result[0]);
      });
}

absl::StatusOr<int64_t> PostgresStorage::StudyOfTrial(int64_t trial_id) {
  return WithConnection(
      absl::StrCat("finding the study of trial ", trial_id),
      [&](pqxx::connection& connection) -> absl::StatusOr<int64_t> {
        pqxx::nontransaction session(connection);
        pqxx::result result = session.exec_prepared(sql::kTrialStudy, trial_id);
        if (result.empty()) {
          return absl::NotFoundError(absl::StrCat("no trial ", trial_id));
        }
        return result[0][0].as<int64_t>();
      });
}

absl::StatusOr<Page<Trial>> PostgresStorage::ListTrials(
    const TrialQuery& query) {
  RETURN_IF_ERROR(CheckPageSize(query.page_size));
  ASSIGN_OR_RETURN(int64_t after,
                   PageStart(query.page_token, kTrialTokenPrefix, -1));
  std::optional<std::string> states;
  if (!query.states.empty()) {
    std::vector<std::string> names;
    for (TrialState state : query.states)
      names.push_back(TrialStateName(state));
    states = pg::ArrayLiteral(names);
  }
  return WithConnection(
      absl::StrCat("listing the trials of study ", query.study_id),
      [&](pqxx::connection& connection) -> absl::StatusOr<Page<Trial>> {
        // One snapshot for all statements of the trial read: a trial
        // finishing meanwhile must not show its old state with its values.
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> transaction(
            connection);
        if (transaction.exec_prepared(sql::kStudyExists, query.study_id)
                .empty()) {
          return absl::NotFoundError(absl::StrCat("no study ", query.study_id));
        }
        Page<Trial> page;
        ASSIGN_OR_RETURN(
            page.items,
            pg::ReadTrials(transaction, sql::kTrialsList, query.study_id,
                           pg::OrNull(states), query.changed_since, after,
                           query.page_size + 1));
        if (static_cast<int>(page.items.size()) > query.page_size) {
          page.items.pop_back();
          page.next_page_token =
              PageToken(kTrialTokenPrefix, page.items.back().number);
        }
        return page;
      });
}

absl::StatusOr<std::vector<int64_t>> PostgresStorage::StudiesWithExpiredLeases(
    absl::Time now) {
  return WithConnection(
      "finding expired leases",
      [&](pqxx::connection& connection)
          -> absl::StatusOr<std::vector<int64_t>> {
        pqxx::nontransaction session(connection);
        std::vector<int64_t> ids;
        for (const pqxx::row& row : session.exec_prepared(
                 sql::kStudiesWithExpiredLeases, pg::TimestampLiteral(now))) {
          ids.push_back(row[0].as<int64_t>());
        }
        return ids;
      });
}

}  // namespace

absl::StatusOr<std::unique_ptr<Storage>> OpenPostgresStorage(
    const PostgresStorageOptions& options) {
  if (options.pool_size <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("pool_size: must be positive, got ", options.pool_size));
  }
  if (options.acquire_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("acquire_timeout: must be positive, got ",
                     absl::FormatDuration(options.acquire_timeout)));
  }
  ASSIGN_OR_RETURN(int version, AppliedSchemaVersion(options.database_url));
  const int required =
      EmbeddedMigrations().empty() ? 0 : EmbeddedMigrations().back().version;
  if (version < required) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database's knob schema is at version ", version,
        ", this server needs ", required,
        ": apply the migrations first (knob-server --migrate-only)"));
  }
  auto pool = std::make_unique<pg::ConnectionPool>(
      pg::ConnectionPool::Options{.url = options.database_url,
                                  .size = options.pool_size,
                                  .acquire_timeout = options.acquire_timeout,
                                  .metrics = options.metrics},
      [](pqxx::connection& connection) { sql::PrepareStatements(connection); });
  // Fail now rather than on the first request if the database is
  // unreachable.
  RETURN_IF_ERROR(pool->Acquire().status());
  return std::make_unique<PostgresStorage>(std::move(pool));
}

}  // namespace knob
