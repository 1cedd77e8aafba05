#include "server/storage/postgres/internal/trial_reads.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/storage/postgres/internal/codec.h"
#include "server/storage/postgres/internal/rows.h"
#include "server/util/status_macros.h"

namespace knob::postgres_internal {
namespace {

// The fields of a child row, read in order. libpqxx copies the result's
// handle (two reference counts) into every field it hands out by index;
// stepping one iterator along the row does not, which matters at hundreds
// of thousands of rows.
class Fields {
 public:
  explicit Fields(const pqxx::row& row) : field_(row.begin()) {}

  int64_t Int64() { return Take().as<int64_t>(); }
  bool Bool() { return Take().as<bool>(); }
  std::string String() {
    const pqxx::field& field = Take();
    return std::string(field.c_str(), field.size());
  }
  absl::string_view Text() {
    const pqxx::field& field = Take();
    return absl::string_view(field.c_str(), field.size());
  }
  absl::StatusOr<double> Double() { return ParseDouble(Text()); }

 private:
  // The current field; the iterator moves on once the caller is done
  // with it, before the next Take().
  const pqxx::field& Take() {
    if (taken_) ++field_;
    taken_ = true;
    return field_;
  }

  pqxx::row::const_iterator field_;
  bool taken_ = false;
};

// Finds the trial of each child row by id. A trial's child rows usually
// come one after the other, so the previous row's trial is checked first.
class TrialIndex {
 public:
  explicit TrialIndex(std::vector<Trial>& trials) : trials_(trials) {
    index_by_id_.reserve(trials.size());
    for (size_t i = 0; i < trials.size(); ++i) {
      index_by_id_.emplace(trials[i].id, i);
    }
  }

  absl::StatusOr<Trial*> Find(int64_t id) {
    if (last_ != nullptr && last_->id == id) return last_;
    auto it = index_by_id_.find(id);
    if (it == index_by_id_.end()) {
      return absl::InternalError(
          absl::StrCat("a child row of trial ", id,
                       ", which the trial read did not select"));
    }
    last_ = &trials_[it->second];
    return last_;
  }

 private:
  std::vector<Trial>& trials_;
  absl::flat_hash_map<int64_t, size_t> index_by_id_;
  Trial* last_ = nullptr;
};

// Rows of (trial, name, kind, label).
absl::Status AddParams(const pqxx::result& rows, TrialIndex& index) {
  for (const pqxx::row& row : rows) {
    Fields fields(row);
    ASSIGN_OR_RETURN(Trial * trial, index.Find(fields.Int64()));
    std::string name = fields.String();
    const absl::string_view kind = fields.Text();
    ASSIGN_OR_RETURN(ParamValue value,
                     ParamValueFromLabel(kind, fields.Text()));
    trial->params.emplace(std::move(name), std::move(value));
  }
  return absl::OkStatus();
}

// Rows of (trial, value) by trial and position.
absl::Status AddValues(const pqxx::result& rows, TrialIndex& index) {
  for (const pqxx::row& row : rows) {
    Fields fields(row);
    ASSIGN_OR_RETURN(Trial * trial, index.Find(fields.Int64()));
    ASSIGN_OR_RETURN(double value, fields.Double());
    trial->values.push_back(value);
  }
  return absl::OkStatus();
}

// Rows of (trial, name, value).
absl::Status AddMetrics(const pqxx::result& rows, TrialIndex& index) {
  for (const pqxx::row& row : rows) {
    Fields fields(row);
    ASSIGN_OR_RETURN(Trial * trial, index.Find(fields.Int64()));
    std::string name = fields.String();
    ASSIGN_OR_RETURN(double value, fields.Double());
    trial->metrics.emplace(std::move(name), value);
  }
  return absl::OkStatus();
}

// Rows of (trial, step, metric, value, request id, should prune, prune
// reason) in report order.
absl::Status AddIntermediateValues(const pqxx::result& rows,
                                   TrialIndex& index) {
  for (const pqxx::row& row : rows) {
    Fields fields(row);
    ASSIGN_OR_RETURN(Trial * trial, index.Find(fields.Int64()));
    IntermediateValue value;
    value.step = fields.Int64();
    value.metric = fields.String();
    ASSIGN_OR_RETURN(value.value, fields.Double());
    value.request_id = fields.String();
    value.should_prune = fields.Bool();
    value.prune_reason = fields.String();
    trial->intermediate_values.push_back(std::move(value));
  }
  return absl::OkStatus();
}

}  // namespace

TrialReadChildren::TrialReadChildren(absl::string_view name)
    : params(absl::StrCat(name, ".params")),
      values(absl::StrCat(name, ".values")),
      metrics(absl::StrCat(name, ".metrics")),
      intermediate_values(absl::StrCat(name, ".intermediate_values")) {}

void PrepareTrialRead(pqxx::connection_base& connection,
                      const std::string& name, absl::string_view condition,
                      absl::string_view limit) {
  const std::string limit_clause =
      limit.empty() ? "" : absl::StrCat(" LIMIT ", limit);
  connection.prepare(name, absl::StrCat("SELECT ", TrialOwnColumns(),
                                        " FROM knob.trial t WHERE ", condition,
                                        " ORDER BY t.number", limit_clause));
  // Without a limit, the order of the selected trials does not matter to
  // their children, and leaving it out spares PostgreSQL a sort.
  const std::string selected = absl::StrCat(
      "(SELECT t.id FROM knob.trial t WHERE ", condition,
      limit.empty() ? "" : " ORDER BY t.number", limit_clause, ")");
  const TrialReadChildren children(name);
  connection.prepare(
      children.params,
      absl::StrCat("SELECT p.trial_id, p.name, p.kind, p.label "
                   "FROM knob.trial_param p WHERE p.trial_id IN ",
                   selected));
  connection.prepare(
      children.values,
      absl::StrCat("SELECT v.trial_id, v.value "
                   "FROM knob.trial_value v WHERE v.trial_id IN ",
                   selected, " ORDER BY v.trial_id, v.position"));
  connection.prepare(
      children.metrics,
      absl::StrCat("SELECT m.trial_id, m.name, m.value "
                   "FROM knob.trial_metric m WHERE m.trial_id IN ",
                   selected));
  connection.prepare(
      children.intermediate_values,
      absl::StrCat("SELECT i.trial_id, i.step, i.metric, i.value, "
                   "coalesce(i.request_id, ''), i.should_prune, "
                   "i.prune_reason "
                   "FROM knob.intermediate_value i WHERE i.trial_id IN ",
                   selected, " ORDER BY i.id"));
}

absl::StatusOr<std::vector<Trial>> TrialsFromReadResults(
    const TrialReadResults& results) {
  std::vector<Trial> trials;
  trials.reserve(results.trials.size());
  for (const pqxx::row& row : results.trials) {
    ASSIGN_OR_RETURN(Trial trial, TrialWithoutChildrenFromRow(row));
    trials.push_back(std::move(trial));
  }
  TrialIndex index(trials);
  RETURN_IF_ERROR(AddParams(results.params, index));
  RETURN_IF_ERROR(AddValues(results.values, index));
  RETURN_IF_ERROR(AddMetrics(results.metrics, index));
  RETURN_IF_ERROR(AddIntermediateValues(results.intermediate_values, index));
  return trials;
}

}  // namespace knob::postgres_internal
