// Customers in the store: create, read, update, find, list, hand over, merge.
//
// Every write takes the Actor who makes it, is recorded in the audit log in
// the same transaction, and publishes its event (see event.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crm/actor.hpp"
#include "crm/customer.hpp"
#include "crm/export.hpp"

namespace crm {

// The key an incoming record is matched on (imports, lookups).
enum class MatchKey { kExternalId, kEmail, kPhone };
CRM_API MatchKey parse_match_key(std::string_view text);  // "external_id", "email", "phone"

struct CustomerQuery {
  std::optional<std::string> owner;
  std::optional<std::string> stage;
  std::optional<std::string> segment;
  std::optional<std::string> tag;
  std::optional<std::string> text;  // substring of name, e-mail or external id
  std::int64_t limit = -1;          // -1: no limit
  std::int64_t offset = 0;
};

// Customers that look like the same one: they share a normalised e-mail or
// phone number.
struct DuplicateGroup {
  std::string reason;           // "email" or "phone"
  std::string value;            // the normalised value they share
  std::vector<CustomerId> ids;  // ascending
};

// What a reassignment moved.
struct Handover {
  std::int64_t customers = 0;
  std::int64_t open_tasks = 0;
};

// What add_many() did with one customer: its new id, or why it was not
// added (id 0).
struct AddOutcome {
  CustomerId id = 0;
  std::string error;
  bool duplicate = false;  // not added because its external id is taken
};

// A segment to give a customer (set_segments()).
struct SegmentAssignment {
  CustomerId id = 0;
  std::string segment;
};

// A segment set_segments() changed.
struct SegmentChange {
  CustomerId id = 0;
  std::string previous;
  std::string segment;
};

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API CustomerRepository {
 public:
  virtual ~CustomerRepository() = default;

  // Inserts `c` (its id is ignored) and returns the new id. Throws
  // InvalidInput for an empty name or a bad field, DuplicateKey (a
  // StoreError) for a taken external id, naming it.
  virtual CustomerId add(const Customer& c, const Actor& by) = 0;

  // Replaces the stored customer `c.id`. Throws NotFound for an unknown id.
  // A changed owner is recorded as a hand-over.
  virtual void update(const Customer& c, const Actor& by) = 0;

  virtual std::optional<Customer> find(CustomerId id) = 0;
  // Like find() but throws NotFound("customer <id> not found").
  virtual Customer get(CustomerId id) = 0;
  // Matches on the normalised value of `key`; the lowest id wins if several.
  virtual std::optional<Customer> find_by(MatchKey key, std::string_view value) = 0;

  virtual std::vector<Customer> list(const CustomerQuery& q) = 0;
  virtual std::int64_t count() = 0;

  // Moves every customer owned by `from` (and their open tasks owned by
  // `from`) to `to`. History stays with the customer; each customer gets a
  // hand-over record and audit entry. Throws NotFound when `from` owns none.
  virtual Handover reassign_owner(const std::string& from, const std::string& to,
                                  const Actor& by) = 0;

  // Groups of likely duplicates, largest first.
  virtual std::vector<DuplicateGroup> find_duplicates() = 0;

  // Merges `other` into `keep`: empty fields of `keep` are filled from
  // `other`; tags and contacts are united; attributes of `keep` win. The
  // rows of every declared per-customer table (customer_table.hpp: the
  // kernel's interactions, tasks, hand-overs, audit log, timers... and the
  // plugins') are moved, kept or dropped as declared. `other` is deleted
  // and the merge recorded. Before-commit subscribers of "customer.merged"
  // run inside the transaction. Throws NotFound for an unknown id,
  // InvalidInput when both ids are the same, Conflict naming the table when
  // a keep_both table's rows of the two clash; nothing is merged then.
  virtual void merge(CustomerId keep, CustomerId other, const Actor& by) = 0;

  // Added in API 1.1 (at the end, so plugins built for 1.0 keep working).
  // Adds many customers in one transaction, as add() would one by one but
  // faster: the batch shares one savepoint and writes its audit entries in
  // multi-row INSERTs. A customer that is invalid or whose external id is taken is
  // not added and its outcome says why; the others are. Outcomes are in the
  // order of `customers`. The customer.created events are published once the
  // batch is written: a before-commit subscriber that throws undoes the
  // whole batch and the exception propagates, as does a StoreError.
  virtual std::vector<AddOutcome> add_many(std::span<const Customer> customers,
                                           const Actor& by) = 0;

  // How many customers list() gives for `q` without its limit and offset.
  // (Last, so that the earlier functions keep their place for plugins.)
  virtual std::int64_t count(const CustomerQuery& q) = 0;

  // Sets the segment of many customers in one transaction, as update()
  // with only the segment changed would one by one, without reading or
  // rewriting the rest of each record. A customer whose segment differs
  // gets it, with updated_at, an audit row "customer.update" whose details
  // are {"segment": {"old", "new"}} and a "customer.updated" event with
  // those changes (published after every row is written); the others are
  // left alone. Returns the changes in the order given. Throws NotFound
  // naming the first unknown id and InvalidInput for a segment that is not
  // UTF-8; then nothing is written.
  virtual std::vector<SegmentChange> set_segments(std::span<const SegmentAssignment> segments,
                                                  const Actor& by) = 0;
};

}  // namespace crm
