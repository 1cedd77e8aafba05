// The dashboard over HTTP against PostgreSQL: every endpoint, its errors,
// and the embedded page.
#include "server/dashboard/dashboard_server.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/dashboard/assets.h"
#include "server/storage/memory/memory_storage.h"
#include "tests/server/dashboard/dashboard_fixture.h"
#include "tests/server/storage/postgres/test_database.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class DashboardServer : public DashboardTest {
 protected:
  std::unique_ptr<Storage> MakeStorage() override { return NewTestStorage(); }

  // A one-objective study "demo" with losses 5, 3, 4, 1, 2 (trials 0–4)
  // and a failed trial 5.
  v1::Study CreateDemo() {
    v1::Study study = CreateStudy("demo", kOneObjective);
    for (double loss : {5.0, 3.0, 4.0, 1.0, 2.0}) {
      RunTrial(study.id(), v1::TRIAL_STATE_COMPLETED, {loss},
               {{"accuracy", 1 - loss / 10}});
    }
    RunTrial(study.id(), v1::TRIAL_STATE_FAILED, {});
    return study;
  }

  std::vector<int64_t> Numbers(const json& page) {
    std::vector<int64_t> numbers;
    for (const json& row : page["trials"]) numbers.push_back(row["number"]);
    return numbers;
  }
};

TEST_F(DashboardServer, ListsStudiesWithCountsAndBestValue) {
  CreateDemo();
  CreateStudy("empty", kTwoObjectives);

  const json studies = PollJson("/api/studies", [](const json& list) {
    return list["studies"][0]["best_pending"] == false;
  })["studies"];

  ASSERT_EQ(studies.size(), 2u);
  const json& demo = studies[0];
  EXPECT_EQ(demo["name"], "demo");
  EXPECT_EQ(demo["state"], "running");
  EXPECT_EQ(demo["sampler"], "random");
  EXPECT_EQ(demo["directions"], json({"minimize"}));
  EXPECT_EQ(demo["objectives"], json({"loss"}));
  EXPECT_EQ(demo["counts"]["completed"], 5);
  EXPECT_EQ(demo["counts"]["failed"], 1);
  EXPECT_EQ(demo["counts"]["total"], 6);
  EXPECT_EQ(demo["best_values"], json({1.0}));
  EXPECT_TRUE(demo["create_time"].is_string());
  EXPECT_GT(demo["sequence"].get<int64_t>(), 0);
  EXPECT_EQ(studies[1]["name"], "empty");
  EXPECT_TRUE(studies[1]["best_values"].is_null());
}

TEST_F(DashboardServer, StudyListReadsNoTrialsAndFindsTheBestLater) {
  const v1::Study demo = CreateDemo();
  const v1::Study pareto = CreateStudy("pareto", kTwoObjectives);
  RunTrial(pareto.id(), v1::TRIAL_STATE_COMPLETED, {0.5, 2});

  // The first list knows the counts, which need no trial, but not yet the
  // best loss, which needs them all.
  json studies = GetJson("/api/studies")["studies"];
  ASSERT_EQ(studies.size(), 2u);
  EXPECT_EQ(studies[0]["counts"]["completed"], 5);
  EXPECT_EQ(studies[0]["counts"]["total"], 6);
  EXPECT_TRUE(studies[0]["best_values"].is_null());
  EXPECT_EQ(studies[0]["best_pending"], true);
  // Several objectives have no single best to look for.
  EXPECT_EQ(studies[1]["best_values"], json({nullptr, nullptr}));
  EXPECT_EQ(studies[1]["best_pending"], false);

  // Read in the background, the best shows up in a later list.
  studies = PollJson("/api/studies", [](const json& list) {
    return list["studies"][0]["best_pending"] == false;
  })["studies"];
  EXPECT_EQ(studies[0]["best_values"], json({1.0}));

  // A better trial: the list counts it at once and shows the last best
  // known until it has read the change.
  RunTrial(demo.id(), v1::TRIAL_STATE_COMPLETED, {0.5});
  studies = GetJson("/api/studies")["studies"];
  EXPECT_EQ(studies[0]["counts"]["completed"], 6);
  EXPECT_EQ(studies[0]["best_values"], json({1.0}));
  EXPECT_EQ(studies[0]["best_pending"], true);
  studies = PollJson("/api/studies", [](const json& list) {
    return list["studies"][0]["best_pending"] == false;
  })["studies"];
  EXPECT_EQ(studies[0]["best_values"], json({0.5}));
}

