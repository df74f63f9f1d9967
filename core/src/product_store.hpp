#pragma once

#include "crm/product_repository.hpp"
#include "store_parts.hpp"

namespace crm::core {

class ProductStore final : public ProductRepository {
 public:
  explicit ProductStore(StoreParts parts) : p_(parts) {}
  ProductId add(const Product& p, const Actor& by) override;
  void update(const Product& p, const Actor& by) override;
  std::optional<Product> find(ProductId id) override;
  std::optional<Product> find_by_sku(const std::string& sku) override;
  Product get_by_sku(const std::string& sku) override;
  std::vector<Product> list(const ProductQuery& q) override;
  void set_price(const Price& p, const Actor& by) override;
  std::optional<Price> price_on(ProductId product, Date day) override;
  std::vector<Price> prices(ProductId product) override;
  std::vector<PurchaseLine> add_lines(InteractionId interaction,
                                      const std::vector<PurchaseLine>& lines,
                                      const Actor& by) override;
  std::vector<PurchaseLine> lines(InteractionId interaction) override;

 private:
  std::vector<Product> select(const std::string& where, const std::vector<SqlValue>& params);
  std::vector<Price> select_prices(const std::string& where, const std::vector<SqlValue>& params);
  StoreParts p_;
};

// The UTC day of `t` (the business time zone is not applied here).
Date utc_day(TimePoint t);

}  // namespace crm::core
