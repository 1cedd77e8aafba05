// Explains how two study configs differ, for the ALREADY_EXISTS answer to
// a create that reuses a name with another config.
#ifndef KNOB_SERVER_CORE_CONFIG_DIFF_H_
#define KNOB_SERVER_CORE_CONFIG_DIFF_H_

#include <optional>
#include <string>

#include "server/model/study.h"

namespace knob {

// nullopt when equal; otherwise the first differing field and both values,
// e.g. `config.parameters[1] "lr": float_domain.max is 1 in the existing
// study, 10 in the request`.
std::optional<std::string> FirstConfigDifference(const StudyConfig& existing,
                                                 const StudyConfig& requested);

}  // namespace knob

#endif  // KNOB_SERVER_CORE_CONFIG_DIFF_H_
