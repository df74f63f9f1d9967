#include "crm/catalogue_import.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>

#include "crm/csv.hpp"
#include "crm/error.hpp"
#include "crm/spelling.hpp"

namespace crm {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The header: column name (trimmed, lower case) to index.
class Header {
 public:
  Header(CsvReader& csv, const std::filesystem::path& file, const std::vector<std::string>& known,
         const std::vector<std::string>& required, const ImportOptions& o, ImportReport& r) {
    std::vector<std::string_view> f;
    if (!csv.next(f)) throw InvalidInput(file.string() + ": empty file, expected a header row");
    for (std::size_t i = 0; i < f.size(); ++i) {
      const std::string name = lower(trim(f[i]));
      if (index_.count(name)) {
        throw InvalidInput(file.string() + ":1: column '" + name + "' appears twice");
      }
      index_[name] = i;
      const bool is_known = std::find(known.begin(), known.end(), name) != known.end();
      const bool expected =
          std::find(o.attributes.begin(), o.attributes.end(), name) != o.attributes.end();
      if (!is_known && !expected) {
        const auto near = nearest_word(name, known);
        if (o.strict) {
          throw InvalidInput(file.string() + ":1: unknown column '" + name + "'" +
                             (near ? "; did you mean '" + *near + "'?" : std::string()));
        }
        r.unknown_columns.push_back({name, near ? *near : std::string()});
      }
    }
    for (const auto& c : required) {
      if (!index_.count(c)) throw InvalidInput(file.string() + ":1: no '" + c + "' column");
    }
  }
  // The trimmed cell of column `name`, empty when the column is absent.
  std::string cell(const std::vector<std::string_view>& f, const std::string& name) const {
    const auto it = index_.find(name);
    if (it == index_.end() || it->second >= f.size()) return {};
    return trim(f[it->second]);
  }

 private:
  std::map<std::string, std::size_t> index_;
};

std::int64_t whole_number(const std::string& text, const char* column) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw InvalidInput(std::string(column) + " '" + text + "' is not a whole number");
  }
  return v;
}

bool yes_no(const std::string& text, const char* column) {
  const std::string t = lower(text);
  if (t.empty() || t == "false" || t == "no" || t == "0") return false;
  if (t == "true" || t == "yes" || t == "1") return true;
  throw InvalidInput(std::string(column) + " '" + text + "' is not true or false");
}

// "12.50 EUR", or "12.50" with the currency column.
Money money_cell(const std::string& amount, const std::string& currency, const char* column) {
  try {
    if (amount.find(' ') != std::string::npos) {
      const Money m = Money::parse(amount);
      if (!currency.empty() && !(m.currency() == Currency::of(currency))) {
        throw InvalidInput("the currency column says " + currency);
      }
      return m;
    }
    if (currency.empty())
      throw InvalidInput("no currency (write \"12.50 EUR\" or add a currency column)");
    return Money::parse_amount(amount, Currency::of(currency));
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string(column) + " '" + amount + "': " + e.what());
  }
}

Date date_cell(const std::string& text, const char* column) {
  try {
    return Date::parse(text);
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string(column) + " '" + text + "': " + e.what());
  }
}

constexpr std::size_t kMaxErrors = 1000;

// Runs `row` for each record in its own savepoint: a bad row leaves nothing
// behind and is reported with its line.
template <typename Row>
void for_each_row(CsvReader& csv, const std::filesystem::path& file, Store& store, ImportReport& r,
                  const ImportOptions& o, Row row) {
  std::vector<std::string_view> f;
  for (;;) {
    try {
      if (!csv.next(f)) break;
    } catch (const InvalidInput&) {
      throw;  // the reader names file and line; the rest is unreadable
    }
    if (f.size() == 1 && trim(f[0]).empty()) continue;  // a blank line
    ++r.read;
    try {
      Transaction row_tx(store.db());
      row(f);
      row_tx.commit();
    } catch (const Error& e) {
      ++r.skipped;
      if (r.errors.size() < kMaxErrors) r.errors.push_back({csv.line(), e.what()});
    }
    if (o.progress && r.read % 4096 == 0) o.progress(r.read, csv.bytes_read(), csv.size());
  }
  (void)file;
}

void finish(Store& store, Transaction& tx, const ImportOptions& o, ImportReport& r,
            std::string_view action, const std::filesystem::path& file) {
  if (o.dry_run || (o.strict && r.skipped > 0)) return;
  store.audit().record(o.actor, action, "import", 0, std::nullopt,
                       Json{{"file", file.string()},
                            {"inserted", r.inserted},
                            {"updated", r.updated},
                            {"skipped", r.skipped}});
  tx.commit();
  r.committed = true;
}

}  // namespace

