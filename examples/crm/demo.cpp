#include "demo.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "crm/error.hpp"
#include "sample_data.hpp"

namespace crm::demo {
namespace {

CommandOutput step(Kernel& k, std::ostream& out, const std::string& title,
                   const std::vector<std::string>& path, CommandInput in = {}) {
  std::string cmd = "crm";
  for (const auto& w : path) cmd += " " + w;
  for (const auto& [name, value] : in.options) cmd += " --" + name + " " + value;
  for (const auto& p : in.positionals) cmd += " " + p;
  out << "\n== " << title << "\n$ " << cmd << "\n";
  in.actor = Actor::user("demo");
  CommandOutput r = k.commands().run(path, in);
  out << (r.text.empty() ? r.data.dump(2) + "\n" : r.text);
  return r;
}

// The demo's process: every complaint becomes a task for the customer's
// owner, escalated to a supervisor when it is not done within a day; two
// days after it is answered the customer gets a satisfaction survey.
constexpr const char* kComplaintWorkflow = R"({
  "name": "complaint_follow_up",
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

}  // namespace

int run(Kernel& k, const std::string& db_path, std::int64_t customers, std::ostream& out) {
  if (k.store().customers().count() > 0) {
    throw InvalidInput("database " + db_path +
                       " already has customers; use `crm demo --reset` "
                       "or another --db");
  }
  out << "CRM framework SDK demo on " << db_path << " (kernel schema v"
      << k.store().db().schema_version("kernel") << ")\n";
  const auto dir = std::filesystem::temp_directory_path() / "crm-demo";
  std::filesystem::create_directories(dir);
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
  if (step(k, out, "Import customers (one transaction)", {"import", "customers"}, imp).exit_code)
    return 1;
  imp.positionals = {interactions_csv};
  if (step(k, out, "Import interactions", {"import", "interactions"}, imp).exit_code) return 1;
  step(k, out, "Plugins", {"plugins", "list"});
  step(k, out, "Duplicate customers (same e-mail or phone, normalised)",
       {"customers", "duplicates"});
  CommandInput list;
  list.options = {{"owner", "alice"}, {"limit", "5"}};
  step(k, out, "Customers of one owner", {"customers", "list"}, list);

  CommandInput add;
  add.options = {{"customer", "8"},
                 {"channel", "visit"},
                 {"kind", "visit"},
                 {"direction", "outbound"},
                 {"agent", "alice"},
                 {"notes", "Quarterly review"},
                 {"commitment", "10% discount on the next order"}};
  step(k, out, "A salesperson's promise, recorded", {"interactions", "add"}, add);
  CommandInput re;
  re.options = {{"from", "alice"}, {"to", "erin"}};
  step(k, out, "Alice leaves: her customers go to Erin, history stays", {"customers", "reassign"},
       re);
  CommandInput show;
  show.positionals = {"8"};
  step(k, out, "Customer timeline", {"customers", "show"}, show);
  // The bundled plugins' part of the tour, when they are loaded.
  const auto has = [&k](const std::vector<std::string>& path) {
    const auto all = k.commands().list();
    return std::any_of(all.begin(), all.end(),
                       [&](const CommandSpec& s) { return s.path == path; });
  };
  if (has({"segment", "rfm"})) {
    CommandInput rfm;
    rfm.options = {{"as-of", "2025-12-31"}, {"window", "365"}};
    step(k, out, "RFM segments over the last year (retention plugin)", {"segment", "rfm"}, rfm);
    CommandInput abc;
    abc.options = {{"by", "profit"}, {"a-share", "0.8"}, {"b-share", "0.95"}};
    step(k, out, "ABC classes by profit contribution", {"segment", "abc"}, abc);
    CommandInput clv;
    clv.options = {
        {"calibration-end", "2025-09-30"}, {"holdout-end", "2025-12-31"}, {"time-unit", "week"}};
    step(k, out, "Lifetime value model (BG/NBD + Gamma-Gamma) fitted on the store", {"clv", "fit"},
         clv);
  }

  // A process, end to end: a complaint, the task it creates, its
  // escalation once the task is late, all replayed in simulated time.
  const auto workflow_file = (dir / "complaint_follow_up.json").string();
  std::ofstream(workflow_file) << kComplaintWorkflow;
  CommandInput install;
  install.positionals = {workflow_file};
  step(k, out, "A workflow: complaints are answered within a day or escalated",
       {"workflows", "install"}, install);
  CommandInput complaint;
  complaint.options = {{"customer", "8"},
                       {"channel", "phone"},
                       {"kind", "complaint"},
                       {"notes", "The kettle stopped working"}};
  step(k, out, "A complaint arrives", {"interactions", "add"}, complaint);
  CommandInput open_tasks;
  open_tasks.options = {{"customer", "8"}};
  step(k, out, "It became a task for the customer's owner", {"tasks", "list"}, open_tasks);
  CommandInput later;
  later.options = {{"now", format_time(k.clock().now() + std::chrono::hours(30))}};
  step(k, out, "Thirty hours later nobody has answered", {"run-due"}, later);
  step(k, out, "The supervisor has it now, with the whole history", {"tasks", "list"}, open_tasks);
  CommandInput chart;
  chart.positionals = {"complaint_follow_up"};
  chart.options = {{"as", "mermaid"}};
  step(k, out, "The process as a flow chart", {"workflows", "export"}, chart);

  out << "\nDone. Explore further with: crm --db " << db_path << " --help\n";
  return 0;
}

}  // namespace crm::demo
