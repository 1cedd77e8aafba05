// An in-process Knob server on a real loopback socket, over any Storage,
// for API tests: requests go through gRPC exactly as a worker's would.
#ifndef KNOB_TESTS_TESTING_TEST_SERVER_H_
#define KNOB_TESTS_TESTING_TEST_SERVER_H_

#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"
#include "knob/v1/service.grpc.pb.h"
#include "server/api/study_service.h"
#include "server/api/trial_service.h"
#include "server/core/tuner.h"
#include "server/storage/storage.h"
#include "server/util/clock.h"
#include "server/util/thread_pool.h"

namespace knob::testing {

class TestServer {
 public:
  // Largest request the test servers accept.
  static constexpr int kMaxRequestBytes = 64 * 1024;

  // Serves `storage` on 127.0.0.1 with a free port.
  explicit TestServer(std::unique_ptr<Storage> storage,
                      const Clock& clock = Clock::Real());
  ~TestServer();

  const std::string& address() const { return address_; }
  v1::StudyService::Stub& studies() { return *study_stub_; }
  v1::TrialService::Stub& trials() { return *trial_stub_; }
  Storage& storage() { return *storage_; }

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
  std::unique_ptr<v1::StudyService::Stub> study_stub_;
  std::unique_ptr<v1::TrialService::Stub> trial_stub_;
};

}  // namespace knob::testing

#endif  // KNOB_TESTS_TESTING_TEST_SERVER_H_
