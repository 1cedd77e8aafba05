// The example queries of docs/analysts.md, taken from the document itself
// and run as the knob_analyst role against studies that a real server
// (over PostgreSQL, through the gRPC client) filled with a known history.
// Each query's columns and rows are compared with answers computed from
// the plan (query_checks.h), so a query that breaks or answers wrongly
// fails the test, naming the query.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "client/client.h"
#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/except"
#include "pqxx/nontransaction"
#include "pqxx/result"
#include "server/storage/postgres/postgres_storage.h"
#include "server/util/clock.h"
#include "tests/analysts/doc_queries.h"
#include "tests/analysts/example_studies.h"
#include "tests/analysts/query_checks.h"
#include "tests/server/storage/postgres/test_database.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_server.h"

namespace knob::testing {
namespace {

// A database, a server over it and the example studies, shared by the
// suite: filling them is the slow part, and the queries only read.
struct World {
  std::unique_ptr<TestDatabase> database;
  ManualClock clock{absl::FromCivil(absl::CivilSecond(2026, 1, 5, 9, 0, 0),
                                    absl::UTCTimeZone())};
  std::unique_ptr<TestServer> server;
  std::unique_ptr<Client> client;
  ExampleStudies plan = PlanExampleStudies();
  std::map<std::string, std::string> queries;
  // Connected as the test server's superuser, then SET ROLE knob_analyst.
  std::unique_ptr<pqxx::connection> analyst;
};

bool HaveDatabase() {
  const char* url = std::getenv("KNOB_TEST_DATABASE_URL");
  return url != nullptr && *url != '\0';
}

class AnalystsDocTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HaveDatabase()) return;
    auto world = std::make_unique<World>();
    absl::StatusOr<std::map<std::string, std::string>> queries =
        ReadDocQueries(KNOB_ANALYSTS_DOC);
    ASSERT_OK(queries);
    world->queries = *std::move(queries);
    ASSERT_OK_AND_ASSIGN(world->database, TestDatabase::Create());
    PostgresStorageOptions options;
    options.database_url = world->database->url();
    options.pool_size = 2;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Storage> storage,
                         OpenPostgresStorage(options));
    world->server = std::make_unique<TestServer>(
        std::move(storage), TestServerOptions{.clock = &world->clock});
    ClientOptions client_options;
    client_options.target = world->server->address();
    world->client = std::make_unique<Client>(client_options);
    ASSERT_OK(CreateExampleStudies(*world->client, world->clock, world->plan));
    world->analyst = std::make_unique<pqxx::connection>(world->database->url());
    pqxx::nontransaction(*world->analyst).exec("SET ROLE knob_analyst");
    world_ = world.release();
  }

  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }

  void SetUp() override {
    if (!HaveDatabase()) {
      GTEST_SKIP() << "KNOB_TEST_DATABASE_URL is not set: these tests run "
                      "the queries of docs/analysts.md on PostgreSQL. Run "
                      "them through tests/run.sh, or start a server with "
                      "`bash deploy/local-postgres.sh start /tmp/knob-pg` "
                      "and export KNOB_TEST_DATABASE_URL=<the URL it prints>";
    }
    ASSERT_NE(world_, nullptr) << "the example studies could not be created";
  }

  // Runs the document's query `name` as knob_analyst.
  static absl::StatusOr<pqxx::result> RunDocQuery(const std::string& name,
                                                  const std::string& sql) {
    try {
      return pqxx::nontransaction(*world_->analyst).exec(sql);
    } catch (const std::exception& error) {
      return absl::InvalidArgumentError(
          absl::StrCat("query \"", name, "\" failed: ", error.what()));
    }
  }

  static World* world_;
};

World* AnalystsDocTest::world_ = nullptr;

TEST_F(AnalystsDocTest, EveryQueryAnswersAsDocumented) {
  EXPECT_GE(world_->queries.size(), 10u);
  for (const auto& [name, sql] : world_->queries) {
    SCOPED_TRACE(absl::StrCat("query \"", name, "\" of docs/analysts.md"));
    auto check = QueryChecks().find(name);
    if (check == QueryChecks().end()) {
      ADD_FAILURE() << "no expected answer for this query in query_checks.h";
      continue;
    }
    absl::StatusOr<pqxx::result> result = RunDocQuery(name, sql);
    if (!result.ok()) {
      ADD_FAILURE() << result.status();
      continue;
    }
    check->second(world_->plan, *result);
  }
  for (const auto& [name, check] : QueryChecks()) {
    EXPECT_TRUE(world_->queries.contains(name))
        << "docs/analysts.md lost its query \"" << name << "\"";
  }
}

// The document promises the set the API's GetBestTrials answers.
TEST_F(AnalystsDocTest, ParetoFrontQueryAgreesWithGetBestTrials) {
  ASSERT_TRUE(world_->queries.contains("pareto-front"));
  ASSERT_OK_AND_ASSIGN(
      pqxx::result result,
      RunDocQuery("pareto-front", world_->queries.at("pareto-front")));
  std::vector<int64_t> from_sql;
  for (const auto& row : result) {
    from_sql.push_back(row["trial_number"].as<int64_t>());
  }
  ASSERT_OK_AND_ASSIGN(v1::Study study,
                       world_->client->GetStudyByName("mnist-tradeoff"));
  v1::GetBestTrialsRequest request;
  request.set_study_id(study.id());
  ASSERT_OK_AND_ASSIGN(v1::GetBestTrialsResponse best,
                       world_->client->GetBestTrials(request));
  std::vector<int64_t> from_api;
  for (const v1::Trial& trial : best.trials()) {
    from_api.push_back(trial.number());
  }
  EXPECT_EQ(from_sql, from_api);
}

TEST_F(AnalystsDocTest, AnalystRoleCannotWrite) {
  for (const char* statement :
       {"DELETE FROM knob.trial", "UPDATE knob.study SET state = 'STOPPED'",
        "CREATE TABLE knob.notes (note text)"}) {
    EXPECT_THROW(pqxx::nontransaction(*world_->analyst).exec(statement),
                 pqxx::insufficient_privilege)
        << statement;
  }
}

}  // namespace
}  // namespace knob::testing
