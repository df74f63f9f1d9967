// Checking a plugin in a child process, and remembering what the check
// found. A plugin that crashes (segfault, abort) or hangs in its factory,
// start or stop takes down the process that loads it; the check runs that
// in a forked child instead, so the kernel can refuse such a plugin before
// loading it into its own process.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crm/json.hpp"

namespace crm::core {

struct CheckFinding {
  // "ok"; "failed" (refused, or the factory, start or stop threw: the
  // in-process loader contains that too); "crashed" (the child died of a
  // signal or exited without reporting); "hung" (no answer in time).
  std::string outcome;
  std::string reason;  // "" for ok; the signal name (SIGSEGV) for crashed
  // True for the findings the kernel refuses a plugin for: the ones one
  // process cannot survive.
  bool fatal() const { return outcome == "crashed" || outcome == "hung"; }
};

// Loads the plugin `files.back()` and the plugins it requires (the rest of
// `files`, requirements first) into a kernel with an in-memory database in a
// forked child process, starts and stops them, and reports what happened to
// the last one. `config` is the plugin configuration ({"name": {...}}). A
// child that has not finished after `timeout` is killed. Throws
// std::runtime_error only when no child can be made (fork or pipe fails).
CheckFinding check_in_child(const std::vector<std::filesystem::path>& files, const Json& config,
                            std::chrono::milliseconds timeout);

// The check file: findings by plugin path, valid while the file keeps the
// size and modification time it had when checked.
class CheckFile {
 public:
  // `path` empty: no file; nothing is found and nothing recorded.
  explicit CheckFile(std::filesystem::path path) : path_(std::move(path)) {}

  const std::filesystem::path& path() const { return path_; }

  // The finding recorded for `plugin` as the file is now; nullopt when there
  // is none or the file changed since. An unreadable check file counts as empty.
  std::optional<CheckFinding> find(const std::filesystem::path& plugin) const;

  // Records `finding` for `plugin` as the file is now; rewrites the check
  // file atomically (a temporary file renamed over it), creating its
  // directory. Throws std::runtime_error naming the check file when it
  // cannot be written.
  void record(const std::filesystem::path& plugin, const CheckFinding& finding) const;

 private:
  std::filesystem::path path_;
};

// The check file's default location: $CRM_PLUGIN_CHECK_FILE (empty: none),
// else $XDG_STATE_HOME/crm/plugin-check.json, else
// $HOME/.local/state/crm/plugin-check.json, else none.
std::filesystem::path default_check_file();

// "SIGSEGV" for SIGSEGV; "signal N" for one without a name.
std::string signal_name(int signal);

}  // namespace crm::core
