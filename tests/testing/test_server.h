// An in-process Knob server on a real loopback socket, over any Storage,
// for API and client tests: requests go through gRPC exactly as a worker's
// would, and are served by the real services and Tuner.
#ifndef KNOB_TESTS_TESTING_TEST_SERVER_H_
#define KNOB_TESTS_TESTING_TEST_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"
#include "knob/v1/service.grpc.pb.h"
#include "server/api/study_service.h"
#include "server/api/trial_service.h"
#include "server/core/tuner.h"
#include "server/observability/metrics.h"
#include "server/storage/storage.h"
#include "server/util/clock.h"
#include "server/util/thread_pool.h"
#include "tests/testing/fault_proxy.h"

namespace knob::testing {

struct TestServerOptions {
  // The Tuner's time source (e.g. a ManualClock, to expire leases at will);
  // must outlive the server. Default: the real clock.
  const Clock* clock = &Clock::Real();
  // Called with the server's pruner registry before the server starts, to
  // offer studies more pruners than the built-in ones (e.g.
  // RegisterTestPruners). Default: none.
  std::function<absl::Status(PrunerRegistry&)> add_pruners;
  // Puts a FaultProxy between clients and the server: address() is then
  // the proxy's, and faults() schedules failures. Default: false.
  bool fault_proxy = false;
  // Receives what knob-server measures: every RPC (through the same
  // interceptor) and the Tuner's metrics; must outlive the server.
  // Default: nowhere.
  Metrics* metrics = &Metrics::Discard();
};

// Thread safety: the accessors may be used from any thread; the stubs, the
// Tuner and the fault proxy are thread-safe.
class TestServer {
 public:
  // Largest request the test servers accept.
  static constexpr int kMaxRequestBytes = 64 * 1024;

  // Serves `storage` on 127.0.0.1 with a free port. Aborts when
  // options.add_pruners fails.
  explicit TestServer(std::unique_ptr<Storage> storage,
                      TestServerOptions options = {});
  ~TestServer();

  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // Where clients connect: the fault proxy if there is one, else the
  // server itself.
  const std::string& address() const;
  // Stubs connected to the server itself, never through the fault proxy, so
  // that a test's own checks are not hit by the failures it scheduled.
  v1::StudyService::Stub& studies() { return *study_stub_; }
  v1::TrialService::Stub& trials() { return *trial_stub_; }
  Storage& storage() { return *storage_; }
  // The server's core, for what no RPC triggers (e.g. ExpireLeases, which
  // knob-server runs on a timer).
  Tuner& tuner() { return tuner_; }
  // The fault proxy. Aborts unless options.fault_proxy was set.
  FaultProxy& faults();

 private:
  std::unique_ptr<Storage> storage_;
  SamplerRegistry samplers_;
  PrunerRegistry pruners_;
  Tuner tuner_;
  ThreadPool pool_;
  api::StudyService study_service_;
  api::TrialService trial_service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<v1::StudyService::Stub> study_stub_;
  std::unique_ptr<v1::TrialService::Stub> trial_stub_;
};

}  // namespace knob::testing

#endif  // KNOB_TESTS_TESTING_TEST_SERVER_H_
