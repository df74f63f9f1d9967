// `crm`: the command line of the CRM kernel.
//
// Every command but `init` and `demo` is a command of the kernel's
// CommandRegistry (its own and those plugins add), so what a plugin
// registers appears here without code in this file.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "crm/error.hpp"
#include "crm/kernel.hpp"
#include "crm/spelling.hpp"
#include "crm/version.hpp"
#include "demo.hpp"
#include "sample_data.hpp"

namespace fs = std::filesystem;

namespace {

// Global options, read before the kernel exists because the kernel (and
// with it every plugin command) depends on them.
struct Globals {
  std::string db;
  std::vector<std::string> plugin_dirs;
  std::string format = "text";
  std::string config;
  std::string command;     // first word of the command, "" if none
  std::string subcommand;  // the second word, "" if none
  bool now = false;        // run-due --now: run on a simulated clock
};

Globals prescan(int argc, char** argv) {
  Globals g;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&](const std::string& name, std::string& out) {
      if (a == name && i + 1 < argc) {
        out = argv[++i];
        return true;
      }
      if (a.rfind(name + "=", 0) == 0) {
        out = a.substr(name.size() + 1);
        return true;
      }
      return false;
    };
    std::string v;
    if (value("--db", g.db) || value("--format", g.format) || value("--config", g.config)) continue;
    if (value("--plugin-dir", v)) {
      g.plugin_dirs.push_back(v);
      continue;
    }
    if (a == "--now" || a.starts_with("--now=")) g.now = true;
    if (!a.empty() && a[0] != '-') {
      if (g.command.empty()) {
        g.command = a;
      } else if (g.subcommand.empty()) {
        g.subcommand = a;
      }
    }
  }
  if (g.db.empty()) {
    const char* env = std::getenv("CRM_DB");
    g.db = env && *env ? env : "crm.db";
  }
  return g;
}

// The line and column of byte `offset` of `text`, both from 1.
std::pair<std::size_t, std::size_t> line_and_column(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// What the configuration file sets: each plugin's section, the business
// time zone, the working week of the business calendar and the channel
// catalogue's changes.
struct Configuration {
  crm::Json plugins = crm::Json::object();
  std::string time_zone = "UTC";
  crm::WorkingWeek working_week;
  crm::Json channels;  // null: the default catalogue
};

// The configuration file at `path` (the defaults without one). Throws
// InvalidInput naming the file, and the line or key at fault: the file is
// unreadable, not JSON, not an object, has a key other than "plugins",
// "time_zone", "calendar" and "channels", a plugin's section is not an object, the time
// zone is unknown or the calendar's hours are malformed.
Configuration read_config(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream in(path);
  if (!in) throw crm::InvalidInput("configuration " + path + ": cannot read the file");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  crm::Json j;
  try {
    j = crm::Json::parse(text);
  } catch (const crm::Json::parse_error& e) {
    // The parser's message after its "[json.exception...] ... column N: "
    // prefix: the reason, without the library's error id.
    const std::string what = e.what();
    const auto at = what.find(": ", what.find("column"));
    const auto [line, column] = line_and_column(text, e.byte > 0 ? e.byte - 1 : 0);
    throw crm::InvalidInput("configuration " + path + ":" + std::to_string(line) + ":" +
                            std::to_string(column) + ": not valid JSON" +
                            (at == std::string::npos ? "" : ": " + what.substr(at + 2)));
  }
  if (!j.is_object()) {
    throw crm::InvalidInput("configuration " + path + ": expected a JSON object, got " +
                            j.type_name());
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "plugins" && key != "time_zone" && key != "calendar" && key != "channels") {
      throw crm::InvalidInput("configuration " + path + ": unknown key '" + key +
                              "' (expected plugins, time_zone, calendar, channels)");
    }
  }
  Configuration config;
  if (j.contains("time_zone")) {
    if (!j["time_zone"].is_string()) {
      throw crm::InvalidInput("configuration " + path +
                              ": key time_zone: expected an IANA name, got " +
                              j["time_zone"].dump());
    }
    config.time_zone = j["time_zone"].get<std::string>();
    try {
      crm::TimeZone::named(config.time_zone);
    } catch (const crm::InvalidInput& e) {
      throw crm::InvalidInput("configuration " + path + ": key time_zone: " + e.what());
    }
  }
  config.channels = j.value("channels", crm::Json());
  if (j.contains("calendar")) {
    config.working_week =
        crm::working_week_from_json(j["calendar"], "configuration " + path + ": calendar");
  }
  const crm::Json plugins = j.value("plugins", crm::Json::object());
  if (!plugins.is_object()) {
    throw crm::InvalidInput("configuration " + path + ": key plugins: expected an object, got " +
                            plugins.type_name());
  }
  for (const auto& [name, section] : plugins.items()) {
    if (!section.is_object()) {
      throw crm::InvalidInput("configuration " + path + ": key plugins." + name +
                              ": expected an object, got " + section.type_name());
    }
  }
  config.plugins = plugins;
  return config;
}

