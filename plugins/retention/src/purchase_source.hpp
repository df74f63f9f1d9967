// Purchases and other per-customer facts read from the kernel's store
// through its read models (crm/interaction_scan.hpp), in the column form the
// retention models take. No SQL on kernel tables: their layout is private.
#pragma once

#include <optional>
#include <vector>

#include "crm/retention/purchases.hpp"
#include "crm/store.hpp"
#include "crm/time_zone.hpp"

namespace crm::retention_plugin {

// Every interaction of kind "purchase" with an amount, up to and including
// local day `until_day` (days since 1970-01-01 in `zone`) when given, each
// on its local day. Customer keys are the decimal kernel customer ids;
// amounts are in major units of the one currency the purchases are in.
// Throws InvalidInput naming both currencies when the purchases are in more
// than one (the models add amounts up).
retention::PurchaseLog load_purchases(InteractionRepository& interactions, const TimeZone& zone,
                                      std::optional<int> until_day = std::nullopt);

// The kernel customer id behind a PurchaseLog customer index.
CustomerId customer_id(const retention::PurchaseLog& log, std::int32_t index);

// Number of interactions of `kind` per PurchaseLog customer (e.g. complaints).
std::vector<double> count_per_customer(InteractionRepository& interactions,
                                       const retention::PurchaseLog& log, const std::string& kind);

// The local day (days since 1970-01-01 in the business time zone `zone`) of
// a time point: a purchase at 00:30 on 1 January in Berlin is on 1 January,
// though UTC still says 31 December 23:30.
int day_of(TimePoint t, const TimeZone& zone);
// The first instant of local day `day` in `zone`, as seconds since the epoch.
std::int64_t day_start(int day, const TimeZone& zone);

// The first instant of `day`.
TimePoint start_of_day(int day);

// "YYYY-MM-DD" -> day; the text of InvalidInput names the option.
int parse_day(const std::string& text, const char* option);

}  // namespace crm::retention_plugin