TEST_F(DashboardServer, StudyListUsesTheTrialsAStudyPageRead) {
  CreateDemo();

  EXPECT_EQ(GetJson("/api/studies/demo")["best_values"], json({1.0}));

  const json studies = GetJson("/api/studies")["studies"];
  ASSERT_EQ(studies.size(), 1u);
  EXPECT_EQ(studies[0]["best_values"], json({1.0}));
  EXPECT_EQ(studies[0]["best_pending"], false);
}

TEST_F(DashboardServer, DescribesAStudyWithItsSpaceAndConfig) {
  CreateDemo();

  const json study = GetJson("/api/studies/demo");

  EXPECT_EQ(study["name"], "demo");
  EXPECT_EQ(study["best_values"], json({1.0}));
  ASSERT_EQ(study["params"].size(), 3u);
  EXPECT_EQ(study["params"][0], json({{"name", "x"},
                                      {"type", "float"},
                                      {"log", false},
                                      {"min", -5.0},
                                      {"max", 5.0},
                                      {"step", nullptr}}));
  EXPECT_EQ(study["params"][1]["type"], "int");
  EXPECT_EQ(study["params"][1]["step"], 1);
  EXPECT_EQ(study["params"][2]["choices"], json({"adam", "sgd"}));
  EXPECT_EQ(study["config"]["objectives"][0]["metric"], "loss");
  EXPECT_TRUE(study["metadata"].is_object());
}

TEST_F(DashboardServer, PlotsHoldHistoryWithMonotoneBestSoFar) {
  CreateDemo();

  const json plots = GetJson("/api/studies/demo/plots");

  EXPECT_EQ(plots["objectives"],
            json({{{"name", "loss"}, {"direction", "minimize"}}}));
  EXPECT_EQ(plots["history"]["number"], json({0, 1, 2, 3, 4}));
  EXPECT_EQ(plots["history"]["values"], json({{5.0, 3.0, 4.0, 1.0, 2.0}}));
  EXPECT_EQ(plots["history"]["best"], json({{5.0, 3.0, 3.0, 1.0, 1.0}}));
  EXPECT_EQ(plots["points"]["number"], json({0, 1, 2, 3, 4}));
  EXPECT_EQ(plots["points"]["params"]["x"].size(), 5u);
  EXPECT_EQ(plots["points"]["sampled"], false);
  EXPECT_EQ(plots["pareto"]["numbers"], json::array());
  EXPECT_EQ(plots["counts"]["total"], 6);
  EXPECT_EQ(plots["sequence"], GetJson("/api/studies/demo")["sequence"]);
}

TEST_F(DashboardServer, PlotsKeepTheBestPointsWhenSampling) {
  CreateDemo();

  const json plots = GetJson("/api/studies/demo/plots?max_points=2");

  EXPECT_EQ(plots["points"]["sampled"], true);
  ASSERT_EQ(plots["points"]["number"].size(), 2u);
  // Trial 3 has the best loss.
  EXPECT_THAT(plots["points"]["number"].get<std::vector<int64_t>>(),
              ::testing::Contains(3));
}

TEST_F(DashboardServer, ParetoFrontOfTwoObjectives) {
  const v1::Study study = CreateStudy("fronts", kTwoObjectives);
  // (error, speed): 0, 1 and 2 trade off; 3 is beaten by 1; 4 by all.
  for (const auto& [error, speed] : std::vector<std::pair<double, double>>{
           {1, 1}, {2, 5}, {4, 9}, {3, 4}, {5, 0}}) {
    RunTrial(study.id(), v1::TRIAL_STATE_COMPLETED, {error, speed});
  }

  const json plots = GetJson("/api/studies/fronts/plots");

  EXPECT_EQ(plots["pareto"]["numbers"], json({0, 1, 2}));
  EXPECT_EQ(plots["history"]["values"],
            json({{1.0, 2.0, 4.0, 3.0, 5.0}, {1.0, 5.0, 9.0, 4.0, 0.0}}));
  EXPECT_EQ(plots["history"]["best"], json::array());
  EXPECT_EQ(GetJson("/api/studies/fronts")["best_values"],
            json({nullptr, nullptr}));
}