// Checks the plugins' sections of the configuration against the plugins
// found: a section for no plugin is a warning (with the nearest name); a
// configured plugin that failed to start (most often because it refused its
// section) is an error naming the file and the section. `plugins list`
// still runs, so the failure can be looked at.
void check_plugin_config(const crm::Kernel& kernel, const crm::Json& plugins,
                         const std::string& path, bool fatal) {
  std::vector<std::string> names;
  for (const auto& r : kernel.plugins()) names.push_back(r.name);
  for (const auto& item : plugins.items()) {
    const std::string name = item.key();  // a copy: clang 14 cannot capture a binding
    const auto rec = std::find_if(kernel.plugins().begin(), kernel.plugins().end(),
                                  [&](const crm::PluginRecord& r) { return r.name == name; });
    if (rec == kernel.plugins().end()) {
      const auto near = crm::nearest_word(name, names);
      std::cerr << "crm: warning: configuration " << path << ": key plugins." << name
                << ": no plugin named '" << name << "' was found"
                << (near ? " (did you mean '" + *near + "'?)" : std::string()) << '\n';
      continue;
    }
    if (rec->status == "started") continue;
    std::string why = rec->error;
    // "start threw crm::InvalidInput: <reason>": the reason is what to show.
    if (why.starts_with("start threw crm::")) why = why.substr(why.find(": ") + 2);
    const std::string message = "configuration " + path + ": key plugins." + name + ": plugin '" +
                                name + "' " + rec->status + ": " + why;
    if (fatal) throw crm::InvalidInput(message);
    std::cerr << "crm: warning: " << message << '\n';
  }
}

// A one-line progress bar on stderr, only when stderr is a terminal.
void progress_bar(std::int64_t done, std::int64_t total, const std::string& what) {
  if (total <= 0) return;
  const int pct = static_cast<int>(100 * done / total);
  const int filled = pct * 30 / 100;
  std::cerr << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
            << std::string(static_cast<std::size_t>(30 - filled), ' ') << "] " << pct << "% "
            << what << (done >= total ? "\n" : "") << std::flush;
}

// JSON on stdout, for scripts, even when the command failed; text on stdout,
// or on stderr when the command failed (an import that imported nothing, a
// workflow instance that failed), so that errors never mix with results.
void print(const crm::CommandOutput& out, const std::string& format) {
  if (format == "json" || out.text.empty()) {
    std::cout << out.data.dump(2, ' ', false, crm::Json::error_handler_t::replace) << '\n';
  } else {
    (out.exit_code == 0 ? std::cout : std::cerr) << out.text;
  }
}

// `crm sample customers|interactions|purchases`: the three files of one
// deterministic sample, which agree with each other for the same --count
// and --seed.
void add_sample_commands(crm::CommandRegistry& r) {
  using Writer = std::int64_t (*)(const std::filesystem::path&, const crm::sample::SampleOptions&);
  struct Kind {
    const char* name;
    const char* help;
    Writer write;
  };
  const Kind kinds[] = {
      {"customers", "write a deterministic sample customers CSV", crm::sample::write_customers},
      {"interactions", "write a deterministic sample interactions CSV for `sample customers`",
       crm::sample::write_interactions},
      {"purchases",
       "write the purchases of `sample interactions` as the CSV `clv fit --transactions` reads",
       crm::sample::write_purchases}};
  for (const Kind& kind : kinds) {
    crm::CommandSpec spec;
    spec.path = {"sample", kind.name};
    spec.help = kind.help;
    spec.options = {crm::option("count", "number of customers", "1000"),
                    crm::option("seed", "random seed", "42"),
                    crm::option("out", "output file", std::string(kind.name) + ".csv")};
    spec.needs_database = false;
    r.add(spec, [name = std::string(kind.name), write = kind.write](const crm::CommandInput& in) {
      crm::sample::SampleOptions o;
      o.customers = in.integer("count", 1000);
      if (o.customers < 0) {
        throw crm::InvalidInput("--count must not be negative, not " + in.get("count"));
      }
      o.seed = static_cast<std::uint64_t>(in.integer("seed", 42));
      const auto n = write(in.get("out"), o);
      crm::CommandOutput out;
      out.data = {{"file", in.get("out")}, {"rows", n}};
      out.text = "wrote " + std::to_string(n) + " " + name + " to " + in.get("out") + "\n";
      return out;
    });
  }
}

