// `crm`: the command line of the CRM kernel.
//
// Every command but `init` and `demo` is a command of the kernel's
// CommandRegistry (its own and those plugins add), so what a plugin
// registers appears here without code in this file.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "crm/error.hpp"
#include "crm/kernel.hpp"
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
  std::string command;  // first word of the command, "" if none
  bool now = false;     // run-due --now: run on a simulated clock
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
    if (g.command.empty() && !a.empty() && a[0] != '-') g.command = a;
  }
  if (g.db.empty()) {
    const char* env = std::getenv("CRM_DB");
    g.db = env && *env ? env : "crm.db";
  }
  return g;
}

crm::Json read_config(const std::string& path) {
  if (path.empty()) return crm::Json::object();
  std::ifstream in(path);
  if (!in) throw crm::InvalidInput("cannot read configuration " + path);
  try {
    return crm::Json::parse(in);
  } catch (const crm::Json::exception& e) {
    throw crm::InvalidInput("configuration " + path + ": " + e.what());
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

void print(const crm::CommandOutput& out, const std::string& format) {
  if (format == "json" || out.text.empty()) {
    std::cout << out.data.dump(2) << '\n';
  } else {
    std::cout << out.text;
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
    spec.options = {{"count", "number of customers", "1000", false, false},
                    {"seed", "random seed", "42", false, false},
                    {"out", "output file", std::string(kind.name) + ".csv", false, false}};
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

int run(int argc, char** argv) {
  const Globals g = prescan(argc, argv);
  if (g.command == "demo") {
    // The demo builds its own kernel, once it has checked its options.
    crm::demo::DemoOptions demo;
    demo.db = g.db;
    demo.plugin_dirs.assign(g.plugin_dirs.begin(), g.plugin_dirs.end());
    demo.plugin_config = read_config(g.config).value("plugins", crm::Json::object());
    return crm::demo::run_command(argc, argv, demo, std::cout);
  }
  const bool creates_db = g.command == "init";
  const bool db_missing = !creates_db && !fs::exists(g.db);

  crm::KernelOptions ko;
  ko.database = db_missing ? ":memory:" : g.db;
  for (const auto& d : g.plugin_dirs) ko.plugin_dirs.emplace_back(d);
  ko.plugin_config = read_config(g.config).value("plugins", crm::Json::object());
  // `run-due --now T` replays time up to T: the scheduler moves this clock
  // from the present through each due time (a T in the past leaves it now).
  if (g.command == "run-due" && g.now) {
    ko.simulated_start =
        std::chrono::time_point_cast<crm::Seconds>(std::chrono::system_clock::now());
  }
  crm::Kernel kernel(ko);
  add_sample_commands(kernel.commands());

  CLI::App app{"crm: the command line of the CRM framework SDK"};
  app.require_subcommand(1);
  std::string ignored;
  std::vector<std::string> ignored_dirs;
  app.add_option("--db", ignored, "SQLite database (default: $CRM_DB, else ./crm.db)");
  app.add_option("--plugin-dir", ignored_dirs, "also look for plugins here (repeatable)");
  app.add_option("--format", ignored, "output format")->check(CLI::IsMember({"text", "json"}));
  app.add_option("--config", ignored, "JSON configuration file ({\"plugins\": {name: {...}}})");

  auto* init = app.add_subcommand("init", "create the database (or migrate it) and report");
  // Listed for --help; `crm demo` itself is parsed by crm::demo::run_command.
  app.add_subcommand("demo", "run the demo on a fresh database (see README)");

  // Registered commands become nested subcommands; remember which is which.
  struct Bound {
    crm::CommandSpec spec;
    std::map<std::string, std::string> values;
    std::map<std::string, bool> flags;
    std::vector<std::string> positionals;
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
      if (o.flag) {
        parent->add_flag("--" + o.name, b->flags[o.name], o.help);
      } else {
        auto* opt = parent->add_option("--" + o.name, b->values[o.name], o.help);
        if (!o.default_value.empty()) {
          b->values[o.name] = o.default_value;
          opt->capture_default_str();
        }
        if (o.required) opt->required();
      }
    }
    b->positionals.resize(spec.positionals.size());
    for (std::size_t i = 0; i < spec.positionals.size(); ++i) {
      parent->add_option(spec.positionals[i], b->positionals[i], spec.positionals[i])->required();
    }
    leaf[parent] = b.get();
    bound.push_back(std::move(b));
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
    if (o.flag) {
      if (b.flags[o.name]) in.options[o.name] = "true";
    } else if (!b.values[o.name].empty()) {
      in.options[o.name] = b.values[o.name];
    }
  }
  in.positionals = b.positionals;
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
