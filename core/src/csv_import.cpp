#include "crm/csv_import.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <unordered_map>

#include "crm/csv.hpp"
#include "crm/error.hpp"
#include "crm/spelling.hpp"
#include "json_fields.hpp"
#include "money_text.hpp"

namespace crm {
namespace {

constexpr std::size_t kMaxReportedErrors = 1000;

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// The case_id column: "17" or "case:17" (blank: none).
void add_case_link(Interaction& it, const std::string& text) {
  if (text.empty()) return;
  const EntityRef ref =
      parse_entity_ref(text.find(':') == std::string::npos ? "case:" + text : text);
  if (ref.type != entity_type::kCase) {
    throw InvalidInput("case_id '" + text + "' names a " + ref.type + ", not a case");
  }
  it.links.push_back(ref);
}

// "a;b|c" -> {"a","b","c"}: lists inside one cell.
std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ';' || s[i] == '|') {
      std::string item = trim(s.substr(start, i - start));
      if (!item.empty()) out.push_back(std::move(item));
      start = i + 1;
    }
  }
  return out;
}

bool parse_bool(std::string_view column, std::string_view v) {
  const std::string s = trim(v);
  if (s == "1" || s == "yes" || s == "true" || s == "y" || s == "opt-in") return true;
  if (s == "0" || s == "no" || s == "false" || s == "n" || s == "opt-out") return false;
  throw InvalidInput(std::string(column) + ": '" + s + "' is not yes/no");
}

// The birthday column: a date, "YYYY-MM-DD" (or "YYYYMMDD"). Throws
// InvalidInput naming the column and the text; the row's line is added by
// the report.
Date parse_birthday(std::string_view v) {
  try {
    return Date::parse(v);
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string("birthday: ") + e.what());
  }
}

// The amount column ("12.50", or "12.50 EUR") in the currency of the row's
// currency column, else the store's default currency. Throws InvalidInput
// naming the column and the text; a code in the amount that differs from
// the currency column is refused.
Money parse_amount(std::string_view amount, std::string_view currency, Currency fallback) {
  const std::string code = trim(currency);
  try {
    const Currency in_column = code.empty() ? fallback : Currency::of(code);
    const Money m = core::parse_money_text(amount, in_column);
    if (!code.empty() && !(m.currency() == in_column)) {
      throw InvalidInput("'" + trim(amount) + "' is in " + std::string(m.currency().code()) +
                         " but the currency column says " + code);
    }
    return m;
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string("amount: ") + e.what());
  }
}

// What a customer column holds, resolved once from its name so the row loop
// compares no strings.
enum class Field {
  kIgnored,  // "id": the store assigns ids
  kExternalId,
  kName,
  kKind,
  kEmail,
  kPhone,
  kBirthday,
  kOwner,
  kStage,
  kSegment,
  kTags,
  kConsent,  // consent_<channel>
  kContactName,
  kContactRole,
  kContactEmail,
  kContactPhone,
  kAttribute,  // any other column
};

constexpr std::pair<std::string_view, Field> kCustomerColumns[] = {
    {"id", Field::kIgnored},
    {"external_id", Field::kExternalId},
    {"name", Field::kName},
    {"kind", Field::kKind},
    {"email", Field::kEmail},
    {"phone", Field::kPhone},
    {"birthday", Field::kBirthday},
    {"owner", Field::kOwner},
    {"stage", Field::kStage},
    {"segment", Field::kSegment},
    {"tags", Field::kTags},
    {"contact_name", Field::kContactName},
    {"contact_role", Field::kContactRole},
    {"contact_email", Field::kContactEmail},
    {"contact_phone", Field::kContactPhone},
};

Field customer_field(std::string_view col) {
  for (const auto& [name, field] : kCustomerColumns) {
    if (col == name) return field;
  }
  if (col.starts_with("consent_")) return Field::kConsent;
  return Field::kAttribute;
}

