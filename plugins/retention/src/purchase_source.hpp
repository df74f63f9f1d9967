// Purchases and other per-customer facts read from the kernel's store, in the
// column form the retention models take.
#pragma once

#include <optional>
#include <vector>

#include "crm/retention/purchases.hpp"
#include "crm/store.hpp"

namespace crm::retention_plugin {

// Every interaction of kind "purchase" with an amount, up to and including
// `until_day` (days since 1970-01-01) when given. Customer keys are the
// decimal kernel customer ids.
retention::PurchaseLog load_purchases(Database& db, std::optional<int> until_day = std::nullopt);

// The kernel customer id behind a PurchaseLog customer index.
CustomerId customer_id(const retention::PurchaseLog& log, std::int32_t index);

// Number of interactions of `kind` per PurchaseLog customer (e.g. complaints).
std::vector<double> count_per_customer(Database& db, const retention::PurchaseLog& log,
                                       const std::string& kind);

// The day (days since epoch, UTC) of a time point.
int day_of(TimePoint t);

// "YYYY-MM-DD" -> day; the text of InvalidInput names the option.
int parse_day(const std::string& text, const char* option);

}  // namespace crm::retention_plugin
