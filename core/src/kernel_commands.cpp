#include "kernel_commands.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <thread>

#include "crm/csv_import.hpp"
#include "crm/error.hpp"
#include "crm/text_table.hpp"
#include "money_text.hpp"

namespace crm::core {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// "city, Region" -> {"city", "region"}: header names as read_header() keeps them.
std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 0; i <= list.size(); ++i) {
    if (i == list.size() || list[i] == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (list[i] != ' ' && list[i] != '\t') {
      cur += static_cast<char>(std::tolower(static_cast<unsigned char>(list[i])));
    }
  }
  return out;
}

ImportOptions import_options(const CommandInput& in) {
  ImportOptions o;
  o.mode = parse_import_mode(in.get("mode", "create"));
  o.match = parse_match_key(in.get("match", "external_id"));
  o.dry_run = in.flag("dry-run");
  o.strict = in.flag("strict");
  for (const auto& name : split_names(in.get("attributes"))) o.attributes.push_back(name);
  o.actor = in.actor;
  if (in.progress) {
    o.progress = [p = in.progress](std::int64_t rows, std::int64_t bytes, std::int64_t size) {
      p(bytes, size, std::to_string(rows) + " rows");
    };
  }
  return o;
}

// Row errors the text shows; all of them (up to 1,000) are in the JSON.
constexpr std::size_t kShownRowErrors = 20;

// The text and exit status of an import. `kept_as` says where an unknown
// column's cells went ("custom attribute", "payload entry").
CommandOutput services_list(Kernel& k) {
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const ServiceInfo& s : k.services().list()) {
    const std::string provider = s.provider.empty() ? "(host)" : s.provider;
    out.data.push_back({{"name", s.name}, {"type", s.type}, {"provider", s.provider}});
    rows.push_back({s.name, s.type, provider});
  }
  out.text =
      rows.empty() ? "no services provided\n" : render_table({"NAME", "TYPE", "PROVIDER"}, rows);
  return out;
}

CommandOutput import_result(const ImportReport& r, const std::string& file, const ImportOptions& o,
                            const char* kept_as) {
  CommandOutput out;
  out.data = to_json(r);
  std::string t;
  for (const auto& u : r.unknown_columns) {
    t += file + ":1: warning: unknown column '" + u.column + "', kept as a " + kept_as;
    if (!u.nearest.empty()) t += "; did you mean '" + u.nearest + "'?";
    t += "\n";
  }
  t += file + ": read " + std::to_string(r.read) + ", inserted " + std::to_string(r.inserted) +
       ", updated " + std::to_string(r.updated) + ", skipped " + std::to_string(r.skipped);
  t += o.dry_run ? " (dry run: nothing written)\n"
                 : (r.committed ? "\n" : " (--strict: nothing written)\n");
  const std::size_t shown = std::min(r.errors.size(), kShownRowErrors);
  for (std::size_t i = 0; i < shown; ++i) {
    t += file + ":" + std::to_string(r.errors[i].line) + ": " + r.errors[i].message + "\n";
  }
  if (r.skipped > static_cast<std::int64_t>(shown)) {
    t += "... and " + std::to_string(r.skipped - static_cast<std::int64_t>(shown)) +
         " more errors (--format json lists the first " + std::to_string(r.errors.size()) + ")\n";
  }
  const bool nothing_imported = r.inserted + r.updated == 0 && r.read > 0;
  if (nothing_imported && r.existing == r.read) {
    t += "every row names a customer that exists already: use --mode upsert (or --mode update) "
         "to update them\n";
  }
  out.text = t;
  // Nothing imported is a failure a script must notice.
  if (nothing_imported) out.exit_code = 1;
  if (!r.committed && !o.dry_run) out.exit_code = 1;
  return out;
}

std::vector<std::string> customer_row(const Customer& c) {
  return {
      std::to_string(c.id), c.external_id, c.name, c.email, c.phone, c.owner, c.stage, c.segment};
}

