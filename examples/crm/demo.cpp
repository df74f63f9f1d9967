#include "demo.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <string_view>

#include "crm/error.hpp"
#include "crm/kernel.hpp"
#include "sample_data.hpp"

namespace crm::demo {
namespace fs = std::filesystem;
namespace {

// The README plugin beside `crm`: examples/plugins in the build tree,
// lib/crm/examples in an installation; none when it is in neither.
std::optional<fs::path> readme_plugin_dir(const fs::path& crm) {
  const fs::path root = crm.parent_path().parent_path();
  for (const fs::path& dir : {root / "examples" / "plugins", root / "lib" / "crm" / "examples"}) {
    if (fs::exists(dir / "complaint_follow_up.so")) return fs::weakly_canonical(dir);
  }
  return std::nullopt;
}

// Runs commands on the demo's kernel, printing each first as a line to
// paste into a shell: the real path of `crm`, the database and the plugin
// directories of the tour, then the command, every word quoted as needed.
class Tour {
 public:
  Tour(Kernel& k, std::string prefix, std::ostream& out)
      : k_(k), prefix_(std::move(prefix)), out_(out) {}

  CommandOutput step(const std::string& title, const std::vector<std::string>& path,
                     CommandInput in = {}) {
    std::string cmd = prefix_;
    for (const auto& w : path) cmd += " " + shell_quote(w);
    for (const auto& [name, value] : in.options) cmd += " --" + name + " " + shell_quote(value);
    for (const auto& p : in.positionals) cmd += " " + shell_quote(p);
    out_ << "\n== " << title << "\n$ " << cmd << "\n";
    in.actor = Actor::user("demo");
    CommandOutput r = k_.commands().run(path, in);
    out_ << (r.text.empty() ? r.data.dump(2) + "\n" : r.text);
    return r;
  }

  // A step whose failure the tour survives: a model fit on a small random
  // sample may not converge (one size in the hundreds does not); the error
  // is shown as the command would print it and the tour goes on.
  void optional_step(const std::string& title, const std::vector<std::string>& path,
                     CommandInput in = {}) {
    try {
      step(title, path, std::move(in));
    } catch (const Error& e) {
      out_ << "crm: error: " << e.what() << "\n";
    }
  }

  bool has(const std::vector<std::string>& path) const {
    const auto all = k_.commands().list();
    return std::any_of(all.begin(), all.end(),
                       [&](const CommandSpec& s) { return s.path == path; });
  }

  const std::string& prefix() const { return prefix_; }

 private:
  Kernel& k_;
  std::string prefix_;
  std::ostream& out_;
};

// The demo's process: every complaint becomes a task for the customer's
// owner, escalated to a supervisor when it is not done within a day; two
// days after it is answered the customer gets a satisfaction survey.
constexpr const char* kComplaintWorkflow = R"({
  "name": "complaint_escalation",
  "description": "answer within 24 hours or escalate; survey two days after",
  "trigger": {"event": "interaction.recorded",
              "condition": {"field": "event.payload.kind", "op": "eq", "value": "complaint"}},
  "steps": [
    {"type": "task", "id": "answer", "title": "Answer the complaint of {{customer.name}}",
     "owner": "{{customer.owner}}", "due": "24h",
     "on_timeout": [
       {"type": "action", "action": "emit_event", "params": {"type": "complaint.escalated"}},
       {"type": "task", "id": "escalated", "title": "ESCALATED: complaint of {{customer.name}}",
        "owner": "supervisor", "due": "4h"}]},
    {"type": "wait", "duration": "2d"},
    {"type": "action", "id": "survey", "action": "send_message",
     "params": {"channel": "email", "template_id": "complaint-survey",
                "subject": "How did we handle your complaint?", "body": "Please rate us."}}
  ]
})";

