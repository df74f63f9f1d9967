#include "kernel_schema.hpp"

namespace crm::core {

namespace {

// Version 2: amounts become exact. The REAL column gives way to integer
// minor units and the ISO 4217 code; a stored value is rounded half away
// from zero (SQLite's ROUND) to the default currency's minor unit, the
// currency a REAL amount was always meant in.
Migration exact_amounts(Currency c) {
  std::int64_t scale = 1;
  for (int d = 0; d < c.minor_digits(); ++d) scale *= 10;
  return {2, "interactions.amount as minor units and currency",
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
  };
  steps.push_back(exact_amounts(default_currency));
  return steps;
}

}  // namespace crm::core
