// Commands that plugins add to the `crm` command line (and that Python and
// other hosts can call by name).
//
// Options with these names mean the same in every command, and the kernel's
// registry enforces it before the handler runs: --limit, --offset and
// --count must be whole numbers of 0 or more (--limit may be "all": read it
// with limit_option()); an --out file that exists is
// refused unless --force is given (the registry adds the --force flag to
// every command with --out). A result whose data holds a NaN or infinite
// number is an error, never printed.
//
// A command is a path of words ("segment rfm"), options and positional
// arguments, and a handler returning JSON data plus, optionally, a text
// rendering. The `crm` command prints the JSON with --format json, else the
// text (or the JSON when there is no text).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crm/actor.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/param_spec.hpp"

namespace crm {

struct CommandSpec {
  std::vector<std::string> path;  // {"segment", "rfm"}
  std::string help;
  // Options are ParamSpecs (crm/param_spec.hpp): the registry checks given
  // values against them (check_params with text values) before the handler
  // runs, so every host refuses a missing required option or "--count ten"
  // for an integer alike. A kBoolean option is a flag.
  std::vector<ParamSpec> options;
  // Names of required positional arguments; a last name ending in "..."
  // ("DIR...") takes zero or more.
  std::vector<std::string> positionals;
  bool needs_database = true;  // false: runs without an initialised database
};

// Shorthands that build a spec in one expression:
//   command({"segment", "rfm"}, "RFM scores and segments",
//           {option("as-of", "analysis date"), flag("dry-run", "store nothing")})
inline CommandSpec command(std::vector<std::string> path, std::string help,
                           std::vector<ParamSpec> options = {},
                           std::vector<std::string> positionals = {}) {
  CommandSpec s;
  s.path = std::move(path);
  s.help = std::move(help);
  s.options = std::move(options);
  s.positionals = std::move(positionals);
  return s;
}
// A command that runs without an initialised database (a file-based fit).
inline CommandSpec without_database(CommandSpec s) {
  s.needs_database = false;
  return s;
}
// A text option, with a default when `default_value` is not empty.
inline ParamSpec option(std::string name, std::string help, std::string default_value = "") {
  ParamSpec p = param(std::move(name), ParamType::kString, std::move(help));
  if (!default_value.empty()) p.default_value = std::move(default_value);
  return p;
}
// A whole-number option ("--count 10"), refused by the registry otherwise.
inline ParamSpec integer_option(std::string name, std::string help) {
  return param(std::move(name), ParamType::kInteger, std::move(help));
}
inline ParamSpec flag(std::string name, std::string help) {
  return param(std::move(name), ParamType::kBoolean, std::move(help));
}
inline ParamSpec required_option(std::string name, std::string help) {
  return param(std::move(name), ParamType::kString, std::move(help), true);
}

struct CommandInput {
  std::map<std::string, std::string> options;  // given or defaulted options; flags are "true"
  std::vector<std::string> positionals;
  Actor actor = Actor::user("cli");  // who runs it, for the audit log
  // Long commands report progress here (done, total, what); may be empty.
  std::function<void(std::int64_t, std::int64_t, const std::string&)> progress;
  // Commands that keep running (`run-due --watch`) report each thing they
  // did here, a line each, as it happens; may be empty. (API 1.1)
  std::function<void(const std::string&)> report;

  bool has(const std::string& name) const { return options.count(name) > 0; }
  // The option's value, or `fallback` when absent.
  std::string get(const std::string& name, const std::string& fallback = "") const {
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
  }
  bool flag(const std::string& name) const { return get(name) == "true"; }
  // The option as a whole number, or `fallback` when absent. Throws
  // InvalidInput ("--limit 'ten' is not a whole number") otherwise.
  CRM_API std::int64_t integer(const std::string& name, std::int64_t fallback) const;
  // The option as a finite number, or `fallback` when absent; throws like
  // integer(), also for "inf" and "nan".
  CRM_API double number(const std::string& name, double fallback) const;
};

// The --limit option: -1 for "all", else a whole number (`fallback` when
// absent). Throws like CommandInput::integer().
CRM_API std::int64_t limit_option(const CommandInput& in, std::int64_t fallback);

// `text` as a positive id; throws InvalidInput ("customer 'x' is not a
// positive integer id") naming `what`.
CRM_API std::int64_t parse_id(const std::string& text, const char* what);

struct CommandOutput {
  Json data = Json::object();
  std::string text;  // human rendering; empty: print data
  int exit_code = 0;
};

using CommandHandler = std::function<CommandOutput(const CommandInput&)>;

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API CommandRegistry {
 public:
  virtual ~CommandRegistry() = default;

  // Adds a command. Throws InvalidInput if the path is taken.
  virtual void add(CommandSpec spec, CommandHandler handler) = 0;

  // All commands, sorted by path.
  virtual std::vector<CommandSpec> list() const = 0;

  // Runs the command at `path`. Throws NotFound for an unknown path; the
  // handler's exceptions pass through.
  virtual CommandOutput run(const std::vector<std::string>& path, const CommandInput& input) = 0;
};

}  // namespace crm
