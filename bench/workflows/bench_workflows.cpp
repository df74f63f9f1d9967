// Workflow engine throughput.
//
//   bench_workflows [EVENTS] [TIMERS] [DB_FILE]
//
// 1. Dispatch cost of workflows that do not match: EVENTS events of type
//    "bench.order" through the bus with 0, 100 and 1,000 installed
//    workflows, none of which matches, (a) all triggered by other event
//    types ("bench.other_<i>"), (b) all triggered by "bench.order" with a
//    condition on the payload that fails (amount within the workflow's band
//    and region equal to its region; the events carry a region no workflow
//    has). Beside each, a direct C++ call doing the same comparisons over
//    the same rules (median of 5 loops).
// 2. EVENTS events through the bus with 100 installed workflows, each
//    triggered by "bench.order" with its own condition on the payload
//    (amount >= threshold and region == r), exactly one matching per event
//    (that workflow's instance is created, runs one action and completes,
//    all persisted with its history). Beside it, two baselines: a direct
//    C++ function doing the same comparisons and calling the same action
//    function (no persistence), and the same function also writing the rows
//    the engine writes (the instance and its three history rows, same
//    tables, one transaction per event) with plain prepared SQLite
//    statements. The rows of the engine and of the second baseline are
//    compared after the run; the benchmark fails if they differ.
// 3. TIMERS instances waiting 1 hour, then run_due() one hour later:
//    instances advanced per second (each: timer fired in its transaction,
//    instance resumed, one action, completed, history written).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "crm/kernel.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using crm::Json;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Rule {
  double threshold;
  std::string region;
  std::string workflow;  // the installed workflow doing the same
};

std::unique_ptr<crm::Kernel> open_kernel(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  crm::KernelOptions o;
  o.database = db;
  o.load_plugins = false;
  o.simulated_start = crm::parse_time("2026-01-01T00:00:00Z");
  return std::make_unique<crm::Kernel>(o);
}

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, DbClose>;
using Statement = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

DbHandle open_db(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  DbHandle handle(db);
  if (rc != SQLITE_OK) {
    throw std::runtime_error("cannot open " + path + ": " +
                             (db ? sqlite3_errmsg(db) : "out of memory"));
  }
  return handle;
}

void exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string(sql) + ": " + sqlite3_errmsg(db));
  }
}

Statement prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string(sql) + ": " + sqlite3_errmsg(db));
  }
  return Statement(s);
}

