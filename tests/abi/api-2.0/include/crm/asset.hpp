// A customer's asset: one unit of a serialised product the customer owns,
// identified by its serial number, so "is this under warranty?" is one
// lookup by serial.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "crm/customer.hpp"
#include "crm/date.hpp"
#include "crm/export.hpp"
#include "crm/interaction.hpp"
#include "crm/json.hpp"
#include "crm/product.hpp"

namespace crm {

using AssetId = std::int64_t;

struct Asset {
  AssetId id = 0;
  CustomerId customer_id = 0;
  ProductId product_id = 0;
  std::string serial;  // unique over all assets
  Date purchased_on{2000, 1, 1};
  // The last day under warranty (inclusive); none: no warranty. When adding,
  // empty means "from the product's warranty months" (warranty_end_for).
  std::optional<Date> warranty_end;
  std::optional<InteractionId> purchase;  // the purchase interaction, if known
};

// Whether a unit is under warranty on a day.
struct WarrantyStatus {
  Asset asset;
  Date on{2000, 1, 1};
  bool under_warranty = false;  // purchased_on <= on <= warranty_end
  // Days from `on` to warranty_end, 0 on the last day; negative once ended.
  std::optional<std::int64_t> days_left;
};

// The last day of a warranty of `months` months from `purchased_on`: the day
// before the same day `months` months later, or the last day of that month
// when it has no such day (31 January + 1 month: through 29 February of a
// leap year). None for 0 months.
CRM_API std::optional<Date> warranty_end_for(Date purchased_on, int months);

CRM_API Json to_json(const Asset& a);
// Reads what to_json() writes. Throws InvalidInput naming the key.
CRM_API void from_json(const Json& j, Asset& a);
CRM_API Json to_json(const WarrantyStatus& w);

}  // namespace crm
