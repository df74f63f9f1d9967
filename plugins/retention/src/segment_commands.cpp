// RFM segmentation, ABC classes and the value pyramid over the store's purchases.
#include <algorithm>
#include <map>
#include <optional>

#include "commands.hpp"
#include "crm/error.hpp"
#include "crm/retention/dates.hpp"
#include "crm/retention/errors.hpp"
#include "crm/retention/rfm.hpp"
#include "crm/retention/value_classes.hpp"
#include "crm/text_table.hpp"
#include "purchase_source.hpp"

namespace crm::retention_plugin {
namespace {

std::vector<retention::RfmSegmentRule> segment_rules(const Context& ctx, const CommandInput& in) {
  if (in.has("rules")) return retention::load_rfm_segments(in.get("rules"));
  if (ctx.config().contains("rfm_segments")) {
    try {
      return retention::rfm_segments_from_json(ctx.config().at("rfm_segments"));
    } catch (const retention::InvalidInput& e) {
      throw InvalidInput(std::string("configuration plugins.retention.rfm_segments: ") + e.what());
    }
  }
  return retention::default_rfm_segments();
}

// Scores every customer with purchases, stores the scores, and moves each
// customer whose segment changed through the customer repository (so the
// change is audited and "customer.updated" fires), recording the change with
// its date and publishing "segment.changed".
const std::string kNoRule;

CommandOutput rfm(Context& ctx, const CommandInput& in) {
  retention::RfmOptions o;
  o.as_of_day = as_of_day(ctx, in);
  o.window_days = integer_option(in, "window");
  const auto rules = segment_rules(ctx, in);
  const bool dry_run = in.flag("dry-run");

  Database& db = ctx.store().db();
  const retention::PurchaseLog log =
      load_purchases(ctx.store().interactions(), ctx.time_zone(), o.as_of_day);
  const retention::RfmTable t = retention::compute_rfm(log, o);
  const std::vector<std::int32_t> seg = retention::assign_rfm_segments(t, rules);
  const std::string as_of = retention::format_date(o.as_of_day);

  CommandOutput out;
  out.data = {{"as_of", as_of}, {"window_days", o.window_days}, {"customers", Json::array()}};
  std::map<std::string, std::int64_t> counts;
  std::int64_t changed = 0;
  Transaction tx(db);
  // The segments go to the customers in one bulk call (audited and
  // published per changed customer by the kernel); `scored` holds the RFM
  // row index of each assignment.
  std::vector<SegmentAssignment> assignments;
  std::vector<std::size_t> scored;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.r_score[i] == 0) continue;  // no purchase in the window: not scored
    const CustomerId id = customer_id(log, static_cast<std::int32_t>(i));
    const std::string& name = seg[i] >= 0 ? rules[static_cast<std::size_t>(seg[i])].name : kNoRule;
    ++counts[name.empty() ? "(no rule)" : name];
    out.data["customers"].push_back({{"customer_id", id},
                                     {"recency_days", t.recency_days[i]},
                                     {"frequency", t.frequency[i]},
                                     {"monetary", t.monetary[i]},
                                     {"r", t.r_score[i]},
                                     {"f", t.f_score[i]},
                                     {"m", t.m_score[i]},
                                     {"segment", name}});
    if (dry_run) continue;
    db.execute(
        "INSERT OR REPLACE INTO retention_rfm (customer_id, as_of, recency_days, frequency, "
        "monetary, r, f, m, segment) VALUES (?,?,?,?,?,?,?,?,?)",
        {id, as_of, std::int64_t{t.recency_days[i]}, std::int64_t{t.frequency[i]}, t.monetary[i],
         std::int64_t{t.r_score[i]}, std::int64_t{t.f_score[i]}, std::int64_t{t.m_score[i]}, name});
    if (name.empty()) continue;  // no rule matched: the customer keeps his segment
    assignments.push_back({id, name});
    scored.push_back(i);
  }
  if (!dry_run) {
    const std::vector<SegmentChange> changes =
        ctx.store().customers().set_segments(assignments, ctx.actor());
    const std::int64_t now = to_unix(ctx.clock().now());
    std::size_t k = 0;  // changes are a subsequence of the assignments
    for (const SegmentChange& c : changes) {
      while (assignments[k].id != c.id) ++k;
      const std::size_t i = scored[k];
      db.execute(
          "INSERT INTO retention_segment_history (customer_id, segment, previous, as_of, "
          "changed_at) VALUES (?,?,?,?,?)",
          {c.id, c.segment, c.previous, as_of, now});
      ctx.bus().publish(Event{"segment.changed",
                              {},
                              c.id,
                              Json{{"old", c.previous},
                                   {"new", c.segment},
                                   {"as_of", as_of},
                                   {"r", t.r_score[i]},
                                   {"f", t.f_score[i]},
                                   {"m", t.m_score[i]}}});
    }
    changed = static_cast<std::int64_t>(changes.size());
    tx.commit();
  }
  out.data["segments"] = counts;
  out.data["changed"] = changed;
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, n] : counts) rows.push_back({name, std::to_string(n)});
  out.text = "RFM as of " + as_of + " (" + std::to_string(t.active) + " customers scored, " +
             std::to_string(changed) + " changed segment" + (dry_run ? ", dry run" : "") + ")\n" +
             render_table({"SEGMENT", "CUSTOMERS"}, rows);
  return out;
}

