// Reading many trials at once, e.g. a study's whole history when a server
// first serves it. Correlated subqueries that aggregate each trial's
// children into JSON cost PostgreSQL four index lookups and four JSON
// documents per trial, and the server a JSON parse of each: seconds for
// 100,000 trials. A trial read instead selects the trials' own rows, then
// each child table's rows for those trials in one set-based statement
// (parameters, objective values, metrics, intermediate values), as plain
// typed columns; the children are joined to their trials here, by id.
//
// A trial read is named like one statement: PrepareTrialRead declares the
// statement `name`, which selects the trials, and one statement per child
// table; ReadTrials runs them with the same arguments.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_READS_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_READS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pqxx/connection_base"
#include "pqxx/result"
#include "pqxx/transaction_base"
#include "server/model/trial.h"

namespace knob::postgres_internal {

// Declares the statements of the trial read `name` on `connection`: the
// trials of `knob.trial t` for which `condition` holds, by number, at most
// `limit` of them when `limit` is not empty (a parameter such as "$5").
// Every statement of the read takes the parameters `condition` and `limit`
// use.
void PrepareTrialRead(pqxx::connection_base& connection,
                      const std::string& name, absl::string_view condition,
                      absl::string_view limit);

// The rows of one trial read.
struct TrialReadResults {
  pqxx::result trials;
  pqxx::result params;
  pqxx::result values;
  pqxx::result metrics;
  pqxx::result intermediate_values;
};

// The names of the statements of the trial read `name` other than `name`
// itself.
struct TrialReadChildren {
  explicit TrialReadChildren(absl::string_view name);
  std::string params;
  std::string values;
  std::string metrics;
  std::string intermediate_values;
};

// The trials with their children, by number. INTERNAL for data this code
// did not write, or a child row of a trial the read did not select.
absl::StatusOr<std::vector<Trial>> TrialsFromReadResults(
    const TrialReadResults& results);

// Runs the trial read `name` with `args` and returns its trials. Its
// statements run one after the other, so `transaction` must see one state
// of the trials throughout: hold the study's lock, or be REPEATABLE READ.
// Throws what libpqxx throws (callers run it under Guard).
template <typename... Args>
absl::StatusOr<std::vector<Trial>> ReadTrials(
    pqxx::transaction_base& transaction, const std::string& name,
    const Args&... args) {
  TrialReadResults results;
  results.trials = transaction.exec_prepared(name, args...);
  if (!results.trials.empty()) {
    const TrialReadChildren children(name);
    results.params = transaction.exec_prepared(children.params, args...);
    results.values = transaction.exec_prepared(children.values, args...);
    results.metrics = transaction.exec_prepared(children.metrics, args...);
    results.intermediate_values =
        transaction.exec_prepared(children.intermediate_values, args...);
  }
  return TrialsFromReadResults(results);
}

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_READS_H_
