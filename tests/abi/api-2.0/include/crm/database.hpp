// Portable SQL access for plugins: their own tables, their own queries.
//
// Nothing here names SQLite. Statements use "?" placeholders and SQL that
// PostgreSQL also accepts (INTEGER/BIGINT, REAL/DOUBLE PRECISION, TEXT), so a
// second backend needs no change in a plugin. Prepared statements are cached
// by their text: repeating a statement costs no parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crm/export.hpp"

namespace crm {

using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

// One result row. Accessors throw StoreError naming the column when the
// value has another type; integers convert to double on request.
class CRM_API SqlRow {
 public:
  explicit SqlRow(std::vector<SqlValue> values) : values_(std::move(values)) {}
  std::size_t size() const { return values_.size(); }
  bool is_null(std::size_t i) const {
    return std::holds_alternative<std::nullptr_t>(values_.at(i));
  }
  std::int64_t integer(std::size_t i) const;
  double real(std::size_t i) const;
  const std::string& text(std::size_t i) const;
  const SqlValue& value(std::size_t i) const { return values_.at(i); }

 private:
  std::vector<SqlValue> values_;
};

// A step of a component's schema. Versions of one component start at 1 and
// are applied in order, each in its own transaction, exactly once.
struct Migration {
  int version = 0;
  std::string description;
  std::string sql;  // one or more statements separated by ';'
};

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API Database {
 public:
  virtual ~Database() = default;

  // Runs one statement with bound parameters. Throws StoreError with the
  // statement and the database's message.
  virtual void execute(std::string_view sql, const std::vector<SqlValue>& params = {}) = 0;

  // Runs a query and returns all rows.
  virtual std::vector<SqlRow> query(std::string_view sql,
                                    const std::vector<SqlValue>& params = {}) = 0;

  // Runs a query and calls `row` for each result row without collecting them.
  virtual void query_each(std::string_view sql, const std::vector<SqlValue>& params,
                          const std::function<void(const SqlRow&)>& row) = 0;

  // Id of the last inserted row and number of rows the last statement changed.
  virtual std::int64_t last_insert_id() const = 0;
  virtual std::int64_t changes() const = 0;

  // Applies the migrations of `component` newer than its recorded version.
  // Returns the number applied. Throws StoreError naming the component and
  // version of a failing step; earlier steps stay applied.
  virtual int migrate(std::string_view component, const std::vector<Migration>& steps) = 0;

  // The version of `component`'s schema, 0 when it has none.
  virtual int schema_version(std::string_view component) = 0;

  // "sqlite" or "postgresql".
  virtual std::string dialect() const = 0;

  // True while a transaction is open.
  virtual bool in_transaction() const = 0;

 protected:
  friend class Transaction;
  // Nested calls become savepoints; only the outermost commit is durable.
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
};

// A transaction: begun when constructed, rolled back when destroyed without
// commit() (an exception, a killed import), so no partial write survives.
// Nests: an inner Transaction is a savepoint of the outer one.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) { db_.begin(); }
  ~Transaction() {
    if (!done_) db_.rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit() {
    db_.commit();
    done_ = true;
  }

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace crm
