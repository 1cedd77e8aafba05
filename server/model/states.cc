#include <array>
#include <utility>

#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob {
namespace {

constexpr std::array<std::pair<StudyState, const char*>, 4> kStudyStates = {{
    {StudyState::kRunning, "RUNNING"},
    {StudyState::kPaused, "PAUSED"},
    {StudyState::kStopped, "STOPPED"},
    {StudyState::kCompleted, "COMPLETED"},
}};

constexpr std::array<std::pair<TrialState, const char*>, 6> kTrialStates = {{
    {TrialState::kWaiting, "WAITING"},
    {TrialState::kRunning, "RUNNING"},
    {TrialState::kCompleted, "COMPLETED"},
    {TrialState::kPruned, "PRUNED"},
    {TrialState::kFailed, "FAILED"},
    {TrialState::kStale, "STALE"},
}};

template <typename State, size_t N>
const char* NameOf(const std::array<std::pair<State, const char*>, N>& table,
                   State state) {
  for (const auto& [candidate, name] : table) {
    if (candidate == state) return name;
  }
  return "UNKNOWN";
}

template <typename State, size_t N>
std::optional<State> FromName(
    const std::array<std::pair<State, const char*>, N>& table,
    std::string_view name) {
  for (const auto& [state, candidate] : table) {
    if (name == candidate) return state;
  }
  return std::nullopt;
}

}  // namespace

const char* StudyStateName(StudyState state) {
  return NameOf(kStudyStates, state);
}
std::optional<StudyState> StudyStateFromName(std::string_view name) {
  return FromName(kStudyStates, name);
}
const char* TrialStateName(TrialState state) {
  return NameOf(kTrialStates, state);
}
std::optional<TrialState> TrialStateFromName(std::string_view name) {
  return FromName(kTrialStates, name);
}

bool IsFinished(TrialState state) {
  return state != TrialState::kWaiting && state != TrialState::kRunning;
}

int64_t& TrialCounts::For(TrialState state) {
  switch (state) {
    case TrialState::kWaiting:
      return waiting;
    case TrialState::kRunning:
      return running;
    case TrialState::kCompleted:
      return completed;
    case TrialState::kPruned:
      return pruned;
    case TrialState::kFailed:
      return failed;
    case TrialState::kStale:
      break;
  }
  return stale;
}

void TrialCounts::Add(const Trial& trial) {
  ++For(trial.state);
  if (trial.retry_of.has_value()) ++retried;
}

void TrialCounts::Remove(const Trial& trial) {
  --For(trial.state);
  if (trial.retry_of.has_value()) --retried;
}

}  // namespace knob