void step_done(sqlite3* db, sqlite3_stmt* s) {
  if (sqlite3_step(s) != SQLITE_DONE) {
    throw std::runtime_error(std::string(sqlite3_sql(s)) + ": " + sqlite3_errmsg(db));
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
}

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

// The baseline's store: the rows the engine writes when one workflow of one
// action step runs to its end, written as a competent user of SQLite would
// write them. Same tables, indexes and connection settings as the kernel's
// (the file is created by a Kernel, then opened with the settings the kernel
// uses), one transaction per run, prepared statements, and the instance
// inserted once in its final state (the engine inserts it and updates it
// after each step) with its three history rows.
class DirectRunStore {
 public:
  explicit DirectRunStore(const std::string& path)
      : db_(open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX)) {
    exec(db_.get(), "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;");
    begin_ = prepare(db_.get(), "BEGIN");
    commit_ = prepare(db_.get(), "COMMIT");
    instance_ = prepare(db_.get(),
                        "INSERT INTO workflow_instances (workflow, version, chain, started_at, "
                        "state, position, variables, updated_at, ended_at) "
                        "VALUES (?, 1, ?, ?, 'completed', '', ?, ?, ?)");
    history_ = prepare(db_.get(),
                       "INSERT INTO workflow_history (instance_id, at, position, type, outcome, "
                       "detail) VALUES (?, ?, ?, ?, ?, ?)");
  }

  // Throws std::runtime_error if SQLite fails.
  void record(const std::string& workflow, const Json& event, const Json& result,
              crm::TimePoint at) {
    const std::int64_t t = crm::to_unix(at);
    step_done(db_.get(), begin_.get());
    sqlite3_stmt* i = instance_.get();
    sqlite3_bind_text(i, 1, workflow.data(), static_cast<int>(workflow.size()), SQLITE_STATIC);
    bind_text(i, 2, Json::array({workflow}).dump());
    sqlite3_bind_int64(i, 3, t);
    bind_text(i, 4, Json{{"trigger", event}}.dump());
    sqlite3_bind_int64(i, 5, t);
    sqlite3_bind_int64(i, 6, t);
    step_done(db_.get(), i);
    const std::int64_t id = sqlite3_last_insert_rowid(db_.get());
    history(id, t, "", "instance", "started",
            Json{{"version", 1}, {"chain", Json::array({workflow})}});
    history(id, t, "$.steps[0]", "action", "done", Json{{"action", "count"}, {"result", result}});
    history(id, t, "", "instance", "completed", Json::object());
    step_done(db_.get(), commit_.get());
  }

 private:
  void history(std::int64_t id, std::int64_t at, const char* position, const char* type,
               const char* outcome, const Json& detail) {
    sqlite3_stmt* h = history_.get();
    sqlite3_bind_int64(h, 1, id);
    sqlite3_bind_int64(h, 2, at);
    sqlite3_bind_text(h, 3, position, -1, SQLITE_STATIC);
    sqlite3_bind_text(h, 4, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(h, 5, outcome, -1, SQLITE_STATIC);
    bind_text(h, 6, detail.dump());
    step_done(db_.get(), h);
  }

  DbHandle db_;
  Statement begin_, commit_, instance_, history_;
};

// Every instance and history row of a database as text, each value tagged
// with its storage class; row ids and the engine's revision counter are left
// out (instance ids are compared through the history's instance_id).
std::string stored_runs(const std::string& path) {
  const DbHandle db = open_db(path, SQLITE_OPEN_READONLY);
  std::string out;
  for (const char* sql :
       {"SELECT workflow, version, customer_id, state, position, variables, wait, wait_event, "
        "wait_task, wait_timer, wait_child, error, attempts, parent_id, chain, started_at, "
        "updated_at, ended_at FROM workflow_instances ORDER BY id",
        "SELECT instance_id, at, position, type, outcome, detail FROM workflow_history "
        "ORDER BY id"}) {
    const Statement s = prepare(db.get(), sql);
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(s.get()); ++c) {
        switch (sqlite3_column_type(s.get(), c)) {
          case SQLITE_NULL:
            out += "NULL";
            break;
          case SQLITE_INTEGER:
            out += 'i';
            out += std::to_string(sqlite3_column_int64(s.get(), c));
            break;
          case SQLITE_FLOAT:
            out += 'f';
            out += std::to_string(sqlite3_column_double(s.get(), c));
            break;
          default:
            out += "t'";
            out += reinterpret_cast<const char*>(sqlite3_column_text(s.get(), c));
            out += '\'';
        }
        out += '|';
      }
      out += '\n';
    }
    out += "--\n";
  }
  return out;
}

// The definition of rule `i`: triggered by `event`, with the rule's band and
// region as its condition, one action step.
Json rule_workflow(const Rule& r, const std::string& event) {
  return {{"name", r.workflow},
          {"allow_parallel", true},
          {"trigger",
           {{"event", event},
            {"condition",
             {{"all",
               {{{"field", "event.payload.amount"}, {"op", "ge"}, {"value", r.threshold}},
                {{"field", "event.payload.amount"}, {"op", "lt"}, {"value", r.threshold + 10}},
                {{"field", "event.payload.region"}, {"op", "eq"}, {"value", r.region}}}}}}}},
          {"steps", {{{"type", "action"}, {"action", "count"}, {"params", {{"n", 1}}}}}}};
}

