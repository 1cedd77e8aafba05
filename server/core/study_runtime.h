// The in-memory view of one study that this process serves: its last
// committed state, its whole trial history, and its sampler and pruner.
// The view is exact up to sequence(); Sync() brings it forward by reading
// only the trials that changed since, so no request re-reads a study.
//
// The sampler's own state (Sampler::SaveState) follows the same rule: it
// is the one stored with the study, except between Sample() and the end
// of that transaction. A transaction that sampled stores
// ChangedSamplerState() with its trials; if it does not commit, the next
// Sync() loads the stored state back, so that an uncommitted proposal
// never shapes a later one.
//
// Thread safety: callers hold mu() for every call except the constructor.
#ifndef KNOB_SERVER_CORE_STUDY_RUNTIME_H_
#define KNOB_SERVER_CORE_STUDY_RUNTIME_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "server/core/group_commit.h"
#include "server/model/study.h"
#include "server/model/trial.h"
#include "server/pruners/pruner.h"
#include "server/pruners/pruner_registry.h"
#include "server/samplers/sampler.h"
#include "server/samplers/sampler_registry.h"
#include "server/storage/storage.h"

namespace knob {

class StudyRuntime {
 public:
  // Builds the sampler and pruner the study names and loads the study's
  // sampler state into the sampler. The history starts empty at sequence
  // 0; the first Sync() loads it.
  static absl::StatusOr<std::unique_ptr<StudyRuntime>> Create(
      const Study& study, const SamplerRegistry& samplers,
      const PrunerRegistry& pruners);

  // Serializes work on this study within this process, so that concurrent
  // requests queue here instead of on the database's row lock.
  absl::Mutex& mu() { return mu_; }

  // Groups the study's concurrent transactions in this process into one
  // (see GroupCommit); its leader then holds mu() for the group.
  GroupCommit& group_commit() { return group_commit_; }

  const Study& study() const { return study_; }
  int64_t sequence() const { return sequence_; }
  const TrialCounts& counts() const { return counts_; }
  Pruner& pruner() { return *pruner_; }

  // Reads what other transactions committed since sequence() and adopts
  // the locked study row. The sampler is put back in the stored state
  // when another process stored a new one, and when it sampled since the
  // last Commit() (that transaction did not commit).
  absl::Status Sync(StudyTransaction& transaction);

  // Adopts the study row (its sampler state included) and the trials a
  // transaction committed at `sequence`.
  void Commit(const Study& study, absl::Span<const Trial> changed,
              int64_t sequence);

  // Proposes a trial with the study's sampler, which may change the
  // sampler's state.
  absl::StatusOr<ParamAssignment> Sample(const SamplingContext& context);

  // The sampler's state, if sampling changed it since it was stored or
  // loaded; nullopt otherwise.
  std::optional<std::string> ChangedSamplerState() const;
  // How many times Sample() ran, ever: a change that sampled moved it.
  int64_t samples() const { return samples_; }

  // Every trial by number; stable pointers for the sampler.
  absl::Span<const Trial* const> trials() const { return trial_pointers_; }
  const Trial* FindTrial(int64_t trial_id) const;
  // WAITING trials by number, oldest first.
  const std::set<int64_t>& waiting_numbers() const { return waiting_; }
  const Trial& TrialByNumber(int64_t number) const { return trials_[number]; }
  // Trials handed out by the suggest call with this request id.
  std::vector<const Trial*> TrialsOfSuggestRequest(
      const std::string& request_id) const;

 private:
  StudyRuntime(const Study& study, std::unique_ptr<Sampler> sampler,
               std::unique_ptr<Pruner> pruner);
  void Merge(Trial trial);
  // Loads study_.sampler_state into the sampler. Bytes it cannot read
  // (e.g. written by another version) are reported and the sampler starts
  // over: a study whose sampler lost its state keeps being served.
  void LoadSamplerState();

  // The most requests one transaction carries: enough for every handler
  // thread of a server waiting on one study, few enough that a group's
  // transaction stays short.
  static constexpr int kMaxGroup = 64;

  absl::Mutex mu_;
  GroupCommit group_commit_{kMaxGroup};
  // Its sampler_state is the stored one the sampler was last loaded from
  // or saved to.
  Study study_;
  int64_t sequence_ = 0;
  std::unique_ptr<Sampler> sampler_;
  // Whether Sample() ran since the sampler's state was last loaded or
  // committed, so that its in-memory state may differ from the stored one.
  bool sampled_ = false;
  int64_t samples_ = 0;
  std::unique_ptr<Pruner> pruner_;
  // Indexed by trial number; a deque keeps element addresses stable.
  std::deque<Trial> trials_;
  std::vector<const Trial*> trial_pointers_;
  absl::flat_hash_map<int64_t, int64_t> number_by_id_;
  absl::flat_hash_map<std::string, std::vector<int64_t>> numbers_by_request_;
  std::set<int64_t> waiting_;
  TrialCounts counts_;
};

}  // namespace knob

#endif  // KNOB_SERVER_CORE_STUDY_RUNTIME_H_
