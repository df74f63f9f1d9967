#include "plugin_commands.hpp"

#include <cmath>
#include <map>

#include "crm/error.hpp"
#include "crm/text_table.hpp"
#include "plugin_discovery.hpp"

namespace crm::core {

namespace fs = std::filesystem;

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

CommandOutput plugins_list(const PluginLoader& loader) {
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const PluginRecord& r : loader.records()) {
    out.data.push_back(to_json(r));
    rows.push_back({r.name, r.version, r.api_version, r.status, join(r.dependencies),
                    r.error.empty() ? r.path : r.error});
  }
  out.text = rows.empty()
                 ? "no plugins found\n"
                 : render_table({"NAME", "VERSION", "API", "STATUS", "REQUIRES", "PATH / ERROR"},
                                rows, 90);
  return out;
}

std::chrono::milliseconds timeout_option(const CommandInput& in,
                                         std::chrono::milliseconds fallback) {
  if (!in.has("timeout")) return fallback;
  const double s = in.number("timeout", 0);
  if (s <= 0 || s > 86400) {
    throw InvalidInput("--timeout " + in.get("timeout") +
                       ": expected a number of seconds above 0 and at most 86400");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(s * 1000)));
}

// Checks every candidate of `found` in a child process, requirements first,
// records each finding in the check file and returns them by record.
std::map<std::size_t, CheckFinding> check_all(const FoundPlugins& found, const PluginSearch& search,
                                              std::chrono::milliseconds timeout) {
  const CheckFile file(search.check_file);
  std::map<std::size_t, CheckFinding> findings;
  for (const std::size_t i : found.order) {
    // A requirement that did not pass decides this one: checking it would
    // only repeat the requirement's crash, and recording that would keep
    // this plugin refused after the requirement is fixed.
    const CheckFinding* bad = nullptr;
    std::size_t bad_dep = 0;
    for (const std::size_t dep : requirement_closure(found, i)) {
      if (dep != i && findings.count(dep) && findings[dep].outcome != "ok") {
        bad = &findings[dep];
        bad_dep = dep;
        break;
      }
    }
    if (bad) {
      findings[i] = {"failed", "requires plugin '" + found.records[bad_dep].name + "', which " +
                                   (bad->outcome == "failed" ? "failed" : bad->outcome)};
      continue;
    }
    std::vector<fs::path> closure;
    for (const std::size_t dep : requirement_closure(found, i)) {
      closure.emplace_back(found.records[dep].path);
    }
    findings[i] = check_in_child(closure, search.config, timeout);
    file.record(found.records[i].path, findings[i]);
  }
  return findings;
}

CommandOutput plugins_check(const PluginSearch& search, const CommandInput& in) {
  std::vector<fs::path> dirs;
  for (const std::string& d : in.positionals) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) throw InvalidInput("plugins check " + d + ": no such directory");
    dirs.emplace_back(d);
  }
  const std::vector<fs::path> files =
      !dirs.empty() ? plugin_files_in(dirs)
                    : (!search.files.empty() ? search.files : plugin_files_in(search.dirs));
  const FoundPlugins found = find_plugins(files);
  const auto findings = check_all(found, search, timeout_option(in, search.timeout));

  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  int bad = 0;
  for (std::size_t i = 0; i < found.records.size(); ++i) {
    const PluginRecord& r = found.records[i];
    const auto it = findings.find(i);
    const std::string result = it != findings.end() ? it->second.outcome : r.status;
    const std::string reason = it != findings.end() ? it->second.reason : r.error;
    bad += result != "ok";
    out.data.push_back(
        {{"name", r.name}, {"path", r.path}, {"result", result}, {"reason", reason}});
    rows.push_back({r.name, result, reason.empty() ? r.path : reason});
  }
  out.text = rows.empty() ? "no plugins found\n"
                          : render_table({"NAME", "RESULT", "PATH / REASON"}, rows, 90);
  if (!search.check_file.empty()) {
    out.text += "findings recorded in " + search.check_file.string() + "\n";
  }
  out.exit_code = bad > 0 ? 1 : 0;
  return out;
}

}  // namespace

void register_plugin_commands(CommandRegistry& r, const PluginLoader& loader,
                              const PluginSearch& search) {
  r.add(command({"plugins", "list"}, "list the plugins found, with status and errors"),
        [&loader](const CommandInput&) { return plugins_list(loader); });
  r.add(without_database(command(
            {"plugins", "check"},
            "load, start and stop each plugin in a child process; report the ones that fail, "
            "crash or hang, and refuse crashing or hanging ones until their file changes",
            {option("timeout", "seconds one plugin may take before it counts as hung", "10")},
            {"DIR..."})),
        [&search](const CommandInput& in) { return plugins_check(search, in); });
}

}  // namespace crm::core