Rule make_rule(int i) {
  std::string region = "r";
  region += std::to_string(i % 10);
  char name[32];
  std::snprintf(name, sizeof name, "rule_%04d", i);
  return {i * 10.0, region, name};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// `workflows` installed workflows none of which matches "bench.order" events:
// triggered by other types (same_type false) or by "bench.order" with a
// condition that fails. Prints events/s through the bus and of a direct
// C++ loop over the same rules; returns false if anything was counted.
bool measure_no_match(const std::string& db, int workflows, bool same_type, long events) {
  auto k = open_kernel(db);
  long counted = 0;
  crm::ActionSpec spec;
  spec.help = "count";
  spec.params = {crm::ParamSpec{"n", crm::ParamType::kInteger, false, {}, "how many"}};
  k->workflows().add_action("count", spec,
                            [&](crm::ActionContext&, const Json&) { return Json(++counted); });
  std::vector<Rule> rules;
  std::vector<std::string> types;
  for (int i = 0; i < workflows; ++i) {
    rules.push_back(make_rule(i));
    types.push_back(same_type ? std::string("bench.order") : "bench.other_" + std::to_string(i));
    k->workflows().install(rule_workflow(rules.back(), types.back()));
  }
  std::vector<Json> payloads;
  for (long e = 0; e < events; ++e) {
    payloads.push_back({{"amount", static_cast<double>(e % 1000) * 10.0 + 5}, {"region", "none"}});
  }
  const std::string type = "bench.order";
  // The same decision in plain C++: the rule's event type, then its condition.
  const auto direct = [&](const std::string& event_type, const Json& payload) {
    const double amount = payload.at("amount").get<double>();
    const std::string& region = payload.at("region").get_ref<const std::string&>();
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const Rule& r = rules[i];
      if (types[i] == event_type && amount >= r.threshold && amount < r.threshold + 10 &&
          region == r.region) {
        ++counted;
      }
    }
  };
  std::vector<double> bus_runs, direct_runs;
  for (int run = 0; run < 5; ++run) {
    auto t0 = Clock::now();
    for (const Json& p : payloads) k->bus().publish(crm::Event{type, {}, std::nullopt, p});
    bus_runs.push_back(seconds_since(t0));
    t0 = Clock::now();
    for (const Json& p : payloads) direct(type, p);
    direct_runs.push_back(seconds_since(t0));
  }
  const double bus_s = median(bus_runs), direct_s = median(direct_runs);
  std::printf("%5d workflows, none matches (%s): %ld events, median of 5\n", workflows,
              workflows == 0 ? "nothing installed"
              : same_type    ? "same event type, conditions fail"
                             : "other event types",
              events);
  std::printf("  bus+workflows              %8.4f s %10.0f ev/s %8.3f us/ev  counted %ld\n", bus_s,
              events / bus_s, 1e6 * bus_s / events, counted);
  std::printf("  direct C++, no persistence %8.4f s %10.0f ev/s %8.3f us/ev  ratio %.1fx\n",
              direct_s, events / direct_s, 1e6 * direct_s / events, bus_s / direct_s);
  std::fflush(stdout);
  return counted == 0;
}

}  // namespace