const std::vector<std::string> kCustomerHeader = {"ID",    "EXTERNAL", "NAME",  "EMAIL",
                                                  "PHONE", "OWNER",    "STAGE", "SEGMENT"};

CommandOutput customers_list(Kernel& k, const CommandInput& in) {
  CustomerQuery q;
  if (in.has("owner")) q.owner = in.get("owner");
  if (in.has("stage")) q.stage = in.get("stage");
  if (in.has("segment")) q.segment = in.get("segment");
  if (in.has("tag")) q.tag = in.get("tag");
  if (in.has("search")) q.text = in.get("search");
  q.limit = limit_option(in, 50);
  q.offset = in.integer("offset", 0);
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const Customer& c : k.store().customers().list(q)) {
    out.data.push_back(to_json(c));
    rows.push_back(customer_row(c));
  }
  // The footer counts the customers the filters match, and says so when
  // --limit or --offset left some of them out.
  const std::int64_t matching = k.store().customers().count(q);
  const bool filtered = q.owner || q.stage || q.segment || q.tag || q.text;
  const auto shown = static_cast<std::int64_t>(rows.size());
  std::string footer = std::to_string(matching) + (filtered ? " customers matching" : " customers");
  if (shown < matching) {
    footer = "showing " + std::to_string(shown) + " of " + footer + "; --limit/--offset for more";
  }
  out.text = render_table(kCustomerHeader, rows) + footer + "\n";
  return out;
}

// "links: case 3 (complaint: Kettle broken, open)": what the timeline shows
// of linked records; a reference the kernel cannot describe shows as is.
std::string links_text(Kernel& k, const std::vector<EntityRef>& links) {
  std::string s;
  for (const EntityRef& ref : links) {
    std::string what = to_string(ref);
    if (ref.type == entity_type::kCase) {
      if (const auto c = k.store().cases().find(ref.id)) {
        what = "case " + std::to_string(c->id) + " (" + to_string(c->type) + ": " + c->subject +
               ", " + to_string(c->status) + ")";
      }
    }
    s += (s.empty() ? "" : ", ") + what;
  }
  return "links: " + s;
}