// A mistake in the command words, found before the argument parser sees
// them: its message and the exit status the parser would give.
struct WordProblem {
  std::string message;
  int status;
};

std::string join(const std::vector<std::string>& words, const char* sep) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : sep) + w;
  return s;
}

// The words that may follow `typed` ({"customers"} -> list, show, ...),
// sorted; empty when `typed` is a whole command.
std::vector<std::string> next_words(const std::set<std::vector<std::string>>& paths,
                                    const std::vector<std::string>& typed) {
  std::set<std::string> out;
  for (const auto& p : paths) {
    if (p.size() > typed.size() && std::equal(typed.begin(), typed.end(), p.begin())) {
      out.insert(p[typed.size()]);
    }
  }
  return {out.begin(), out.end()};
}

// Checks the command words of the command line against the commands there
// are: a word that is none of them is named, with the nearest valid word at
// its level and, when it may be a plugin's, a pointer to `crm plugins list`
// naming the plugins that are not loaded. The parser alone would say "A
// subcommand is required" or "arguments were not expected". Options other
// than the global ones end the check: the parser judges them.
std::optional<WordProblem> check_command_words(int argc, char** argv,
                                               const std::set<std::vector<std::string>>& paths,
                                               const std::vector<crm::PluginRecord>& plugins) {
  std::vector<std::string> typed;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help" || a == "--version") return std::nullopt;
    bool global = false;
    for (const char* name : {"--db", "--plugin-dir", "--format", "--config"}) {
      if (a == name) {
        ++i;  // its value
        global = true;
      } else if (a.starts_with(std::string(name) + "=")) {
        global = true;
      }
    }
    if (global) continue;
    if (a.starts_with("-")) return std::nullopt;
    const std::vector<std::string> words = next_words(paths, typed);
    if (words.empty()) return std::nullopt;  // a whole command: the rest are its arguments
    if (std::find(words.begin(), words.end(), a) != words.end()) {
      typed.push_back(a);
      continue;
    }
    std::vector<std::string> said = typed;
    said.push_back(a);
    std::string m = "unknown command '" + join(said, " ") + "'";
    const auto near = crm::nearest_word(a, words);
    if (near) {
      std::vector<std::string> meant = typed;
      meant.push_back(*near);
      m += "; did you mean 'crm " + join(meant, " ") + "'?";
    } else {
      m += typed.empty() ? "; the commands are " : "; 'crm " + join(typed, " ") + "' has ";
      m += join(words, ", ");
    }
    std::vector<std::string> not_loaded;
    for (const auto& r : plugins) {
      if (r.status != "started") not_loaded.push_back(r.name + " (" + r.status + ")");
    }
    if (!not_loaded.empty()) {
      m += "; plugins not loaded: " + join(not_loaded, ", ") + ", see 'crm plugins list'";
    } else if (!near) {
      m += "; a plugin's command is there only when its plugin is loaded: see 'crm plugins list'";
    }
    return WordProblem{m, static_cast<int>(CLI::ExitCodes::ExtrasError)};
  }
  const std::vector<std::string> words = next_words(paths, typed);
  if (words.empty()) return std::nullopt;
  if (typed.empty()) {
    return WordProblem{"no command given; try 'crm --help', or one of: " + join(words, ", "),
                       static_cast<int>(CLI::ExitCodes::RequiredError)};
  }
  return WordProblem{
      "'crm " + join(typed, " ") + "' needs one more word, one of: " + join(words, ", "),
      static_cast<int>(CLI::ExitCodes::RequiredError)};
}

