#include "server/observability/prometheus_metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::testing::HasSubstr;

// The whole HTTP/1.0 response to GET `path` on 127.0.0.1:`port`.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot connect to ", port));
  }
  const std::string request =
      absl::StrCat("GET ", path,
                   " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  if (write(fd, request.data(), request.size()) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::InternalError("write failed");
  }
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, n);
  close(fd);
  return response;
}

TEST(PrometheusMetrics, RendersEverySeriesWithItsType) {
  std::unique_ptr<PrometheusMetrics> metrics = PrometheusMetrics::Create();
  metrics->ObserveRpc("knob.v1.TrialService/SuggestTrials", "OK",
                      absl::Milliseconds(3));
  metrics->ObserveSampling("tpe", absl::Milliseconds(20));
  metrics->CountTrialTransition("RUNNING");
  metrics->CountReapedTrials(2);
  metrics->CountStudyCacheLookup(true);
  metrics->CountStudyCacheLookup(false);
  metrics->CountStudyCacheLookup(false);
  metrics->ObserveConnectionWait(absl::Microseconds(50));
  metrics->AddConnectionsInUse(3);
  metrics->AddConnectionsInUse(-1);
  metrics->SetActiveLeasesSource([] { return int64_t{5}; });

  const std::string text = metrics->RenderText();
  EXPECT_THAT(text, HasSubstr("# TYPE knob_rpc_duration_seconds histogram"));
  EXPECT_THAT(text,
              HasSubstr("knob_rpc_duration_seconds_count{code=\"OK\",method="
                        "\"knob.v1.TrialService/SuggestTrials\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("# TYPE knob_sampler_duration_seconds histogram"));
  EXPECT_THAT(text, HasSubstr("knob_sampler_duration_seconds_count{sampler="
                              "\"tpe\"} 1"));
  EXPECT_THAT(text, HasSubstr("# TYPE knob_trials_total counter"));
  EXPECT_THAT(text, HasSubstr("knob_trials_total{state=\"RUNNING\"} 1"));
  EXPECT_THAT(text, HasSubstr("# TYPE knob_reaped_trials_total counter"));
  EXPECT_THAT(text, HasSubstr("knob_reaped_trials_total 2"));
  EXPECT_THAT(text, HasSubstr("# TYPE knob_active_leases gauge"));
  EXPECT_THAT(text, HasSubstr("knob_active_leases 5"));
  EXPECT_THAT(text, HasSubstr("# TYPE knob_study_cache_lookups_total counter"));
  EXPECT_THAT(text,
              HasSubstr("knob_study_cache_lookups_total{result=\"hit\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("knob_study_cache_lookups_total{result=\"miss\"} 2"));
  EXPECT_THAT(text, HasSubstr("# TYPE knob_db_pool_connections_in_use gauge"));
  EXPECT_THAT(text, HasSubstr("knob_db_pool_connections_in_use 2"));
  EXPECT_THAT(text, HasSubstr("# TYPE knob_db_pool_wait_seconds histogram"));
  EXPECT_THAT(text, HasSubstr("knob_db_pool_wait_seconds_count 1"));
  // 50 microseconds fall in the 0.0001 s bucket, not in the 0.00001 s one.
  EXPECT_THAT(text,
              HasSubstr("knob_db_pool_wait_seconds_bucket{le=\"1e-05\"} 0"));
  EXPECT_THAT(text,
              HasSubstr("knob_db_pool_wait_seconds_bucket{le=\"0.0001\"} 1"));
}

TEST(PrometheusMetrics, ServesTheSeriesOverHttp) {
  std::unique_ptr<PrometheusMetrics> metrics = PrometheusMetrics::Create();
  metrics->ObserveRpc("knob.v1.StudyService/GetStudy", "NOT_FOUND",
                      absl::Milliseconds(1));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MetricsEndpoint> endpoint,
                       metrics->ServeHttp("127.0.0.1:0"));
  ASSERT_GT(endpoint->port(), 0);

  ASSERT_OK_AND_ASSIGN(std::string response,
                       HttpGet(endpoint->port(), "/metrics"));
  EXPECT_THAT(response, HasSubstr("200 OK"));
  EXPECT_THAT(response, HasSubstr("text/plain"));
  EXPECT_THAT(response,
              HasSubstr("# TYPE knob_rpc_duration_seconds histogram"));
  EXPECT_THAT(response,
              HasSubstr("knob_rpc_duration_seconds_count{code=\"NOT_FOUND\","
                        "method=\"knob.v1.StudyService/GetStudy\"} 1"));
  EXPECT_THAT(response,
              HasSubstr("# TYPE knob_db_pool_wait_seconds histogram"));
  EXPECT_THAT(response, HasSubstr("# TYPE knob_active_leases gauge"));
}

TEST(PrometheusMetrics, RefusesAnAddressItCannotBind) {
  std::unique_ptr<PrometheusMetrics> metrics = PrometheusMetrics::Create();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MetricsEndpoint> first,
                       metrics->ServeHttp("127.0.0.1:0"));
  EXPECT_THAT(
      metrics->ServeHttp(absl::StrCat("127.0.0.1:", first->port())),
      testing::StatusIs(absl::StatusCode::kUnavailable, HasSubstr("metrics")));
}

}  // namespace
}  // namespace knob