// The customer and everything that happened with them, oldest first.
CommandOutput customers_show(Kernel& k, const CommandInput& in) {
  const CustomerId id = parse_id(in.positionals.at(0), "customer");
  const Customer c = k.store().customers().get(id);
  struct Item {
    TimePoint time;
    int order;  // interactions, then tasks, then audit at the same second
    Json json;
    std::vector<std::string> row;
  };
  std::vector<Item> items;
  InteractionQuery iq;
  iq.customer_id = id;
  for (const Interaction& i : k.store().interactions().list(iq)) {
    Json j = to_json(i);
    j["type"] = "interaction";
    std::string what = i.kind + " via " + i.channel + " (" + to_string(i.direction) + ")";
    if (i.amount) {
      what += ' ';
      what += i.amount->to_string();
    }
    std::string detail = i.notes;
    if (!i.commitments.empty()) {
      detail +=
          (detail.empty() ? "" : "; ") + std::string("promised: ") + join(i.commitments, "; ");
    }
    if (!i.links.empty()) detail += (detail.empty() ? "" : "; ") + links_text(k, i.links);
    items.push_back(
        {i.occurred_at, 0, j, {format_time(i.occurred_at), "interaction", what, i.agent, detail}});
  }
  TaskQuery tq;
  tq.customer_id = id;
  for (const Task& t : k.store().tasks().list(tq)) {
    Json j = to_json(t);
    j["type"] = "task";
    std::string detail = "status " + to_string(t.status);
    if (t.due_at) detail += ", due " + format_time(*t.due_at);
    if (t.link) detail += "; " + links_text(k, {*t.link});
    items.push_back(
        {t.created_at, 1, j, {format_time(t.created_at), "task", t.title, t.owner, detail}});
  }
  CaseQuery cq;
  cq.customer_id = id;
  for (const Case& c : k.store().cases().list(cq)) {
    Json j = to_json(c);
    j["type"] = "case";
    j["case_type"] = to_string(c.type);
    items.push_back({c.opened_at,
                     1,
                     j,
                     {format_time(c.opened_at), "case " + std::to_string(c.id),
                      to_string(c.type) + ": " + c.subject, c.owner,
                      "status " + to_string(c.status) + ", priority " + to_string(c.priority)}});
  }
  for (const AuditEntry& a : k.store().audit().of_customer(id)) {
    Json j{{"type", "audit"},     {"time", format_time(a.time)}, {"actor", a.actor},
           {"action", a.action},  {"entity", a.entity},          {"entity_id", a.entity_id},
           {"details", a.details}};
    // Creating an interaction or task is already its own timeline entry; the
    // text shows the audit entries that say something new (who changed what).
    std::vector<std::string> row;
    if (a.action != "interaction.record" && a.action != "task.create" && a.action != "case.open") {
      row = {format_time(a.time), "audit", a.action, a.actor, a.details.dump()};
    }
    items.push_back({a.time, 2, j, row});
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.time, a.order) < std::tie(b.time, b.order);
  });
  CommandOutput out;
  out.data = {{"customer", to_json(c)}, {"timeline", Json::array()}};
  std::vector<std::vector<std::string>> rows;
  for (auto& it : items) {
    out.data["timeline"].push_back(it.json);
    if (!it.row.empty()) rows.push_back(it.row);
  }
  std::string t =
      "Customer " + std::to_string(c.id) + ": " + c.name + " (" + to_string(c.kind) + ")\n";
  const auto field = [&](const char* label, const std::string& v) {
    if (!v.empty()) t += std::string("  ") + label + ": " + v + "\n";
  };
  field("external id", c.external_id);
  field("email", c.email);
  field("phone", c.phone);
  field("birthday", c.birthday ? c.birthday->to_string() : "");
  field("owner", c.owner);
  field("stage", c.stage);
  field("segment", c.segment);
  field("tags", join(c.tags));
  for (const auto& p : c.contacts) {
    field(p.primary ? "primary contact" : "contact",
          p.name + (p.role.empty() ? "" : " (" + p.role + ")") + " " + p.email + " " + p.phone);
  }
  std::string consent;
  for (const auto& [ch, ok] : c.consent)
    consent += (consent.empty() ? "" : ", ") + ch + (ok ? " yes" : " NO");
  field("consent", consent);
  if (!c.attributes.empty()) field("attributes", c.attributes.dump());
  t += "\nTimeline (" + std::to_string(rows.size()) + " entries):\n";
  t += render_table({"TIME", "TYPE", "WHAT", "WHO", "DETAIL"}, rows, 60);
  out.text = t;
  return out;
}

CommandOutput customers_duplicates(Kernel& k) {
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& g : k.store().customers().find_duplicates()) {
    out.data.push_back({{"reason", g.reason}, {"value", g.value}, {"ids", g.ids}});
    std::vector<std::string> ids;
    for (auto id : g.ids) ids.push_back(std::to_string(id));
    rows.push_back({g.reason, g.value, join(ids)});
  }
  out.text = rows.empty() ? "no duplicates found\n"
                          : render_table({"SHARED", "VALUE", "CUSTOMER IDS"}, rows, 60) +
                                "merge with: crm customers merge KEEP OTHER\n";
  return out;
}

std::string timer_summary(TimePoint now, const TimerRun& r) {
  return "timers due by " + format_time(now) + ": fired " + std::to_string(r.fired) + ", failed " +
         std::to_string(r.failed) + ", without handler " + std::to_string(r.unhandled);
}

