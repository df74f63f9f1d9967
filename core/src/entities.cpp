// Text forms, JSON forms and normalisation of the SDK entities.
#include <algorithm>
#include <cctype>

#include "crm/customer.hpp"
#include "crm/customer_repository.hpp"
#include "crm/error.hpp"
#include "crm/event.hpp"
#include "crm/interaction.hpp"
#include "crm/plugin_host.hpp"
#include "crm/task.hpp"

namespace crm {

std::string to_string(Customer::Kind k) {
  return k == Customer::Kind::kCompany ? "company" : "person";
}

Customer::Kind parse_customer_kind(std::string_view text) {
  if (text == "person" || text.empty()) return Customer::Kind::kPerson;
  if (text == "company") return Customer::Kind::kCompany;
  throw InvalidInput("invalid customer kind '" + std::string(text) +
                     "' (expected person or company)");
}

std::string normalize_email(std::string_view email) {
  std::string out;
  out.reserve(email.size());
  for (const char c : email) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

std::string normalize_phone(std::string_view phone) {
  std::string out;
  out.reserve(phone.size());
  for (const char c : phone) {
    if (std::isdigit(static_cast<unsigned char>(c))) out.push_back(c);
  }
  // "+49 30 123" and "0049-30-123" are the same number; the international
  // prefix is a dialling convention, not part of the number.
  if (out.size() > 2 && out[0] == '0' && out[1] == '0') out.erase(0, 2);
  return out;
}

MatchKey parse_match_key(std::string_view text) {
  if (text == "external_id") return MatchKey::kExternalId;
  if (text == "email") return MatchKey::kEmail;
  if (text == "phone") return MatchKey::kPhone;
  throw InvalidInput("invalid match key '" + std::string(text) +
                     "' (expected external_id, email or phone)");
}

Json to_json(const Customer& c) {
  Json contacts = Json::array();
  for (const auto& p : c.contacts) {
    contacts.push_back({{"name", p.name},
                        {"role", p.role},
                        {"email", p.email},
                        {"phone", p.phone},
                        {"primary", p.primary}});
  }
  return Json{{"id", c.id},
              {"external_id", c.external_id},
              {"name", c.name},
              {"kind", to_string(c.kind)},
              {"contacts", contacts},
              {"email", c.email},
              {"phone", c.phone},
              {"birthday", c.birthday},
              {"owner", c.owner},
              {"stage", c.stage},
              {"segment", c.segment},
              {"consent", c.consent},
              {"tags", c.tags},
              {"attributes", c.attributes},
              {"created_at", format_time(c.created_at)},
              {"updated_at", format_time(c.updated_at)}};
}

std::string to_string(Interaction::Direction d) {
  return d == Interaction::Direction::kOutbound ? "outbound" : "inbound";
}

Interaction::Direction parse_direction(std::string_view text) {
  if (text == "in" || text == "inbound" || text.empty()) return Interaction::Direction::kInbound;
  if (text == "out" || text == "outbound") return Interaction::Direction::kOutbound;
  throw InvalidInput("invalid direction '" + std::string(text) +
                     "' (expected inbound or outbound)");
}

Json to_json(const Interaction& i) {
  Json j{{"id", i.id},
         {"customer_id", i.customer_id},
         {"channel", i.channel},
         {"kind", i.kind},
         {"direction", to_string(i.direction)},
         {"occurred_at", format_time(i.occurred_at)},
         {"amount", nullptr},
         {"agent", i.agent},
         {"notes", i.notes},
         {"commitments", i.commitments},
         {"payload", i.payload},
         {"case_id", i.case_id}};
  if (i.amount) j["amount"] = *i.amount;
  return j;
}

std::string to_string(Task::Status s) {
  switch (s) {
    case Task::Status::kDone:
      return "done";
    case Task::Status::kCancelled:
      return "cancelled";
    case Task::Status::kOpen:
      break;
  }
  return "open";
}

Task::Status parse_task_status(std::string_view text) {
  if (text == "open") return Task::Status::kOpen;
  if (text == "done") return Task::Status::kDone;
  if (text == "cancelled") return Task::Status::kCancelled;
  throw InvalidInput("invalid task status '" + std::string(text) +
                     "' (expected open, done or cancelled)");
}

Json to_json(const Task& t) {
  Json j{{"id", t.id},
         {"customer_id", nullptr},
         {"title", t.title},
         {"owner", t.owner},
         {"due_at", nullptr},
         {"status", to_string(t.status)},
         {"link", t.link},
         {"created_at", format_time(t.created_at)},
         {"completed_at", nullptr}};
  if (t.customer_id) j["customer_id"] = *t.customer_id;
  if (t.due_at) j["due_at"] = format_time(*t.due_at);
  if (t.completed_at) j["completed_at"] = format_time(*t.completed_at);
  return j;
}

Json to_json(const Event& e) {
  Json j{{"type", e.type},
         {"time", format_time(e.time)},
         {"customer_id", nullptr},
         {"payload", e.payload}};
  if (e.customer_id) j["customer_id"] = *e.customer_id;
  return j;
}

Json to_json(const PluginRecord& r) {
  return Json{{"name", r.name},
              {"version", r.version},
              {"api_version", r.api_version},
              {"requires", r.dependencies},
              {"provides", r.provides},
              {"status", r.status},
              {"error", r.error},
              {"path", r.path}};
}

}  // namespace crm