ImportReport import_products(Store& store, const std::filesystem::path& file,
                             const ImportOptions& o) {
  CsvReader csv(file);
  ImportReport r;
  const Header h(csv, file,
                 {"sku", "name", "category", "serialised", "warranty_months", "price", "currency",
                  "price_from", "price_to"},
                 {"sku", "name"}, o, r);
  Transaction tx(store.db());
  ProductRepository& products = store.products();
  for_each_row(csv, file, store, r, o, [&](const std::vector<std::string_view>& f) {
    Product p;
    p.sku = h.cell(f, "sku");
    p.name = h.cell(f, "name");
    p.category = h.cell(f, "category");
    p.serialised = yes_no(h.cell(f, "serialised"), "serialised");
    const std::string months = h.cell(f, "warranty_months");
    if (!months.empty()) {
      const std::int64_t m = whole_number(months, "warranty_months");
      if (m < 0 || m > 600) throw InvalidInput("warranty_months must be from 0 to 600");
      p.warranty_months = static_cast<int>(m);
    }
    std::optional<Price> price;
    if (const std::string amount = h.cell(f, "price"); !amount.empty()) {
      const std::string from = h.cell(f, "price_from");
      if (from.empty()) throw InvalidInput("price " + amount + " without a price_from day");
      Price pr;
      pr.unit_price = money_cell(amount, h.cell(f, "currency"), "price");
      pr.valid_from = date_cell(from, "price_from");
      if (const std::string to = h.cell(f, "price_to"); !to.empty()) {
        pr.valid_to = date_cell(to, "price_to");
      }
      price = pr;
    }
    const auto existing = products.find_by_sku(p.sku);
    if (existing && o.mode == ImportOptions::Mode::kCreate) {
      ++r.existing;
      throw DuplicateKey("product sku '" + p.sku + "' exists already (id " +
                         std::to_string(existing->id) + ")");
    }
    if (!existing && o.mode == ImportOptions::Mode::kUpdate) {
      throw NotFound("no product with sku '" + p.sku + "'");
    }
    if (existing) {
      p.id = existing->id;
      products.update(p, o.actor);
      ++r.updated;
    } else {
      p.id = products.add(p, o.actor);
      ++r.inserted;
    }
    if (price) {
      price->product_id = p.id;
      products.set_price(*price, o.actor);
    }
  });
  finish(store, tx, o, r, "import.products", file);
  return r;
}

ImportReport import_purchase_lines(Store& store, const std::filesystem::path& file,
                                   const ImportOptions& o) {
  CsvReader csv(file);
  ImportReport r;
  const Header h(csv, file,
                 {"interaction_id", "sku", "quantity", "unit_price", "currency", "serial"},
                 {"interaction_id", "sku"}, o, r);
  Transaction tx(store.db());
  for_each_row(csv, file, store, r, o, [&](const std::vector<std::string_view>& f) {
    const std::string id_text = h.cell(f, "interaction_id");
    const InteractionId interaction = whole_number(id_text, "interaction_id");
    const Product product = store.products().get_by_sku(h.cell(f, "sku"));
    PurchaseLine l;
    l.product_id = product.id;
    if (const std::string q = h.cell(f, "quantity"); !q.empty()) {
      l.quantity = whole_number(q, "quantity");
    }
    if (const std::string price = h.cell(f, "unit_price"); !price.empty()) {
      l.unit_price = money_cell(price, h.cell(f, "currency"), "unit_price");
    }
    store.products().add_lines(interaction, {l}, o.actor);
    if (const std::string serial = h.cell(f, "serial"); !serial.empty()) {
      if (l.quantity != 1) {
        throw InvalidInput("serial " + serial + " on a line of " + std::to_string(l.quantity) +
                           " units: a serial names one unit");
      }
      const auto purchase = store.interactions().find(interaction);
      Asset a;
      a.customer_id = purchase->customer_id;
      a.product_id = product.id;
      a.serial = serial;
      a.purchased_on =
          Date::from_days(std::chrono::floor<std::chrono::days>(purchase->occurred_at));
      a.purchase = interaction;
      store.assets().add(a, o.actor);
    }
    ++r.inserted;
  });
  finish(store, tx, o, r, "import.purchase_lines", file);
  return r;
}

}  // namespace crm
