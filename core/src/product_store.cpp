#include "product_store.hpp"

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "json_text.hpp"

namespace crm::core {

namespace {

// Throws InvalidInput naming the field when `p` cannot be stored as it is.
void validate_product(const Product& p) {
  require_valid_sku(p.sku);
  require_utf8(p.name, "product name");
  if (p.name.empty()) throw InvalidInput("product " + p.sku + ": name is empty");
  require_utf8(p.category, "product category");
  if (p.warranty_months < 0 || p.warranty_months > 600) {
    throw InvalidInput("product " + p.sku + ": warranty months must be from 0 to 600, not " +
                       std::to_string(p.warranty_months));
  }
}

std::string period_text(Date from, const std::optional<Date>& to) {
  return from.to_string() + ".." + (to ? to->to_string() : std::string("open"));
}

}  // namespace

Date utc_day(TimePoint t) { return Date::from_days(std::chrono::floor<std::chrono::days>(t)); }

ProductId ProductStore::add(const Product& p, const Actor& by) {
  validate_product(p);
  Transaction tx(p_.db);
  if (find_by_sku(p.sku)) throw DuplicateKey("product sku '" + p.sku + "' is taken");
  const TimePoint now = p_.clock.now();
  p_.db.execute(
      "INSERT INTO products (sku, name, category, serialised, warranty_months, created_at, "
      "updated_at) VALUES (?,?,?,?,?,?,?)",
      {p.sku, p.name, p.category, std::int64_t{p.serialised}, std::int64_t{p.warranty_months},
       to_unix(now), to_unix(now)});
  const ProductId id = p_.db.last_insert_id();
  Product stored = p;
  stored.id = id;
  p_.audit.record(by, "product.add", "product", id, std::nullopt, to_json(stored));
  p_.bus.publish(
      Event{events::kProductAdded, now, std::nullopt, Json{{"product_id", id}, {"sku", p.sku}}});
  tx.commit();
  return id;
}

void ProductStore::update(const Product& p, const Actor& by) {
  Transaction tx(p_.db);
  const auto old = find(p.id);
  if (!old) throw NotFound("product " + std::to_string(p.id) + " not found");
  Product next = p;
  next.sku = old->sku;
  validate_product(next);
  if (old->serialised && !next.serialised &&
      !p_.db.query("SELECT 1 FROM assets WHERE product_id = ? LIMIT 1", {p.id}).empty()) {
    throw InvalidInput("product " + old->sku +
                       ": customers own serialised units of it; it stays serialised");
  }
  const TimePoint now = p_.clock.now();
  p_.db.execute(
      "UPDATE products SET name = ?, category = ?, serialised = ?, warranty_months = ?, "
      "updated_at = ? WHERE id = ?",
      {next.name, next.category, std::int64_t{next.serialised}, std::int64_t{next.warranty_months},
       to_unix(now), p.id});
  p_.audit.record(by, "product.update", "product", p.id, std::nullopt,
                  Json{{"before", to_json(*old)}, {"after", to_json(next)}});
  p_.bus.publish(Event{events::kProductUpdated, now, std::nullopt,
                       Json{{"product_id", p.id}, {"sku", next.sku}}});
  tx.commit();
}

std::vector<Product> ProductStore::select(const std::string& where,
                                          const std::vector<SqlValue>& params) {
  std::vector<Product> out;
  p_.db.query_each(
      "SELECT id, sku, name, category, serialised, warranty_months FROM products WHERE " + where +
          " ORDER BY sku",
      params, [&](const SqlRow& r) {
        Product p;
        p.id = r.integer(0);
        p.sku = r.text(1);
        p.name = r.text(2);
        p.category = r.text(3);
        p.serialised = r.integer(4) != 0;
        p.warranty_months = static_cast<int>(r.integer(5));
        out.push_back(std::move(p));
      });
  return out;
}

std::optional<Product> ProductStore::find(ProductId id) {
  auto v = select("id = ?", {id});
  if (v.empty()) return std::nullopt;
  return v.front();
}

std::optional<Product> ProductStore::find_by_sku(const std::string& sku) {
  auto v = select("sku = ?", {sku});
  if (v.empty()) return std::nullopt;
  return v.front();
}

Product ProductStore::get_by_sku(const std::string& sku) {
  auto p = find_by_sku(sku);
  if (!p) throw NotFound("product sku '" + sku + "' not found");
  return *p;
}

std::vector<Product> ProductStore::list(const ProductQuery& q) {
  std::string where = "1=1";
  std::vector<SqlValue> params;
  if (q.category) {
    where += " AND category = ?";
    params.emplace_back(*q.category);
  }
  if (q.serialised) {
    where += " AND serialised = ?";
    params.emplace_back(std::int64_t{*q.serialised});
  }
  return select(where, params);
}

std::vector<Price> ProductStore::select_prices(const std::string& where,
                                               const std::vector<SqlValue>& params) {
  std::vector<Price> out;
  p_.db.query_each(
      "SELECT product_id, valid_from, valid_to, unit_price, currency FROM product_prices WHERE " +
          where + " ORDER BY valid_from",
      params, [&](const SqlRow& r) {
        Price p;
        p.product_id = r.integer(0);
        p.valid_from = Date::parse(r.text(1));
        if (!r.is_null(2)) p.valid_to = Date::parse(r.text(2));
        p.unit_price = Money(r.integer(3), Currency::of(r.text(4)));
        out.push_back(p);
      });
  return out;
}

void ProductStore::set_price(const Price& p, const Actor& by) {
  Transaction tx(p_.db);
  const auto product = find(p.product_id);
  if (!product) throw NotFound("product " + std::to_string(p.product_id) + " not found");
  const std::string what = "price of " + product->sku + " " + period_text(p.valid_from, p.valid_to);
  if (p.valid_to && *p.valid_to < p.valid_from) {
    throw InvalidInput(what + ": the period ends before it starts");
  }
  if (p.unit_price.minor_units() < 0) {
    throw InvalidInput(what + ": a price is 0 or more, not " + p.unit_price.to_string());
  }
  // Two periods overlap when each starts before (or on) the other's end; an
  // open end is the end of time.
  const std::string to = p.valid_to ? p.valid_to->to_string() : std::string("9999-12-31");
  const auto clash =
      select_prices("product_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)",
                    {p.product_id, to, p.valid_from.to_string()});
  if (!clash.empty()) {
    throw InvalidInput(what + " overlaps its price " + clash.front().unit_price.to_string() +
                       " of " + period_text(clash.front().valid_from, clash.front().valid_to) +
                       ": a product has one price on a day");
  }
  const TimePoint now = p_.clock.now();
  p_.db.execute(
      "INSERT INTO product_prices (product_id, valid_from, valid_to, unit_price, currency, "
      "created_at) VALUES (?,?,?,?,?,?)",
      {p.product_id, p.valid_from.to_string(),
       p.valid_to ? SqlValue{p.valid_to->to_string()} : SqlValue{nullptr},
       p.unit_price.minor_units(), std::string(p.unit_price.currency().code()), to_unix(now)});
  p_.audit.record(by, "product.price_set", "product", p.product_id, std::nullopt, to_json(p));
  Json payload = to_json(p);
  payload["sku"] = product->sku;
  p_.bus.publish(Event{events::kPriceSet, now, std::nullopt, payload});
  tx.commit();
}

std::optional<Price> ProductStore::price_on(ProductId product, Date day) {
  const std::string d = day.to_string();
  auto v =
      select_prices("product_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)",
                    {product, d, d});
  if (v.empty()) return std::nullopt;
  return v.front();
}

std::vector<Price> ProductStore::prices(ProductId product) {
  return select_prices("product_id = ?", {product});
}

std::vector<PurchaseLine> ProductStore::add_lines(InteractionId interaction,
                                                  const std::vector<PurchaseLine>& lines,
                                                  const Actor& by) {
  Transaction tx(p_.db);
  const auto rows = p_.db.query(
      "SELECT customer_id, kind, occurred_at FROM interactions WHERE id = ?", {interaction});
  if (rows.empty()) throw NotFound("interaction " + std::to_string(interaction) + " not found");
  const CustomerId customer = rows.front().integer(0);
  if (rows.front().text(1) != "purchase") {
    throw InvalidInput("interaction " + std::to_string(interaction) + " is a " +
                       rows.front().text(1) + ", not a purchase: it has no purchase lines");
  }
  const Date day = utc_day(from_unix(rows.front().integer(2)));
  int next = static_cast<int>(
      p_.db
          .query("SELECT COALESCE(MAX(line), 0) FROM purchase_lines WHERE interaction_id = ?",
                 {interaction})
          .front()
          .integer(0));
  std::vector<PurchaseLine> added;
  Json audit_lines = Json::array();
  for (const PurchaseLine& in : lines) {
    const auto product = find(in.product_id);
    if (!product) throw NotFound("product " + std::to_string(in.product_id) + " not found");
    if (in.quantity < 1) {
      throw InvalidInput("purchase line of " + product->sku + ": quantity must be 1 or more, not " +
                         std::to_string(in.quantity));
    }
    PurchaseLine l = in;
    l.interaction_id = interaction;
    l.line = ++next;
    if (!l.unit_price) {
      const auto price = price_on(product->id, day);
      if (!price) {
        throw InvalidInput("purchase line of " + product->sku + ": no price on " + day.to_string() +
                           " in the price list (give a unit price)");
      }
      l.unit_price = price->unit_price;
    }
    if (l.unit_price->minor_units() < 0) {
      throw InvalidInput("purchase line of " + product->sku + ": unit price must be 0 or more");
    }
    (void)(*l.unit_price * l.quantity);  // overflow of the line total throws here
    p_.db.execute(
        "INSERT INTO purchase_lines (interaction_id, line, product_id, quantity, unit_price, "
        "currency) VALUES (?,?,?,?,?,?)",
        {interaction, std::int64_t{l.line}, l.product_id, l.quantity, l.unit_price->minor_units(),
         std::string(l.unit_price->currency().code())});
    Json j = to_json(l);
    j["sku"] = product->sku;
    audit_lines.push_back(j);
    added.push_back(l);
  }
  const TimePoint now = p_.clock.now();
  p_.audit.record(by, "purchase.add_lines", "interaction", interaction, customer,
                  Json{{"lines", audit_lines}});
  p_.bus.publish(Event{events::kPurchaseLinesAdded, now, customer,
                       Json{{"interaction_id", interaction}, {"lines", audit_lines}}});
  tx.commit();
  return added;
}

std::vector<PurchaseLine> ProductStore::lines(InteractionId interaction) {
  std::vector<PurchaseLine> out;
  p_.db.query_each(
      "SELECT interaction_id, line, product_id, quantity, unit_price, currency FROM "
      "purchase_lines WHERE interaction_id = ? ORDER BY line",
      {interaction}, [&](const SqlRow& r) {
        PurchaseLine l;
        l.interaction_id = r.integer(0);
        l.line = static_cast<int>(r.integer(1));
        l.product_id = r.integer(2);
        l.quantity = r.integer(3);
        l.unit_price = Money(r.integer(4), Currency::of(r.text(5)));
        out.push_back(l);
      });
  return out;
}

}  // namespace crm::core
