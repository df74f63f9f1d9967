#include "asset_store.hpp"

#include <algorithm>

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "json_text.hpp"

namespace crm::core {

namespace {

// A serial is printed on labels and typed at the counter: printable ASCII
// without spaces at either end, so " X1" and "X1" cannot be two units.
void require_valid_serial(const std::string& serial) {
  const bool printable =
      std::all_of(serial.begin(), serial.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
  if (serial.empty() || serial.size() > 100 || !printable) {
    throw InvalidInput("serial '" + serial +
                       "': a serial is 1 to 100 printable characters without spaces");
  }
}

}  // namespace

AssetId AssetStore::add(const Asset& a, const Actor& by) {
  require_valid_serial(a.serial);
  Transaction tx(p_.db);
  if (p_.db.query("SELECT 1 FROM customers WHERE id = ?", {a.customer_id}).empty()) {
    throw NotFound("customer " + std::to_string(a.customer_id) + " not found");
  }
  const auto product = products_.find(a.product_id);
  if (!product) throw NotFound("product " + std::to_string(a.product_id) + " not found");
  if (!product->serialised) {
    throw InvalidInput("product " + product->sku +
                       " is not serialised: its units have no serial to register");
  }
  if (const auto taken = find_by_serial(a.serial)) {
    throw DuplicateKey("serial '" + a.serial + "' is registered already, as asset " +
                       std::to_string(taken->id) + " of customer " +
                       std::to_string(taken->customer_id));
  }
  if (a.purchase) {
    const auto rows =
        p_.db.query("SELECT customer_id, kind FROM interactions WHERE id = ?", {*a.purchase});
    if (rows.empty()) throw NotFound("interaction " + std::to_string(*a.purchase) + " not found");
    if (rows.front().integer(0) != a.customer_id || rows.front().text(1) != "purchase") {
      throw InvalidInput("interaction " + std::to_string(*a.purchase) +
                         " is not a purchase of customer " + std::to_string(a.customer_id));
    }
  }
  Asset stored = a;
  if (!stored.warranty_end) {
    stored.warranty_end = warranty_end_for(a.purchased_on, product->warranty_months);
  }
  if (stored.warranty_end && *stored.warranty_end < stored.purchased_on) {
    throw InvalidInput("asset " + a.serial + ": the warranty ends (" +
                       stored.warranty_end->to_string() + ") before the purchase (" +
                       stored.purchased_on.to_string() + ")");
  }
  const TimePoint now = p_.clock.now();
  p_.db.execute(
      "INSERT INTO assets (customer_id, product_id, serial, purchased_on, warranty_end, "
      "interaction_id, created_at) VALUES (?,?,?,?,?,?,?)",
      {a.customer_id, a.product_id, a.serial, a.purchased_on.to_string(),
       stored.warranty_end ? SqlValue{stored.warranty_end->to_string()} : SqlValue{nullptr},
       a.purchase ? SqlValue{*a.purchase} : SqlValue{nullptr}, to_unix(now)});
  stored.id = p_.db.last_insert_id();
  Json details = to_json(stored);
  details["sku"] = product->sku;
  p_.audit.record(by, "asset.register", "asset", stored.id, a.customer_id, details);
  p_.bus.publish(Event{events::kAssetRegistered, now, a.customer_id, details});
  tx.commit();
  return stored.id;
}

std::vector<Asset> AssetStore::select(const std::string& where,
                                      const std::vector<SqlValue>& params) {
  std::vector<Asset> out;
  p_.db.query_each(
      "SELECT id, customer_id, product_id, serial, purchased_on, warranty_end, interaction_id "
      "FROM assets WHERE " +
          where + " ORDER BY customer_id, purchased_on, id",
      params, [&](const SqlRow& r) {
        Asset a;
        a.id = r.integer(0);
        a.customer_id = r.integer(1);
        a.product_id = r.integer(2);
        a.serial = r.text(3);
        a.purchased_on = Date::parse(r.text(4));
        if (!r.is_null(5)) a.warranty_end = Date::parse(r.text(5));
        if (!r.is_null(6)) a.purchase = r.integer(6);
        out.push_back(std::move(a));
      });
  return out;
}

std::optional<Asset> AssetStore::find(AssetId id) {
  auto v = select("id = ?", {id});
  if (v.empty()) return std::nullopt;
  return v.front();
}

std::optional<Asset> AssetStore::find_by_serial(const std::string& serial) {
  auto v = select("serial = ?", {serial});
  if (v.empty()) return std::nullopt;
  return v.front();
}

std::vector<Asset> AssetStore::list(const AssetQuery& q) {
  std::string where = "1=1";
  std::vector<SqlValue> params;
  if (q.customer_id) {
    where += " AND customer_id = ?";
    params.emplace_back(*q.customer_id);
  }
  if (q.product_id) {
    where += " AND product_id = ?";
    params.emplace_back(*q.product_id);
  }
  return select(where, params);
}

WarrantyStatus AssetStore::warranty(const std::string& serial, Date day) {
  auto a = find_by_serial(serial);
  if (!a) throw NotFound("no asset with serial '" + serial + "'");
  WarrantyStatus w;
  w.asset = *a;
  w.on = day;
  if (a->warranty_end) {
    w.days_left = (a->warranty_end->days() - day.days()).count();
    w.under_warranty = a->purchased_on <= day && day <= *a->warranty_end;
  }
  return w;
}

}  // namespace crm::core