// --stale: how long a "running" instance must go unwritten before it counts
// as left by a dead process (WorkflowEngine::recover(idle)).
Seconds stale_after(const CommandInput& in) {
  const std::int64_t s = in.integer("stale", 60);
  if (s < 1 || s > 86400) throw InvalidInput("--stale must be from 1 to 86400 seconds");
  return Seconds{s};
}

// Instances waiting for a plugin that is not loaded, by plugin: like timers
// without a handler, they go on once it is (and run-due runs again).
std::map<std::string, int> plugin_waits(Kernel& k) {
  InstanceQuery q;
  q.state = InstanceState::kWaiting;
  std::map<std::string, int> out;
  for (const auto& i : k.workflows().instances(q)) {
    if (const auto* w = std::get_if<PluginWait>(&i.wait)) ++out[w->plugin];
  }
  return out;
}

std::string plugin_wait_summary(const std::map<std::string, int>& waits) {
  std::string t;
  for (const auto& [plugin, n] : waits) {
    t += "waiting for plugin " + plugin + " (not loaded): " + std::to_string(n) + " instance" +
         (n == 1 ? "" : "s") + "\n";
  }
  return t;
}

// `run-due --watch`: the long-running host. It sleeps until the earliest
// pending timer (at most --poll seconds, so timers other processes schedule
// are seen too) and fires it on its second, until --until or until stopped.
// Stopping it (Ctrl-C) at any moment is safe: a timer being fired rolls back
// with its transaction and fires next time.
CommandOutput watch(Kernel& k, const CommandInput& in) {
  if (in.has("now")) throw InvalidInput("--watch runs on the wall clock; it takes no --now");
  const std::int64_t poll = in.integer("poll", 1);
  if (poll < 1 || poll > 86400) throw InvalidInput("--poll must be from 1 to 86400 seconds");
  // Without --until, the end of time (a plain value: GCC misreports an
  // optional here as maybe-uninitialized).
  const TimePoint until = in.has("until") ? parse_time(in.get("until")) : TimePoint::max();
  const Seconds stale = stale_after(in);
  // Instances left by a process that died are taken up at every wake-up,
  // not only at the start: one the dead process wrote just before a quick
  // restart becomes stale (idle for `stale`) only later, and the loop wakes
  // at least that often to see it.
  int recovered = 0;
  TimerRun total;
  int runs = 0;
  for (;;) {
    const TimePoint now = k.clock().now();
    try {
      const int taken = k.workflows().recover(stale);
      recovered += taken;
      if (taken > 0 && in.report) {
        in.report("recovered " + std::to_string(taken) + " instance(s) at " + format_time(now));
      }
      const TimerRun r = k.scheduler().run_due(now);
      total.fired += r.fired;
      total.failed += r.failed;
      total.unhandled = r.unhandled;  // still pending: not a sum
      if ((r.fired > 0 || r.failed > 0) && in.report) in.report(timer_summary(now, r));
    } catch (const StoreError& e) {
      // A database busy past its timeout (a long import, say): the host
      // stays up and tries again at the next wake-up.
      if (in.report) in.report("run at " + format_time(now) + " failed: " + e.what());
    }
    ++runs;
    if (now >= until) break;
    TimePoint wake = now + std::min(Seconds{poll}, stale);
    if (const auto next = k.scheduler().next_due(); next && *next < wake) wake = *next;
    if (until < wake) wake = until;
    if (wake <= now) wake = now + Seconds{1};
    std::this_thread::sleep_until(std::chrono::system_clock::time_point(wake));
  }
  CommandOutput out;
  const auto waits = plugin_waits(k);
  out.data = {{"until", format_time(k.clock().now())},
              {"runs", runs},
              {"recovered", recovered},
              {"fired", total.fired},
              {"failed", total.failed},
              {"unhandled", total.unhandled}};
  if (!waits.empty()) out.data["waiting_for_plugins"] = waits;
  out.text = "watched until " + format_time(k.clock().now()) + ": fired " +
             std::to_string(total.fired) + ", failed " + std::to_string(total.failed) + "\n" +
             plugin_wait_summary(waits);
  if (total.failed > 0) out.exit_code = 1;
  return out;
}

