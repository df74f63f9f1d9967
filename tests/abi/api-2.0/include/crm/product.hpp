// Products, their prices and the lines of a purchase.
//
// A product is what the business sells, by SKU. A serialised product is one
// whose every unit has a serial number; a customer's unit is an Asset
// (crm/asset.hpp) and its warranty runs `warranty_months` from the purchase.
//
// The price list is one list: a product has at most one price on any day, so
// two quotes for the same product and day cannot disagree. A price is valid
// from `valid_from` through `valid_to` (both inclusive; no `valid_to`: until
// further notice); periods of one product never overlap.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "crm/date.hpp"
#include "crm/export.hpp"
#include "crm/interaction.hpp"
#include "crm/json.hpp"
#include "crm/money.hpp"

namespace crm {

using ProductId = std::int64_t;

struct Product {
  ProductId id = 0;
  std::string sku;  // unique; letters, digits and - _ . / only
  std::string name;
  std::string category;
  bool serialised = false;
  int warranty_months = 0;  // 0 to 600; 0: no warranty
};

struct Price {
  ProductId product_id = 0;
  Date valid_from{2000, 1, 1};
  std::optional<Date> valid_to;  // inclusive; none: open-ended
  Money unit_price{0, Currency::of("USD")};
};

// One line of a purchase interaction: so many units of a product at a unit
// price.
struct PurchaseLine {
  InteractionId interaction_id = 0;
  int line = 0;  // 1, 2, ... within the interaction, in the order added
  ProductId product_id = 0;
  std::int64_t quantity = 1;  // 1 or more
  // Empty when adding: the price list's price on the day of the purchase.
  std::optional<Money> unit_price;
};

CRM_API Json to_json(const Product& p);
// Reads what to_json() writes. Throws InvalidInput naming the key.
CRM_API void from_json(const Json& j, Product& p);
CRM_API Json to_json(const Price& p);
CRM_API Json to_json(const PurchaseLine& l);

// `sku` if it is a valid SKU; throws InvalidInput ("sku 'a b': ...") otherwise.
CRM_API void require_valid_sku(std::string_view sku);

}  // namespace crm
