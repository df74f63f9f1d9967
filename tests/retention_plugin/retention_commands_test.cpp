// The retention commands at their edges: ABC and pyramid classes exactly on
// their limits, the --from/--to and --as-of day boundaries, the cohort table
// of each period kind, `segment rfm --dry-run` writing nothing, and each
// plugin configuration key changing the result. Every expected figure is
// worked out by hand in the comments.
#include <gtest/gtest.h>

#include "crm/channel_catalogue.hpp"

#include <array>
#include <map>
#include <memory>

#include "crm/error.hpp"
#include "crm/kernel.hpp"

namespace {

class RetentionCommands : public ::testing::Test {
 protected:
  RetentionCommands() { start(crm::Json::object()); }

  // (Re)starts the kernel on a fresh in-memory store with this retention
  // plugin configuration.
  void start(const crm::Json& retention_config, const crm::Json& channels = nullptr) {
    crm::KernelOptions o;
    o.channels = crm::ChannelCatalogue::from_config(channels);
    o.database = ":memory:";
    o.plugin_dirs = {CRM_PLUGIN_DIR};
    o.use_bundled_plugins = false;
    o.use_plugin_path_env = false;
    o.simulated_start = crm::parse_time("2026-01-05T12:00:00Z");
    o.plugin_config = {{"retention", retention_config}};
    kernel_.reset();
    kernel_ = std::make_unique<crm::Kernel>(o);
    events_.clear();
    for (const auto phase : {crm::Phase::kBeforeCommit, crm::Phase::kAfterCommit}) {
      crm::SubscriberOptions so;
      so.name = phase == crm::Phase::kBeforeCommit ? "test.before" : "test.after";
      so.phase = phase;
      kernel_->bus().subscribe("*", so, [this](const crm::Event& e) { events_.push_back(e.type); });
    }
  }

  crm::Store& store() { return kernel_->store(); }

  // Why the retention plugin did not start ("" when it did).
  std::string retention_error() const {
    for (const auto& r : kernel_->plugins()) {
      if (r.name == "retention") return r.status == "started" ? "" : r.status + ": " + r.error;
    }
    return "retention plugin not found";
  }

  crm::CustomerId customer(const std::string& name) {
    crm::Customer c;
    c.name = name;
    c.owner = "alice";
    return store().customers().add(c, crm::Actor::user("t"));
  }

  void interaction(crm::CustomerId id, const std::string& when, const std::string& kind,
                   const std::string& channel, std::optional<double> amount) {
    crm::Interaction i;
    i.customer_id = id;
    i.channel = channel;
    i.kind = kind;
    i.occurred_at = crm::parse_time(when);
    if (amount) i.amount = crm::Money::from_major(*amount, crm::Currency::of("USD"));
    store().interactions().record(i, crm::Actor::user("t"));
  }

  void purchase(crm::CustomerId id, const std::string& when, double amount) {
    interaction(id, when, "purchase", "store", amount);
  }

  crm::Json run(std::vector<std::string> path, std::map<std::string, std::string> options = {}) {
    crm::CommandInput in;
    in.options = std::move(options);
    return kernel_->commands().run(path, in).data;
  }

  std::int64_t count(const std::string& table) {
    return store().db().query("SELECT COUNT(*) FROM " + table).at(0).integer(0);
  }

  // customer id -> field of the command's "customers" rows.
  static std::map<crm::CustomerId, crm::Json> by_customer(const crm::Json& out,
                                                          const std::string& field) {
    std::map<crm::CustomerId, crm::Json> m;
    for (const auto& c : out["customers"]) m[c["customer_id"].get<crm::CustomerId>()] = c[field];
    return m;
  }

  static std::map<std::string, std::string> abc_options(std::map<std::string, std::string> extra) {
    std::map<std::string, std::string> o = {
        {"by", "revenue"}, {"a-share", "0.8"}, {"b-share", "0.95"}};
    for (auto& [k, v] : extra) o[k] = v;
    return o;
  }

