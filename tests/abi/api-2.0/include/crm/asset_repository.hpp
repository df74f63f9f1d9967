// Customer assets in the store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crm/actor.hpp"
#include "crm/asset.hpp"
#include "crm/export.hpp"

namespace crm {

struct AssetQuery {
  std::optional<CustomerId> customer_id;
  std::optional<ProductId> product_id;
};

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API AssetRepository {
 public:
  virtual ~AssetRepository() = default;

  // Registers a customer's unit and returns its id; publishes
  // "asset.registered". The warranty end defaults to warranty_end_for() of
  // the product's warranty months. Throws NotFound for an unknown customer,
  // product or purchase interaction; InvalidInput when the product is not
  // serialised, the serial is empty or not printable, the warranty ends
  // before the purchase, or the purchase interaction is another customer's
  // or not a purchase; DuplicateKey naming the serial and the asset that
  // has it.
  virtual AssetId add(const Asset& a, const Actor& by) = 0;
  virtual std::optional<Asset> find(AssetId id) = 0;
  virtual std::optional<Asset> find_by_serial(const std::string& serial) = 0;
  // Matching assets ordered by customer, then purchase date, then id.
  virtual std::vector<Asset> list(const AssetQuery& q) = 0;
  // Whether the unit with `serial` is under warranty on `day`: one indexed
  // lookup. Throws NotFound naming the serial.
  virtual WarrantyStatus warranty(const std::string& serial, Date day) = 0;
};

}  // namespace crm
