#include "kernel_schema.hpp"

namespace crm::core {

const std::vector<Migration>& kernel_migrations() {
  // Times are seconds since the epoch (UTC); JSON columns hold text. Empty
  // optional strings are stored as NULL so UNIQUE external ids allow many
  // customers without one.
  static const std::vector<Migration> steps = {
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
      // Days are text YYYY-MM-DD (they sort as dates); money is an integer
      // of minor units with its currency code beside it.
      {2, "products, price list, purchase lines, assets, channel cost", R"sql(
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
  return steps;
}

}  // namespace crm::core
