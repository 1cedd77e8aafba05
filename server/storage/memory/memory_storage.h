// A Storage that keeps everything in the process's memory: for tests and
// for ephemeral runs (`knob-server --storage=memory`). Nothing survives the
// process, and replicas cannot share it.
//
// It honours the whole Storage contract (storage.h), checked by the same
// conformance suite as PostgreSQL. Transactions of one study run one at a
// time; transactions of different studies run concurrently. A transaction
// stages its changes and publishes them in one step on success, in time
// proportional to what it changed rather than to the study's history.
#ifndef KNOB_SERVER_STORAGE_MEMORY_MEMORY_STORAGE_H_
#define KNOB_SERVER_STORAGE_MEMORY_MEMORY_STORAGE_H_

#include <memory>

#include "server/storage/storage.h"

namespace knob {

// An empty storage. Thread-safe.
std::unique_ptr<Storage> CreateMemoryStorage();

}  // namespace knob

#endif  // KNOB_SERVER_STORAGE_MEMORY_MEMORY_STORAGE_H_