// The header: which column is which.
struct Columns {
  std::vector<std::string> names;
  std::vector<Field> fields;  // customer_field() of each name
  std::map<std::string, std::size_t, std::less<>> index;
  std::optional<std::size_t> find(std::string_view name) const {
    auto it = index.find(name);
    if (it == index.end()) return std::nullopt;
    return it->second;
  }
};

Columns read_header(CsvReader& csv, const std::filesystem::path& file) {
  std::vector<std::string_view> fields;
  if (!csv.next(fields)) throw InvalidInput(file.string() + ": empty file (no header row)");
  Columns c;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string name = trim(fields[i]);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (name.empty()) {
      throw InvalidInput(file.string() + ":1: column " + std::to_string(i + 1) +
                         " has an empty name");
    }
    if (!c.index.emplace(name, i).second) {
      throw InvalidInput(file.string() + ":1: column '" + name + "' appears twice");
    }
    c.fields.push_back(customer_field(name));
    c.names.push_back(std::move(name));
  }
  return c;
}

// The columns of the header that are neither known (`is_known`) nor listed
// in o.attributes, each with the known column (of `known`) it is nearest to.
// With o.strict they stop the import; otherwise the report warns of them.
template <class IsKnown>
void check_unknown_columns(const std::filesystem::path& file, const Columns& cols,
                           const std::vector<std::string>& known, IsKnown is_known,
                           const ImportOptions& o, ImportReport& r) {
  for (const std::string& name : cols.names) {
    if (is_known(name)) continue;
    if (std::find(o.attributes.begin(), o.attributes.end(), name) != o.attributes.end()) continue;
    r.unknown_columns.push_back({name, nearest_word(name, known).value_or("")});
  }
  if (!o.strict || r.unknown_columns.empty()) return;
  std::string list;
  for (const auto& u : r.unknown_columns) {
    list += (list.empty() ? "'" : ", '") + u.column + "'";
    if (!u.nearest.empty()) list += " (did you mean '" + u.nearest + "'?)";
  }
  throw InvalidInput(file.string() + ":1: unknown column" +
                     (r.unknown_columns.size() > 1 ? "s " : " ") + list +
                     ": --strict takes only known columns and those named with --attributes");
}

std::vector<std::string> known_customer_columns() {
  std::vector<std::string> out;
  for (const auto& [name, field] : kCustomerColumns) out.emplace_back(name);
  for (const char* c : {"consent_email", "consent_sms", "consent_phone", "consent_post"}) {
    out.emplace_back(c);
  }
  return out;
}

const std::vector<std::string>& known_interaction_columns() {
  static const std::vector<std::string> names = {
      "customer_id", "external_id", "email",     "phone",   "occurred_at", "date",
      "channel",     "kind",        "direction", "amount",  "agent",       "notes",
      "commitments", "case_id",     "links",     "currency"};
  return names;
}

const char* match_column(MatchKey k) {
  switch (k) {
    case MatchKey::kEmail:
      return "email";
    case MatchKey::kPhone:
      return "phone";
    case MatchKey::kExternalId:
      break;
  }
  return "external_id";
}

void report_progress(const ImportOptions& o, const CsvReader& csv, std::int64_t rows) {
  if (o.progress && rows % 4096 == 0) o.progress(rows, csv.bytes_read(), csv.size());
}

// Keeps the errors of the first kMaxReportedErrors lines: batched rows report
// theirs when the batch is written, after later lines may have reported.
void add_error(ImportReport& r, std::int64_t line, std::string message) {
  ++r.skipped;
  const auto by_line = [](const ImportError& a, const ImportError& b) { return a.line < b.line; };
  if (r.errors.size() < kMaxReportedErrors) {
    r.errors.push_back({line, std::move(message)});
    // Once full the list is kept sorted, so the common case below (a line
    // after every kept one) is one comparison.
    if (r.errors.size() == kMaxReportedErrors) {
      std::stable_sort(r.errors.begin(), r.errors.end(), by_line);
    }
    return;
  }
  if (line >= r.errors.back().line) return;
  const ImportError e{line, std::move(message)};
  r.errors.insert(std::upper_bound(r.errors.begin(), r.errors.end(), e, by_line), e);
  r.errors.pop_back();
}

