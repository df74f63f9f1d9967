#include "catalogue_commands.hpp"

#include "crm/catalogue_import.hpp"
#include "crm/error.hpp"
#include "crm/text_table.hpp"
#include "product_store.hpp"

namespace crm::core {
namespace {

// --on, else today (UTC).
Date day_option(Kernel& k, const CommandInput& in, const char* name) {
  if (!in.has(name)) return utc_day(k.clock().now());
  try {
    return Date::parse(in.get(name));
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string("--") + name + ": " + e.what());
  }
}

Date required_day(const CommandInput& in, const char* name) {
  try {
    return Date::parse(in.get(name));
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string("--") + name + ": " + e.what());
  }
}

Money money_option(const CommandInput& in, const char* name) {
  try {
    return Money::parse(in.get(name));
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string("--") + name + " (\"12.50 EUR\"): " + e.what());
  }
}

std::string period(const Price& p) {
  return p.valid_from.to_string() + " .. " + (p.valid_to ? p.valid_to->to_string() : "");
}

std::vector<std::string> product_row(const Product& p) {
  return {p.sku, p.name, p.category, p.serialised ? "yes" : "no",
          std::to_string(p.warranty_months)};
}

CommandOutput products_add(Kernel& k, const CommandInput& in) {
  Product p;
  p.sku = in.get("sku");
  p.name = in.get("name");
  p.category = in.get("category");
  p.serialised = in.flag("serialised");
  const std::int64_t months = in.integer("warranty-months", 0);
  if (months < 0 || months > 600) throw InvalidInput("--warranty-months must be from 0 to 600");
  p.warranty_months = static_cast<int>(months);
  p.id = k.store().products().add(p, in.actor);
  CommandOutput out;
  out.data = to_json(p);
  out.text = "added product " + p.sku + " (id " + std::to_string(p.id) + ")\n";
  return out;
}

CommandOutput products_list(Kernel& k, const CommandInput& in) {
  ProductQuery q;
  if (in.has("category")) q.category = in.get("category");
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const Product& p : k.store().products().list(q)) {
    out.data.push_back(to_json(p));
    rows.push_back(product_row(p));
  }
  out.text = render_table({"SKU", "NAME", "CATEGORY", "SERIALISED", "WARRANTY MONTHS"}, rows) +
             std::to_string(rows.size()) + " products\n";
  return out;
}

CommandOutput products_show(Kernel& k, const CommandInput& in) {
  const Product p = k.store().products().get_by_sku(in.positionals.at(0));
  CommandOutput out;
  out.data = to_json(p);
  out.data["prices"] = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const Price& pr : k.store().products().prices(p.id)) {
    out.data["prices"].push_back(to_json(pr));
    rows.push_back({period(pr), pr.unit_price.to_string()});
  }
  std::string t = "Product " + p.sku + ": " + p.name + "\n";
  if (!p.category.empty()) t += "  category: " + p.category + "\n";
  t += std::string("  serialised: ") + (p.serialised ? "yes" : "no") + "\n";
  t += "  warranty: " + std::to_string(p.warranty_months) + " months\n";
  t += "\nPrices (" + std::to_string(rows.size()) + "):\n" +
       render_table({"VALID (FROM .. TO, INCLUSIVE)", "UNIT PRICE"}, rows);
  out.text = t;
  return out;
}

// With --price: adds a price from --from (through --to). Without: the price
// on --on (default today); none is an error, exit status 1.
CommandOutput products_price(Kernel& k, const CommandInput& in) {
  const Product p = k.store().products().get_by_sku(in.positionals.at(0));
  CommandOutput out;
  if (in.has("price")) {
    if (in.has("on")) throw InvalidInput("--on reads a price; it does not go with --price");
    if (!in.has("from")) throw InvalidInput("--price needs --from (the first day it is valid)");
    Price pr;
    pr.product_id = p.id;
    pr.unit_price = money_option(in, "price");
    pr.valid_from = required_day(in, "from");
    if (in.has("to")) pr.valid_to = required_day(in, "to");
    k.store().products().set_price(pr, in.actor);
    out.data = to_json(pr);
    out.text = "price of " + p.sku + " " + period(pr) + ": " + pr.unit_price.to_string() + "\n";
    return out;
  }
  if (in.has("from") || in.has("to")) throw InvalidInput("--from and --to go with --price");
  const Date day = day_option(k, in, "on");
  const auto pr = k.store().products().price_on(p.id, day);
  if (!pr) {
    throw NotFound("product " + p.sku + " has no price on " + day.to_string());
  }
  out.data = to_json(*pr);
  out.data["on"] = day.to_string();
  out.text = p.sku + " on " + day.to_string() + ": " + pr->unit_price.to_string() + " (valid " +
             period(*pr) + ")\n";
  return out;
}

