// Keeps the lease of one running trial alive from a background thread and
// relays the server's stop directive for it to the trial's context.
#ifndef KNOB_CLIENT_INTERNAL_HEARTBEAT_H_
#define KNOB_CLIENT_INTERNAL_HEARTBEAT_H_

#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "client/client.h"
#include "client/worker.h"

namespace knob::internal {

// Starts heartbeating on construction; the destructor stops the thread,
// waiting for a heartbeat in flight. A failed heartbeat is not an error of
// the trial: the next one may get through before the lease expires, and if
// none does, CompleteTrial reports the loss.
class TrialHeartbeat final {
 public:
  TrialHeartbeat(Client& client, std::string worker_id, absl::Duration interval,
                 TrialContext& trial);
  ~TrialHeartbeat();

  TrialHeartbeat(const TrialHeartbeat&) = delete;
  TrialHeartbeat& operator=(const TrialHeartbeat&) = delete;

 private:
  void Run();

  Client& client_;
  const std::string worker_id_;
  const absl::Duration interval_;
  TrialContext& trial_;
  absl::Notification done_;
  std::thread thread_;
};

}  // namespace knob::internal

#endif  // KNOB_CLIENT_INTERNAL_HEARTBEAT_H_
