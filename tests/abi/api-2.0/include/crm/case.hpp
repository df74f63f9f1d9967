// A case: a complaint, service request, repair request or inquiry a customer
// raised, followed from opening to closing through a defined life cycle.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/customer.hpp"
#include "crm/export.hpp"
#include "crm/interaction.hpp"
#include "crm/json.hpp"
#include "crm/task.hpp"
#include "crm/time.hpp"

namespace crm {

using CaseId = std::int64_t;

struct Case {
  enum class Type { kComplaint, kServiceRequest, kRepairRequest, kInquiry };
  enum class Priority { kLow, kNormal, kHigh, kUrgent };
  // The life cycle (can_transition() below): open -> in_progress <->
  // waiting (on the customer) -> resolved -> closed; a resolved case may be
  // reopened (in_progress); any case not yet resolved may be cancelled.
  // closed and cancelled are final.
  enum class Status { kOpen, kInProgress, kWaiting, kResolved, kClosed, kCancelled };
  // How the complainant behaves: the contingency plan depends on it.
  // unreasonable: demands beyond any policy; non_expert: blames the product
  // for a misuse; probing: fishing for inside information.
  enum class Attitude { kUnknown, kCooperative, kUnreasonable, kNonExpert, kProbing };

  CaseId id = 0;
  CustomerId customer_id = 0;
  Type type = Type::kComplaint;
  std::string category;  // the business's own classification ("billing", "delivery"...)
  std::string subject;
  std::string channel;  // where it came in: phone, email, visit...
  Priority priority = Priority::kNormal;
  Status status = Status::kOpen;
  std::string owner;         // who handles it now
  std::string appeal_point;  // what the complainant asks for (refund, repair, apology...)
  Attitude attitude = Attitude::kUnknown;
  Json context = Json::object();  // whatever else the channel or a plugin knows
  // Linked records, read from the store: interactions whose links name this
  // case, tasks whose link is this case, in id order. At open() the
  // interactions listed are linked to the new case.
  std::vector<InteractionId> interactions;
  std::vector<TaskId> tasks;
  TimePoint opened_at{};
  TimePoint updated_at{};
  std::optional<TimePoint> closed_at;  // when it became closed or cancelled
};

// One entry of a case's history: its opening, a status change or a
// hand-over to another owner, with who did it and when.
struct CaseChange {
  enum class Kind { kOpened, kStatus, kAssigned };
  Kind kind = Kind::kOpened;
  TimePoint at{};
  std::string actor;  // to_string(Actor)
  std::string from;   // the previous status or owner ("" when opened)
  std::string to;     // the new status or owner
  std::string note;
};

// Names as stored and shown: "complaint", "service_request", "in_progress",
// "non_expert"... The parse functions throw InvalidInput naming the text and
// the accepted values.
CRM_API std::string to_string(Case::Type t);
CRM_API Case::Type parse_case_type(std::string_view text);
CRM_API std::string to_string(Case::Priority p);
CRM_API Case::Priority parse_case_priority(std::string_view text);
CRM_API std::string to_string(Case::Status s);
CRM_API Case::Status parse_case_status(std::string_view text);
CRM_API std::string to_string(Case::Attitude a);
CRM_API Case::Attitude parse_case_attitude(std::string_view text);
CRM_API std::string to_string(CaseChange::Kind k);

// Whether the life cycle allows going from `from` to `to` (never to itself).
CRM_API bool can_transition(Case::Status from, Case::Status to);
// The statuses reachable from `from` in one step, in declaration order.
CRM_API std::vector<Case::Status> next_statuses(Case::Status from);
// closed or cancelled: nothing more happens to the case.
CRM_API bool is_final(Case::Status s);

CRM_API Json to_json(const Case& c);
// Reads what to_json() writes, exactly (also `j.get<Case>()`). Throws
// InvalidInput naming the key that is missing or wrong ("case: 'status': ...").
CRM_API void from_json(const Json& j, Case& c);
CRM_API Json to_json(const CaseChange& c);
CRM_API void from_json(const Json& j, CaseChange& c);

}  // namespace crm
