// Cases in the store: opening, hand-over, status changes along the life
// cycle, each with its history entry, audit entry and event in one
// transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crm/actor.hpp"
#include "crm/case.hpp"
#include "crm/export.hpp"

namespace crm {

struct CaseQuery {
  std::optional<CustomerId> customer_id;
  std::optional<std::string> owner;
  std::optional<Case::Status> status;
  std::optional<Case::Type> type;
  bool active_only = false;  // leave out closed and cancelled cases
};

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API CaseRepository {
 public:
  virtual ~CaseRepository() = default;

  // Stores `c` as a new open case (its id, status and times are ignored) and
  // links it to the interactions in `c.interactions`; returns its id.
  // Publishes "case.opened" {case_id, type, priority, channel, owner,
  // status}. Throws NotFound for an unknown customer or interaction and
  // InvalidInput for an empty subject, invalid text or an interaction of
  // another customer.
  virtual CaseId open(const Case& c, const Actor& by) = 0;
  virtual std::optional<Case> find(CaseId id) = 0;
  // Throws NotFound naming the id.
  virtual Case get(CaseId id) = 0;
  // Matching cases, newest first (by id).
  virtual std::vector<Case> list(const CaseQuery& q) = 0;
  // Hands the case over to `owner`; publishes "case.assigned" {case_id,
  // from, to}. Throws NotFound for an unknown id, InvalidInput when the case
  // is closed or cancelled or already has that owner.
  virtual void assign(CaseId id, const std::string& owner, const std::string& note,
                      const Actor& by) = 0;
  // Moves the case to `to`; publishes "case.status_changed" {case_id, from,
  // to}. Throws NotFound for an unknown id and InvalidInput naming both
  // states when the life cycle does not allow the step.
  virtual void set_status(CaseId id, Case::Status to, const std::string& note, const Actor& by) = 0;
  // Links an interaction recorded earlier to the case; publishes
  // "case.linked" {case_id, interaction_id}. Throws NotFound for either id,
  // InvalidInput for an interaction of another customer or one linked
  // already.
  virtual void link_interaction(CaseId id, InteractionId interaction, const Actor& by) = 0;
  // Every change, oldest first, the opening included. Throws NotFound.
  virtual std::vector<CaseChange> history(CaseId id) = 0;
};

}  // namespace crm
