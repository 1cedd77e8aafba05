// Makes every gRPC call attempt of this process that ends in an error
// print one line on stderr,
//
//   SuggestTrials: UNAVAILABLE (failed to connect to all addresses); attempt
//   failed
//
// so that the chaos suite counts, by status code, what the C++ clients
// were told, including the attempts the client library retried by itself
// and never showed its caller. The Python workers print the same shape of
// line for their retries and refusals.
#ifndef KNOB_TESTS_CHAOS_FAILED_ATTEMPT_LOG_H_
#define KNOB_TESTS_CHAOS_FAILED_ATTEMPT_LOG_H_

namespace knob::chaos {

// Installs the logging as gRPC's process-wide client interceptor. Call it
// once, before the first channel is created; channels created earlier do
// not log.
void LogFailedAttemptsOfAllChannels();

}  // namespace knob::chaos

#endif  // KNOB_TESTS_CHAOS_FAILED_ATTEMPT_LOG_H_