CommandOutput run_due(Kernel& k, const CommandInput& in) {
  if (in.flag("watch")) return watch(k, in);
  // With --now the `crm` command runs on a simulated clock that the
  // scheduler moves to each timer's due time as it fires it, so what a
  // resumed step schedules is timed from when it really would have run.
  const TimePoint now = in.has("now") ? parse_time(in.get("now")) : k.clock().now();
  // What a crashed run left half-done goes first, so it sees the timers of
  // this run.
  const int recovered = k.workflows().recover(stale_after(in));
  const TimerRun r = k.scheduler().run_due(now);
  const auto waits = plugin_waits(k);
  CommandOutput out;
  out.data = {{"now", format_time(now)},
              {"recovered", recovered},
              {"fired", r.fired},
              {"failed", r.failed},
              {"unhandled", r.unhandled}};
  if (!waits.empty()) out.data["waiting_for_plugins"] = waits;
  out.text = timer_summary(now, r) + "\n" + plugin_wait_summary(waits);
  if (r.failed > 0) out.exit_code = 1;
  return out;
}

CommandOutput tasks_list(Kernel& k, const CommandInput& in) {
  TaskQuery q;
  if (in.has("owner")) q.owner = in.get("owner");
  if (in.has("customer")) q.customer_id = parse_id(in.get("customer"), "customer");
  const std::string status = in.get("status", "open");
  if (status != "all") q.status = parse_task_status(status);
  if (in.flag("overdue")) q.due_before = k.clock().now();
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const Task& t : k.store().tasks().list(q)) {
    out.data.push_back(to_json(t));
    rows.push_back({std::to_string(t.id), t.customer_id ? std::to_string(*t.customer_id) : "",
                    t.title, t.owner, t.due_at ? format_time(*t.due_at) : "", to_string(t.status),
                    t.link ? to_string(*t.link) : ""});
  }
  out.text = render_table({"ID", "CUSTOMER", "TITLE", "OWNER", "DUE", "STATUS", "LINK"}, rows);
  return out;
}

CommandOutput interactions_add(Kernel& k, const CommandInput& in) {
  Interaction i;
  i.customer_id = parse_id(in.get("customer"), "customer");
  i.channel = in.get("channel");
  i.kind = in.get("kind");
  i.direction = parse_direction(in.get("direction", "inbound"));
  i.occurred_at = in.has("at") ? parse_time(in.get("at")) : k.clock().now();
  if (in.has("amount")) {
    try {
      i.amount = core::parse_money_text(in.get("amount"), k.store().default_currency());
    } catch (const InvalidInput& e) {
      throw InvalidInput(std::string("--amount: ") + e.what());
    }
  }
  i.agent = in.get("agent");
  i.notes = in.get("notes");
  if (in.has("case")) {
    const std::string text = in.get("case");
    i.links.push_back(text.find(':') == std::string::npos
                          ? EntityRef{entity_type::kCase, parse_id(text, "case")}
                          : parse_entity_ref(text));
  }
  if (in.has("link")) i.links.push_back(parse_entity_ref(in.get("link")));
  if (in.has("commitment")) i.commitments = {in.get("commitment")};
  const InteractionId id = k.store().interactions().record(i, in.actor);
  CommandOutput out;
  out.data = {{"id", id}};
  out.text = "recorded interaction " + std::to_string(id) + "\n";
  return out;
}

