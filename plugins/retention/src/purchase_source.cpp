#include "purchase_source.hpp"

#include <charconv>
#include <unordered_map>

#include "crm/error.hpp"

namespace crm::retention_plugin {

int day_of(TimePoint t, const TimeZone& zone) {
  return static_cast<int>(zone.local_day(t).time_since_epoch().count());
}

std::int64_t day_start(int day, const TimeZone& zone) {
  return to_unix(zone.start_of_day(LocalDays{std::chrono::days{day}}));
}

int parse_day(const std::string& text, const char* option) {
  try {
    return day_of(parse_time(text), TimeZone{});  // a date names its own day
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string("--") + option + ": " + e.what());
  }
}

retention::PurchaseLog load_purchases(Database& db, const TimeZone& zone,
                                      std::optional<int> until_day) {
  retention::PurchaseLogBuilder b;
  // The kernel's interactions table is read directly: the repository would
  // parse every JSON payload, and analytics over millions of purchases need
  // only three columns.
  std::string sql =
      "SELECT customer_id, occurred_at, amount FROM interactions "
      "WHERE kind = 'purchase' AND amount IS NOT NULL";
  std::vector<SqlValue> params;
  if (until_day) {
    sql += " AND occurred_at < ?";
    params.emplace_back(day_start(*until_day + 1, zone));
  }
  sql += " ORDER BY customer_id, occurred_at";
  db.query_each(sql, params, [&](const SqlRow& r) {
    b.add(std::to_string(r.integer(0)), day_of(from_unix(r.integer(1)), zone), r.real(2));
  });
  return b.build();
}

CustomerId customer_id(const retention::PurchaseLog& log, std::int32_t index) {
  const std::string& key = log.customer_keys.at(static_cast<std::size_t>(index));
  CustomerId id = 0;
  std::from_chars(key.data(), key.data() + key.size(), id);
  return id;
}

std::vector<double> count_per_customer(Database& db, const retention::PurchaseLog& log,
                                       const std::string& kind) {
  std::unordered_map<CustomerId, std::size_t> index;
  for (std::size_t i = 0; i < log.customer_count(); ++i) {
    index[customer_id(log, static_cast<std::int32_t>(i))] = i;
  }
  std::vector<double> counts(log.customer_count(), 0.0);
  db.query_each(
      "SELECT customer_id, COUNT(*) FROM interactions WHERE kind = ? GROUP BY customer_id", {kind},
      [&](const SqlRow& r) {
        auto it = index.find(r.integer(0));
        if (it != index.end()) counts[it->second] = static_cast<double>(r.integer(1));
      });
  return counts;
}

}  // namespace crm::retention_plugin