// The --plugin-dir directories; throws InvalidInput naming one that does
// not exist or is not a directory (a typo would otherwise load nothing, silently).
std::vector<fs::path> checked_plugin_dirs(const std::vector<std::string>& dirs) {
  std::vector<fs::path> out;
  for (const auto& d : dirs) {
    std::error_code ec;
    if (!fs::exists(d, ec)) throw crm::InvalidInput("--plugin-dir " + d + ": no such directory");
    if (!fs::is_directory(d, ec)) {
      throw crm::InvalidInput("--plugin-dir " + d + ": not a directory");
    }
    out.emplace_back(d);
  }
  return out;
}

int run(int argc, char** argv) {
  const Globals g = prescan(argc, argv);
  if (g.command == "demo") {
    // The demo builds its own kernel, once it has checked its options.
    crm::demo::DemoOptions demo;
    demo.db = g.db;
    demo.plugin_dirs.assign(g.plugin_dirs.begin(), g.plugin_dirs.end());
    demo.plugin_config = read_config(g.config).plugins;
    return crm::demo::run_command(argc, argv, demo, std::cout);
  }
  const bool creates_db = g.command == "init";
  const bool db_missing = !creates_db && !fs::exists(g.db);

  crm::KernelOptions ko;
  ko.database = db_missing ? ":memory:" : g.db;
  ko.plugin_dirs = checked_plugin_dirs(g.plugin_dirs);
  const Configuration config = read_config(g.config);
  ko.plugin_config = config.plugins;
  ko.time_zone = config.time_zone;
  ko.working_week = config.working_week;
  try {
    ko.channels = crm::ChannelCatalogue::from_config(config.channels);
  } catch (const crm::InvalidInput& e) {
    throw crm::InvalidInput("configuration " + g.config + ": key " + e.what());
  }
  // `run-due --now T` replays time up to T: the scheduler moves this clock
  // from the present through each due time (a T in the past leaves it now).
  if (g.command == "run-due" && g.now) {
    ko.simulated_start =
        std::chrono::time_point_cast<crm::Seconds>(std::chrono::system_clock::now());
  }
  // A plugin new to the check file (or changed since) is first loaded and
  // started in a child process: one that crashes or hangs there is refused
  // instead of taking this process down (docs/architecture.md).
  ko.check_new_plugins = true;
  // `plugins check` loads the plugins only in its child processes: a plugin
  // that crashes must not stop the command that is to find it.
  if (g.command == "plugins" && g.subcommand == "check") ko.load_plugins = false;
  crm::Kernel kernel(ko);
  add_sample_commands(kernel.commands());

  CLI::App app{"crm: the command line of the CRM framework SDK"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("crm ") + crm::kVersion + " (plugin API " +
                                        std::to_string(crm::kApiMajor) + "." +
                                        std::to_string(crm::kApiMinor) + ")");
  std::string ignored;
  std::vector<std::string> ignored_dirs;
  app.add_option("--db", ignored, "SQLite database (default: $CRM_DB, else ./crm.db)");
  app.add_option("--plugin-dir", ignored_dirs, "also look for plugins here (repeatable)");
  app.add_option("--format", ignored, "output format")->check(CLI::IsMember({"text", "json"}));
  app.add_option("--config", ignored,
                 "JSON configuration file ({\"plugins\": {name: {...}}, \"time_zone\": ..., "
                 "\"calendar\": ..., \"channels\": {...}})");

  auto* init = app.add_subcommand("init", "create the database (or migrate it) and report");
  // Listed for --help; `crm demo` itself is parsed by crm::demo::run_command.
  app.add_subcommand("demo", "run the demo on a fresh database (see README)");

  // Registered commands become nested subcommands; remember which is which.
  struct Bound {
    crm::CommandSpec spec;
    std::map<std::string, std::string> values;
    std::map<std::string, bool> flags;
    std::vector<std::string> positionals;
    std::vector<std::string> rest;  // of a "NAME..." positional
  };
  const auto specs = kernel.commands().list();
  std::vector<std::unique_ptr<Bound>> bound;
  std::map<CLI::App*, Bound*> leaf;
  for (const auto& spec : specs) {
    CLI::App* parent = &app;
    for (std::size_t i = 0; i < spec.path.size(); ++i) {
      CLI::App* sub = nullptr;
      try {
        sub = parent->get_subcommand(spec.path[i]);
      } catch (const CLI::OptionNotFound&) {
        sub = parent->add_subcommand(spec.path[i], i + 1 == spec.path.size() ? spec.help : "");
        if (i + 1 < spec.path.size()) sub->require_subcommand(1);
      }
      parent = sub;
    }
    auto b = std::make_unique<Bound>();
    b->spec = spec;
    for (const auto& o : spec.options) {
      if (o.type == crm::ParamType::kBoolean) {
        parent->add_flag("--" + o.name, b->flags[o.name], o.help);
      } else {
        auto* opt = parent->add_option("--" + o.name, b->values[o.name], o.help);
        if (!o.default_value.is_null()) {
          b->values[o.name] = o.default_value.is_string() ? o.default_value.get<std::string>()
                                                          : o.default_value.dump();
          opt->capture_default_str();
        }
        if (o.required) opt->required();
      }
    }
    b->positionals.resize(spec.positionals.size());
    for (std::size_t i = 0; i < spec.positionals.size(); ++i) {
      // "DIR...": zero or more values, the last positional.
      if (spec.positionals[i].ends_with("...")) {
        parent->add_option(spec.positionals[i], b->rest, spec.positionals[i]);
        b->positionals.resize(i);
        break;
      }
      parent->add_option(spec.positionals[i], b->positionals[i], spec.positionals[i])->required();
    }
    leaf[parent] = b.get();
    bound.push_back(std::move(b));
  }

  std::set<std::vector<std::string>> paths = {{"init"}, {"demo"}};
  for (const auto& spec : specs) paths.insert(spec.path);
  // A configured plugin that failed stops every command but `plugins` first:
  // its commands are missing, and the reason is the configuration, not a typo.
  const bool asks_help = std::any_of(argv + 1, argv + argc, [](const char* a) {
    return std::string(a) == "--help" || std::string(a) == "-h" || std::string(a) == "--version";
  });
  // Without plugins loaded (`plugins check`) no section has a plugin to match.
  if (ko.load_plugins) {
    check_plugin_config(kernel, ko.plugin_config, g.config, g.command != "plugins" && !asks_help);
  }
  if (const auto problem = check_command_words(argc, argv, paths, kernel.plugins())) {
    std::cerr << "crm: error: " << problem->message << '\n';
    return problem->status;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (init->parsed()) {
    crm::CommandOutput out;
    const int v = kernel.store().db().schema_version("kernel");
    out.data = {{"database", g.db}, {"schema_version", v}};
    out.text = "database " + g.db + " ready (kernel schema v" + std::to_string(v) + ")\n";
    print(out, g.format);
    return 0;
  }

  CLI::App* cur = &app;
  while (!cur->get_subcommands().empty()) cur = cur->get_subcommands().front();
  auto it = leaf.find(cur);
  if (it == leaf.end()) throw crm::InvalidInput("incomplete command; see crm --help");
  Bound& b = *it->second;
  if (b.spec.needs_database && db_missing) {
    throw crm::NotFound("no database at " + g.db + ": run `crm init` first or pass --db PATH");
  }
  crm::CommandInput in;
  for (const auto& o : b.spec.options) {
    if (o.type == crm::ParamType::kBoolean) {
      if (b.flags[o.name]) in.options[o.name] = "true";
    } else if (!b.values[o.name].empty()) {
      in.options[o.name] = b.values[o.name];
    }
  }
  in.positionals = b.positionals;
  in.positionals.insert(in.positionals.end(), b.rest.begin(), b.rest.end());
  const char* user = std::getenv("USER");
  in.actor = crm::Actor::user(user && *user ? user : "cli");
  if (g.format == "text" && isatty(STDERR_FILENO)) in.progress = progress_bar;
  // Live lines of long-running commands; with --format json they go to
  // stderr, so that stdout stays one JSON document.
  in.report = [json = g.format == "json"](const std::string& line) {
    (json ? std::cerr : std::cout) << line << std::endl;
  };
  const crm::CommandOutput out = kernel.commands().run(b.spec.path, in);
  print(out, g.format);
  return out.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // One line naming what failed; never a stack trace.
    std::cerr << "crm: error: " << e.what() << '\n';
    return 1;
  }
}