// Applies one CSV row to `c`. Empty cells leave the field as it is, so an
// update file may carry only the columns it changes.
void apply_customer_row(Customer& c, const Columns& cols, const std::vector<std::string_view>& f) {
  ContactPerson primary;
  bool has_primary = false;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i].empty()) continue;
    const std::string_view v = f[i];
    switch (cols.fields[i]) {
      case Field::kIgnored:
        break;
      case Field::kExternalId:
        c.external_id = trim(v);
        break;
      case Field::kName:
        c.name = trim(v);
        break;
      case Field::kKind:
        c.kind = parse_customer_kind(trim(v));
        break;
      case Field::kEmail:
        c.email = trim(v);
        break;
      case Field::kPhone:
        c.phone = trim(v);
        break;
      case Field::kBirthday:
        c.birthday = parse_birthday(v);
        break;
      case Field::kOwner:
        c.owner = trim(v);
        break;
      case Field::kStage:
        c.stage = trim(v);
        break;
      case Field::kSegment:
        c.segment = trim(v);
        break;
      case Field::kTags:
        c.tags = split_list(v);
        break;
      case Field::kConsent:
        c.consent[cols.names[i].substr(8)] = parse_bool(cols.names[i], v);
        break;
      case Field::kContactName:
        primary.name = trim(v);
        has_primary = true;
        break;
      case Field::kContactRole:
        primary.role = trim(v);
        has_primary = true;
        break;
      case Field::kContactEmail:
        primary.email = trim(v);
        has_primary = true;
        break;
      case Field::kContactPhone:
        primary.phone = trim(v);
        has_primary = true;
        break;
      case Field::kAttribute:
        c.attributes[cols.names[i]] = std::string(v);
        break;
    }
  }
  if (has_primary) {
    if (primary.name.empty())
      throw InvalidInput("contact_name is empty but other contact_ columns are set");
    primary.primary = true;
    for (auto& p : c.contacts) p.primary = false;
    std::erase_if(c.contacts, [&](const ContactPerson& p) { return p.name == primary.name; });
    c.contacts.insert(c.contacts.begin(), primary);
  }
}

// Secondary indexes dropped for a bulk load and rebuilt before commit, in the
// same transaction: building an index from sorted data once is several times
// faster than updating it row by row, and a killed import rolls the DROP back
// with everything else. (The audit log's index on customer ids is not
// dropped: new customers have the highest ids, so its entries are appended.) Only for SQLite, whose
// catalogue gives the exact DDL, and only for indexes the import's own lookups do not use.
class DeferredIndexes {
 public:
  DeferredIndexes(Database& db, std::vector<std::string> names) : db_(db) {
    for (const auto& name : names) {
      const auto rows =
          db_.query("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", {name});
      if (rows.empty() || rows[0].is_null(0)) continue;
      ddl_.push_back(rows[0].text(0));
      db_.execute("DROP INDEX " + name);
    }
  }
  void rebuild() {
    for (const auto& sql : ddl_) db_.execute(sql);
    ddl_.clear();
  }

 private:
  Database& db_;
  std::vector<std::string> ddl_;
};

// Worth it when the file brings many rows compared with what is there.
bool bulk_load(Store& store, const CsvReader& csv, const ImportOptions& o) {
  constexpr std::int64_t kBytesPerRowGuess = 100;
  const std::int64_t rows = csv.size() / kBytesPerRowGuess;
  return o.mode == ImportOptions::Mode::kCreate && store.db().dialect() == "sqlite" &&
         rows >= 100000 && rows > store.customers().count();
}

