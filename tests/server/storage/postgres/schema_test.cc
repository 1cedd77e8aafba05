// The schema as analysts see it: documented tables and views with the right
// rows, typed parameters, and a read-only role.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/except"
#include "pqxx/nontransaction"
#include "pqxx/result"
#include "pqxx/transaction"
#include "server/storage/postgres/postgres_storage.h"
#include "server/util/status_macros.h"
#include "tests/server/storage/postgres/test_database.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

StudyConfig MixedConfig(Direction direction) {
  StudyConfig config;
  config.parameters = {
      {"lr", FloatDomain{1e-5, 0.1, true, std::nullopt}, std::nullopt},
      {"layers", IntDomain{1, 8, false, 1}, std::nullopt},
      {"optimizer",
       CategoricalDomain{{std::string("adam"), std::string("sgd")}},
       std::nullopt},
      {"momentum", FloatDomain{0, 0.99, false, 0.01},
       Condition{"optimizer", {std::string("sgd")}}},
      {"nesterov", CategoricalDomain{{true, false}}, std::nullopt},
      {"epochs", FixedDomain{int64_t{20}}, std::nullopt}};
  config.objectives = {{"accuracy", direction},
                       {"latency", Direction::kMinimize}};
  config.extra_metrics = {"memory_mb"};
  config.sampler = {"random", {}};
  config.pruner = {"none", {}};
  config.stopping.max_trials = 50;
  return config;
}

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(database_, TestDatabase::Create());
    PostgresStorageOptions options;
    options.database_url = database_->url();
    options.pool_size = 2;
    ASSERT_OK_AND_ASSIGN(storage_, OpenPostgresStorage(options));
    connection_ = std::make_unique<pqxx::connection>(database_->url());
  }

  pqxx::result Query(const std::string& sql) {
    pqxx::nontransaction session(*connection_);
    return session.exec(sql);
  }

  std::vector<std::string> Column(const std::string& sql) {
    std::vector<std::string> values;
    for (const auto& row : Query(sql)) {
      values.push_back(row[0].is_null() ? "NULL" : row[0].as<std::string>());
    }
    return values;
  }

  // A study with finished trials whose accuracies are `accuracies` (and one
  // failed, one running trial).
  Study MakeStudy(const std::string& name, Direction direction,
                  const std::vector<double>& accuracies) {
    return MakeStudy(name, MixedConfig(direction), accuracies);
  }

  // The same with any config over MixedConfig's space and metrics; trial i
  // reports memory_mb = 100 * i.
  Study MakeStudy(const std::string& name, const StudyConfig& config,
                  const std::vector<double>& accuracies) {
    absl::StatusOr<Study> study = storage_->CreateStudy(name, config, {}, kNow);
    EXPECT_OK(study.status());
    if (!study.ok()) return {};
    EXPECT_OK(storage_->Transact(
        study->id, [&](StudyTransaction& txn) -> absl::Status {
          for (size_t i = 0; i < accuracies.size() + 2; ++i) {
            NewTrial trial;
            trial.params = {{"lr", 0.001 * (i + 1)},
                            {"layers", int64_t(i + 1)},
                            {"optimizer", std::string(i % 2 ? "sgd" : "adam")},
                            {"nesterov", i % 2 == 0},
                            {"epochs", int64_t{20}}};
            if (i % 2) trial.params["momentum"] = 0.9;
            trial.worker_id = "w" + std::to_string(i);
            trial.environment = {{"gpu", "a100"}};
            trial.lease_deadline = kNow + absl::Minutes(10);
            ASSIGN_OR_RETURN(Trial created,
                             txn.CreateTrial(trial, kNow + absl::Seconds(i)));
            TrialOutcome outcome;
            if (i < accuracies.size()) {
              outcome.values = {accuracies[i], 10.0 + i};
              outcome.metrics = {{"memory_mb", 100.0 * i}};
            } else if (i == accuracies.size()) {
              outcome.state = TrialState::kFailed;
              outcome.fail_reason = "oom";
            } else {
              continue;
            }
            RETURN_IF_ERROR(
                txn.FinishTrial(created, outcome, kNow + absl::Seconds(60 + i))
                    .status());
          }
          return absl::OkStatus();
        }));
    return *study;
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<pqxx::connection> connection_;
};

TEST_F(SchemaTest, HasTheDocumentedViews) {
  EXPECT_THAT(Column("SELECT table_name FROM information_schema.views "
                     "WHERE table_schema = 'knob' ORDER BY table_name"),
              ElementsAre("best_trials", "study_summary", "trial_summary"));
}