TEST_F(DashboardServer, TrialTablePagesSortsAndFilters) {
  CreateDemo();

  json page = GetJson("/api/studies/demo/trials");
  EXPECT_EQ(page["total"], 6);
  EXPECT_EQ(page["limit"], 50);
  EXPECT_THAT(Numbers(page), ElementsAre(0, 1, 2, 3, 4, 5));

  page = GetJson("/api/studies/demo/trials?sort=value&offset=1&limit=3");
  EXPECT_EQ(page["total"], 6);
  EXPECT_THAT(Numbers(page), ElementsAre(4, 1, 2));

  // The failed trial has no value: last in either order.
  page = GetJson("/api/studies/demo/trials?sort=value&order=desc");
  EXPECT_THAT(Numbers(page), ElementsAre(0, 2, 1, 4, 3, 5));

  page = GetJson("/api/studies/demo/trials?state=failed,pruned");
  EXPECT_EQ(page["total"], 1);
  EXPECT_THAT(Numbers(page), ElementsAre(5));
  EXPECT_EQ(page["trials"][0]["state"], "failed");
  EXPECT_TRUE(page["trials"][0]["values"].is_null());

  page = GetJson("/api/studies/demo/trials?sort=param:x&state=completed");
  std::vector<double> xs;
  for (const json& row : page["trials"]) xs.push_back(row["params"]["x"]);
  EXPECT_EQ(xs.size(), 5u);
  EXPECT_TRUE(std::is_sorted(xs.begin(), xs.end()));

  page = GetJson("/api/studies/demo/trials?limit=1");
  const json& row = page["trials"][0];
  EXPECT_EQ(row["values"], json({5.0}));
  EXPECT_EQ(row["metrics"], json({{"accuracy", 0.5}}));
  EXPECT_EQ(row["worker_id"], "dashboard-test");
  EXPECT_GE(row["duration_s"].get<double>(), 0.0);
}

TEST_F(DashboardServer, TrialDetail) {
  CreateDemo();

  const json trial = GetJson("/api/studies/demo/trials/5");

  EXPECT_EQ(trial["number"], 5);
  EXPECT_EQ(trial["state"], "failed");
  EXPECT_EQ(trial["fail_reason"], "diverged");
  EXPECT_EQ(trial["environment"]["gpu"], "none");
  EXPECT_TRUE(trial["create_time"].is_string());
  EXPECT_TRUE(trial["lease_deadline"].is_null());
  EXPECT_EQ(trial["intermediate_values"], json::array());
}

TEST_F(DashboardServer, TrialDetailNamesTheLostTrialItRetries) {
  const v1::Study study =
      CreateStudy("retries", absl::StrCat(kOneObjective,
                                          " max_stale_retries: 1 "
                                          "lease_duration { nanos: 1000000 }"));
  v1::SuggestTrialsRequest suggest;
  suggest.set_study_id(study.id());
  suggest.set_count(1);
  v1::SuggestTrialsResponse suggested;
  grpc::ClientContext context;
  ASSERT_TRUE(
      server_->trials().SuggestTrials(&context, suggest, &suggested).ok());
  absl::SleepFor(absl::Milliseconds(5));
  ASSERT_OK_AND_ASSIGN(int expired, server_->tuner().ExpireLeases());
  ASSERT_EQ(expired, 1);

  EXPECT_TRUE(GetJson("/api/studies/retries/trials/0")["retry_of"].is_null());
  const json retry = GetJson("/api/studies/retries/trials/1");
  EXPECT_EQ(retry["state"], "waiting");
  EXPECT_EQ(retry["retry_of"], 0);
  const json counts = GetJson("/api/studies/retries")["counts"];
  EXPECT_EQ(counts["stale"], 1);
  EXPECT_EQ(counts["retried"], 1);
  EXPECT_EQ(counts["total"], 2);
}

// Whether an importance document is final for the study as it is.
bool Computed(const json& importance) {
  return !importance.contains("computing");
}

