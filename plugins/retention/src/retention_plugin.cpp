// The retention plugin: segmentation (RFM, ABC, value pyramid), customer
// value and lifetime value (historic, BG/NBD + Gamma-Gamma), churn (rates,
// cohorts, risk with early warning, churn records and switching share).
// The models are in crm_retention_model (plugins/retention/model), usable
// from C++ without a kernel; this file and its commands bind them to the store.
#include <charconv>
#include <cmath>

#include "commands.hpp"
#include "crm/error.hpp"
#include "crm/plugin.hpp"
#include "crm/retention/rfm.hpp"
#include "purchase_source.hpp"

namespace crm::retention_plugin {

const std::vector<Migration>& retention_migrations() {
  static const std::vector<Migration> steps = {
      {1, "rfm scores, segment history, models, clv, churn", R"sql(
CREATE TABLE retention_rfm (
  customer_id INTEGER NOT NULL, as_of TEXT NOT NULL,
  recency_days INTEGER NOT NULL, frequency INTEGER NOT NULL, monetary REAL NOT NULL,
  r INTEGER NOT NULL, f INTEGER NOT NULL, m INTEGER NOT NULL, segment TEXT,
  PRIMARY KEY (customer_id, as_of)
);
CREATE TABLE retention_segment_history (
  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL,
  segment TEXT NOT NULL, previous TEXT, as_of TEXT NOT NULL, changed_at BIGINT NOT NULL
);
CREATE INDEX retention_segment_history_customer ON retention_segment_history (customer_id);
CREATE TABLE retention_models (
  id INTEGER PRIMARY KEY, fitted_at BIGINT NOT NULL, source TEXT NOT NULL,
  calibration_end TEXT NOT NULL, time_unit TEXT NOT NULL, bgnbd TEXT NOT NULL, gamma_gamma TEXT
);
CREATE TABLE retention_clv (
  customer_id INTEGER NOT NULL, model_id INTEGER NOT NULL, horizon REAL NOT NULL,
  p_alive REAL NOT NULL, expected_purchases REAL NOT NULL, expected_spend REAL NOT NULL,
  clv REAL NOT NULL, PRIMARY KEY (customer_id, model_id)
);
CREATE TABLE retention_churn_records (
  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, churned_on TEXT NOT NULL,
  reason TEXT NOT NULL, competitor TEXT, recorded_at BIGINT NOT NULL
);
CREATE TABLE retention_churn_risk (
  customer_id INTEGER PRIMARY KEY, score REAL NOT NULL, computed_at BIGINT NOT NULL
);
)sql"}};
  return steps;
}

double number_option(const CommandInput& in, const std::string& name) {
  const std::string v = in.get(name);
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (v.empty() || ec != std::errc{} || p != v.data() + v.size()) {
    throw InvalidInput("--" + name + ": '" + v + "' is not a number");
  }
  // from_chars reads "nan" and "inf": no option of the plugin means either.
  if (!std::isfinite(d)) throw InvalidInput("--" + name + ": '" + v + "' is not a finite number");
  return d;
}

int integer_option(const CommandInput& in, const std::string& name) {
  const std::string v = in.get(name);
  int i = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), i);
  if (v.empty() || ec != std::errc{} || p != v.data() + v.size()) {
    throw InvalidInput("--" + name + ": '" + v + "' is not a whole number");
  }
  // Every whole-number option of the plugin is a count of days or periods.
  if (i < 0) throw InvalidInput("--" + name + " must be 0 or more, got " + v);
  return i;
}

int as_of_day(const Context& ctx, const CommandInput& in) {
  return in.has("as-of") ? parse_day(in.get("as-of"), "as-of")
                         : day_of(ctx.clock().now(), ctx.time_zone());
}

namespace {

// Checks the plugin's configuration section once, at start, so that a bad
// value stops the plugin naming its key instead of failing (or being
// ignored) in whichever command reads it first. Throws InvalidInput.
void check_config(const Json& config) {
  for (const auto& [key, value] : config.items()) {
    // Channel costs are the kernel's channel catalogue now, recorded on
    // every interaction: a plugin's own table of them could disagree.
    if (key == "channel_costs") {
      throw InvalidInput(
          "channel_costs: channel costs are configured in the kernel's channel catalogue, "
          "the configuration's top-level \"channels\" key ({\"channels\": {\"visit\": "
          "{\"cost\": \"5.00 USD\"}}})");
    }
    if (key != "rfm_segments") {
      throw InvalidInput(key + ": unknown key (the only key is rfm_segments)");
    }
  }
  if (config.contains("rfm_segments")) {
    try {
      retention::rfm_segments_from_json(config.at("rfm_segments"));
    } catch (const std::exception& e) {
      std::string why = e.what();
      if (why.starts_with("rfm_segments_from_json: ")) why.erase(0, 24);
      throw InvalidInput("rfm_segments: " + why);
    }
  }
}

// What merging and erasing customers do with the plugin's rows. Scores are
// per customer and recomputed by the next run: a merged customer's are
// dropped, an erased customer's deleted (a profile of the person). Segment
// changes and churn records are history the reports count (segment moves,
// churn rates, switching share): they move to the survivor, and of an
// erased customer they stay, tied to its now anonymous id.
void declare_customer_tables(Context& ctx) {
  const auto declare = [&ctx](const char* table, OnMerge on_merge, OnErase on_erase) {
    CustomerTable t;
    t.table = table;
    t.on_merge = on_merge;
    t.on_erase = on_erase;
    ctx.declare_customer_table(t);
  };
  declare("retention_segment_history", OnMerge::kKeepBoth, OnErase::kKeep);
  declare("retention_churn_records", OnMerge::kKeepBoth, OnErase::kKeep);
  declare("retention_rfm", OnMerge::kDrop, OnErase::kDelete);
  declare("retention_clv", OnMerge::kDrop, OnErase::kDelete);
  declare("retention_churn_risk", OnMerge::kDrop, OnErase::kDelete);
}

class RetentionPlugin final : public Plugin {
 public:
  void start(Context& ctx) override {
    check_config(ctx.config());
    ctx.store().db().migrate("retention", retention_migrations());
    declare_customer_tables(ctx);
    add_segment_commands(ctx);
    add_churn_commands(ctx);
    add_clv_commands(ctx);
  }
};

}  // namespace
}  // namespace crm::retention_plugin

CRM_PLUGIN(crm::retention_plugin::RetentionPlugin,
           {.name = "retention",
            .version = "1.0.0",
            .provides = {"segmentation.rfm", "segmentation.abc", "value.clv", "churn.risk"},
            .description = "segmentation, customer value and lifetime value, churn and win-back"})
