// `crm demo`: the tour of the product on a fresh database.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "crm/json.hpp"

namespace crm::demo {

// The fewest sample customers the tour runs on: it shows customer 8 and fits
// the lifetime-value model on the store, which needs enough buyers (the fit
// on the samples of 50 or 55 customers does not converge; of the sizes 100
// to 1000 only 179 does not, and the tour shows that error and goes on).
inline constexpr std::int64_t kMinCustomers = 100;

struct DemoOptions {
  std::filesystem::path crm;  // the `crm` executable: printed in each step, finds the README plugin
  std::string db = "crm.db";
  std::vector<std::filesystem::path> plugin_dirs;  // --plugin-dir, before the README plugin's
  Json plugin_config = Json::object();
  std::int64_t customers = 500;
  bool reset = false;  // delete the database first
};

// Parses `crm [global options] demo [--customers N] [--reset]` into `base`
// (whose db, plugin_dirs and plugin_config the caller has read from the
// global options) and runs the demo. A CLI11 parse error (or --help) is
// printed and its exit status returned, as for any other command.
int run_command(int argc, char** argv, DemoOptions base, std::ostream& out);

// Generates sample data beside the database, imports it, lists plugins
// (the README's complaint_follow_up plugin among them), finds duplicates,
// shows a customer timeline, hands a salesperson's customers over and plays
// a complaint workflow in simulated time. Prints each step as a command
// line that can be pasted into a shell, then its output; returns the process
// exit status. Throws InvalidInput for a size below kMinCustomers or a
// database that already has customers, before writing anything.
int run(const DemoOptions& options, std::ostream& out);

// `word` quoted for a POSIX shell when it needs it: "a b" -> 'a b',
// "it's" -> 'it'\''s'; words of safe characters stay as they are.
std::string shell_quote(const std::string& word);

// The running executable (/proc/self/exe), or `fallback` when it cannot be read.
std::filesystem::path self_path(const std::string& fallback);

}  // namespace crm::demo