CommandOutput customers_erase(Kernel& k, const CommandInput& in) {
  const auto id = parse_id(in.positionals.at(0), "customer");
  if (!in.flag("yes")) {
    throw InvalidInput("customers erase " + std::to_string(id) +
                       ": erasing cannot be undone; pass --yes to erase (crm customers export " +
                       std::to_string(id) + " shows what is held)");
  }
  const ErasureReport r = k.store().privacy().erase(id, in.actor);
  CommandOutput out;
  out.data = to_json(r);
  std::int64_t deleted = 0, anonymised = 0;
  for (const auto& [table, n] : r.deleted) deleted += n;
  for (const auto& [table, n] : r.anonymised) anonymised += n;
  out.text = "erased customer " + std::to_string(id) + ": " + std::to_string(deleted) +
             " rows deleted, " + std::to_string(anonymised) + " rows anonymised\n";
  return out;
}

CommandOutput customer_tables_list(Kernel& k) {
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const CustomerTable& t : k.store().customer_tables().tables()) {
    out.data.push_back(to_json(t));
    std::string columns;
    for (const AnonymisedColumn& a : t.anonymise)
      columns += (columns.empty() ? "" : ",") + a.column;
    rows.push_back({t.owner, t.table, t.customer_column, to_string(t.on_merge),
                    to_string(t.on_erase), columns});
  }
  out.text = render_table(
      {"OWNER", "TABLE", "CUSTOMER COLUMN", "ON MERGE", "ON ERASE", "ANONYMISED"}, rows);
  return out;
}

}  // namespace

