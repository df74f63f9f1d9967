// Names, life cycle and JSON forms of Case and CaseChange.
#include <array>
#include <utility>

#include "crm/case.hpp"
#include "crm/error.hpp"
#include "json_fields.hpp"

namespace crm {
namespace {

template <typename E, std::size_t N>
using Names = std::array<std::pair<E, const char*>, N>;

constexpr Names<Case::Type, 4> kTypes{{{Case::Type::kComplaint, "complaint"},
                                       {Case::Type::kServiceRequest, "service_request"},
                                       {Case::Type::kRepairRequest, "repair_request"},
                                       {Case::Type::kInquiry, "inquiry"}}};
constexpr Names<Case::Priority, 4> kPriorities{{{Case::Priority::kLow, "low"},
                                                {Case::Priority::kNormal, "normal"},
                                                {Case::Priority::kHigh, "high"},
                                                {Case::Priority::kUrgent, "urgent"}}};
constexpr Names<Case::Status, 6> kStatuses{{{Case::Status::kOpen, "open"},
                                            {Case::Status::kInProgress, "in_progress"},
                                            {Case::Status::kWaiting, "waiting"},
                                            {Case::Status::kResolved, "resolved"},
                                            {Case::Status::kClosed, "closed"},
                                            {Case::Status::kCancelled, "cancelled"}}};
constexpr Names<Case::Attitude, 5> kAttitudes{{{Case::Attitude::kUnknown, "unknown"},
                                               {Case::Attitude::kCooperative, "cooperative"},
                                               {Case::Attitude::kUnreasonable, "unreasonable"},
                                               {Case::Attitude::kNonExpert, "non_expert"},
                                               {Case::Attitude::kProbing, "probing"}}};
constexpr Names<CaseChange::Kind, 3> kChangeKinds{{{CaseChange::Kind::kOpened, "opened"},
                                                   {CaseChange::Kind::kStatus, "status"},
                                                   {CaseChange::Kind::kAssigned, "assigned"}}};

template <typename E, std::size_t N>
std::string name_of(const Names<E, N>& names, E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return names[0].second;
}

template <typename E, std::size_t N>
E parse_name(const Names<E, N>& names, std::string_view text, const char* what) {
  std::string expected;
  for (const auto& [v, name] : names) {
    if (text == name) return v;
    expected += (expected.empty() ? "" : ", ") + std::string(name);
  }
  throw InvalidInput("invalid case " + std::string(what) + " '" + std::string(text) +
                     "' (expected " + expected + ")");
}

// Reads an enum field, naming the entity and key when the value is not one
// of its names ("case: 'status': invalid case status 'done' (...)").
template <typename E, std::size_t N>
E enum_field(const core::Fields& f, const char* entity, const char* key, const Names<E, N>& names,
             const char* what) {
  const std::string text = f.text(key);
  try {
    return parse_name(names, text, what);
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string(entity) + ": '" + key + "': " + e.what());
  }
}

}  // namespace

std::string to_string(Case::Type t) { return name_of(kTypes, t); }
Case::Type parse_case_type(std::string_view text) { return parse_name(kTypes, text, "type"); }
std::string to_string(Case::Priority p) { return name_of(kPriorities, p); }
Case::Priority parse_case_priority(std::string_view text) {
  return parse_name(kPriorities, text, "priority");
}
std::string to_string(Case::Status s) { return name_of(kStatuses, s); }
Case::Status parse_case_status(std::string_view text) {
  return parse_name(kStatuses, text, "status");
}
std::string to_string(Case::Attitude a) { return name_of(kAttitudes, a); }
Case::Attitude parse_case_attitude(std::string_view text) {
  return parse_name(kAttitudes, text, "attitude");
}
std::string to_string(CaseChange::Kind k) { return name_of(kChangeKinds, k); }

bool is_final(Case::Status s) {
  return s == Case::Status::kClosed || s == Case::Status::kCancelled;
}

bool can_transition(Case::Status from, Case::Status to) {
  using S = Case::Status;
  switch (from) {
    case S::kOpen:
      return to == S::kInProgress || to == S::kWaiting || to == S::kResolved || to == S::kCancelled;
    case S::kInProgress:
      return to == S::kWaiting || to == S::kResolved || to == S::kCancelled;
    case S::kWaiting:
      return to == S::kInProgress || to == S::kResolved || to == S::kCancelled;
    case S::kResolved:
      // Reopened when the customer says it is not solved after all.
      return to == S::kInProgress || to == S::kClosed;
    case S::kClosed:
    case S::kCancelled:
      break;
  }
  return false;
}

std::vector<Case::Status> next_statuses(Case::Status from) {
  std::vector<Case::Status> out;
  for (const auto& [s, name] : kStatuses) {
    if (can_transition(from, s)) out.push_back(s);
  }
  return out;
}

Json to_json(const Case& c) {
  Json j{{"id", c.id},
         {"customer_id", c.customer_id},
         {"type", to_string(c.type)},
         {"category", c.category},
         {"subject", c.subject},
         {"channel", c.channel},
         {"priority", to_string(c.priority)},
         {"status", to_string(c.status)},
         {"owner", c.owner},
         {"appeal_point", c.appeal_point},
         {"attitude", to_string(c.attitude)},
         {"context", c.context},
         {"interactions", c.interactions},
         {"tasks", c.tasks},
         {"opened_at", format_time(c.opened_at)},
         {"updated_at", format_time(c.updated_at)},
         {"closed_at", nullptr}};
  if (c.closed_at) j["closed_at"] = format_time(*c.closed_at);
  return j;
}

namespace {

std::vector<std::int64_t> ids(const core::Fields& f, const char* key) {
  const Json& a = f.at(key);
  if (!a.is_array()) f.wrong(key, "an array of whole numbers");
  std::vector<std::int64_t> out;
  for (const Json& v : a) {
    if (!v.is_number_integer()) f.wrong(key, "an array of whole numbers");
    out.push_back(v.get<std::int64_t>());
  }
  return out;
}

}  // namespace

void from_json(const Json& j, Case& c) {
  const core::Fields f(j, "case");
  Case out;
  out.id = f.integer("id");
  out.customer_id = f.integer("customer_id");
  out.type = enum_field(f, "case", "type", kTypes, "type");
  out.category = f.text("category");
  out.subject = f.text("subject");
  out.channel = f.text("channel");
  out.priority = enum_field(f, "case", "priority", kPriorities, "priority");
  out.status = enum_field(f, "case", "status", kStatuses, "status");
  out.owner = f.text("owner");
  out.appeal_point = f.text("appeal_point");
  out.attitude = enum_field(f, "case", "attitude", kAttitudes, "attitude");
  out.context = f.object("context");
  out.interactions = ids(f, "interactions");
  out.tasks = ids(f, "tasks");
  out.opened_at = f.time("opened_at");
  out.updated_at = f.time("updated_at");
  out.closed_at = f.optional_time("closed_at");
  c = std::move(out);
}

Json to_json(const CaseChange& c) {
  return Json{{"kind", to_string(c.kind)},
              {"at", format_time(c.at)},
              {"actor", c.actor},
              {"from", c.from},
              {"to", c.to},
              {"note", c.note}};
}

void from_json(const Json& j, CaseChange& c) {
  const core::Fields f(j, "case change");
  CaseChange out;
  out.kind = enum_field(f, "case change", "kind", kChangeKinds, "change kind");
  out.at = f.time("at");
  out.actor = f.text("actor");
  out.from = f.text("from");
  out.to = f.text("to");
  out.note = f.text("note");
  c = std::move(out);
}

}  // namespace crm
