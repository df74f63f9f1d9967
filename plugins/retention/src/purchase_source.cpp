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

TimePoint start_of_day(int day) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::days(day)));
}

int parse_day(const std::string& text, const char* option) {
  try {
    return day_of(parse_time(text), TimeZone{});  // a date names its own day
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string("--") + option + ": " + e.what());
  }
}

retention::PurchaseLog load_purchases(InteractionRepository& interactions, const TimeZone& zone,
                                      std::optional<int> until_day) {
  InteractionScan s;
  s.filter.kind = "purchase";
  s.filter.with_amount_only = true;
  if (until_day) s.filter.to = from_unix(day_start(*until_day + 1, zone));
  s.fields.amount = true;
  retention::PurchaseLog log;
  std::optional<Currency> currency;
  CustomerId last = 0;
  // Rows come ordered by customer: a new customer index starts where the id
  // changes, and no key is hashed.
  // No reserve() per batch: growing by exactly one batch each time would
  // copy the whole log again on every batch (quadratic); the vectors' own
  // doubling copies each row about once.
  interactions.scan(s, [&](const InteractionBatch& b) {
    for (std::size_t r = 0; r < b.rows; ++r) {
      const Money& m = *b.amount[r];
      if (!currency) {
        currency = m.currency();
      } else if (!(m.currency() == *currency)) {
        throw InvalidInput("purchases are in " + std::string(currency->code()) + " and " +
                           std::string(m.currency().code()) + " (customer " +
                           std::to_string(b.customer_id[r]) +
                           "); the retention models need one currency");
      }
      if (log.customer_keys.empty() || b.customer_id[r] != last) {
        last = b.customer_id[r];
        log.customer_keys.push_back(std::to_string(last));
      }
      log.customer.push_back(static_cast<std::int32_t>(log.customer_keys.size() - 1));
      log.day.push_back(day_of(b.occurred_at[r], zone));
      log.amount.push_back(m.to_major());
    }
  });
  return log;
}

CustomerId customer_id(const retention::PurchaseLog& log, std::int32_t index) {
  const std::string& key = log.customer_keys.at(static_cast<std::size_t>(index));
  CustomerId id = 0;
  std::from_chars(key.data(), key.data() + key.size(), id);
  return id;
}

std::vector<double> count_per_customer(InteractionRepository& interactions,
                                       const retention::PurchaseLog& log, const std::string& kind) {
  std::unordered_map<CustomerId, std::size_t> index;
  for (std::size_t i = 0; i < log.customer_count(); ++i) {
    index[customer_id(log, static_cast<std::int32_t>(i))] = i;
  }
  std::vector<double> counts(log.customer_count(), 0.0);
  InteractionFilter f;
  f.kind = kind;
  for (const CustomerTotals& t : interactions.totals_per_customer(f)) {
    auto it = index.find(t.customer_id);
    if (it != index.end()) counts[it->second] = static_cast<double>(t.count);
  }
  return counts;
}

}  // namespace crm::retention_plugin