void register_kernel_commands(Kernel& k) {
  CommandRegistry& r = k.commands();
  r.add(without_database(
            command({"services", "list"}, "list the services plugins provide to each other")),
        [&k](const CommandInput&) { return services_list(k); });

  const std::vector<ParamSpec> import_opts = {
      option("mode", "create, update or upsert", "create"),
      option("match", "match rows on external_id, email or phone", "external_id"),
      flag("dry-run", "validate and count, write nothing"),
      flag("strict", "write nothing if any row is bad or any column unknown"),
      option("attributes", "custom columns expected beyond the known ones (a,b,...)")};
  r.add(command({"import", "customers"}, "import customers from a CSV file", import_opts, {"FILE"}),
        [&k](const CommandInput& in) {
          const auto& file = in.positionals.at(0);
          const ImportOptions o = import_options(in);
          return import_result(import_customers(k.store(), file, o), file, o, "custom attribute");
        });
  r.add(command({"import", "interactions"},
                "import interactions (purchases, calls...) from a CSV file", import_opts, {"FILE"}),
        [&k](const CommandInput& in) {
          const auto& file = in.positionals.at(0);
          const ImportOptions o = import_options(in);
          return import_result(import_interactions(k.store(), file, o), file, o, "payload entry");
        });

  r.add(command({"customers", "list"}, "list customers",
                {option("owner", "only this owner"), option("stage", "only this life-cycle stage"),
                 option("segment", "only this segment"), option("tag", "only with this tag"),
                 option("search", "name, e-mail or external id contains"),
                 option("limit", "at most (or all)", "50"), option("offset", "skip", "0")}),
        [&k](const CommandInput& in) { return customers_list(k, in); });
  r.add(command({"customers", "show"}, "show a customer and its timeline", {}, {"ID"}),
        [&k](const CommandInput& in) { return customers_show(k, in); });
  r.add(command({"customers", "duplicates"}, "find customers sharing an e-mail or phone number"),
        [&k](const CommandInput&) { return customers_duplicates(k); });
  r.add(command({"customers", "merge"}, "merge customer OTHER into KEEP", {}, {"KEEP", "OTHER"}),
        [&k](const CommandInput& in) {
          const auto keep = parse_id(in.positionals.at(0), "customer");
          const auto other = parse_id(in.positionals.at(1), "customer");
          k.store().customers().merge(keep, other, in.actor);
          CommandOutput out;
          out.data = {{"kept", keep}, {"merged", other}};
          out.text =
              "merged customer " + std::to_string(other) + " into " + std::to_string(keep) + "\n";
          return out;
        });
  r.add(command({"customers", "export"},
                "everything held about a customer, from the kernel and every plugin, as JSON", {},
                {"ID"}),
        [&k](const CommandInput& in) {
          const auto id = parse_id(in.positionals.at(0), "customer");
          CommandOutput out;
          out.data = k.store().privacy().export_customer(id, in.actor);
          out.text = out.data.dump(2) + "\n";
          return out;
        });
  r.add(command({"customers", "erase"},
                "erase a customer's personal data everywhere (right to be forgotten), "
                "keeping anonymous aggregates",
                {flag("yes", "really erase: it cannot be undone")}, {"ID"}),
        [&k](const CommandInput& in) { return customers_erase(k, in); });
  r.add(command({"customers", "tables"},
                "the per-customer tables and what merge and erase do with their rows"),
        [&k](const CommandInput&) { return customer_tables_list(k); });
  r.add(command({"customers", "reassign"},
                "hand every customer of one owner over to another, keeping their history",
                {required_option("from", "current owner"), required_option("to", "new owner")}),
        [&k](const CommandInput& in) {
          const Handover h =
              k.store().customers().reassign_owner(in.get("from"), in.get("to"), in.actor);
          CommandOutput out;
          out.data = {{"from", in.get("from")},
                      {"to", in.get("to")},
                      {"customers", h.customers},
                      {"open_tasks", h.open_tasks}};
          out.text = "handed " + std::to_string(h.customers) + " customers and " +
                     std::to_string(h.open_tasks) + " open tasks from " + in.get("from") + " to " +
                     in.get("to") + "\n";
          return out;
        });
  r.add(command(
            {"interactions", "add"}, "record an interaction with a customer",
            {required_option("customer", "customer id"),
             required_option("channel", "phone, email, visit, web..."),
             required_option("kind", "call, purchase, complaint, visit..."),
             option("direction", "inbound or outbound", "inbound"),
             option("at", "time (default: now)"),
             option("amount", "amount, e.g. \"12.50 EUR\" (no code: the default currency)"),
             option("agent", "who handled it"), option("notes", "notes"),
             option("commitment", "a promise made"), option("case", "the case it belongs to (ID)"),
             option("link", "another entity it belongs to, TYPE:ID (e.g. product:4)")}),
        [&k](const CommandInput& in) { return interactions_add(k, in); });
  r.add(command({"tasks", "list"}, "list tasks",
                {option("owner", "only this owner"), option("customer", "only this customer"),
                 option("status", "open, done, cancelled or all", "open"),
                 flag("overdue", "only overdue")}),
        [&k](const CommandInput& in) { return tasks_list(k, in); });
  r.add(command({"tasks", "complete"}, "mark a task done", {}, {"ID"}),
        [&k](const CommandInput& in) {
          const auto id = parse_id(in.positionals.at(0), "task");
          k.store().tasks().complete(id, in.actor);
          CommandOutput out;
          out.data = {{"id", id}, {"status", "done"}};
          out.text = "task " + std::to_string(id) + " done\n";
          return out;
        });
  r.add(command({"tasks", "cancel"}, "cancel an open task", {}, {"ID"}),
        [&k](const CommandInput& in) {
          const auto id = parse_id(in.positionals.at(0), "task");
          k.store().tasks().cancel(id, in.actor);
          CommandOutput out;
          out.data = {{"id", id}, {"status", "cancelled"}};
          out.text = "task " + std::to_string(id) + " cancelled\n";
          return out;
        });
  r.add(command({"run-due"},
                "fire every timer due by now (or --now TIME, replaying time on a simulated "
                "clock); --watch keeps firing each timer on its second",
                {option("now", "the time to run up to"),
                 flag("watch", "keep running: sleep until the next timer, fire it, repeat"),
                 option("until", "with --watch: stop at this time"),
                 option("poll", "with --watch: look for new timers at least this often (s)", "1"),
                 option("stale", "take up an instance left running this long (s) by a dead process",
                        "60")}),
        [&k](const CommandInput& in) { return run_due(k, in); });
}

}  // namespace crm::core
