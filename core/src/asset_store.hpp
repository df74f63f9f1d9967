#pragma once

#include "crm/asset_repository.hpp"
#include "crm/product_repository.hpp"
#include "store_parts.hpp"

namespace crm::core {

class AssetStore final : public AssetRepository {
 public:
  AssetStore(StoreParts parts, ProductRepository& products) : p_(parts), products_(products) {}
  AssetId add(const Asset& a, const Actor& by) override;
  std::optional<Asset> find(AssetId id) override;
  std::optional<Asset> find_by_serial(const std::string& serial) override;
  std::vector<Asset> list(const AssetQuery& q) override;
  WarrantyStatus warranty(const std::string& serial, Date day) override;

 private:
  std::vector<Asset> select(const std::string& where, const std::vector<SqlValue>& params);
  StoreParts p_;
  ProductRepository& products_;
};

}  // namespace crm::core