int main(int argc, char** argv) {
  const long events = argc > 1 ? std::stol(argv[1]) : 20000;
  const long timers = argc > 2 ? std::stol(argv[2]) : 100000;
  const std::string db = argc > 3 ? argv[3] : "/tmp/bench_workflows.db";

  // --- 1. workflows that do not match ---
  if (!measure_no_match(db, 0, true, events)) return 1;
  for (const bool same_type : {false, true}) {
    for (const int n : {100, 1000}) {
      if (!measure_no_match(db, n, same_type, events)) return 1;
    }
  }

  // --- 2. events through the bus, one workflow of 100 matching ---
  {
    auto k = open_kernel(db);
    long counted = 0;
    const auto count = [&counted](const Json& params) {
      counted += params.value("n", 1);
      return Json{{"counted", counted}};
    };
    crm::ActionSpec spec;
    spec.help = "count";
    spec.params = {crm::param("n", crm::ParamType::kInteger, "how many")};
    k->workflows().add_action("count", spec,
                              [&](crm::ActionContext&, const Json& p) { return count(p); });
    std::vector<Rule> rules;
    for (int i = 0; i < 100; ++i) {
      rules.push_back(make_rule(i));
      k->workflows().install(rule_workflow(rules.back(), "bench.order"));
    }
    const auto direct = [&](const Json& payload) {
      const double amount = payload.at("amount").get<double>();
      const std::string& region = payload.at("region").get_ref<const std::string&>();
      for (const Rule& r : rules) {
        if (amount >= r.threshold && amount < r.threshold + 10 && region == r.region) {
          count(Json{{"n", 1}});
        }
      }
    };
    // The baseline store gets a database file of the kernel's schema.
    const std::string direct_db = db + ".direct";
    open_kernel(direct_db).reset();
    DirectRunStore store(direct_db);
    const auto direct_persisted = [&](const Json& payload) {
      const double amount = payload.at("amount").get<double>();
      const std::string& region = payload.at("region").get_ref<const std::string&>();
      for (const Rule& r : rules) {
        if (amount >= r.threshold && amount < r.threshold + 10 && region == r.region) {
          const crm::TimePoint now = k->clock().now();
          const Json result = count(Json{{"n", 1}});
          store.record(r.workflow,
                       crm::to_json(crm::Event{"bench.order", now, std::nullopt, payload}), result,
                       now);
        }
      }
    };
    {
      std::vector<Json> payloads;
      for (long e = 0; e < events; ++e) {
        const int i = static_cast<int>(e % 100);
        payloads.push_back({{"amount", i * 10.0 + 5}, {"region", rules[i].region}});  // rule i's
      }
      counted = 0;
      auto t0 = Clock::now();
      for (const Json& p : payloads)
        k->bus().publish(crm::Event{"bench.order", {}, std::nullopt, p});
      const double bus_s = seconds_since(t0);
      const long bus_counted = counted;
      // The loop without persistence takes microseconds: median of 5.
      std::vector<double> direct_runs;
      long direct_counted = 0;
      for (int run = 0; run < 5; ++run) {
        counted = 0;
        t0 = Clock::now();
        for (const Json& p : payloads) direct(p);
        direct_runs.push_back(seconds_since(t0));
        direct_counted = counted;
      }
      std::sort(direct_runs.begin(), direct_runs.end());
      const double direct_s = direct_runs[2];
      std::printf(
          "%s events %ld\n"
          "  bus+workflows              %8.4f s %10.0f ev/s  counted %ld\n"
          "  direct C++, no persistence %8.4f s %10.0f ev/s  counted %ld  ratio %.0fx\n",
          "100 workflows, 1 matches per event:", events, bus_s, events / bus_s, bus_counted,
          direct_s, events / direct_s, direct_counted, bus_s / direct_s);
      counted = 0;
      t0 = Clock::now();
      for (const Json& p : payloads) direct_persisted(p);
      const double persisted_s = seconds_since(t0);
      std::printf("  direct C++ + SQLite rows   %8.4f s %10.0f ev/s  counted %ld  ratio %.2fx\n",
                  persisted_s, events / persisted_s, counted, bus_s / persisted_s);
      // Like for like: the baseline must have stored what the engine stored.
      const std::string engine_rows = stored_runs(db);
      const bool same = engine_rows == stored_runs(direct_db);
      std::printf("  rows stored by the engine and by the SQLite baseline: %s (%ld lines)\n",
                  same ? "identical" : "DIFFER",
                  static_cast<long>(std::count(engine_rows.begin(), engine_rows.end(), '\n')));
      if (!same) return 1;
      std::fflush(stdout);
    }
  }

  // --- 3. timers coming due at once ---
  {
    auto k = open_kernel(db);
    long counted = 0;
    crm::ActionSpec spec;
    spec.help = "count";
    k->workflows().add_action("count", spec,
                              [&](crm::ActionContext&, const Json&) { return Json(++counted); });
    k->workflows().install(
        {{"name", "delayed"},
         {"allow_parallel", true},
         {"steps",
          {{{"type", "wait"}, {"duration", "1h"}}, {{"type", "action"}, {"action", "count"}}}}});
    auto t0 = Clock::now();
    for (long i = 0; i < timers; ++i) k->workflows().start("delayed", std::nullopt);
    const double start_s = seconds_since(t0);
    k->simulated_clock()->advance(std::chrono::hours(1));
    t0 = Clock::now();
    const crm::TimerRun run = k->scheduler().run_due(k->clock().now());
    const double due_s = seconds_since(t0);
    crm::InstanceQuery q;
    q.state = crm::InstanceState::kCompleted;
    const auto completed = k->workflows().instances(q).size();
    std::printf("%ld instances started to their wait: %.2f s (%.0f/s)\n", timers, start_s,
                timers / start_s);
    std::printf(
        "%ld timers due at once: run_due %.2f s, fired %lld, failed %lld, completed %zu, "
        "counted %ld: %.0f instances advanced/s\n",
        timers, due_s, static_cast<long long>(run.fired), static_cast<long long>(run.failed),
        completed, counted, timers / due_s);
  }
  for (const std::string& file : {db, db + ".direct"}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file + suffix);
  }
  return 0;
}