// Revenue and profit contribution per customer over [from, to]: revenue is the
// sum of purchase amounts; cost the sum of what each interaction cost
// (Interaction::channel_cost, taken from the kernel's channel catalogue when
// it was recorded).
struct Value {
  std::vector<CustomerId> ids;
  std::vector<double> revenue, cost, profit;
};

Value customer_value(Context& ctx, const CommandInput& in) {
  InteractionQuery q;
  if (in.has("from"))
    q.from = from_unix(day_start(parse_day(in.get("from"), "from"), ctx.time_zone()));
  if (in.has("to")) {
    q.to = from_unix(day_start(parse_day(in.get("to"), "to") + 1, ctx.time_zone()));
  }
  struct Sums {
    double revenue = 0;
    std::optional<Money> cost;  // exact; mixing currencies throws CurrencyMismatch
  };
  std::map<CustomerId, Sums> acc;
  ctx.store().interactions().for_each(q, [&](const Interaction& i) {
    Sums& s = acc[i.customer_id];
    if (i.kind == "purchase" && i.amount) s.revenue += i.amount->to_major();
    if (i.channel_cost) s.cost = s.cost ? *s.cost + *i.channel_cost : *i.channel_cost;
  });
  Value v;
  for (const auto& [id, s] : acc) {
    v.ids.push_back(id);
    v.revenue.push_back(s.revenue);
    v.cost.push_back(s.cost ? s.cost->to_major() : 0.0);
  }
  v.profit = retention::profit_contribution(v.revenue, v.cost);
  return v;
}

