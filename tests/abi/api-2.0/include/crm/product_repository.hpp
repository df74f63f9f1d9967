// Products, the price list and purchase lines in the store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crm/actor.hpp"
#include "crm/export.hpp"
#include "crm/product.hpp"

namespace crm {

struct ProductQuery {
  std::optional<std::string> category;
  std::optional<bool> serialised;
};

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API ProductRepository {
 public:
  virtual ~ProductRepository() = default;

  // Stores a new product and returns its id; publishes "product.added".
  // Throws InvalidInput for a bad SKU, an empty name or warranty months
  // outside 0..600, DuplicateKey naming the SKU when it is taken.
  virtual ProductId add(const Product& p, const Actor& by) = 0;
  // Replaces name, category, serialised and warranty months of product
  // `p.id` (the SKU stays); publishes "product.updated". Throws NotFound, or
  // InvalidInput like add(), or when serialised is turned off while assets
  // of the product exist.
  virtual void update(const Product& p, const Actor& by) = 0;
  virtual std::optional<Product> find(ProductId id) = 0;
  virtual std::optional<Product> find_by_sku(const std::string& sku) = 0;
  // Throws NotFound naming the SKU.
  virtual Product get_by_sku(const std::string& sku) = 0;
  // Matching products ordered by SKU.
  virtual std::vector<Product> list(const ProductQuery& q) = 0;

  // Adds a price to the list; publishes "product.price_set". Throws NotFound
  // for an unknown product, InvalidInput when valid_to is before valid_from,
  // the amount is negative, or the period overlaps one of the product's
  // prices (naming that price's period).
  virtual void set_price(const Price& p, const Actor& by) = 0;
  // The product's price valid on `day`, if any.
  virtual std::optional<Price> price_on(ProductId product, Date day) = 0;
  // Every price of the product, ordered by valid_from.
  virtual std::vector<Price> prices(ProductId product) = 0;

  // Adds lines to purchase interaction `interaction`, numbered after its
  // existing ones; a line without a unit price gets the price list's price
  // on the day the purchase occurred (UTC). Publishes "purchase.lines_added".
  // All or nothing: throws NotFound for an unknown interaction or product,
  // InvalidInput when the interaction is not a purchase, a quantity is not
  // 1 or more, or a product has no price on that day (naming SKU and day).
  virtual std::vector<PurchaseLine> add_lines(InteractionId interaction,
                                              const std::vector<PurchaseLine>& lines,
                                              const Actor& by) = 0;
  // The lines of a purchase, by line number.
  virtual std::vector<PurchaseLine> lines(InteractionId interaction) = 0;
};

}  // namespace crm
