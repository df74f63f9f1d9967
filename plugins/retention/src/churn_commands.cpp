// Churn and retention rates per period, cohorts, churn-risk scores with early
// warning, and churn records with the reason and the competitor.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "commands.hpp"
#include "crm/error.hpp"
#include "crm/retention/bgnbd.hpp"
#include "crm/retention/churn.hpp"
#include "crm/retention/dates.hpp"
#include "crm/retention/transactions.hpp"
#include "crm/text_table.hpp"
#include "purchase_source.hpp"

namespace crm::retention_plugin {
namespace {

retention::CohortPeriod parse_period(const std::string& text) {
  if (text == "month") return retention::CohortPeriod::kMonth;
  if (text == "week") return retention::CohortPeriod::kWeek;
  if (text == "day") return retention::CohortPeriod::kDay;
  throw InvalidInput("--period must be day, week or month, not '" + text + "'");
}

std::string pct(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * x);
  return buf;
}

// Switching share = customers who switched to a competitor / former users.
Json switching(Database& db) {
  const auto rows = db.query(
      "SELECT COUNT(DISTINCT customer_id), COUNT(DISTINCT CASE WHEN competitor IS NOT NULL AND "
      "competitor <> '' THEN customer_id END) FROM retention_churn_records");
  const std::int64_t former = rows.at(0).integer(0), switched = rows.at(0).integer(1);
  Json by_competitor = Json::object();
  db.query_each(
      "SELECT competitor, COUNT(DISTINCT customer_id) FROM retention_churn_records WHERE "
      "competitor IS NOT NULL AND competitor <> '' GROUP BY competitor ORDER BY 2 DESC",
      {}, [&](const SqlRow& r) { by_competitor[r.text(0)] = r.integer(1); });
  Json by_reason = Json::object();
  db.query_each(
      "SELECT reason, COUNT(*) FROM retention_churn_records GROUP BY reason ORDER BY 2 DESC", {},
      [&](const SqlRow& r) { by_reason[r.text(0)] = r.integer(1); });
  return {{"former_customers", former},
          {"switched_to_competitor", switched},
          {"switching_share", former > 0 ? double(switched) / double(former) : 0.0},
          {"by_competitor", by_competitor},
          {"by_reason", by_reason}};
}

CommandOutput report(Context& ctx, const CommandInput& in) {
  const auto period = parse_period(in.get("period", "month"));
  const int as_of = as_of_day(ctx, in);
  const retention::PurchaseLog log =
      load_purchases(ctx.store().interactions(), ctx.time_zone(), as_of);
  if (log.size() == 0) throw InvalidInput("churn report: no purchases in the database");
  const auto first_day = *std::min_element(log.day.begin(), log.day.end());
  const auto first = retention::period_index(first_day, period);
  const auto last = retention::period_index(as_of, period);
  CommandOutput out;
  out.data = {{"as_of", retention::format_date(as_of)}, {"periods", Json::array()}};
  std::vector<std::vector<std::string>> rows;
  for (auto k = first + 1; k <= last; ++k) {
    const int prev = retention::period_start_day(k - 1, period);
    const int cur = retention::period_start_day(k, period);
    const int end = std::min(retention::period_start_day(k + 1, period), as_of + 1);
    retention::PeriodChurn c;
    try {
      c = retention::period_churn(log, prev, cur, end);
    } catch (const retention::InvalidInput&) {
      continue;  // nobody active in the previous period: no rate to give
    }
    const std::string start = retention::format_date(cur);
    out.data["periods"].push_back({{"period_start", start},
                                   {"base_customers", c.base_customers},
                                   {"retained", c.retained},
                                   {"retention_rate", c.retention_rate},
                                   {"churn_rate", c.churn_rate}});
    rows.push_back({start, std::to_string(c.base_customers), std::to_string(c.retained),
                    pct(c.retention_rate), pct(c.churn_rate)});
  }
  const double repeat = retention::repeat_purchase_rate(log, as_of);
  const auto activity = retention::customer_activity(log, as_of);
  double tenure = 0;
  for (auto t : activity.tenure_days) tenure += t;
  tenure /= static_cast<double>(std::max<std::size_t>(1, activity.size()));
  out.data["repeat_purchase_rate"] = repeat;
  out.data["mean_tenure_days"] = tenure;
  out.data["switching"] = switching(ctx.store().db());
  out.text = render_table({"PERIOD", "BASE", "RETAINED", "RETENTION", "CHURN"}, rows) +
             "repeat-purchase rate " + pct(repeat) + ", mean tenure " +
             std::to_string(static_cast<int>(tenure)) + " days, switching share " +
             pct(out.data["switching"]["switching_share"].get<double>()) + "\n";
  return out;
}

CommandOutput cohorts(Context& ctx, const CommandInput& in) {
  const auto period = parse_period(in.get("period", "month"));
  const int as_of = as_of_day(ctx, in);
  const retention::PurchaseLog log =
      load_purchases(ctx.store().interactions(), ctx.time_zone(), as_of);
  if (log.size() == 0) throw InvalidInput("cohorts: no purchases in the database");
  const auto t = retention::cohort_table(log, period, as_of);
  CommandOutput out;
  out.data = {{"period", in.get("period", "month")}, {"cohorts", Json::array()}};
  std::vector<std::vector<std::string>> rows;
  std::size_t width = 0;
  for (std::size_t c = 0; c < t.cohort.size(); ++c) width = std::max(width, t.active[c].size());
  for (std::size_t c = 0; c < t.cohort.size(); ++c) {
    Json retention_by_age = Json::array();
    std::vector<std::string> row = {retention::format_date(t.cohort_start_day[c]),
                                    std::to_string(t.size[c])};
    for (std::size_t k = 0; k < t.active[c].size(); ++k) {
      retention_by_age.push_back(t.retention(c, k));
      row.push_back(pct(t.retention(c, k)));
    }
    out.data["cohorts"].push_back({{"start", row[0]},
                                   {"size", t.size[c]},
                                   {"active", t.active[c]},
                                   {"retention", retention_by_age}});
    rows.push_back(std::move(row));
  }
  std::vector<std::string> header = {"COHORT", "SIZE"};
  for (std::size_t k = 0; k < width; ++k) {
    std::string age(1, '+');
    age += std::to_string(k);
    header.push_back(std::move(age));
  }
  out.text = render_table(header, rows);
  return out;
}

// Scores churn risk for every buyer as of a date and warns, once per
// crossing, about valuable customers whose risk rose over the threshold.
CommandOutput risk(Context& ctx, const CommandInput& in) {
  const int as_of = as_of_day(ctx, in);
  const double threshold = number_option(in, "threshold");
  const double min_value = number_option(in, "min-value");
  Database& db = ctx.store().db();
  const retention::PurchaseLog log =
      load_purchases(ctx.store().interactions(), ctx.time_zone(), as_of);
  if (log.size() == 0) throw InvalidInput("churn risk: no purchases in the database");
  retention::SummaryOptions so;
  so.calibration_end = as_of;
  so.unit = retention::TimeUnit::kWeek;
  const auto summary = retention::summarize_transactions(log, so);
  std::vector<double> p_alive;
  try {
    const auto fit = retention::fit_bgnbd(summary.history());
    p_alive = retention::bgnbd_p_alive(fit.params, summary.history());
  } catch (const std::exception& e) {
    throw Error(std::string("churn risk: the BG/NBD model behind P(alive) could not be fitted: ") +
                e.what());
  }
  // Summary rows are customers in log order; map activity and value to them.
  const auto activity = retention::customer_activity(log, as_of);
  const auto complaints = count_per_customer(ctx.store().interactions(), log, "complaint");
  const auto revenue = retention::sum_by_customer(log.customer, log.amount, log.customer_count());
  std::vector<double> p_by_customer(log.customer_count(), 1.0);
  for (std::size_t i = 0; i < summary.size(); ++i) {
    p_by_customer[static_cast<std::size_t>(summary.customer[i])] = p_alive[i];
  }
  retention::ChurnRiskOptions ro;
  const auto scores = retention::churn_risk_scores(p_by_customer, activity, complaints, ro);

  std::vector<std::size_t> order(scores.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](auto a, auto b) { return scores[a] > scores[b]; });
  CommandOutput out;
  out.data = {{"as_of", retention::format_date(as_of)},
              {"threshold", threshold},
              {"customers", Json::array()},
              {"warned", Json::array()}};
  std::vector<std::vector<std::string>> rows;
  const auto now = to_unix(ctx.clock().now());
  Transaction tx(db);
  for (const std::size_t i : order) {
    const CustomerId id = customer_id(log, static_cast<std::int32_t>(i));
    const auto previous =
        db.query("SELECT score FROM retention_churn_risk WHERE customer_id = ?", {id});
    const double before = previous.empty() ? 0.0 : previous[0].real(0);
    db.execute("DELETE FROM retention_churn_risk WHERE customer_id = ?", {id});
    db.execute("INSERT INTO retention_churn_risk (customer_id, score, computed_at) VALUES (?,?,?)",
               {id, scores[i], now});
    const Json entry = {
        {"customer_id", id},           {"risk", scores[i]},
        {"p_alive", p_by_customer[i]}, {"days_since_last", activity.days_since_last[i]},
        {"complaints", complaints[i]}, {"revenue", revenue[i]}};
    out.data["customers"].push_back(entry);
    if (scores[i] >= threshold && before < threshold && revenue[i] >= min_value) {
      ctx.bus().publish(Event{"churn.risk_detected",
                              {},
                              id,
                              Json{{"risk", scores[i]},
                                   {"previous_risk", before},
                                   {"p_alive", p_by_customer[i]},
                                   {"revenue", revenue[i]}}});
      out.data["warned"].push_back(id);
    }
    if (rows.size() < 20 && scores[i] >= threshold) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3f", scores[i]);
      char pa[32];
      std::snprintf(pa, sizeof pa, "%.3f", p_by_customer[i]);
      rows.push_back({std::to_string(id), buf, pa, std::to_string(activity.days_since_last[i]),
                      std::to_string(static_cast<int>(complaints[i]))});
    }
  }
  tx.commit();
  out.text = "churn risk as of " + retention::format_date(as_of) + ": " +
             std::to_string(out.data["warned"].size()) + " valuable customers newly over " +
             std::to_string(threshold) + "\n" +
             render_table({"CUSTOMER", "RISK", "P(ALIVE)", "DAYS SINCE LAST", "COMPLAINTS"}, rows);
  return out;
}

