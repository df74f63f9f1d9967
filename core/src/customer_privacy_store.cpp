#include "customer_privacy_store.hpp"

#include "crm/error.hpp"
#include "crm/event.hpp"

namespace crm::core {
namespace {

Json erased_at_of(SqliteDatabase& db, CustomerId id) {
  const auto rows = db.query("SELECT erased_at FROM customers WHERE id = ?", {id});
  if (rows.empty() || rows[0].is_null(0)) return nullptr;
  return format_time(from_unix(rows[0].integer(0)));
}

}  // namespace

Json CustomerPrivacyStore::export_customer(CustomerId id, const Actor& by) {
  Transaction tx(p_.db);
  const Customer c = customers_.get(id);
  const TimePoint now = p_.clock.now();
  Json out{{"customer", to_json(c)},
           {"erased_at", erased_at_of(p_.db, id)},
           {"exported_at", format_time(now)},
           {"tables", tables_.rows_of(id)}};
  std::int64_t tables = 0, rows = 0;
  for (const auto& [owner, of_owner] : out["tables"].items()) {
    for (const auto& [table, table_rows] : of_owner.items()) {
      ++tables;
      rows += static_cast<std::int64_t>(table_rows.size());
    }
  }
  // Who looked at everything held about a person is itself on record; the
  // row is written after the rows are read, so the export does not hold it.
  const Json counts{{"tables", tables}, {"rows", rows}};
  p_.audit.record(by, "customer.export", "customer", id, id, counts);
  p_.bus.publish(Event{events::kCustomerExported, now, id, counts});
  tx.commit();
  return out;
}

ErasureReport CustomerPrivacyStore::erase(CustomerId id, const Actor& by) {
  Transaction tx(p_.db);
  (void)customers_.get(id);  // NotFound before anything is touched
  const TimePoint now = p_.clock.now();
  ErasureReport report;
  report.customer = id;
  report.erased_at = now;
  // The declared tables first, the audit log among them; the erasure's own
  // audit row comes last so that it survives.
  tables_.erase(id, report);
  // A case's history is keyed by the case, not the customer: its free-text
  // notes go with the case's subject.
  p_.db.execute(
      "UPDATE case_history SET note = NULL WHERE note IS NOT NULL AND case_id IN "
      "(SELECT id FROM cases WHERE customer_id = ?)",
      {id});
  report.anonymised["kernel.case_history"] = p_.db.changes();
  p_.db.execute(
      "UPDATE customers SET name = ?, external_id = NULL, email = NULL, email_norm = NULL, "
      "phone = NULL, phone_norm = NULL, birthday = NULL, consent = '{}', tags = '[]', "
      "attributes = '{}', updated_at = ?, erased_at = ? WHERE id = ?",
      {"erased customer " + std::to_string(id), to_unix(now), to_unix(now), id});
  report.anonymised["kernel.customers"] = p_.db.changes();
  const Json counts{{"deleted", report.deleted}, {"anonymised", report.anonymised}};
  p_.audit.record(by, "customer.erase", "customer", id, id, counts);
  p_.bus.publish(Event{events::kCustomerErased, now, id, counts});
  tx.commit();
  return report;
}

}  // namespace crm::core