void check_size(std::int64_t customers) {
  if (customers < kMinCustomers) {
    throw InvalidInput("demo --customers " + std::to_string(customers) +
                       ": the tour needs at least " + std::to_string(kMinCustomers) +
                       " (it shows customer 8 and fits a lifetime-value model on the store)");
  }
}

// The sample files go beside the database (crm-demo.db: crm-demo-samples/),
// so two demos on two databases never share them.
fs::path samples_dir(const std::string& db) {
  fs::path p = fs::absolute(db);
  return p.parent_path() / (p.stem().string() + "-samples");
}

void import_and_explore(Tour& t, std::ostream& out, const fs::path& dir, std::int64_t customers) {
  sample::SampleOptions o;
  o.customers = customers;
  const auto customers_csv = (dir / "customers.csv").string();
  const auto interactions_csv = (dir / "interactions.csv").string();
  sample::write_customers(customers_csv, o);
  const auto n = sample::write_interactions(interactions_csv, o);
  out << "generated " << customers << " customers and " << n << " interactions in " << dir.string()
      << "\n";

  CommandInput imp;
  imp.positionals = {customers_csv};
  if (t.step("Import customers (one transaction)", {"import", "customers"}, imp).exit_code)
    throw Error("the demo's sample customers did not import");
  imp.positionals = {interactions_csv};
  if (t.step("Import interactions", {"import", "interactions"}, imp).exit_code)
    throw Error("the demo's sample interactions did not import");
  t.step("Plugins", {"plugins", "list"});
  t.step("Duplicate customers (same e-mail or phone, normalised)", {"customers", "duplicates"});
  CommandInput list;
  list.options = {{"owner", "alice"}, {"limit", "5"}};
  t.step("Customers of one owner", {"customers", "list"}, list);

  CommandInput add;
  add.options = {{"customer", "8"},
                 {"channel", "visit"},
                 {"kind", "visit"},
                 {"direction", "outbound"},
                 {"agent", "alice"},
                 {"notes", "Quarterly review"},
                 {"commitment", "10% discount on the next order"}};
  t.step("A salesperson's promise, recorded", {"interactions", "add"}, add);
  CommandInput re;
  re.options = {{"from", "alice"}, {"to", "erin"}};
  t.step("Alice leaves: her customers go to Erin, history stays", {"customers", "reassign"}, re);
  CommandInput show;
  show.positionals = {"8"};
  t.step("Customer timeline", {"customers", "show"}, show);
}

// The bundled retention plugin's part of the tour, when it is loaded.
void retention(Tour& t) {
  if (!t.has({"segment", "rfm"})) return;
  CommandInput rfm;
  rfm.options = {{"as-of", "2025-12-31"}, {"window", "365"}};
  t.step("RFM segments over the last year (retention plugin)", {"segment", "rfm"}, rfm);
  CommandInput abc;
  abc.options = {{"by", "profit"}, {"a-share", "0.8"}, {"b-share", "0.95"}};
  t.step("ABC classes by profit contribution", {"segment", "abc"}, abc);
  CommandInput clv;
  clv.options = {{"calibration-end", "2025-09-30"}, {"time-unit", "week"}};
  t.optional_step("Lifetime value model (BG/NBD + Gamma-Gamma) fitted on the store", {"clv", "fit"},
                  clv);
}