TEST_F(SchemaTest, EveryTableViewAndColumnIsDocumented) {
  EXPECT_THAT(Column("SELECT c.relname FROM pg_class c "
                     "JOIN pg_namespace n ON n.oid = c.relnamespace "
                     "WHERE n.nspname = 'knob' AND c.relkind IN ('r', 'v') "
                     "AND obj_description(c.oid, 'pg_class') IS NULL"),
              IsEmpty());
  EXPECT_THAT(Column("SELECT c.relname || '.' || a.attname FROM pg_class c "
                     "JOIN pg_namespace n ON n.oid = c.relnamespace "
                     "JOIN pg_attribute a ON a.attrelid = c.oid "
                     "WHERE n.nspname = 'knob' AND c.relkind IN ('r', 'v') "
                     "AND a.attnum > 0 AND NOT a.attisdropped "
                     "AND col_description(c.oid, a.attnum) IS NULL"),
              IsEmpty());
}

TEST_F(SchemaTest, ParametersAreStoredTyped) {
  Study study = MakeStudy("typed", Direction::kMaximize, {0.5});
  pqxx::result rows = Query(
      "SELECT p.name, p.kind, p.float_value, p.int_value, p.bool_value, "
      "p.label FROM knob.trial_param p JOIN knob.trial t ON t.id = p.trial_id "
      "WHERE t.number = 1 AND t.study_id = " +
      std::to_string(study.id) + " ORDER BY p.name");
  std::vector<std::string> described;
  for (const auto& row : rows) {
    std::string text =
        row[0].as<std::string>() + " " + row[1].as<std::string>();
    for (int column : {2, 3, 4}) {
      text += " " + (row[column].is_null() ? std::string("-")
                                           : row[column].as<std::string>());
    }
    described.push_back(text + " '" + row[5].as<std::string>() + "'");
  }
  EXPECT_THAT(described,
              ElementsAre("epochs int - 20 - '20'", "layers int - 2 - '2'",
                          "lr double 0.002 - - '0.002'",
                          "momentum double 0.9 - - '0.9'",
                          "nesterov bool - - f 'false'",
                          "optimizer string - - - 'sgd'"));
}

TEST_F(SchemaTest, StudyConfigIsNormalized) {
  Study study = MakeStudy("normalized", Direction::kMaximize, {});
  const std::string id = std::to_string(study.id);
  EXPECT_THAT(Column("SELECT concat_ws(' ', position, name, kind, min_value, "
                     "max_value, log_scale, step, choices, fixed_value, "
                     "condition_parent, condition_values) "
                     "FROM knob.study_parameter WHERE study_id = " +
                     id + " ORDER BY position"),
              ElementsAre("0 lr float 0.00001 0.1 t", "1 layers int 1 8 f 1",
                          "2 optimizer categorical f [\"adam\", \"sgd\"]",
                          "3 momentum float 0 0.99 f 0.01 optimizer [\"sgd\"]",
                          "4 nesterov categorical f [\"true\", \"false\"]",
                          "5 epochs fixed f 20"));
  EXPECT_THAT(Column("SELECT metric || ' ' || direction FROM "
                     "knob.study_objective WHERE study_id = " +
                     id + " ORDER BY position"),
              ElementsAre("accuracy maximize", "latency minimize"));
  EXPECT_THAT(
      Column("SELECT name FROM knob.study_metric WHERE study_id = " + id),
      ElementsAre("memory_mb"));
  EXPECT_THAT(Column("SELECT concat_ws(' ', state, sampler, pruner, seed, "
                     "max_trials, lease_duration) FROM knob.study "
                     "WHERE id = " +
                     id),
              ElementsAre("RUNNING random none 0 50 00:05:00"));
}

TEST_F(SchemaTest, TargetAndPatienceAreColumns) {
  StudyConfig config = MixedConfig(Direction::kMaximize);
  config.objectives.resize(1);
  config.stopping.target_value = 0.975;
  config.stopping.patience = 40;
  const Study with = MakeStudy("with-target", config, {});
  const Study without =
      MakeStudy("without-target", MixedConfig(Direction::kMaximize), {});
  EXPECT_THAT(Column("SELECT concat_ws(' ', name, coalesce(target_value::text, "
                     "'-'), coalesce(patience::text, '-')) FROM knob.study "
                     "WHERE id IN (" +
                     std::to_string(with.id) + ", " +
                     std::to_string(without.id) + ") ORDER BY id"),
              ElementsAre("with-target 0.975 40", "without-target - -"));
}