TEST_F(DashboardServer, ImportanceOrItsReason) {
  const v1::Study study = CreateStudy("demo", kOneObjective);
  RunTrial(study.id(), v1::TRIAL_STATE_COMPLETED, {1});

  json importance = PollJson("/api/studies/demo/importance", Computed);
  EXPECT_EQ(importance["importances"], json::array());
  EXPECT_THAT(importance["reason"].get<std::string>(),
              HasSubstr("at least 2 completed trials"));

  for (int i = 0; i < 12; ++i) {
    RunTrial(study.id(), v1::TRIAL_STATE_COMPLETED, {static_cast<double>(i)});
  }
  importance = PollJson("/api/studies/demo/importance", Computed);
  ASSERT_EQ(importance["importances"].size(), 3u);
  double total = 0;
  double previous = 1;
  for (const json& entry : importance["importances"]) {
    EXPECT_TRUE(entry["param"].is_string());
    const double share = entry["importance"];
    EXPECT_LE(share, previous);
    previous = share;
    total += share;
  }
  EXPECT_NEAR(total, 1.0, 1e-9);
}

TEST_F(DashboardServer, ImportanceIsComputedInTheBackground) {
  const v1::Study study = CreateStudy("demo", kOneObjective);
  for (int i = 0; i < 12; ++i) {
    RunTrial(study.id(), v1::TRIAL_STATE_COMPLETED, {static_cast<double>(i)});
  }

  // The first request answers at once, before the forest is fitted.
  json importance = GetJson("/api/studies/demo/importance");
  EXPECT_EQ(importance["computing"], true);
  EXPECT_EQ(importance["importances"], json::array());

  const json computed = PollJson("/api/studies/demo/importance", Computed);
  ASSERT_EQ(computed["importances"].size(), 3u);
  // Asked again with nothing changed: the same answer, not recomputed.
  EXPECT_EQ(GetJson("/api/studies/demo/importance"), computed);

  // After a change, the last importances stand in until the new ones are
  // computed.
  RunTrial(study.id(), v1::TRIAL_STATE_COMPLETED, {0.5});
  importance = GetJson("/api/studies/demo/importance");
  EXPECT_EQ(importance["computing"], true);
  EXPECT_EQ(importance["importances"], computed["importances"]);
  EXPECT_TRUE(Computed(PollJson("/api/studies/demo/importance", Computed)));
}

TEST_F(DashboardServer, SeesTrialsAddedAfterAnEarlierRead) {
  const v1::Study study = CreateDemo();
  EXPECT_EQ(GetJson("/api/studies/demo/trials")["total"], 6);

  RunTrial(study.id(), v1::TRIAL_STATE_COMPLETED, {0.5});

  EXPECT_EQ(GetJson("/api/studies/demo/trials")["total"], 7);
  EXPECT_EQ(GetJson("/api/studies/demo")["best_values"], json({0.5}));
  EXPECT_EQ(GetJson("/api/studies/demo/plots")["history"]["best"][0].back(),
            0.5);
}

TEST_F(DashboardServer, UnknownStudyOrTrialIs404WithMessage) {
  CreateDemo();
  for (const std::string path :
       {"/api/studies/nope", "/api/studies/nope/trials",
        "/api/studies/nope/plots", "/api/studies/nope/importance"}) {
    const HttpReply reply = Request("GET", path);
    EXPECT_EQ(reply.status, 404) << path;
    EXPECT_EQ(reply.json["error"]["code"], "NOT_FOUND") << path;
    EXPECT_EQ(reply.json["error"]["message"], "study \"nope\" not found")
        << path;
  }
  const HttpReply trial = Request("GET", "/api/studies/demo/trials/99");
  EXPECT_EQ(trial.status, 404);
  EXPECT_EQ(trial.json["error"]["message"],
            "trial 99 of study \"demo\" not found");
  EXPECT_EQ(Request("GET", "/api/nothing").status, 404);
}

TEST_F(DashboardServer, BadQueryParameterIs400NamingIt) {
  CreateDemo();
  for (const auto& [query, parameter] :
       std::vector<std::pair<std::string, std::string>>{
           {"trials?limit=5000", "limit"},
           {"trials?limit=-1", "limit"},
           {"trials?offset=x", "offset"},
           {"trials?sort=speed", "sort"},
           {"trials?sort=param:nope", "sort"},
           {"trials?order=up", "order"},
           {"trials?state=done", "state"},
           {"trials/abc", "number"},
           {"plots?max_points=0", "max_points"}}) {
    const HttpReply reply = Request("GET", "/api/studies/demo/" + query);
    EXPECT_EQ(reply.status, 400) << query;
    EXPECT_EQ(reply.json["error"]["code"], "INVALID_ARGUMENT") << query;
    EXPECT_THAT(reply.json["error"]["message"].get<std::string>(),
                StartsWith(parameter + ":"))
        << query;
  }
}