// A churned customer, with why and to whom: the customer's stage becomes
// "lost" and the record feeds the switching share.
CommandOutput record(Context& ctx, const CommandInput& in) {
  const CustomerId id = parse_id(in.get("customer"), "--customer");
  const std::string reason = in.get("reason");
  if (reason.empty()) throw InvalidInput("--reason must not be empty");
  const std::string on = in.has("on")
                             ? retention::format_date(parse_day(in.get("on"), "on"))
                             : retention::format_date(day_of(ctx.clock().now(), ctx.time_zone()));
  Database& db = ctx.store().db();
  Transaction tx(db);
  Customer c = ctx.store().customers().get(id);
  db.execute(
      "INSERT INTO retention_churn_records (customer_id, churned_on, reason, competitor, "
      "recorded_at) VALUES (?,?,?,?,?)",
      {id, on, reason, in.get("competitor"), to_unix(ctx.clock().now())});
  const std::int64_t record_id = db.last_insert_id();
  ctx.store().audit().record(ctx.actor(), "churn.record", "churn_record", record_id, id,
                             Json{{"reason", reason}, {"competitor", in.get("competitor")}});
  if (c.stage != stage::kLost) {
    c.stage = stage::kLost;
    ctx.store().customers().update(c, ctx.actor());
  }
  ctx.bus().publish(
      Event{"churn.recorded",
            {},
            id,
            Json{{"reason", reason}, {"competitor", in.get("competitor")}, {"on", on}}});
  tx.commit();
  CommandOutput out;
  out.data = {{"id", record_id},
              {"customer_id", id},
              {"churned_on", on},
              {"reason", reason},
              {"competitor", in.get("competitor")}};
  out.text = "recorded churn of customer " + std::to_string(id) + " (" + reason + ")\n";
  return out;
}