  std::unique_ptr<crm::Kernel> kernel_;
  std::vector<std::string> events_;
};

// Revenues 80, 15, 5 of 100: the share above Q is 80/100, exactly the A line,
// the share above R is 95/100, exactly the B line (both the same doubles as
// the literals 0.8 and 0.95). A customer on a line falls to the class below.
TEST_F(RetentionCommands, AbcCustomersExactlyOnTheLines) {
  const auto p = customer("P"), q = customer("Q"), r = customer("R");
  purchase(p, "2025-03-02", 50);
  purchase(p, "2025-03-09", 30);
  purchase(q, "2025-03-03", 15);
  purchase(r, "2025-03-04", 5);
  const auto out = run({"segment", "abc"}, abc_options({}));
  auto cls = by_customer(out, "class");
  EXPECT_EQ(cls.at(p), "A");
  EXPECT_EQ(cls.at(q), "B");
  EXPECT_EQ(cls.at(r), "C");
  EXPECT_EQ(out["classes"]["A"]["customers"], 1);
  EXPECT_DOUBLE_EQ(out["classes"]["A"]["value_share"].get<double>(), 0.80);
  EXPECT_DOUBLE_EQ(out["classes"]["B"]["value_share"].get<double>(), 0.15);
  EXPECT_DOUBLE_EQ(out["classes"]["C"]["value_share"].get<double>(), 0.05);

  // --a-share 0.85: 0.8 above Q is now below the A line, so Q is A.
  cls = by_customer(run({"segment", "abc"}, abc_options({{"a-share", "0.85"}})), "class");
  EXPECT_EQ(cls.at(q), "A");
  EXPECT_EQ(cls.at(r), "C");
  // --b-share 0.99: 0.95 above R is below the B line, so R is B.
  cls = by_customer(run({"segment", "abc"}, abc_options({{"b-share", "0.99"}})), "class");
  EXPECT_EQ(cls.at(q), "B");
  EXPECT_EQ(cls.at(r), "B");
}

// By profit: P 80 - 5 (a visit) = 75, Q 15 - 0 = 15, R 5 + 5 (two purchases)
// - 0 = 10: total 100; above Q 75 % (A), above R 90 % (B).
TEST_F(RetentionCommands, AbcByProfitUsesTheContribution) {
  const auto p = customer("P"), q = customer("Q"), r = customer("R");
  purchase(p, "2025-03-02", 80);
  interaction(p, "2025-03-05", "visit", "visit", std::nullopt);
  purchase(q, "2025-03-03", 15);
  purchase(r, "2025-03-04", 5);
  purchase(r, "2025-03-06", 5);
  const auto out = run({"segment", "abc"}, abc_options({{"by", "profit"}}));
  const auto cls = by_customer(out, "class");
  EXPECT_EQ(cls.at(p), "A");
  EXPECT_EQ(cls.at(q), "A");
  EXPECT_EQ(cls.at(r), "B");
  EXPECT_DOUBLE_EQ(by_customer(out, "profit").at(p).get<double>(), 75.0);
  // By revenue the same customers split 80, 15, 10 of 105: above Q 76 % (A),
  // above R 90.5 % (B) -- and P's revenue is not reduced by the visit.
  EXPECT_DOUBLE_EQ(
      by_customer(run({"segment", "abc"}, abc_options({})), "revenue").at(p).get<double>(), 80.0);
}

// One purchase a second before the period, one at its first midnight, one a
// second before its end and one at the midnight after: amounts 1, 10, 100,
// 1000, so the sum says which were counted. --from and --to are both
// inclusive days.
class PeriodBoundaries : public RetentionCommands {
 protected:
  void SetUp() override {
    x_ = customer("X");
    y_ = customer("Y");
    purchase(x_, "2025-02-28T23:59:59Z", 1);
    purchase(x_, "2025-03-01T00:00:00Z", 10);
    purchase(x_, "2025-03-31T23:59:59Z", 100);
    purchase(x_, "2025-04-01T00:00:00Z", 1000);
    purchase(y_, "2025-03-15T12:00:00Z", 50);
    // Costs at the same instants: 5.00 visits before and after, phone 0.05 inside.
    interaction(x_, "2025-02-28T23:59:59Z", "visit", "visit", std::nullopt);
    interaction(x_, "2025-03-01T00:00:00Z", "call", "phone", std::nullopt);
    interaction(x_, "2025-04-01T00:00:00Z", "visit", "visit", std::nullopt);
  }
  crm::CustomerId x_ = 0, y_ = 0;
};

TEST_F(PeriodBoundaries, AbcCountsTheFirstAndLastDayOnly) {
  const auto out =
      run({"segment", "abc"}, abc_options({{"from", "2025-03-01"}, {"to", "2025-03-31"}}));
  EXPECT_DOUBLE_EQ(by_customer(out, "revenue").at(x_).get<double>(), 110.0);
  EXPECT_DOUBLE_EQ(by_customer(out, "cost").at(x_).get<double>(), 0.05);
  EXPECT_DOUBLE_EQ(by_customer(out, "revenue").at(y_).get<double>(), 50.0);
  // Only one end given: the other side is open.
  const auto from = run({"segment", "abc"}, abc_options({{"from", "2025-03-01"}}));
  EXPECT_DOUBLE_EQ(by_customer(from, "revenue").at(x_).get<double>(), 1110.0);
  EXPECT_DOUBLE_EQ(by_customer(from, "cost").at(x_).get<double>(), 5.05);
  const auto to = run({"segment", "abc"}, abc_options({{"to", "2025-03-31"}}));
  EXPECT_DOUBLE_EQ(by_customer(to, "revenue").at(x_).get<double>(), 111.0);
  EXPECT_DOUBLE_EQ(by_customer(to, "cost").at(x_).get<double>(), 5.05);
  // A one-day period: only the purchase at its midnight.
  const auto day =
      run({"segment", "abc"}, abc_options({{"from", "2025-03-01"}, {"to", "2025-03-01"}}));
  EXPECT_DOUBLE_EQ(by_customer(day, "revenue").at(x_).get<double>(), 10.0);
  EXPECT_EQ(by_customer(day, "revenue").count(y_), 0u);
}

TEST_F(PeriodBoundaries, PyramidCountsTheFirstAndLastDayOnly) {
  const auto out = run({"segment", "pyramid"}, {{"from", "2025-03-01"}, {"to", "2025-03-31"}});
  EXPECT_DOUBLE_EQ(by_customer(out, "revenue").at(x_).get<double>(), 110.0);
  // Two customers: X (110) has nobody above (platinum), Y (50) one of two
  // above, a rank share of 0.5: lead.
  EXPECT_EQ(by_customer(out, "tier").at(x_), "platinum");
  EXPECT_EQ(by_customer(out, "tier").at(y_), "lead");
  EXPECT_DOUBLE_EQ(out["tiers"][0]["revenue"].get<double>(), 110.0);
  EXPECT_DOUBLE_EQ(out["tiers"][3]["revenue"].get<double>(), 50.0);
  const auto from = run({"segment", "pyramid"}, {{"from", "2025-03-01"}});
  EXPECT_DOUBLE_EQ(by_customer(from, "revenue").at(x_).get<double>(), 1110.0);
  const auto to = run({"segment", "pyramid"}, {{"to", "2025-03-31"}});
  EXPECT_DOUBLE_EQ(by_customer(to, "revenue").at(x_).get<double>(), 111.0);
}

// 100 customers with revenues 1..100: the one with k customers above has a
// rank share of k/100. 1/100, 5/100 and 20/100 are exactly the tier edges
// (0.01, 0.05, 0.20), so the tiers hold 1, 4, 15 and 80 customers with
// revenues 100; 99+98+97+96 = 390; 95+...+81 = 15 * 88 = 1320; 1+...+80 = 3240.
TEST_F(RetentionCommands, PyramidTiersThroughTheCommand) {
  std::map<crm::CustomerId, int> revenue;
  for (int v = 1; v <= 100; ++v) {
    std::string name = "V";
    name += std::to_string(v);
    const auto id = customer(name);
    purchase(id, "2025-05-01", v);
    revenue[id] = v;
  }
  const auto out = run({"segment", "pyramid"});
  const std::vector<std::string> names = {"platinum", "gold", "iron", "lead"};
  const std::vector<int> counts = {1, 4, 15, 80};
  const std::vector<double> sums = {100, 390, 1320, 3240};
  const std::vector<double> edges = {0.01, 0.05, 0.20, 1.0};
  ASSERT_EQ(out["tiers"].size(), 4u);
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(out["tiers"][k]["tier"], names[k]);
    EXPECT_EQ(out["tiers"][k]["customers"], counts[k]) << names[k];
    EXPECT_DOUBLE_EQ(out["tiers"][k]["revenue"].get<double>(), sums[k]) << names[k];
    EXPECT_DOUBLE_EQ(out["tiers"][k]["up_to_rank_share"].get<double>(), edges[k]);
  }
  const auto tier = by_customer(out, "tier");
  for (const auto& [id, v] : revenue) {
    const char* expected = v == 100 ? "platinum" : v >= 96 ? "gold" : v >= 81 ? "iron" : "lead";
    EXPECT_EQ(tier.at(id), expected) << "revenue " << v;
  }
}

