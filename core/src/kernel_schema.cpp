#include "kernel_schema.hpp"

namespace crm::core {

namespace {

// Version 7: amounts become exact. The REAL column gives way to integer
// minor units and the ISO 4217 code; a stored value is rounded half away
// from zero (SQLite's ROUND) to the default currency's minor unit, the
// currency a REAL amount was always meant in.
Migration exact_amounts(Currency c) {
  std::int64_t scale = 1;
  for (int d = 0; d < c.minor_digits(); ++d) scale *= 10;
  return {7, "interactions.amount as minor units and currency",
          "ALTER TABLE interactions ADD COLUMN amount_minor INTEGER;\n"
          "ALTER TABLE interactions ADD COLUMN currency TEXT;\n"
          "UPDATE interactions SET amount_minor = CAST(ROUND(amount * " +
              std::to_string(scale) + ") AS INTEGER), currency = '" + std::string(c.code()) +
              "' WHERE amount IS NOT NULL;\n"
              "ALTER TABLE interactions DROP COLUMN amount;\n"
              // The read models' scans of purchases per customer read only
              // this index, never the rows.
              "CREATE INDEX interactions_kind_customer ON interactions(kind, customer_id, "
              "occurred_at, amount_minor, currency);\n"};
}

}  // namespace

std::vector<Migration> kernel_migrations(Currency default_currency) {
  // Times are seconds since the epoch (UTC); JSON columns hold text. Empty
  // optional strings are stored as NULL so UNIQUE external ids allow many
  // customers without one.
  std::vector<Migration> steps = {
      {1, "customers, interactions, tasks, audit, timers", R"sql(
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  external_id TEXT UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'person',
  email TEXT, email_norm TEXT,
  phone TEXT, phone_norm TEXT,
  birthday TEXT,
  owner TEXT,
  stage TEXT NOT NULL DEFAULT 'customer',
  segment TEXT,
  consent TEXT NOT NULL DEFAULT '{}',
  tags TEXT NOT NULL DEFAULT '[]',
  attributes TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX customers_email ON customers(email_norm);
CREATE INDEX customers_phone ON customers(phone_norm);
CREATE INDEX customers_owner ON customers(owner);
CREATE TABLE contact_persons (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  name TEXT NOT NULL, role TEXT, email TEXT, phone TEXT,
  is_primary INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contact_persons_customer ON contact_persons(customer_id);
CREATE UNIQUE INDEX contact_persons_one_primary ON contact_persons(customer_id) WHERE is_primary = 1;
CREATE TABLE interactions (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  channel TEXT NOT NULL, kind TEXT NOT NULL, direction TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  amount REAL, agent TEXT, notes TEXT,
  commitments TEXT NOT NULL DEFAULT '[]',
  payload TEXT NOT NULL DEFAULT '{}',
  case_id TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX interactions_customer ON interactions(customer_id, occurred_at);
CREATE INDEX interactions_kind ON interactions(kind, occurred_at);
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER REFERENCES customers(id),
  title TEXT NOT NULL, owner TEXT, due_at INTEGER,
  status TEXT NOT NULL DEFAULT 'open',
  link TEXT,
  created_at INTEGER NOT NULL, completed_at INTEGER
);
CREATE INDEX tasks_customer ON tasks(customer_id);
CREATE INDEX tasks_owner_status ON tasks(owner, status);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  entity TEXT NOT NULL, entity_id INTEGER NOT NULL,
  customer_id INTEGER,
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_customer ON audit_log(customer_id);
CREATE TABLE owner_handovers (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  from_owner TEXT, to_owner TEXT,
  at INTEGER NOT NULL, actor TEXT NOT NULL
);
CREATE INDEX owner_handovers_customer ON owner_handovers(customer_id);
CREATE TABLE customer_merges (
  id INTEGER PRIMARY KEY,
  kept_id INTEGER NOT NULL, merged_id INTEGER NOT NULL,
  merged_record TEXT NOT NULL,
  at INTEGER NOT NULL, actor TEXT NOT NULL
);
CREATE TABLE timers (
  id INTEGER PRIMARY KEY,
  due_at INTEGER NOT NULL, kind TEXT NOT NULL,
  customer_id INTEGER,
  payload TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'pending',
  fired_at INTEGER, error TEXT
);
CREATE INDEX timers_due ON timers(status, due_at);
)sql"},
      {2, "typed links: interaction_links, tasks.link_type/link_id", R"sql(
CREATE TABLE interaction_links (
  interaction_id INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  entity_type TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  PRIMARY KEY (interaction_id, entity_type, entity_id)
) WITHOUT ROWID;
CREATE INDEX interaction_links_entity ON interaction_links(entity_type, entity_id);
-- "case:17" (or any "type:17") and a bare "17" (the case number the CLI
-- took) become links; any other text is kept in the payload, not lost.
INSERT OR IGNORE INTO interaction_links
  SELECT id, substr(case_id, 1, instr(case_id, ':') - 1),
         CAST(substr(case_id, instr(case_id, ':') + 1) AS INTEGER)
  FROM interactions
  WHERE instr(case_id, ':') > 1
    AND substr(case_id, 1, instr(case_id, ':') - 1) GLOB '[a-z]*'
    AND substr(case_id, 1, instr(case_id, ':') - 1) NOT GLOB '*[^a-z0-9_.]*'
    AND substr(case_id, instr(case_id, ':') + 1) GLOB '[1-9]*'
    AND substr(case_id, instr(case_id, ':') + 1) NOT GLOB '*[^0-9]*'
    AND length(case_id) - instr(case_id, ':') <= 18;
INSERT OR IGNORE INTO interaction_links
  SELECT id, 'case', CAST(case_id AS INTEGER) FROM interactions
  WHERE case_id GLOB '[1-9]*' AND case_id NOT GLOB '*[^0-9]*' AND length(case_id) <= 18;
UPDATE interactions SET payload = json_set(payload, '$.legacy_case_id', case_id)
  WHERE case_id IS NOT NULL AND case_id <> ''
    AND id NOT IN (SELECT interaction_id FROM interaction_links);
ALTER TABLE interactions DROP COLUMN case_id;
ALTER TABLE tasks ADD COLUMN link_type TEXT;
ALTER TABLE tasks ADD COLUMN link_id INTEGER;
UPDATE tasks SET link_type = substr(link, 1, instr(link, ':') - 1),
                 link_id = CAST(substr(link, instr(link, ':') + 1) AS INTEGER)
  WHERE instr(link, ':') > 1
    AND substr(link, 1, instr(link, ':') - 1) GLOB '[a-z]*'
    AND substr(link, 1, instr(link, ':') - 1) NOT GLOB '*[^a-z0-9_.]*'
    AND substr(link, instr(link, ':') + 1) GLOB '[1-9]*'
    AND substr(link, instr(link, ':') + 1) NOT GLOB '*[^0-9]*'
    AND length(link) - instr(link, ':') <= 18;
-- A link that is no reference stays readable in the title.
UPDATE tasks SET title = title || ' [' || link || ']'
  WHERE link IS NOT NULL AND link <> '' AND link_type IS NULL;
ALTER TABLE tasks DROP COLUMN link;
CREATE INDEX tasks_link ON tasks(link_type, link_id);
)sql"},
      {3, "cases and their history", R"sql(
CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  type TEXT NOT NULL, category TEXT, subject TEXT NOT NULL, channel TEXT,
  priority TEXT NOT NULL, status TEXT NOT NULL, owner TEXT,
  appeal_point TEXT, attitude TEXT NOT NULL,
  context TEXT NOT NULL DEFAULT '{}',
  opened_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, closed_at INTEGER
);
CREATE INDEX cases_customer ON cases(customer_id);
CREATE INDEX cases_status_owner ON cases(status, owner);
CREATE TABLE case_history (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  at INTEGER NOT NULL, actor TEXT NOT NULL,
  change TEXT NOT NULL, from_value TEXT, to_value TEXT, note TEXT
);
CREATE INDEX case_history_case ON case_history(case_id, id);
)sql"},
      // Plugins' per-customer table declarations (customer_table.hpp), kept
      // so that a merge or an erasure in a run without the plugin loaded
      // still handles its rows; and when a customer was erased.
      {4, "per-customer table declarations, erased customers", R"sql(
CREATE TABLE customer_tables (
  table_name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  declaration TEXT NOT NULL
);
ALTER TABLE customers ADD COLUMN erased_at INTEGER;
)sql"},
      // The business calendar's holidays (crm/holiday_repository.hpp); the
      // day is "YYYY-MM-DD" in the business time zone.
      {5, "holidays", R"sql(
CREATE TABLE holidays (
  day TEXT PRIMARY KEY,
  name TEXT NOT NULL
);
)sql"},
      // Days are text YYYY-MM-DD (they sort as dates); money is an integer
      // of minor units with its currency code beside it.
      {6, "products, price list, purchase lines, assets, channel cost", R"sql(
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  serialised INTEGER NOT NULL DEFAULT 0,
  warranty_months INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX products_category ON products(category);
CREATE TABLE product_prices (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products(id),
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  unit_price INTEGER NOT NULL, currency TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX product_prices_product ON product_prices(product_id, valid_from);
CREATE TABLE purchase_lines (
  interaction_id INTEGER NOT NULL REFERENCES interactions(id),
  line INTEGER NOT NULL,
  product_id INTEGER NOT NULL REFERENCES products(id),
  quantity INTEGER NOT NULL,
  unit_price INTEGER NOT NULL, currency TEXT NOT NULL,
  PRIMARY KEY (interaction_id, line)
);
CREATE INDEX purchase_lines_product ON purchase_lines(product_id);
CREATE TABLE assets (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  product_id INTEGER NOT NULL REFERENCES products(id),
  serial TEXT NOT NULL UNIQUE,
  purchased_on TEXT NOT NULL,
  warranty_end TEXT,
  interaction_id INTEGER REFERENCES interactions(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX assets_customer ON assets(customer_id);
CREATE INDEX assets_product ON assets(product_id);
ALTER TABLE interactions ADD COLUMN channel_cost INTEGER;
ALTER TABLE interactions ADD COLUMN channel_cost_currency TEXT;
)sql"},
  };
  steps.push_back(exact_amounts(default_currency));
  // Version 8: the scan of a kind's interactions by customer, then time,
  // then id (the order RFM and lifetime value read in) walks this index
  // alone; with amount_minor before the rowid, as in v7, SQLite sorted
  // every customer's rows again in a temporary b-tree, which made a scan
  // of ten million purchases several times slower.
  steps.push_back({8, "purchases scanned in index order", R"sql(
DROP INDEX interactions_kind_customer;
CREATE INDEX interactions_kind_customer ON interactions(kind, customer_id, occurred_at, id,
                                                        amount_minor, currency);
)sql"});
  return steps;
}

}  // namespace crm::core