// Measures a win-back campaign: of the customers who were sent an offer (an
// interaction of kind `--offer-kind`, by default "winback_offer"), how many
// bought within `--days` days after their first offer, and for how much.
CommandOutput winback(Context& ctx, const CommandInput& in) {
  const std::string kind = in.get("offer-kind", "winback_offer");
  const int days = integer_option(in, "days");
  if (days <= 0) throw InvalidInput("--days must be positive");
  // The first offer per customer, then each offered customer's purchases in
  // (first offer, first offer + days].
  InteractionFilter offers;
  offers.kind = kind;
  const std::vector<CustomerTotals> offered_to =
      ctx.store().interactions().totals_per_customer(offers);
  struct After {
    std::int64_t purchases = 0;
    std::optional<Money> revenue;
  };
  std::unordered_map<CustomerId, std::size_t> index;
  for (std::size_t i = 0; i < offered_to.size(); ++i) index[offered_to[i].customer_id] = i;
  std::vector<After> after(offered_to.size());
  const auto window = std::chrono::duration_cast<TimePoint::duration>(std::chrono::days(days));
  InteractionScan purchases;
  purchases.filter.kind = "purchase";
  purchases.fields.amount = true;
  ctx.store().interactions().scan(purchases, [&](const InteractionBatch& b) {
    for (std::size_t r = 0; r < b.rows; ++r) {
      const auto it = index.find(b.customer_id[r]);
      if (it == index.end()) continue;
      const TimePoint first = offered_to[it->second].first;
      if (b.occurred_at[r] <= first || b.occurred_at[r] > first + window) continue;
      After& a = after[it->second];
      ++a.purchases;
      if (b.amount[r]) a.revenue = a.revenue ? *a.revenue + *b.amount[r] : *b.amount[r];
    }
  });
  std::int64_t offered = 0, reactivated = 0;
  std::optional<Money> revenue;
  Json customers = Json::array();
  for (std::size_t i = 0; i < offered_to.size(); ++i) {
    ++offered;
    const bool back = after[i].purchases > 0;
    reactivated += back;
    if (after[i].revenue) revenue = revenue ? *revenue + *after[i].revenue : *after[i].revenue;
    customers.push_back({{"customer_id", offered_to[i].customer_id},
                         {"offered_at", format_time(offered_to[i].first)},
                         {"purchases_after", after[i].purchases},
                         {"revenue_after", after[i].revenue ? after[i].revenue->to_major() : 0.0},
                         {"reactivated", back}});
  }
  const double rate = offered > 0 ? double(reactivated) / double(offered) : 0.0;
  CommandOutput out;
  out.data = {{"offer_kind", kind},
              {"days", days},
              {"offered", offered},
              {"reactivated", reactivated},
              {"reactivation_rate", rate},
              {"revenue_after", revenue ? revenue->to_major() : 0.0},
              {"currency", revenue ? Json(revenue->currency().code()) : Json(nullptr)},
              {"customers", customers}};
  const std::string buf = revenue ? revenue->to_string() : std::string("0");
  out.text = "win-back: " + std::to_string(offered) + " offered, " + std::to_string(reactivated) +
             " bought again within " + std::to_string(days) + " days (" + pct(rate) +
             "), revenue " + buf + "\n";
  return out;
}

}  // namespace