// Four customers, as of Friday 2025-02-28 (the weeks start on Mondays:
// 01-06, 01-13, 01-20, 01-27, 02-03, 02-10, 02-17, 02-24):
//   A: Mon 01-06, Tue 01-07, Mon 01-20, Mon 02-03
//   B: Tue 01-07, Mon 02-10
//   C: Mon 01-13, Tue 01-14
//   D: Fri 02-28 (the as-of day: counted), Sat 03-01 (the day after: not)
class Cohorts : public RetentionCommands {
 protected:
  void SetUp() override {
    a_ = customer("A");
    const auto b = customer("B"), c = customer("C"), d = customer("D");
    for (const char* day : {"2025-01-06", "2025-01-07T18:00:00Z", "2025-01-20", "2025-02-03"})
      purchase(a_, day, 10);
    purchase(b, "2025-01-07", 10);
    purchase(b, "2025-02-10", 10);
    purchase(c, "2025-01-13", 10);
    purchase(c, "2025-01-14", 10);
    purchase(d, "2025-02-28T23:59:59Z", 10);
    purchase(d, "2025-03-01T00:00:00Z", 10);
  }
  crm::Json cohorts(const std::string& period) {
    return run({"cohorts"}, {{"period", period}, {"as-of", "2025-02-28"}})["cohorts"];
  }
  crm::CustomerId a_ = 0;
};