ImportOptions import_options(const CommandInput& in) {
  ImportOptions o;
  o.mode = parse_import_mode(in.get("mode", "create"));
  o.dry_run = in.flag("dry-run");
  o.strict = in.flag("strict");
  o.actor = in.actor;
  if (in.progress) {
    o.progress = [p = in.progress](std::int64_t rows, std::int64_t bytes, std::int64_t size) {
      p(bytes, size, std::to_string(rows) + " rows");
    };
  }
  return o;
}

CommandOutput import_output(const ImportReport& r, const std::string& file,
                            const ImportOptions& o) {
  CommandOutput out;
  out.data = to_json(r);
  std::string t;
  for (const auto& u : r.unknown_columns) {
    t += file + ":1: warning: unknown column '" + u.column + "', ignored";
    if (!u.nearest.empty()) t += "; did you mean '" + u.nearest + "'?";
    t += "\n";
  }
  t += file + ": read " + std::to_string(r.read) + ", inserted " + std::to_string(r.inserted) +
       ", updated " + std::to_string(r.updated) + ", skipped " + std::to_string(r.skipped);
  t += o.dry_run ? " (dry run: nothing written)\n"
                 : (r.committed ? "\n" : " (--strict: nothing written)\n");
  const std::size_t shown = std::min<std::size_t>(r.errors.size(), 20);
  for (std::size_t i = 0; i < shown; ++i) {
    t += file + ":" + std::to_string(r.errors[i].line) + ": " + r.errors[i].message + "\n";
  }
  if (r.skipped > static_cast<std::int64_t>(shown)) {
    t += "... and " + std::to_string(r.skipped - static_cast<std::int64_t>(shown)) +
         " more errors (--format json lists the first " + std::to_string(r.errors.size()) + ")\n";
  }
  out.text = t;
  if (r.skipped > 0 || (r.inserted + r.updated == 0 && r.read > 0)) out.exit_code = 1;
  if (!r.committed && !o.dry_run) out.exit_code = 1;
  return out;
}

std::vector<std::string> line_row(Kernel& k, const PurchaseLine& l) {
  const auto p = k.store().products().find(l.product_id);
  return {std::to_string(l.line),
          p ? p->sku : std::to_string(l.product_id),
          p ? p->name : std::string(),
          std::to_string(l.quantity),
          l.unit_price ? l.unit_price->to_string() : "",
          l.unit_price ? (*l.unit_price * l.quantity).to_string() : ""};
}

CommandOutput purchase_lines_output(Kernel& k, InteractionId id,
                                    const std::vector<PurchaseLine>& lines) {
  CommandOutput out;
  out.data = {{"interaction_id", id}, {"lines", Json::array()}, {"total", nullptr}};
  std::vector<std::vector<std::string>> rows;
  std::optional<Money> total;
  for (const PurchaseLine& l : lines) {
    Json j = to_json(l);
    const auto p = k.store().products().find(l.product_id);
    j["sku"] = p ? p->sku : "";
    out.data["lines"].push_back(j);
    rows.push_back(line_row(k, l));
    const Money line_total = *l.unit_price * l.quantity;
    total = total ? *total + line_total : line_total;  // one purchase, one currency
  }
  if (total) out.data["total"] = total->to_string();
  out.text = render_table({"LINE", "SKU", "NAME", "QUANTITY", "UNIT PRICE", "TOTAL"}, rows) +
             "total " + (total ? total->to_string() : std::string("0")) + "\n";
  return out;
}

CommandOutput purchases_add(Kernel& k, const CommandInput& in) {
  const InteractionId id = parse_id(in.positionals.at(0), "interaction");
  PurchaseLine l;
  l.product_id = k.store().products().get_by_sku(in.get("sku")).id;
  l.quantity = in.integer("quantity", 1);
  if (in.has("unit-price")) l.unit_price = money_option(in, "unit-price");
  k.store().products().add_lines(id, {l}, in.actor);
  return purchase_lines_output(k, id, k.store().products().lines(id));
}

std::vector<std::string> asset_row(Kernel& k, const Asset& a) {
  const auto p = k.store().products().find(a.product_id);
  return {a.serial, std::to_string(a.customer_id), p ? p->sku : std::to_string(a.product_id),
          a.purchased_on.to_string(), a.warranty_end ? a.warranty_end->to_string() : "none"};
}