// Runs `step` for the row at `line`. A problem of the row (a bad value, an
// unknown key, a taken external id, a validation hook's refusal) skips the
// row and is reported; a failure of the database aborts the import, naming
// the file and line.
template <class Step>
void guard_row(ImportReport& r, const std::filesystem::path& file, std::int64_t line, Step step) {
  try {
    step();
  } catch (const DuplicateKey& e) {
    ++r.existing;
    add_error(r, line, e.what());
  } catch (const StoreError& e) {
    throw StoreError(file.string() + ":" + std::to_string(line) + ": " + e.what());
  } catch (const Error& e) {
    add_error(r, line, e.what());
  } catch (const Json::exception& e) {
    add_error(r, line, e.what());
  }
}

// Reads every data row, checks its width and hands it with its line to
// `apply` under guard_row().
template <class Apply>
void for_each_row(CsvReader& csv, const std::filesystem::path& file, const Columns& cols,
                  const ImportOptions& o, ImportReport& r, Apply apply) {
  std::vector<std::string_view> f;
  while (csv.next(f)) {
    ++r.read;
    report_progress(o, csv, r.read);
    const std::int64_t line = csv.line();
    if (f.size() != cols.names.size()) {
      add_error(r, line,
                "expected " + std::to_string(cols.names.size()) + " fields, got " +
                    std::to_string(f.size()));
      continue;
    }
    guard_row(r, file, line, [&] { apply(f, line); });
  }
  if (o.progress) o.progress(r.read, csv.bytes_read(), csv.size());
}

// New customers of an import, written in batches through add_many(), which
// is several times faster than one add() each.
class CustomerBatch {
 public:
  CustomerBatch(Store& store, const std::filesystem::path& file, const ImportOptions& o,
                ImportReport& r)
      : store_(store), file_(file), o_(o), r_(r) {}

  void add(Customer c, std::int64_t line) {
    customers_.push_back(std::move(c));
    lines_.push_back(line);
    if (customers_.size() == kSize) flush();
  }

  // Writes what is pending. Called before any lookup, so a later row of the
  // file sees the customers of the earlier ones.
  void flush() {
    if (customers_.empty()) return;
    std::vector<AddOutcome> outcomes;
    try {
      outcomes = store_.customers().add_many(customers_, o_.actor);
    } catch (const DuplicateKey&) {
      add_one_by_one();  // a hook's refusal of one row, not a broken database
      return;
    } catch (const StoreError& e) {
      throw StoreError(file_.string() + ":" + std::to_string(lines_.front()) + "-" +
                       std::to_string(lines_.back()) + ": " + e.what());
    } catch (const std::exception&) {
      add_one_by_one();
      return;
    }
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (outcomes[i].error.empty()) {
        ++r_.inserted;
      } else {
        if (outcomes[i].duplicate) ++r_.existing;
        add_error(r_, lines_[i], std::move(outcomes[i].error));
      }
    }
    clear();
  }

 private:
  static constexpr std::size_t kSize = 512;
  // A before-commit subscriber refused one of the batch and the batch was
  // undone: add them one by one to find and report it.
  void add_one_by_one() {
    for (std::size_t i = 0; i < customers_.size(); ++i) {
      guard_row(r_, file_, lines_[i], [&] {
        store_.customers().add(customers_[i], o_.actor);
        ++r_.inserted;
      });
    }
    clear();
  }
  void clear() {
    customers_.clear();
    lines_.clear();
  }
  Store& store_;
  const std::filesystem::path& file_;
  const ImportOptions& o_;
  ImportReport& r_;
  std::vector<Customer> customers_;
  std::vector<std::int64_t> lines_;
};