// A process, end to end: a complaint, the tasks it creates (the README
// plugin's call-back and the workflow's answer), the escalation once the
// answer is late, all replayed in simulated time.
void complaint(Tour& t, const Kernel& k, const fs::path& dir, bool readme_plugin) {
  const auto workflow_file = (dir / "complaint_escalation.json").string();
  std::ofstream(workflow_file) << kComplaintWorkflow;
  CommandInput install;
  install.positionals = {workflow_file};
  t.step("A workflow: complaints are answered within a day or escalated", {"workflows", "install"},
         install);
  CommandInput complaint;
  complaint.options = {{"customer", "8"},
                       {"channel", "phone"},
                       {"kind", "complaint"},
                       {"notes", "The kettle stopped working"}};
  t.step("A complaint arrives", {"interactions", "add"}, complaint);
  CommandInput open_tasks;
  open_tasks.options = {{"customer", "8"}};
  t.step(readme_plugin ? "It became tasks: the README plugin's call-back, the workflow's answer"
                       : "It became a task for the customer's owner",
         {"tasks", "list"}, open_tasks);
  CommandInput later;
  later.options = {{"now", format_time(k.clock().now() + std::chrono::hours(30))}};
  t.step("Thirty hours later nobody has answered", {"run-due"}, later);
  t.step("The supervisor has it now, with the whole history", {"tasks", "list"}, open_tasks);
  CommandInput chart;
  chart.positionals = {"complaint_escalation"};
  chart.options = {{"as", "mermaid"}};
  t.step("The process as a flow chart", {"workflows", "export"}, chart);
}

}  // namespace

std::string shell_quote(const std::string& word) {
  constexpr std::string_view kSafe = "_-./:=@%+,";
  const bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [&](unsigned char c) {
    return std::isalnum(c) || kSafe.find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (safe) return word;
  std::string q = "'";
  for (const char c : word) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

fs::path self_path(const std::string& fallback) {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::absolute(fallback) : exe;
}

int run_command(int argc, char** argv, DemoOptions base, std::ostream& out) {
  // The global options were read by the caller; they are declared here so
  // that CLI11 accepts them.
  CLI::App app{"crm demo"};
  std::string ignored;
  std::vector<std::string> ignored_dirs;
  app.add_option("--db", ignored);
  app.add_option("--plugin-dir", ignored_dirs);
  app.add_option("--format", ignored);
  app.add_option("--config", ignored);
  auto* demo = app.add_subcommand("demo", "run the demo on a fresh database (see README)");
  demo->add_option("--customers", base.customers,
                   "number of sample customers (at least " + std::to_string(kMinCustomers) + ")")
      ->capture_default_str();
  demo->add_flag("--reset", base.reset, "delete the database first");
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  base.crm = self_path(argv[0]);
  return run(base, out);
}

int run(const DemoOptions& o, std::ostream& out) {
  check_size(o.customers);
  if (o.reset) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(o.db + suffix);
  }
  KernelOptions ko;
  ko.database = o.db;
  ko.plugin_dirs = o.plugin_dirs;
  const auto readme_dir = readme_plugin_dir(o.crm);
  if (readme_dir) ko.plugin_dirs.push_back(*readme_dir);
  ko.plugin_config = o.plugin_config;
  // The complaint act replays a day and a half of the workflow on this clock.
  ko.simulated_start = std::chrono::time_point_cast<Seconds>(std::chrono::system_clock::now());
  Kernel k(ko);
  if (k.store().customers().count() > 0) {
    throw InvalidInput("database " + o.db +
                       " already has customers; use `crm demo --reset` "
                       "or another --db");
  }
  std::string prefix = shell_quote(o.crm.string()) + " --db " + shell_quote(o.db);
  for (const auto& d : ko.plugin_dirs) prefix += " --plugin-dir " + shell_quote(d.string());
  Tour t(k, prefix, out);

  out << "CRM framework SDK demo on " << o.db << " (kernel schema v"
      << k.store().db().schema_version("kernel") << ")\n";
  if (!readme_dir) {
    out << "(the README plugin complaint_follow_up is not built beside " << o.crm.string()
        << ": its part is left out)\n";
  }
  const fs::path dir = samples_dir(o.db);
  fs::create_directories(dir);
  import_and_explore(t, out, dir, o.customers);
  retention(t);
  complaint(t, k, dir, readme_dir.has_value());
  out << "\nDone. Every command above can be pasted into a shell; explore further with: "
      << t.prefix() << " --help\n";
  return 0;
}

}  // namespace crm::demo