Json asset_json(Kernel& k, const Asset& a) {
  Json j = to_json(a);
  const auto p = k.store().products().find(a.product_id);
  j["sku"] = p ? p->sku : "";
  return j;
}

CommandOutput assets_add(Kernel& k, const CommandInput& in) {
  Asset a;
  a.customer_id = parse_id(in.get("customer"), "customer");
  a.product_id = k.store().products().get_by_sku(in.get("sku")).id;
  a.serial = in.get("serial");
  a.purchased_on = required_day(in, "purchased");
  if (in.has("warranty-end")) a.warranty_end = required_day(in, "warranty-end");
  if (in.has("purchase")) a.purchase = parse_id(in.get("purchase"), "interaction");
  a.id = k.store().assets().add(a, in.actor);
  const Asset stored = *k.store().assets().find(a.id);
  CommandOutput out;
  out.data = asset_json(k, stored);
  out.text =
      "registered asset " + stored.serial + " (id " + std::to_string(stored.id) + ") of customer " +
      std::to_string(stored.customer_id) + ", warranty " +
      (stored.warranty_end ? "through " + stored.warranty_end->to_string() : std::string("none")) +
      "\n";
  return out;
}

CommandOutput assets_list(Kernel& k, const CommandInput& in) {
  AssetQuery q;
  if (in.has("customer")) q.customer_id = parse_id(in.get("customer"), "customer");
  if (in.has("sku")) q.product_id = k.store().products().get_by_sku(in.get("sku")).id;
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const Asset& a : k.store().assets().list(q)) {
    out.data.push_back(asset_json(k, a));
    rows.push_back(asset_row(k, a));
  }
  out.text = render_table({"SERIAL", "CUSTOMER", "SKU", "PURCHASED", "WARRANTY END"}, rows) +
             std::to_string(rows.size()) + " assets\n";
  return out;
}

CommandOutput assets_show(Kernel& k, const CommandInput& in) {
  const std::string serial = in.positionals.at(0);
  const auto a = k.store().assets().find_by_serial(serial);
  if (!a) throw NotFound("no asset with serial '" + serial + "'");
  const auto p = k.store().products().find(a->product_id);
  CommandOutput out;
  out.data = asset_json(k, *a);
  std::string t = "Asset " + a->serial + " (id " + std::to_string(a->id) + ")\n";
  t += "  customer: " + std::to_string(a->customer_id) + "\n";
  t += "  product: " + (p ? p->sku + " " + p->name : std::to_string(a->product_id)) + "\n";
  t += "  purchased: " + a->purchased_on.to_string() + "\n";
  t += "  warranty end: " + (a->warranty_end ? a->warranty_end->to_string() : "none") + "\n";
  if (a->purchase) t += "  purchase: interaction " + std::to_string(*a->purchase) + "\n";
  out.text = t;
  return out;
}

CommandOutput assets_warranty(Kernel& k, const CommandInput& in) {
  const WarrantyStatus w =
      k.store().assets().warranty(in.positionals.at(0), day_option(k, in, "on"));
  CommandOutput out;
  out.data = to_json(w);
  out.data["asset"] = asset_json(k, w.asset);
  const std::string head = w.asset.serial + " on " + w.on.to_string() + ": ";
  if (w.under_warranty) {
    out.text = head + "under warranty through " + w.asset.warranty_end->to_string() + " (" +
               std::to_string(*w.days_left) + " more days)\n";
  } else if (!w.asset.warranty_end) {
    out.text = head + "no warranty\n";
  } else if (w.on < w.asset.purchased_on) {
    out.text = head + "not yet purchased (purchased " + w.asset.purchased_on.to_string() + ")\n";
  } else {
    out.text = head + "warranty ended " + w.asset.warranty_end->to_string() + "\n";
  }
  return out;
}

CommandOutput channels_list(Kernel& k) {
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  bool any_assumed = false;
  for (const ChannelInfo& c : k.store().channels().list()) {
    out.data.push_back(to_json(c));
    rows.push_back({c.name, c.cost_per_contact.to_string() + (c.assumed ? " *" : ""),
                    c.needs_consent ? "yes" : "no", c.description});
    any_assumed = any_assumed || c.assumed;
  }
  out.text = render_table({"CHANNEL", "COST PER CONTACT", "NEEDS CONSENT", "DESCRIPTION"}, rows);
  if (any_assumed) {
    out.text +=
        "* an assumed default, not a measured cost: set it under \"channels\" in the "
        "configuration\n";
  }
  return out;
}

}  // namespace