CommandOutput abc(Context& ctx, const CommandInput& in) {
  const Value v = customer_value(ctx, in);
  const bool by_profit = in.get("by", "revenue") == "profit";
  if (!by_profit && in.get("by", "revenue") != "revenue") {
    throw InvalidInput("--by must be revenue or profit, not '" + in.get("by") + "'");
  }
  const auto& value = by_profit ? v.profit : v.revenue;
  retention::AbcThresholds th;
  th.a_share = number_option(in, "a-share");
  th.b_share = number_option(in, "b-share");
  // A customer who costs more than he brings has no share of the value:
  // negative contributions count as zero and land in class C.
  std::vector<double> share_basis(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) share_basis[i] = std::max(0.0, value[i]);
  if (std::none_of(share_basis.begin(), share_basis.end(), [](double x) { return x > 0; })) {
    throw InvalidInput(std::string("segment abc: no customer has a positive ") +
                       (by_profit ? "profit contribution" : "revenue") + " in the period");
  }
  const auto classes = retention::abc_classes(share_basis, th);
  CommandOutput out;
  out.data = {{"by", by_profit ? "profit" : "revenue"}, {"customers", Json::array()}};
  std::map<char, std::pair<std::int64_t, double>> summary;
  double total = 0;
  for (double x : value) total += std::max(0.0, x);
  for (std::size_t i = 0; i < v.ids.size(); ++i) {
    const char cls = static_cast<char>(classes[i]);
    summary[cls].first += 1;
    summary[cls].second += std::max(0.0, value[i]);
    out.data["customers"].push_back({{"customer_id", v.ids[i]},
                                     {"revenue", v.revenue[i]},
                                     {"cost", v.cost[i]},
                                     {"profit", v.profit[i]},
                                     {"class", std::string(1, cls)}});
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [cls, s] : summary) {
    const double share = total > 0 ? s.second / total : 0;
    out.data["classes"][std::string(1, cls)] = {{"customers", s.first}, {"value_share", share}};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100 * share);
    rows.push_back({std::string(1, cls), std::to_string(s.first), buf});
  }
  out.text = "ABC classes by " + std::string(by_profit ? "profit contribution" : "revenue") + "\n" +
             render_table({"CLASS", "CUSTOMERS", "VALUE SHARE"}, rows);
  return out;
}

CommandOutput pyramid(Context& ctx, const CommandInput& in) {
  const Value v = customer_value(ctx, in);
  const auto tiers = retention::default_value_pyramid();
  const auto tier = retention::value_pyramid(v.revenue, tiers);
  CommandOutput out;
  out.data = {{"customers", Json::array()}};
  std::vector<std::int64_t> counts(tiers.size(), 0);
  std::vector<double> sums(tiers.size(), 0);
  for (std::size_t i = 0; i < v.ids.size(); ++i) {
    const auto k = static_cast<std::size_t>(tier[i]);
    ++counts[k];
    sums[k] += v.revenue[i];
    out.data["customers"].push_back(
        {{"customer_id", v.ids[i]}, {"revenue", v.revenue[i]}, {"tier", tiers[k].name}});
  }
  std::vector<std::vector<std::string>> rows;
  out.data["tiers"] = Json::array();
  for (std::size_t k = 0; k < tiers.size(); ++k) {
    out.data["tiers"].push_back({{"tier", tiers[k].name},
                                 {"customers", counts[k]},
                                 {"revenue", sums[k]},
                                 {"up_to_rank_share", tiers[k].cumulative_share}});
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", sums[k]);
    rows.push_back({tiers[k].name, std::to_string(counts[k]), buf});
  }
  out.text =
      "Value pyramid by revenue rank\n" + render_table({"TIER", "CUSTOMERS", "REVENUE"}, rows);
  return out;
}

}  // namespace

void add_segment_commands(Context& ctx) {
  ctx.commands().add(
      command({"segment", "rfm"}, "RFM scores (quintiles) and named segments per customer",
              {option("as-of", "analysis date (default: today)"),
               option("window", "only purchases in the last DAYS days (0: all)", "0"),
               option("rules", "JSON file of segment rules (default: built-in)"),
               flag("dry-run", "score and report without storing")}),
      [&ctx](const CommandInput& in) { return rfm(ctx, in); });
  const std::vector<ParamSpec> period = {option("from", "first day of the period"),
                                         option("to", "last day of the period")};
  auto abc_options = period;
  abc_options.push_back(option("by", "revenue or profit", "revenue"));
  abc_options.push_back(option("a-share", "cumulative value share of class A", "0.8"));
  abc_options.push_back(option("b-share", "cumulative value share of classes A+B", "0.95"));
  ctx.commands().add(
      command({"segment", "abc"}, "ABC classes by cumulative value share", abc_options),
      [&ctx](const CommandInput& in) { return abc(ctx, in); });
  ctx.commands().add(command({"segment", "pyramid"},
                             "value pyramid (top 1% / 4% / 15% / rest by revenue)", period),
                     [&ctx](const CommandInput& in) { return pyramid(ctx, in); });
}

}  // namespace crm::retention_plugin
