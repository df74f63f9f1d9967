// Customer lifetime value: BG/NBD + Gamma-Gamma fitted on purchases from a
// CSV file or the store, per-customer predictions, and historic CLV.
#include <cmath>

#include "commands.hpp"
#include "crm/error.hpp"
#include "crm/retention/bgnbd.hpp"
#include "crm/retention/clv.hpp"
#include "crm/retention/dates.hpp"
#include "crm/retention/gamma_gamma.hpp"
#include "crm/retention/purchase_readers.hpp"
#include "crm/retention/transactions.hpp"
#include "crm/text_table.hpp"
#include "purchase_source.hpp"

namespace crm::retention_plugin {
namespace {

retention::TimeUnit parse_unit(const std::string& text) {
  if (text == "week") return retention::TimeUnit::kWeek;
  if (text == "day") return retention::TimeUnit::kDay;
  throw InvalidInput("--time-unit must be day or week, not '" + text + "'");
}

// The data and the fitted models of one `clv fit` or `clv predict`.
struct Fitted {
  retention::PurchaseLog log;
  retention::CustomerSummary summary;
  retention::BgNbdFit bgnbd;
  std::optional<retention::GammaGammaFit> gamma_gamma;  // none without repeat buyers
  std::string source;
  bool from_database = false;
};

Fitted fit(Context& ctx, const CommandInput& in) {
  Fitted f;
  if (!in.has("calibration-end")) throw InvalidInput("--calibration-end DATE is required");
  retention::SummaryOptions so;
  so.calibration_end = parse_day(in.get("calibration-end"), "calibration-end");
  so.unit = parse_unit(in.get("time-unit", "week"));
  if (in.has("holdout-end")) so.holdout_end = parse_day(in.get("holdout-end"), "holdout-end");
  if (in.has("transactions")) {
    retention::CsvOptions co;
    co.customer_column = in.get("customer-col", "customer_id");
    co.date_column = in.get("date-col", "date");
    co.amount_column = in.get("amount-col", "amount");
    f.source = in.get("transactions");
    try {
      f.log = retention::read_purchases_csv(f.source, co);
    } catch (const retention::ParseError& e) {
      throw InvalidInput(e.what());
    }
  } else {
    f.source = "database";
    f.from_database = true;
    f.log = load_purchases(ctx.store().interactions(), ctx.time_zone(),
                           so.holdout_end ? so.holdout_end : so.calibration_end);
    if (f.log.size() == 0) {
      throw InvalidInput(
          "no purchases in the database; import interactions of kind purchase or "
          "pass --transactions FILE.csv");
    }
  }
  f.summary = retention::summarize_transactions(f.log, so);
  try {
    f.bgnbd = retention::fit_bgnbd(f.summary.history());
  } catch (const std::exception& e) {
    throw Error(std::string("BG/NBD fit failed: ") + e.what());
  }
  bool repeat_buyers = false;
  for (double x : f.summary.frequency) repeat_buyers = repeat_buyers || x > 0;
  if (repeat_buyers) {
    try {
      f.gamma_gamma = retention::fit_gamma_gamma(f.summary.frequency, f.summary.monetary_value);
    } catch (const std::exception& e) {
      throw Error(std::string("Gamma-Gamma fit failed: ") + e.what());
    }
  }
  return f;
}

Json fit_json(const Fitted& f, const CommandInput& in) {
  const auto& p = f.bgnbd.params;
  Json j = {{"source", f.source},
            {"calibration_end", in.get("calibration-end")},
            {"time_unit", in.get("time-unit", "week")},
            {"bgnbd",
             {{"r", p.r},
              {"alpha", p.alpha},
              {"a", p.a},
              {"b", p.b},
              {"log_likelihood", f.bgnbd.log_likelihood},
              {"iterations", f.bgnbd.iterations}}},
            {"gamma_gamma", nullptr},
            {"at_bound", f.bgnbd.at_bound},
            {"customers", f.summary.size()},
            {"repeat_buyers", 0}};
  std::int64_t repeaters = 0;
  for (double x : f.summary.frequency) repeaters += x > 0;
  j["repeat_buyers"] = repeaters;
  if (f.gamma_gamma) {
    const auto& g = f.gamma_gamma->params;
    j["gamma_gamma"] = {
        {"p", g.p}, {"q", g.q}, {"v", g.v}, {"log_likelihood", f.gamma_gamma->log_likelihood}};
  }
  if (f.summary.holdout_length > 0) {
    // Hold-out validation: the model's forecast for the period after the
    // calibration end against the repeat purchases that really happened.
    const double predicted =
        retention::bgnbd_expected_total_purchases(p, f.summary.history(), f.summary.holdout_length);
    double actual = 0;
    for (double x : f.summary.holdout_frequency) actual += x;
    j["holdout"] = {{"length", f.summary.holdout_length},
                    {"predicted_purchases", predicted},
                    {"actual_purchases", actual},
                    {"error_share", actual > 0 ? (predicted - actual) / actual : 0.0}};
  }
  return j;
}

std::string fit_text(const Json& j) {
  char buf[512];
  const auto& b = j["bgnbd"];
  std::snprintf(
      buf, sizeof buf, "BG/NBD on %lld customers (%s): r=%.4f alpha=%.4f a=%.4f b=%.4f  LL=%.2f\n",
      static_cast<long long>(j["customers"].get<std::int64_t>()),
      j["source"].get<std::string>().c_str(), b["r"].get<double>(), b["alpha"].get<double>(),
      b["a"].get<double>(), b["b"].get<double>(), b["log_likelihood"].get<double>());
  std::string t = buf;
  if (!j["gamma_gamma"].is_null()) {
    const auto& g = j["gamma_gamma"];
    std::snprintf(buf, sizeof buf, "Gamma-Gamma on %lld repeat buyers: p=%.4f q=%.4f v=%.4f\n",
                  static_cast<long long>(j["repeat_buyers"].get<std::int64_t>()),
                  g["p"].get<double>(), g["q"].get<double>(), g["v"].get<double>());
    t += buf;
  }
  if (j.contains("holdout")) {
    const auto& h = j["holdout"];
    std::snprintf(buf, sizeof buf,
                  "Hold-out (%.1f units): predicted %.1f repeat purchases, actual %.0f (%+.1f%%)\n",
                  h["length"].get<double>(), h["predicted_purchases"].get<double>(),
                  h["actual_purchases"].get<double>(), 100 * h["error_share"].get<double>());
    t += buf;
  }
  return t;
}

// Stores a fit made on the database's purchases, so predictions can say
// which model they came from. Returns the model id.
std::int64_t store_fit(Context& ctx, const Json& j) {
  Database& db = ctx.store().db();
  db.execute(
      "INSERT INTO retention_models (fitted_at, source, calibration_end, time_unit, bgnbd, "
      "gamma_gamma) VALUES (?,?,?,?,?,?)",
      {to_unix(ctx.clock().now()), j["source"].get<std::string>(),
       j["calibration_end"].get<std::string>(), j["time_unit"].get<std::string>(),
       j["bgnbd"].dump(), j["gamma_gamma"].dump()});
  return db.last_insert_id();
}

std::vector<ParamSpec> fit_options() {
  return {option("transactions", "CSV of purchases (default: the database's purchases)"),
          option("calibration-end", "last day of the calibration period (required)"),
          option("holdout-end", "last day of a hold-out period to validate the forecast on"),
          option("time-unit", "day or week", "week"),
          option("customer-col", "customer column of the CSV", "customer_id"),
          option("date-col", "date column of the CSV", "date"),
          option("amount-col", "amount column of the CSV", "amount")};
}

CommandOutput fit_command(Context& ctx, const CommandInput& in) {
  const Fitted f = fit(ctx, in);
  CommandOutput out;
  out.data = fit_json(f, in);
  if (f.from_database) out.data["model_id"] = store_fit(ctx, out.data);
  out.text = fit_text(out.data);
  return out;
}

CommandOutput predict_command(Context& ctx, const CommandInput& in) {
  const Fitted f = fit(ctx, in);
  if (!f.gamma_gamma) throw InvalidInput("no repeat buyers: the spend model cannot be fitted");
  retention::ClvOptions co;
  co.periods = integer_option(in, "horizon");
  co.discount_rate = number_option(in, "discount-rate");
  co.margin = number_option(in, "margin");
  const auto& p = f.bgnbd.params;
  const auto view = f.summary.history();
  const auto alive = retention::bgnbd_p_alive(p, view);
  const auto expected =
      retention::bgnbd_conditional_expected_purchases(p, view, static_cast<double>(co.periods));
  const auto spend = retention::gamma_gamma_expected_spend(
      f.gamma_gamma->params, f.summary.frequency, f.summary.monetary_value);
  const auto clv = retention::bgnbd_clv(p, view, spend, co);
  for (std::size_t i = 0; i < clv.size(); ++i) {
    if (!std::isfinite(alive[i]) || !std::isfinite(expected[i]) || !std::isfinite(clv[i])) {
      throw Error("the fitted model gives no finite prediction for customer " +
                  f.log.customer_keys[static_cast<std::size_t>(f.summary.customer[i])] +
                  (f.bgnbd.at_bound ? " (a parameter ended on its bound: the data may not fit "
                                      "the BG/NBD model)"
                                    : ""));
    }
  }

  CommandOutput out;
  out.data = fit_json(f, in);
  out.data["horizon"] = co.periods;
  out.data["discount_rate"] = co.discount_rate;
  out.data["margin"] = co.margin;
  Json rows = Json::array();
  double total = 0;
  std::optional<std::int64_t> model;
  if (f.from_database) model = store_fit(ctx, out.data);
  Database& db = ctx.store().db();
  Transaction tx(db);
  for (std::size_t i = 0; i < f.summary.size(); ++i) {
    const std::string& key = f.log.customer_keys[static_cast<std::size_t>(f.summary.customer[i])];
    rows.push_back({{"customer", key},
                    {"frequency", f.summary.frequency[i]},
                    {"recency", f.summary.recency[i]},
                    {"age", f.summary.age[i]},
                    {"p_alive", alive[i]},
                    {"expected_purchases", expected[i]},
                    {"expected_spend", spend[i]},
                    {"clv", clv[i]}});
    total += clv[i];
    if (model) {
      db.execute(
          "INSERT INTO retention_clv (customer_id, model_id, horizon, p_alive, expected_purchases, "
          "expected_spend, clv) VALUES (?,?,?,?,?,?,?)",
          {customer_id(f.log, f.summary.customer[i]), *model, double(co.periods), alive[i],
           expected[i], spend[i], clv[i]});
    }
  }
  tx.commit();
  if (model) out.data["model_id"] = *model;
  out.data["total_clv"] = total;
  out.data["customers"] = rows;
  char buf[160];
  std::snprintf(buf, sizeof buf, "CLV over %d %ss for %zu customers: total %.2f\n", co.periods,
                in.get("time-unit", "week").c_str(), f.summary.size(), total);
  out.text = fit_text(fit_json(f, in)) + buf;
  return out;
}

CommandOutput historic_command(const CommandInput& in) {
  const double margin = number_option(in, "margin");
  const double r = number_option(in, "retention");
  const double d = number_option(in, "discount-rate");
  const int horizon = integer_option(in, "horizon");
  const double v = retention::historic_clv(margin, r, d, horizon);
  CommandOutput out;
  out.data = {{"margin", margin},
              {"retention_rate", r},
              {"discount_rate", d},
              {"horizon", horizon},
              {"clv", v}};
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "historic CLV = %.2f (margin %.2f, retention %.2f, discount %.3f, %d periods)\n", v,
                margin, r, d, horizon);
  out.text = buf;
  return out;
}

}  // namespace

void add_clv_commands(Context& ctx) {
  ctx.commands().add(
      without_database(command({"clv", "fit"},
                               "fit BG/NBD and Gamma-Gamma on purchases (CSV or database)",
                               fit_options())),
      [&ctx](const CommandInput& in) { return fit_command(ctx, in); });
  auto predict = fit_options();
  predict.push_back(option("horizon", "number of time units ahead", "52"));
  predict.push_back(option("discount-rate", "discount rate per time unit", "0"));
  predict.push_back(option("margin", "profit margin as a share of spend", "1"));
  ctx.commands().add(
      without_database(command({"clv", "predict"},
                               "per-customer P(alive), expected purchases and CLV over a horizon",
                               predict)),
      [&ctx](const CommandInput& in) { return predict_command(ctx, in); });
  ctx.commands().add(
      without_database(command(
          {"clv", "historic"}, "historic CLV: margin x sum of (retention/(1+discount))^t",
          {option("margin", "margin per period"), option("retention", "retention rate per period"),
           option("discount-rate", "discount rate per period", "0.1"),
           option("horizon", "number of periods", "10")})),
      [](const CommandInput& in) { return historic_command(in); });
}

}  // namespace crm::retention_plugin
