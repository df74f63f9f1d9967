// JSON forms of products, prices, purchase lines and assets; warranty dates.
#include <algorithm>

#include "crm/asset.hpp"
#include "crm/error.hpp"
#include "crm/product.hpp"
#include "json_fields.hpp"

namespace crm {

using core::Fields;

namespace {

Date date_field(const Fields& f, const char* key) {
  try {
    return Date::parse(f.text(key));
  } catch (const InvalidInput&) {
    f.wrong(key, "a date YYYY-MM-DD");
  }
}

Json optional_date(const std::optional<Date>& d) {
  return d ? Json(d->to_string()) : Json(nullptr);
}

}  // namespace

void require_valid_sku(std::string_view sku) {
  const bool ok =
      !sku.empty() && sku.size() <= 64 && std::all_of(sku.begin(), sku.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.' || c == '/';
      });
  if (!ok) {
    throw InvalidInput("sku '" + std::string(sku) +
                       "': a SKU is 1 to 64 letters, digits, '-', '_', '.' or '/'");
  }
}

Json to_json(const Product& p) {
  return Json{{"id", p.id},
              {"sku", p.sku},
              {"name", p.name},
              {"category", p.category},
              {"serialised", p.serialised},
              {"warranty_months", p.warranty_months}};
}

void from_json(const Json& j, Product& p) {
  const Fields f(j, "product");
  Product out;
  out.id = f.integer("id");
  out.sku = f.text("sku");
  out.name = f.text("name");
  out.category = f.text("category");
  out.serialised = f.boolean("serialised");
  const std::int64_t months = f.integer("warranty_months");
  if (months < 0 || months > 600) f.wrong("warranty_months", "a whole number from 0 to 600");
  out.warranty_months = static_cast<int>(months);
  p = std::move(out);
}

Json to_json(const Price& p) {
  return Json{{"product_id", p.product_id},
              {"valid_from", p.valid_from.to_string()},
              {"valid_to", optional_date(p.valid_to)},
              {"unit_price", p.unit_price.to_string()}};
}

Json to_json(const PurchaseLine& l) {
  Json j{{"interaction_id", l.interaction_id},
         {"line", l.line},
         {"product_id", l.product_id},
         {"quantity", l.quantity},
         {"unit_price", nullptr},
         {"total", nullptr}};
  if (l.unit_price) {
    j["unit_price"] = l.unit_price->to_string();
    j["total"] = (*l.unit_price * l.quantity).to_string();
  }
  return j;
}

std::optional<Date> warranty_end_for(Date purchased_on, int months) {
  using namespace std::chrono;
  if (months <= 0) return std::nullopt;
  const year_month target = year_month(year(purchased_on.year()), month(purchased_on.month())) +
                            std::chrono::months(months);
  const year_month_day same_day(target.year(), target.month(), day(purchased_on.day()));
  if (!same_day.ok()) {
    const year_month_day_last last(target.year(), month_day_last(target.month()));
    return Date::from_days(sys_days(last));
  }
  return Date::from_days(sys_days(same_day) - days(1));
}

Json to_json(const Asset& a) {
  Json j{{"id", a.id},
         {"customer_id", a.customer_id},
         {"product_id", a.product_id},
         {"serial", a.serial},
         {"purchased_on", a.purchased_on.to_string()},
         {"warranty_end", optional_date(a.warranty_end)},
         {"purchase", nullptr}};
  if (a.purchase) j["purchase"] = *a.purchase;
  return j;
}

void from_json(const Json& j, Asset& a) {
  const Fields f(j, "asset");
  Asset out;
  out.id = f.integer("id");
  out.customer_id = f.integer("customer_id");
  out.product_id = f.integer("product_id");
  out.serial = f.text("serial");
  out.purchased_on = date_field(f, "purchased_on");
  if (!f.is_null("warranty_end")) out.warranty_end = date_field(f, "warranty_end");
  out.purchase = f.optional_integer("purchase");
  a = std::move(out);
}

Json to_json(const WarrantyStatus& w) {
  Json j{{"asset", to_json(w.asset)},
         {"on", w.on.to_string()},
         {"under_warranty", w.under_warranty},
         {"days_left", nullptr}};
  if (w.days_left) j["days_left"] = *w.days_left;
  return j;
}

}  // namespace crm
