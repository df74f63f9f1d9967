// Workflow engine throughput.
//
//   bench_workflows [EVENTS] [TIMERS] [DB_FILE]
//
// 1. EVENTS events through the bus with 100 installed workflows, each
//    triggered by "bench.order" with its own condition on the payload
//    (amount >= threshold and region == r). Measured twice: when no
//    condition matches (dispatch + 100 condition evaluations per event), and
//    when exactly one matches per event (that workflow's instance is created,
//    runs one action and completes, all persisted with its history). Beside
//    each, a direct C++ function doing the same comparisons and calling the
//    same action function.
// 2. TIMERS instances waiting 1 hour, then run_due() one hour later:
//    instances advanced per second (each: timer fired in its transaction,
//    instance resumed, one action, completed, history written).
#include <chrono>
#include <cstdio>
#include <filesystem>
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
};

std::unique_ptr<crm::Kernel> open_kernel(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  crm::KernelOptions o;
  o.database = db;
  o.load_plugins = false;
  o.simulated_start = crm::parse_time("2026-01-01T00:00:00Z");
  return std::make_unique<crm::Kernel>(o);
}

}  // namespace

int main(int argc, char** argv) {
  const long events = argc > 1 ? std::stol(argv[1]) : 20000;
  const long timers = argc > 2 ? std::stol(argv[2]) : 100000;
  const std::string db = argc > 3 ? argv[3] : "/tmp/bench_workflows.db";

  // --- 1. events through the bus ---
  {
    auto k = open_kernel(db);
    long counted = 0;
    const auto count = [&counted](const Json& params) {
      counted += params.value("n", 1);
      return Json{{"counted", counted}};
    };
    crm::ActionSpec spec;
    spec.help = "count";
    spec.params = {crm::ActionParam{"n", "integer", false, "how many"}};
    k->workflows().add_action("count", spec,
                              [&](crm::ActionContext&, const Json& p) { return count(p); });
    std::vector<Rule> rules;
    for (int i = 0; i < 100; ++i) {
      std::string region = "r";
      region += std::to_string(i % 10);
      rules.push_back({i * 10.0, region});
      char name[32];
      std::snprintf(name, sizeof name, "rule_%03d", i);
      k->workflows().install(
          {{"name", name},
           {"allow_parallel", true},
           {"trigger",
            {{"event", "bench.order"},
             {"condition",
              {{"all",
                {{{"field", "event.payload.amount"}, {"op", "ge"}, {"value", rules[i].threshold}},
                 {{"field", "event.payload.amount"},
                  {"op", "lt"},
                  {"value", rules[i].threshold + 10}},
                 {{"field", "event.payload.region"},
                  {"op", "eq"},
                  {"value", rules[i].region}}}}}}}},
           {"steps", {{{"type", "action"}, {"action", "count"}, {"params", {{"n", 1}}}}}}});
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
    for (const bool matching : {false, true}) {
      std::vector<Json> payloads;
      for (long e = 0; e < events; ++e) {
        const int i = static_cast<int>(e % 100);
        // Matching: rule i's band and region. Not matching: a region no rule has.
        payloads.push_back({{"amount", i * 10.0 + 5},
                            {"region", matching ? rules[i].region : std::string("none")}});
      }
      counted = 0;
      auto t0 = Clock::now();
      for (const Json& p : payloads)
        k->bus().publish(crm::Event{"bench.order", {}, std::nullopt, p});
      const double bus_s = seconds_since(t0);
      const long bus_counted = counted;
      counted = 0;
      t0 = Clock::now();
      for (const Json& p : payloads) direct(p);
      const double direct_s = seconds_since(t0);
      std::printf(
          "%-36s events %ld  bus+workflows %.3f s (%.0f ev/s, counted %ld)  "
          "direct C++ %.4f s (%.0f ev/s, counted %ld)  ratio %.0fx\n",
          matching ? "100 workflows, 1 matches per event:" : "100 workflows, none matches:", events,
          bus_s, events / bus_s, bus_counted, direct_s, events / direct_s, counted,
          bus_s / direct_s);
    }
  }

  // --- 2. timers coming due at once ---
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
    q.state = "completed";
    const auto completed = k->workflows().instances(q).size();
    std::printf("%ld instances started to their wait: %.2f s (%.0f/s)\n", timers, start_s,
                timers / start_s);
    std::printf(
        "%ld timers due at once: run_due %.2f s, fired %lld, failed %lld, completed %zu, "
        "counted %ld: %.0f instances advanced/s\n",
        timers, due_s, static_cast<long long>(run.fired), static_cast<long long>(run.failed),
        completed, counted, timers / due_s);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  return 0;
}