TEST_F(DashboardServer, OnlyReadsAreAllowed) {
  CreateDemo();
  for (const std::string method : {"POST", "DELETE"}) {
    const HttpReply reply = Request(method, "/api/studies/demo");
    EXPECT_EQ(reply.status, 405) << method;
    EXPECT_EQ(reply.json["error"]["code"], "METHOD_NOT_ALLOWED") << method;
  }
  EXPECT_EQ(Request("HEAD", "/api/studies").status, 200);
  EXPECT_EQ(GetJson("/api/studies")["studies"].size(), 1u);
}

TEST_F(DashboardServer, ServesTheEmbeddedPage) {
  const HttpReply page = Request("GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.content_type, StartsWith("text/html"));
  EXPECT_THAT(page.body, HasSubstr("<script src=\"/assets/app.js\">"));

  const HttpReply plotly = Request("GET", "/assets/plotly.min.js");
  EXPECT_EQ(plotly.status, 200);
  EXPECT_THAT(plotly.content_type, StartsWith("application/javascript"));
  EXPECT_GT(plotly.body.size(), 1u << 20);

  EXPECT_THAT(Request("GET", "/assets/app.css").content_type,
              StartsWith("text/css"));
  EXPECT_EQ(Request("GET", "/assets/app.js").status, 200);
  EXPECT_EQ(Request("GET", "/assets/missing.js").status, 404);
}

TEST_F(DashboardServer, UnchangedAssetsAreNotSentAgain) {
  httplib::Client client("127.0.0.1", dashboard_->port());
  httplib::Result first = client.Get("/assets/app.js");
  ASSERT_TRUE(first);
  const std::string etag = first->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());

  httplib::Result again =
      client.Get("/assets/app.js", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
}

TEST_F(DashboardServer, CompressesLargeBodiesWithGzipEvenWhenBrotliIsOffered) {
  CreateDemo();
  httplib::Client client("127.0.0.1", dashboard_->port());
  const httplib::Headers offer = {{"Accept-Encoding", "gzip, deflate, br"}};

  httplib::Result plotly = client.Get("/assets/plotly.min.js", offer);
  ASSERT_TRUE(plotly);
  EXPECT_EQ(plotly->get_header_value("Content-Encoding"), "gzip");
  // The client decoded it back to the embedded bytes.
  EXPECT_TRUE(plotly->body == dashboard::PlotlyJs().data);

  httplib::Result trials = client.Get("/api/studies/demo/trials", offer);
  ASSERT_TRUE(trials);
  EXPECT_EQ(trials->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(json::parse(trials->body), GetJson("/api/studies/demo/trials"));

  // Without an offer, bodies go as they are.
  httplib::Result plain = client.Get("/assets/plotly.min.js");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->has_header("Content-Encoding"));
}

TEST(DashboardEndpoint, RefusesAMalformedAddress) {
  std::unique_ptr<Storage> storage = CreateMemoryStorage();
  absl::StatusOr<std::unique_ptr<dashboard::DashboardEndpoint>> endpoint =
      dashboard::ServeDashboard(*storage, {.listen = "localhost"});
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(endpoint.status().message(), HasSubstr("HOST:PORT"));
}

TEST(DashboardEndpoint, RefusesAPortInUse) {
  std::unique_ptr<Storage> storage = CreateMemoryStorage();
  absl::StatusOr<std::unique_ptr<dashboard::DashboardEndpoint>> first =
      dashboard::ServeDashboard(*storage, {.listen = "127.0.0.1:0"});
  ASSERT_TRUE(first.ok()) << first.status();

  absl::StatusOr<std::unique_ptr<dashboard::DashboardEndpoint>> second =
      dashboard::ServeDashboard(
          *storage, {.listen = absl::StrCat("127.0.0.1:", (*first)->port())});

  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace knob::testing
