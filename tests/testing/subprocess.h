// Child processes for end-to-end tests: the real knob-server and real
// worker binaries, with their output in log files.
#ifndef KNOB_TESTS_TESTING_SUBPROCESS_H_
#define KNOB_TESTS_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace knob::testing {

class Subprocess {
 public:
  // Starts argv[0] with `argv`, stdout and stderr appended to `log_path`.
  static absl::StatusOr<Subprocess> Start(const std::vector<std::string>& argv,
                                          const std::string& log_path);
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  // Kills (SIGKILL) and reaps a process still running.
  ~Subprocess();

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // Sends `signal`.
  void Signal(int signal) const;
  // The exit code (128 + signal when killed by one), or DEADLINE_EXCEEDED
  // if it is still running after `timeout`.
  absl::StatusOr<int> Wait(absl::Duration timeout);

 private:
  Subprocess(pid_t pid, std::string log_path)
      : pid_(pid), log_path_(std::move(log_path)) {}

  pid_t pid_ = -1;
  std::string log_path_;
};

// The whole content of a file ("" if it cannot be read).
std::string ReadFile(const std::string& path);

// Polls until `path` holds a line, for up to `timeout`.
absl::StatusOr<std::string> WaitForFileLine(const std::string& path,
                                            absl::Duration timeout);

// A knob-server process and the address it listens on.
struct ServerProcess {
  Subprocess process;
  // "127.0.0.1:PORT".
  std::string address;
};

// Starts `binary` (a knob-server) on a free loopback port, with `flags`
// added (e.g. "--database_url=..."), its output in `dir`/server.log and its
// port in `dir`/port; returns once it listens, or after a minute the error
// with the server's log.
absl::StatusOr<ServerProcess> StartServerProcess(
    const std::string& binary, const std::filesystem::path& dir,
    const std::vector<std::string>& flags);

}  // namespace knob::testing

#endif  // KNOB_TESTS_TESTING_SUBPROCESS_H_
