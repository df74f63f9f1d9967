// Events: what happened, when (kernel clock), to whom, with a JSON payload.
#pragma once

#include <optional>
#include <string>

#include "crm/customer.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/time.hpp"

namespace crm {

// Event types the kernel itself emits. Plugins add their own, named
// "<area>.<what happened>" in the past tense.
namespace events {
inline constexpr const char* kCustomerCreated = "customer.created";
inline constexpr const char* kCustomerUpdated = "customer.updated";
inline constexpr const char* kCustomerMerged = "customer.merged";
// {"tables": N, "rows": N}: what the export held.
inline constexpr const char* kCustomerExported = "customer.exported";
// The ErasureReport's "deleted" and "anonymised" counts.
inline constexpr const char* kCustomerErased = "customer.erased";
inline constexpr const char* kOwnerChanged = "customer.owner_changed";
inline constexpr const char* kInteractionRecorded = "interaction.recorded";
inline constexpr const char* kPurchaseRecorded = "purchase.recorded";
inline constexpr const char* kTaskCreated = "task.created";
inline constexpr const char* kTaskCompleted = "task.completed";
inline constexpr const char* kTaskCancelled = "task.cancelled";
inline constexpr const char* kTimerFired = "timer.fired";
inline constexpr const char* kCaseOpened = "case.opened";
inline constexpr const char* kCaseAssigned = "case.assigned";
inline constexpr const char* kCaseStatusChanged = "case.status_changed";
inline constexpr const char* kCaseLinked = "case.linked";
inline constexpr const char* kProductAdded = "product.added";
inline constexpr const char* kProductUpdated = "product.updated";
inline constexpr const char* kPriceSet = "product.price_set";
inline constexpr const char* kPurchaseLinesAdded = "purchase.lines_added";
inline constexpr const char* kAssetRegistered = "asset.registered";
}  // namespace events

struct Event {
  std::string type;
  TimePoint time{};
  std::optional<CustomerId> customer_id;
  Json payload = Json::object();
};

CRM_API Json to_json(const Event& e);
// Reads what to_json() writes, exactly (also `j.get<Event>()`). Throws InvalidInput naming the key
// that is missing or of the wrong type ("event: 'name' must be a string").
CRM_API void from_json(const Json& j, Event& e);

}  // namespace crm