TEST_F(SchemaTest, TrialSummaryHasOneWideRowPerTrial) {
  Study study = MakeStudy("summary", Direction::kMaximize, {0.5, 0.9});
  pqxx::result rows = Query(
      "SELECT trial_number, state, params, value, objective_values::text, "
      "objectives, metrics, worker_id, environment, duration, study_name "
      "FROM knob.trial_summary WHERE study_id = " +
      std::to_string(study.id) + " ORDER BY trial_number");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1][1].as<std::string>(), "COMPLETED");
  EXPECT_EQ(rows[1][2].as<std::string>(),
            "{\"lr\": 0.002, \"epochs\": 20, \"layers\": 2, \"momentum\": 0.9, "
            "\"nesterov\": false, \"optimizer\": \"sgd\"}");
  EXPECT_EQ(rows[1][3].as<double>(), 0.9);
  EXPECT_EQ(rows[1][4].as<std::string>(), "{0.9,11}");
  EXPECT_EQ(rows[1][5].as<std::string>(),
            "{\"latency\": 11, \"accuracy\": 0.9}");
  EXPECT_EQ(rows[1][6].as<std::string>(), "{\"memory_mb\": 100}");
  EXPECT_EQ(rows[1][7].as<std::string>(), "w1");
  EXPECT_EQ(rows[1][8].as<std::string>(), "{\"gpu\": \"a100\"}");
  EXPECT_EQ(rows[1][9].as<std::string>(), "00:01:00");
  EXPECT_EQ(rows[1][10].as<std::string>(), "summary");
  EXPECT_EQ(rows[2][1].as<std::string>(), "FAILED");
  EXPECT_TRUE(rows[2][3].is_null());
  EXPECT_EQ(rows[3][1].as<std::string>(), "RUNNING");
  EXPECT_TRUE(rows[3][9].is_null());
}

TEST_F(SchemaTest, BestTrialsHonorTheDirection) {
  Study maximized = MakeStudy("max", Direction::kMaximize, {0.5, 0.9, 0.7});
  Study minimized = MakeStudy("min", Direction::kMinimize, {0.5, 0.9, 0.2});
  MakeStudy("nothing-completed", Direction::kMinimize, {});
  EXPECT_THAT(Column("SELECT concat_ws(' ', study_name, metric, direction, "
                     "trial_number, value, params->>'lr') "
                     "FROM knob.best_trials ORDER BY study_id"),
              ElementsAre("max accuracy maximize 1 0.9 0.002",
                          "min accuracy minimize 2 0.2 0.003"));
  (void)maximized;
  (void)minimized;
}

StudyConfig MemoryBetween(double min, double max) {
  StudyConfig config = MixedConfig(Direction::kMaximize);
  config.constraints = {{"memory_mb", OutcomeConstraint::Kind::kMax, max},
                        {"memory_mb", OutcomeConstraint::Kind::kMin, min}};
  return config;
}

TEST_F(SchemaTest, ConstraintsAreNormalized) {
  Study study = MakeStudy("bounded", MemoryBetween(50, 150.25), {});
  MakeStudy("unbounded", Direction::kMaximize, {});
  EXPECT_THAT(Column("SELECT concat_ws(' ', s.name, c.position, c.metric, "
                     "c.comparison, c.bound) FROM knob.study_constraint c "
                     "JOIN knob.study s ON s.id = c.study_id "
                     "ORDER BY s.id, c.position"),
              ElementsAre("bounded 0 memory_mb <= 150.25",
                          "bounded 1 memory_mb >= 50"));
  // Deleting the study deletes its constraints.
  ASSERT_OK(storage_->DeleteStudy(study.id));
  EXPECT_THAT(Column("SELECT count(*) FROM knob.study_constraint"),
              ElementsAre("0"));
}

TEST_F(SchemaTest, FeasibilityDecidesTheBestTrial) {
  // Accuracies 0.5, 0.7, 0.9 with memory_mb 0, 100, 200: only trial 1 lies
  // in [50, 150].
  Study bounded = MakeStudy("bounded", MemoryBetween(50, 150), {0.5, 0.7, 0.9});
  // On the bound is feasible.
  MakeStudy("edge", MemoryBetween(100, 100), {0.5, 0.7, 0.9});
  MakeStudy("impossible", MemoryBetween(1000, 2000), {0.5, 0.7});
  MakeStudy("free", Direction::kMaximize, {0.5, 0.7, 0.9});
  EXPECT_THAT(
      Column("SELECT concat_ws(' ', trial_number, state, "
             "coalesce(feasible::text, 'NULL')) "
             "FROM knob.trial_summary WHERE study_id = " +
             std::to_string(bounded.id) + " ORDER BY trial_number"),
      ElementsAre("0 COMPLETED false", "1 COMPLETED true", "2 COMPLETED false",
                  "3 FAILED NULL", "4 RUNNING NULL"));
  EXPECT_THAT(Column("SELECT concat_ws(' ', study_name, trial_number, value) "
                     "FROM knob.best_trials ORDER BY study_id"),
              ElementsAre("bounded 1 0.7", "edge 1 0.7", "free 2 0.9"));
  EXPECT_THAT(Column("SELECT concat_ws(' ', study_name, completed, "
                     "coalesce(best_value::text, 'none')) "
                     "FROM knob.study_summary ORDER BY study_id"),
              ElementsAre("bounded 3 0.7", "edge 3 0.7", "impossible 2 none",
                          "free 3 0.9"));
}

