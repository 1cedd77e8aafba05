#include "server/dashboard/objectives.h"

#include <algorithm>

namespace knob::dashboard {
namespace {

bool Maximizes(const v1::StudyConfig& config, int index) {
  return config.objectives(index).direction() == v1::DIRECTION_MAXIMIZE;
}

bool MeetsConstraint(const v1::OutcomeConstraint& constraint,
                     const v1::Trial& trial) {
  const auto metric = trial.metrics().find(constraint.metric());
  if (metric == trial.metrics().end()) return false;
  switch (constraint.bound_case()) {
    case v1::OutcomeConstraint::kMax:
      return metric->second <= constraint.max();
    case v1::OutcomeConstraint::kMin:
      return metric->second >= constraint.min();
    case v1::OutcomeConstraint::BOUND_NOT_SET:
      return true;
  }
  return true;
}

// `a` is at least as good as `b` in every objective and better in one.
bool Dominates(const v1::StudyConfig& config, const v1::Trial& a,
               const v1::Trial& b) {
  bool better_somewhere = false;
  for (int i = 0; i < config.objectives_size(); ++i) {
    if (Better(config, i, b.values(i), a.values(i))) return false;
    if (Better(config, i, a.values(i), b.values(i))) better_somewhere = true;
  }
  return better_somewhere;
}

}  // namespace

bool HasValues(const v1::StudyConfig& config, const v1::Trial& trial) {
  return trial.state() == v1::TRIAL_STATE_COMPLETED &&
         trial.values_size() == config.objectives_size();
}

bool IsFeasible(const v1::StudyConfig& config, const v1::Trial& trial) {
  if (!HasValues(config, trial)) return false;
  return std::all_of(config.constraints().begin(), config.constraints().end(),
                     [&trial](const v1::OutcomeConstraint& constraint) {
                       return MeetsConstraint(constraint, trial);
                     });
}

bool Better(const v1::StudyConfig& config, int index, double a, double b) {
  return Maximizes(config, index) ? a > b : a < b;
}

std::optional<double> BestValue(const v1::StudyConfig& config,
                                TrialSpan trials) {
  std::optional<double> best;
  for (const v1::Trial* trial : trials) {
    if (!IsFeasible(config, *trial)) continue;
    if (!best.has_value() || Better(config, 0, trial->values(0), *best)) {
      best = trial->values(0);
    }
  }
  return best;
}

std::vector<std::optional<double>> BestSoFar(const v1::StudyConfig& config,
                                             TrialSpan trials) {
  std::vector<std::optional<double>> best_so_far;
  best_so_far.reserve(trials.size());
  std::optional<double> best;
  for (const v1::Trial* trial : trials) {
    if (IsFeasible(config, *trial) &&
        (!best.has_value() || Better(config, 0, trial->values(0), *best))) {
      best = trial->values(0);
    }
    best_so_far.push_back(best);
  }
  return best_so_far;
}

std::vector<int64_t> ParetoFront(const v1::StudyConfig& config,
                                 TrialSpan trials) {
  std::vector<const v1::Trial*> candidates;
  for (const v1::Trial* trial : trials) {
    if (IsFeasible(config, *trial)) candidates.push_back(trial);
  }
  // Sorted best first in the first objective, a trial can only be
  // dominated by one before it, and a dominated trial is dominated by a
  // front member: checking against the front found so far suffices, which
  // keeps the cost near n * |front| instead of n².
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&config](const v1::Trial* a, const v1::Trial* b) {
                     for (int i = 0; i < config.objectives_size(); ++i) {
                       if (Better(config, i, a->values(i), b->values(i))) {
                         return true;
                       }
                       if (Better(config, i, b->values(i), a->values(i))) {
                         return false;
                       }
                     }
                     return false;
                   });
  std::vector<const v1::Trial*> front;
  for (const v1::Trial* candidate : candidates) {
    const bool dominated =
        std::any_of(front.begin(), front.end(), [&](const v1::Trial* member) {
          return Dominates(config, *member, *candidate);
        });
    if (!dominated) front.push_back(candidate);
  }
  std::vector<int64_t> numbers;
  numbers.reserve(front.size());
  for (const v1::Trial* member : front) numbers.push_back(member->number());
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

}  // namespace knob::dashboard