TEST_F(Cohorts, ByMonth) {
  // January: A, B, C; two of them (A 02-03, B 02-10) bought in February.
  // February: D, on the as-of day. March (D's second purchase) is after it.
  const auto t = cohorts("month");
  ASSERT_EQ(t.size(), 2u) << t.dump();
  EXPECT_EQ(t[0]["start"], "2025-01-01");
  EXPECT_EQ(t[0]["size"], 3);
  EXPECT_EQ(t[0]["active"], crm::Json::array({3, 2}));
  EXPECT_NEAR(t[0]["retention"][1].get<double>(), 2.0 / 3.0, 1e-15);
  EXPECT_EQ(t[1]["start"], "2025-02-01");
  EXPECT_EQ(t[1]["active"], crm::Json::array({1}));
}

TEST_F(Cohorts, ByWeek) {
  // Week of 01-06: A and B; A again in the weeks +2 (01-20) and +4 (02-03), B
  // in +5 (02-10); seven weeks later is the as-of week of 02-24.
  // Week of 01-13: C only (two purchases in one week count once).
  // Week of 02-24: D (03-01 is in the same week, but after the as-of day).
  const auto t = cohorts("week");
  ASSERT_EQ(t.size(), 3u) << t.dump();
  EXPECT_EQ(t[0]["start"], "2025-01-06");
  EXPECT_EQ(t[0]["size"], 2);
  EXPECT_EQ(t[0]["active"], crm::Json::array({2, 0, 1, 0, 1, 1, 0, 0}));
  EXPECT_DOUBLE_EQ(t[0]["retention"][2].get<double>(), 0.5);
  EXPECT_EQ(t[1]["start"], "2025-01-13");
  EXPECT_EQ(t[1]["active"], crm::Json::array({1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(t[2]["start"], "2025-02-24");
  EXPECT_EQ(t[2]["active"], crm::Json::array({1}));
}

TEST_F(Cohorts, ByDay) {
  // One customer per first day; 01-06 to the as-of day 02-28 is 53 days.
  // A: +1 (01-07), +14 (01-20), +28 (02-03). B (01-07): +34 (02-10).
  // C (01-13): +1 (01-14), 46 days to the as-of day. D (02-28): one day.
  const auto t = cohorts("day");
  ASSERT_EQ(t.size(), 4u) << t.dump();
  const auto active_at = [](const crm::Json& row) {
    std::vector<std::size_t> at;
    for (std::size_t k = 0; k < row["active"].size(); ++k)
      if (row["active"][k] != 0) at.push_back(k);
    return at;
  };
  EXPECT_EQ(t[0]["start"], "2025-01-06");
  EXPECT_EQ(t[0]["active"].size(), 54u);
  EXPECT_EQ(active_at(t[0]), (std::vector<std::size_t>{0, 1, 14, 28}));
  EXPECT_EQ(t[1]["start"], "2025-01-07");
  EXPECT_EQ(t[1]["active"].size(), 53u);
  EXPECT_EQ(active_at(t[1]), (std::vector<std::size_t>{0, 34}));
  EXPECT_EQ(t[2]["start"], "2025-01-13");
  EXPECT_EQ(t[2]["active"].size(), 47u);
  EXPECT_EQ(active_at(t[2]), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(t[3]["start"], "2025-02-28");
  EXPECT_EQ(t[3]["active"], crm::Json::array({1}));
}

TEST_F(Cohorts, AsOfTheDayBeforeLeavesTheLastDayOut) {
  // As of 02-27, D has not bought yet: no February cohort, and January's
  // February column counts A and B only.
  const auto t = run({"cohorts"}, {{"period", "month"}, {"as-of", "2025-02-27"}})["cohorts"];
  ASSERT_EQ(t.size(), 1u) << t.dump();
  EXPECT_EQ(t[0]["active"], crm::Json::array({3, 2}));
  // As of 03-01 D's second purchase is in: a March column (D is still of
  // the February cohort).
  const auto later = run({"cohorts"}, {{"period", "month"}, {"as-of", "2025-03-01"}})["cohorts"];
  ASSERT_EQ(later.size(), 2u) << later.dump();
  EXPECT_EQ(later[0]["active"], crm::Json::array({3, 2, 0}));
  EXPECT_EQ(later[1]["active"], crm::Json::array({1, 1}));
}

// Five customers whose scores are worked out in retention_plugin_test.cpp
// (RfmScoresAndSegmentsByHand): C1 loyal, C2 loyal, C3 hibernating, C4 lost,
// C5 promising as of 2025-12-31.
class RfmRuns : public RetentionCommands {
 protected:
  void five_customers() {
    ids_ = {customer("C1"), customer("C2"), customer("C3"), customer("C4"), customer("C5")};
    purchase(ids_[0], "2025-12-30", 100);
    purchase(ids_[0], "2025-12-01", 100);
    purchase(ids_[0], "2025-11-01", 100);
    purchase(ids_[1], "2025-12-20", 50);
    purchase(ids_[1], "2025-10-01", 50);
    purchase(ids_[2], "2025-06-01", 500);
    purchase(ids_[3], "2025-01-10", 10);
    purchase(ids_[4], "2025-12-30", 20);
  }
  std::map<std::string, std::string> as_of() { return {{"as-of", "2025-12-31"}, {"window", "0"}}; }
  std::vector<crm::CustomerId> ids_;
};

TEST_F(RfmRuns, DryRunWritesAndAnnouncesNothing) {
  five_customers();
  const auto audit_before = count("audit_log");
  events_.clear();
  auto options = as_of();
  options["dry-run"] = "true";
  const auto dry = run({"segment", "rfm"}, options);
  // The report is the real one ...
  const auto segment = by_customer(dry, "segment");
  EXPECT_EQ(segment.at(ids_[0]), "loyal");
  EXPECT_EQ(segment.at(ids_[2]), "hibernating");
  EXPECT_EQ(segment.at(ids_[4]), "promising");
  EXPECT_EQ(dry["segments"]["loyal"], 2);
  // ... but nothing is stored, updated, audited or announced.
  EXPECT_EQ(count("retention_rfm"), 0);
  EXPECT_EQ(count("retention_segment_history"), 0);
  EXPECT_EQ(count("audit_log"), audit_before);
  for (const auto id : ids_) EXPECT_EQ(store().customers().get(id).segment, "") << id;
  EXPECT_TRUE(events_.empty()) << events_.size() << " events, first " << events_.front();

  // The same run for real stores all five.
  const auto real = run({"segment", "rfm"}, as_of());
  EXPECT_EQ(real["customers"], dry["customers"]);
  EXPECT_EQ(count("retention_rfm"), 5);
  EXPECT_EQ(count("retention_segment_history"), 5);
  EXPECT_EQ(store().customers().get(ids_[2]).segment, "hibernating");
}

TEST_F(RfmRuns, SegmentRulesFromTheConfiguration) {
  start({{"rfm_segments", crm::Json::parse(R"([{"name": "big_spender", "m": [5, 5]},
                                               {"name": "frequent", "f": [4, 5]},
                                               {"name": "others"}])")}});
  five_customers();
  // m 4,3,5,1,2 and f 5,4,1,1,1: C3 big spender, C1 and C2 frequent.
  const auto out = run({"segment", "rfm"}, as_of());
  const auto segment = by_customer(out, "segment");
  EXPECT_EQ(segment.at(ids_[2]), "big_spender");
  EXPECT_EQ(segment.at(ids_[0]), "frequent");
  EXPECT_EQ(segment.at(ids_[1]), "frequent");
  EXPECT_EQ(segment.at(ids_[3]), "others");
  EXPECT_EQ(store().customers().get(ids_[4]).segment, "others");
}

// A bad configuration stops the plugin at start, naming the key; its
// commands are then not registered.
TEST_F(RfmRuns, InvalidConfiguredSegmentRulesNameTheKey) {
  start({{"rfm_segments", crm::Json::parse(R"([{"name": "x", "r": "high"}])")}});
  const std::string why = retention_error();
  EXPECT_NE(why.find("rfm_segments: rule 0 field 'r'"), std::string::npos) << why;
  EXPECT_THROW(run({"segment", "rfm"}, as_of()), crm::NotFound);
}

// The cost of an interaction is what the kernel's channel catalogue said
// when it was recorded: configuring the catalogue replaces a default and adds
// channels; the others keep their defaults. P: purchase 80 (channel store) +
// a visit; Q: purchase 15 + a web form; R: purchase 5 + a phone call.
TEST_F(RetentionCommands, ChannelCostsFromTheChannelCatalogue) {
  const auto setup = [&] {
    const auto p = customer("P"), q = customer("Q"), r = customer("R");
    purchase(p, "2025-03-02", 80);
    interaction(p, "2025-03-05", "visit", "visit", std::nullopt);
    purchase(q, "2025-03-03", 15);
    interaction(q, "2025-03-05", "form", "web", std::nullopt);
    purchase(r, "2025-03-04", 5);
    interaction(r, "2025-03-05", "call", "phone", std::nullopt);
    return std::array{p, q, r};
  };
  auto ids = setup();
  auto cost = by_customer(run({"segment", "abc"}, abc_options({{"by", "profit"}})), "cost");
  EXPECT_DOUBLE_EQ(cost.at(ids[0]).get<double>(), 5.00);
  EXPECT_DOUBLE_EQ(cost.at(ids[1]).get<double>(), 0.02);
  EXPECT_DOUBLE_EQ(cost.at(ids[2]).get<double>(), 0.05);

  start(crm::Json::object(), {{"visit", {{"cost", "2.50 USD"}}},
                              {"web", {{"cost", "0.03 USD"}}},
                              {"store", {{"cost", "1.00 USD"}}}});
  ids = setup();
  const auto out = run({"segment", "abc"}, abc_options({{"by", "profit"}}));
  cost = by_customer(out, "cost");
  EXPECT_DOUBLE_EQ(cost.at(ids[0]).get<double>(), 2.5 + 1.0);
  EXPECT_DOUBLE_EQ(cost.at(ids[1]).get<double>(), 0.03 + 1.0);
  EXPECT_DOUBLE_EQ(cost.at(ids[2]).get<double>(), 0.05 + 1.0);  // phone: the default
  EXPECT_DOUBLE_EQ(by_customer(out, "profit").at(ids[0]).get<double>(), 80 - 3.5);
}

// The plugin's own channel_costs key is gone: it points at the catalogue.
TEST_F(RetentionCommands, ChannelCostsKeyPointsAtTheCatalogue) {
  start({{"channel_costs", {{"visit", 2.5}}}});
  const std::string why = retention_error();
  EXPECT_NE(why.find("channel_costs: channel costs are configured in the kernel's channel "
                     "catalogue, the configuration's top-level \"channels\" key"),
            std::string::npos)
      << why;
}

}  // namespace