TEST_F(SchemaTest, ATrialWithoutItsConstrainedMetricIsInfeasible) {
  Study study = MakeStudy("unreported", MemoryBetween(0, 1000), {});
  ASSERT_OK(
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        NewTrial trial;
        trial.params = {{"lr", 0.01},
                        {"layers", int64_t{1}},
                        {"optimizer", std::string("adam")},
                        {"nesterov", true},
                        {"epochs", int64_t{20}}};
        trial.lease_deadline = kNow + absl::Minutes(10);
        ASSIGN_OR_RETURN(Trial created, txn.CreateTrial(trial, kNow));
        TrialOutcome outcome;
        outcome.values = {0.5, 1.0};
        return txn.FinishTrial(created, outcome, kNow + absl::Seconds(1))
            .status();
      }));
  EXPECT_THAT(Column("SELECT feasible::text FROM knob.trial_summary "
                     "WHERE state = 'COMPLETED' AND study_id = " +
                     std::to_string(study.id)),
              ElementsAre("false"));
}

TEST_F(SchemaTest, StudySummaryCountsAndRanks) {
  MakeStudy("max", Direction::kMaximize, {0.5, 0.9, 0.7});
  MakeStudy("empty", Direction::kMinimize, {});
  EXPECT_THAT(
      Column("SELECT concat_ws(' ', study_name, state, metric, direction, "
             "trials, waiting, running, completed, pruned, failed, stale, "
             "best_value, best_trial_number, "
             "last_activity_time > first_trial_time) "
             "FROM knob.study_summary ORDER BY study_id"),
      ElementsAre("max RUNNING accuracy maximize 5 0 1 3 0 1 0 0.9 1 t",
                  "empty RUNNING accuracy minimize 2 0 1 0 0 1 0 t"));
}

TEST_F(SchemaTest, AnalystRoleReadsButCannotWrite) {
  MakeStudy("s", Direction::kMaximize, {0.5});
  EXPECT_THAT(Column("SELECT rolcanlogin::text FROM pg_roles "
                     "WHERE rolname = 'knob_analyst'"),
              ElementsAre("true"));

  auto as_analyst = [&](const std::string& sql) -> absl::Status {
    try {
      pqxx::work transaction(*connection_);
      transaction.exec("SET LOCAL ROLE knob_analyst");
      transaction.exec(sql);
      return absl::OkStatus();
    } catch (const pqxx::insufficient_privilege& error) {
      return absl::PermissionDeniedError(error.what());
    } catch (const std::exception& error) {
      return absl::InternalError(error.what());
    }
  };
  for (const char* view : {"trial_summary", "study_summary", "best_trials"}) {
    EXPECT_OK(as_analyst(std::string("SELECT * FROM knob.") + view));
  }
  for (const char* table :
       {"study", "study_parameter", "study_objective", "study_metric",
        "study_constraint", "trial", "trial_param", "trial_value",
        "trial_metric", "intermediate_value", "schema_migration"}) {
    EXPECT_OK(as_analyst(std::string("SELECT * FROM knob.") + table));
  }
  const auto kDenied =
      StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_);
  EXPECT_THAT(as_analyst("DELETE FROM knob.trial"), kDenied);
  EXPECT_THAT(as_analyst("UPDATE knob.study SET state = 'STOPPED'"), kDenied);
  EXPECT_THAT(as_analyst("INSERT INTO knob.study_metric VALUES (1, 9, 'x')"),
              kDenied);
  EXPECT_THAT(as_analyst("TRUNCATE knob.trial_value"), kDenied);
  EXPECT_THAT(as_analyst("CREATE TABLE knob.mine (id integer)"), kDenied);
  EXPECT_THAT(Column("SELECT count(*) FROM knob.trial"), ElementsAre("3"));
}

}  // namespace
}  // namespace knob::testing
