#include "server/samplers/cmaes/run_state.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/samplers/cmaes/byte_codec.h"
#include "server/util/status_macros.h"

namespace knob::cmaes {
namespace {

constexpr absl::string_view kMagic = "knob.cmaes";

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("sampler state: malformed CMA-ES state (", what, ")"));
}

}  // namespace

std::string EncodeRunState(const RunState& state) {
  ByteWriter out;
  out.Raw(kMagic);
  out.U32(kRunStateVersion);
  // The strategy first: it fixes the size of the candidates' points.
  state.strategy.WriteTo(out);
  out.U32(static_cast<uint32_t>(state.candidates.size()));
  for (const Candidate& candidate : state.candidates) {
    out.I64(candidate.trial_number);
    out.F64s(candidate.point);
  }
  return std::move(out).Finish();
}

absl::StatusOr<RunState> DecodeRunState(absl::string_view bytes) {
  ByteReader in(bytes);
  if (!in.Expect(kMagic)) {
    return absl::InvalidArgumentError(
        "sampler state: not a CMA-ES state (was the study's sampler "
        "changed?)");
  }
  const uint32_t version = in.U32();
  if (!in.ok()) return Malformed("truncated");
  if (version != kRunStateVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("sampler state: CMA-ES state format version ", version,
                     " is not supported (this server reads version ",
                     kRunStateVersion, ")"));
  }
  ASSIGN_OR_RETURN(CmaState strategy, CmaState::ReadFrom(in));
  RunState state{std::move(strategy), {}};
  const uint32_t count = in.U32();
  if (!in.ok()) return Malformed("truncated");
  // Bounded by the input, so that garbage cannot make us allocate much.
  const uint64_t candidate_bytes =
      8 * (1 + static_cast<uint64_t>(state.strategy.dimension()));
  if (count > in.remaining() / candidate_bytes) {
    return Malformed("candidates");
  }
  state.candidates.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    Candidate candidate;
    candidate.trial_number = in.I64();
    candidate.point =
        in.F64s(static_cast<uint64_t>(state.strategy.dimension()));
    if (!in.ok() || !candidate.point.allFinite())
      return Malformed("candidates");
    if (!state.candidates.empty() &&
        candidate.trial_number <= state.candidates.back().trial_number) {
      return Malformed("candidates out of order");
    }
    state.candidates.push_back(std::move(candidate));
  }
  if (!in.Done()) return Malformed("trailing bytes");
  return state;
}

}  // namespace knob::cmaes