void register_catalogue_commands(Kernel& k) {
  CommandRegistry& r = k.commands();
  r.add(command({"products", "add"}, "add a product to the catalogue",
                {required_option("sku", "stock-keeping unit, unique"),
                 required_option("name", "product name"), option("category", "category"),
                 flag("serialised", "every unit has a serial number (registered as an asset)"),
                 integer_option("warranty-months", "warranty of a unit, in months (0: none)")}),
        [&k](const CommandInput& in) { return products_add(k, in); });
  r.add(command({"products", "list"}, "list the product catalogue",
                {option("category", "only this category")}),
        [&k](const CommandInput& in) { return products_list(k, in); });
  r.add(command({"products", "show"}, "show a product and its prices", {}, {"SKU"}),
        [&k](const CommandInput& in) { return products_show(k, in); });
  r.add(command({"products", "price"},
                "set a price (--price P --from DAY [--to DAY]) or read the price on a day (--on)",
                {option("price", "unit price, \"12.50 EUR\""),
                 option("from", "first day the price is valid"),
                 option("to", "last day the price is valid (default: open-ended)"),
                 option("on", "the day to read the price of (default: today)")},
                {"SKU"}),
        [&k](const CommandInput& in) { return products_price(k, in); });
  const std::vector<ParamSpec> import_opts = {
      option("mode", "create, update or upsert", "create"),
      flag("dry-run", "validate and count, write nothing"),
      flag("strict", "write nothing if any row is bad or any column unknown")};
  r.add(command({"products", "import"}, "import products (and prices) from a CSV file", import_opts,
                {"FILE"}),
        [&k](const CommandInput& in) {
          const auto& file = in.positionals.at(0);
          const ImportOptions o = import_options(in);
          return import_output(import_products(k.store(), file, o), file, o);
        });
  r.add(command(
            {"purchases", "add"}, "add a line to a purchase interaction",
            {required_option("sku", "the product"), integer_option("quantity", "units (default 1)"),
             option("unit-price", "\"12.50 EUR\" (default: the price list's on the day)")},
            {"INTERACTION"}),
        [&k](const CommandInput& in) { return purchases_add(k, in); });
  r.add(command({"purchases", "show"}, "show the lines of a purchase interaction", {},
                {"INTERACTION"}),
        [&k](const CommandInput& in) {
          const InteractionId id = parse_id(in.positionals.at(0), "interaction");
          if (!k.store().interactions().find(id)) {
            throw NotFound("interaction " + std::to_string(id) + " not found");
          }
          return purchase_lines_output(k, id, k.store().products().lines(id));
        });
  r.add(command({"purchases", "import"}, "import purchase lines from a CSV file",
                {flag("dry-run", "validate and count, write nothing"),
                 flag("strict", "write nothing if any row is bad or any column unknown")},
                {"FILE"}),
        [&k](const CommandInput& in) {
          const auto& file = in.positionals.at(0);
          const ImportOptions o = import_options(in);
          return import_output(import_purchase_lines(k.store(), file, o), file, o);
        });
  r.add(command({"assets", "add"}, "register a customer's unit of a serialised product",
                {required_option("customer", "customer id"), required_option("sku", "the product"),
                 required_option("serial", "the unit's serial number"),
                 required_option("purchased", "day of purchase, YYYY-MM-DD"),
                 option("warranty-end", "last day under warranty (default: from the product)"),
                 option("purchase", "the purchase interaction id")}),
        [&k](const CommandInput& in) { return assets_add(k, in); });
  r.add(command({"assets", "list"}, "list customer assets",
                {option("customer", "only this customer"), option("sku", "only this product")}),
        [&k](const CommandInput& in) { return assets_list(k, in); });
  r.add(command({"assets", "show"}, "show the asset with a serial", {}, {"SERIAL"}),
        [&k](const CommandInput& in) { return assets_show(k, in); });
  r.add(command({"assets", "warranty"}, "is the unit with this serial under warranty on a day?",
                {option("on", "the day (default: today)")}, {"SERIAL"}),
        [&k](const CommandInput& in) { return assets_warranty(k, in); });
  r.add(command({"channels", "list"}, "list the channels, their cost per contact and consent"),
        [&k](const CommandInput&) { return channels_list(k); });
}

}  // namespace crm::core