void add_churn_commands(Context& ctx) {
  ctx.commands().add(
      command({"churn", "winback"},
              "reactivation after win-back offers: who bought again, and for how much",
              {option("offer-kind", "interaction kind of the offer", "winback_offer"),
               option("days", "days after the offer that count", "60")}),
      [&ctx](const CommandInput& in) { return winback(ctx, in); });
  ctx.commands().add(
      command({"churn", "report"},
              "churn and retention rate per period, repeat-purchase rate, tenure, switching share",
              {option("period", "day, week or month", "month"), option("as-of", "end date")}),
      [&ctx](const CommandInput& in) { return report(ctx, in); });
  ctx.commands().add(
      command({"churn", "risk"},
              "churn-risk score per customer; warns (churn.risk_detected) on valuable ones",
              {option("as-of", "analysis date"), option("threshold", "risk that warns", "0.7"),
               option("min-value", "only warn for customers with at least this revenue", "0")}),
      [&ctx](const CommandInput& in) { return risk(ctx, in); });
  ctx.commands().add(
      command({"churn", "record"}, "record that a customer churned, why, and to which competitor",
              {option("customer", "customer id"), option("reason", "why the customer left"),
               option("competitor", "the competitor switched to"),
               option("on", "date (default: today)")}),
      [&ctx](const CommandInput& in) { return record(ctx, in); });
  ctx.commands().add(
      command({"cohorts"}, "cohort table: share of each acquisition cohort active later",
              {option("period", "day, week or month", "month"), option("as-of", "end date")}),
      [&ctx](const CommandInput& in) { return cohorts(ctx, in); });
}

}  // namespace crm::retention_plugin
