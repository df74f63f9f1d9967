// Read models over the interactions: streaming scans that fill only the
// columns asked for, and totals per customer and per day computed by the
// store. Analytics (RFM, lifetime value, churn) read through these; the
// kernel's tables are private and their layout may change in any release.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/customer.hpp"
#include "crm/date.hpp"
#include "crm/json.hpp"
#include "crm/money.hpp"
#include "crm/time.hpp"

namespace crm {

using InteractionId = std::int64_t;

// The columns a scan fills. A column not asked for stays empty in every
// batch and is not read from the store (a scan of customer, time and amount
// reads an index only).
struct InteractionFields {
  bool id = false;
  bool customer_id = true;
  bool occurred_at = true;
  bool amount = false;
  bool kind = false;
  bool channel = false;
  bool payload = false;
};

// Which interactions a scan or a total covers; every set field narrows.
struct InteractionFilter {
  std::optional<CustomerId> customer_id;
  std::optional<std::string> kind;
  std::optional<std::string> channel;
  std::optional<TimePoint> from;  // inclusive
  std::optional<TimePoint> to;    // exclusive
  bool with_amount_only = false;  // only interactions that have an amount
};

struct InteractionScan {
  InteractionFilter filter;
  InteractionFields fields;
  // Customer, then time, then id (what per-customer analytics need), or
  // time, then id.
  enum class Order { kByCustomer, kByTime } order = Order::kByCustomer;
  // Rows per batch handed to the visitor (at least 1).
  std::size_t batch_rows = 65536;
};

// Up to InteractionScan::batch_rows interactions as parallel columns: row r
// is id[r], customer_id[r]... for the columns asked for; the others are
// empty. Valid only during the visitor's call.
struct InteractionBatch {
  std::size_t rows = 0;
  std::vector<InteractionId> id;
  std::vector<CustomerId> customer_id;
  std::vector<TimePoint> occurred_at;
  std::vector<std::optional<Money>> amount;
  std::vector<std::string> kind;
  std::vector<std::string> channel;
  std::vector<Json> payload;

  std::size_t size() const { return rows; }
};

// What a customer's matching interactions add up to. `sum` is the exact
// sum of the amounts of those that have one (nullopt if none has); `count`
// counts all of them.
struct CustomerTotals {
  CustomerId customer_id = 0;
  std::int64_t count = 0;
  std::optional<Money> sum;
  TimePoint first{};
  TimePoint last{};
};

// The same per calendar day (UTC) of occurred_at.
struct DayTotals {
  Date day{1970, 1, 1};
  std::int64_t count = 0;
  std::optional<Money> sum;
};

}  // namespace crm