// Commits the import's transaction, with one audit entry for the whole
// import, unless it is a dry run or a strict import with bad rows.
void finish(Store& store, Transaction& tx, const ImportOptions& o, ImportReport& r,
            std::string_view action, const std::filesystem::path& file) {
  // Batched rows report their errors when the batch is written: put the
  // report back in file order.
  std::stable_sort(r.errors.begin(), r.errors.end(),
                   [](const ImportError& a, const ImportError& b) { return a.line < b.line; });
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

ImportOptions::Mode parse_import_mode(std::string_view text) {
  if (text == "create") return ImportOptions::Mode::kCreate;
  if (text == "update") return ImportOptions::Mode::kUpdate;
  if (text == "upsert") return ImportOptions::Mode::kUpsert;
  throw InvalidInput("invalid import mode '" + std::string(text) +
                     "' (expected create, update or upsert)");
}

Json to_json(const ImportReport& r) {
  Json errors = Json::array();
  for (const auto& e : r.errors) errors.push_back({{"line", e.line}, {"message", e.message}});
  Json unknown = Json::array();
  for (const auto& u : r.unknown_columns) {
    unknown.push_back({{"column", u.column}, {"nearest", u.nearest}});
  }
  return Json{{"read", r.read},
              {"inserted", r.inserted},
              {"updated", r.updated},
              {"skipped", r.skipped},
              {"existing", r.existing},
              {"errors", errors},
              {"unknown_columns", unknown},
              {"committed", r.committed}};
}

void from_json(const Json& j, ImportReport& r) {
  const core::Fields f(j, "import report");
  ImportReport out;
  out.read = f.integer("read");
  out.inserted = f.integer("inserted");
  out.updated = f.integer("updated");
  out.skipped = f.integer("skipped");
  out.existing = f.integer("existing");
  for (const core::Fields& e : f.objects("errors")) {
    out.errors.push_back({e.integer("line"), e.text("message")});
  }
  for (const core::Fields& u : f.objects("unknown_columns")) {
    out.unknown_columns.push_back({u.text("column"), u.text("nearest")});
  }
  out.committed = f.boolean("committed");
  r = std::move(out);
}

ImportReport import_customers(Store& store, const std::filesystem::path& file,
                              const ImportOptions& o) {
  CsvReader csv(file);
  const Columns cols = read_header(csv, file);
  const char* key_col = match_column(o.match);
  const auto key_index = cols.find(key_col);
  if (o.mode != ImportOptions::Mode::kCreate && !key_index) {
    throw InvalidInput(file.string() + ":1: --match " + key_col + " needs a '" + key_col +
                       "' column");
  }
  if (o.mode != ImportOptions::Mode::kUpdate && !cols.find("name")) {
    throw InvalidInput(file.string() + ":1: no 'name' column");
  }
  ImportReport r;
  check_unknown_columns(
      file, cols, known_customer_columns(),
      [](const std::string& c) { return customer_field(c) != Field::kAttribute; }, o, r);
  Transaction tx(store.db());
  std::optional<DeferredIndexes> deferred;
  if (bulk_load(store, csv, o)) {
    std::vector<std::string> names = {"customers_owner"};
    if (o.match != MatchKey::kEmail) names.push_back("customers_email");
    if (o.match != MatchKey::kPhone) names.push_back("customers_phone");
    deferred.emplace(store.db(), names);
  }
  CustomerBatch batch(store, file, o, r);
  for_each_row(csv, file, cols, o, r,
               [&](const std::vector<std::string_view>& f, std::int64_t line) {
                 std::optional<Customer> existing;
                 const std::string key = key_index ? trim(f[*key_index]) : std::string();
                 // In create mode the external id is checked by its UNIQUE index; other
                 // keys need a lookup.
                 if (o.mode != ImportOptions::Mode::kCreate || o.match != MatchKey::kExternalId) {
                   batch.flush();
                   if (!key.empty()) existing = store.customers().find_by(o.match, key);
                 }
                 if (o.mode == ImportOptions::Mode::kCreate && existing) {
                   throw DuplicateKey(std::string("a customer with ") + key_col + " '" + key +
                                      "' exists already (id " + std::to_string(existing->id) + ")");
                 }
                 if (o.mode == ImportOptions::Mode::kUpdate && !existing) {
                   throw NotFound(std::string("no customer with ") + key_col + " '" + key + "'");
                 }
                 if (existing) {
                   apply_customer_row(*existing, cols, f);
                   store.customers().update(*existing, o.actor);
                   ++r.updated;
                 } else {
                   Customer c;
                   apply_customer_row(c, cols, f);
                   batch.add(std::move(c), line);
                 }
               });
  batch.flush();
  if (deferred && !o.dry_run) deferred->rebuild();
  finish(store, tx, o, r, "import.customers", file);
  return r;
}

ImportReport import_interactions(Store& store, const std::filesystem::path& file,
                                 const ImportOptions& o) {
  CsvReader csv(file);
  const Columns cols = read_header(csv, file);
  if (o.mode != ImportOptions::Mode::kCreate) {
    throw InvalidInput("interactions are only created; --mode " +
                       std::string(o.mode == ImportOptions::Mode::kUpdate ? "update" : "upsert") +
                       " does not apply");
  }
  const auto id_col = cols.find("customer_id");
  const char* key_col = match_column(o.match);
  const auto key_index = cols.find(key_col);
  if (!id_col && !key_index) {
    throw InvalidInput(file.string() + ":1: no 'customer_id' or '" + key_col +
                       "' column to find the customer");
  }
  for (const char* required : {"channel", "kind"}) {
    if (!cols.find(required))
      throw InvalidInput(file.string() + ":1: no '" + required + "' column");
  }
  const auto time_col = cols.find("occurred_at") ? cols.find("occurred_at") : cols.find("date");
  if (!time_col) throw InvalidInput(file.string() + ":1: no 'occurred_at' (or 'date') column");
  const auto currency_col = cols.find("currency");
  const Currency default_currency = store.default_currency();
  ImportReport r;
  const auto& known = known_interaction_columns();
  check_unknown_columns(
      file, cols, known,
      [&](const std::string& c) { return std::find(known.begin(), known.end(), c) != known.end(); },
      o, r);
  Transaction tx(store.db());
  std::unordered_map<std::string, CustomerId> resolved;  // key -> id, cached per import
  for_each_row(csv, file, cols, o, r, [&](const std::vector<std::string_view>& f, std::int64_t) {
    Interaction it;
    if (id_col && !f[*id_col].empty()) {
      const std::string s = trim(f[*id_col]);
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), it.customer_id);
      if (ec != std::errc{} || p != s.data() + s.size()) {
        throw InvalidInput("customer_id '" + s + "' is not a number");
      }
    } else {
      const std::string key = key_index ? trim(f[*key_index]) : std::string();
      if (key.empty()) throw InvalidInput(std::string("no customer_id and no ") + key_col);
      auto hit = resolved.find(key);
      if (hit == resolved.end()) {
        const auto c = store.customers().find_by(o.match, key);
        if (!c) throw NotFound(std::string("no customer with ") + key_col + " '" + key + "'");
        hit = resolved.emplace(key, c->id).first;
      }
      it.customer_id = hit->second;
    }
    if (f[*time_col].empty()) throw InvalidInput("no occurred_at time");
    it.occurred_at = parse_time(f[*time_col]);
    for (std::size_t i = 0; i < f.size(); ++i) {
      const std::string& col = cols.names[i];
      const std::string_view v = f[i];
      if (v.empty() || i == time_col || col == "customer_id" || col == key_col) continue;
      if (col == "channel")
        it.channel = trim(v);
      else if (col == "kind")
        it.kind = trim(v);
      else if (col == "direction")
        it.direction = parse_direction(trim(v));
      else if (col == "amount")
        it.amount =
            parse_amount(v, currency_col ? f[*currency_col] : std::string_view{}, default_currency);
      else if (col == "currency")
        continue;  // read with the amount
      else if (col == "agent")
        it.agent = trim(v);
      else if (col == "notes")
        it.notes = std::string(v);
      else if (col == "commitments")
        it.commitments = split_list(v);
      else if (col == "case_id")
        add_case_link(it, trim(v));
      else if (col == "links")
        for (const std::string& ref : split_list(v)) it.links.push_back(parse_entity_ref(ref));
      else
        it.payload[col] = std::string(v);
    }
    store.interactions().record(it, o.actor);
    ++r.inserted;
  });
  finish(store, tx, o, r, "import.interactions", file);
  return r;
}

}  // namespace crm
