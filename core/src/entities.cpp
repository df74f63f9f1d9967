// Text forms, JSON forms and normalisation of the SDK entities.
#include <algorithm>
#include <cctype>

#include "crm/audit_log.hpp"
#include "crm/customer.hpp"
#include "crm/customer_repository.hpp"
#include "crm/error.hpp"
#include "crm/event.hpp"
#include "crm/interaction.hpp"
#include "crm/plugin_host.hpp"
#include "crm/scheduler.hpp"
#include "crm/task.hpp"
#include "json_entity_ref.hpp"
#include "json_fields.hpp"

namespace crm {

using core::entity_ref;
using core::entity_refs;
using core::Fields;

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
              {"birthday", c.birthday ? Json(c.birthday->to_string()) : Json(nullptr)},
              {"owner", c.owner},
              {"stage", c.stage},
              {"segment", c.segment},
              {"consent", c.consent},
              {"tags", c.tags},
              {"attributes", c.attributes},
              {"created_at", format_time(c.created_at)},
              {"updated_at", format_time(c.updated_at)}};
}

void from_json(const Json& j, Customer& c) {
  const Fields f(j, "customer");
  Customer out;
  out.id = f.integer("id");
  out.external_id = f.text("external_id");
  out.name = f.text("name");
  const std::string kind = f.text("kind");
  if (kind != "person" && kind != "company") f.wrong("kind", "person or company");
  out.kind = parse_customer_kind(kind);
  for (const Fields& p : f.objects("contacts")) {
    out.contacts.push_back(
        {p.text("name"), p.text("role"), p.text("email"), p.text("phone"), p.boolean("primary")});
  }
  out.email = f.text("email");
  out.phone = f.text("phone");
  // "" was the JSON form of no birthday while it was text (exports, merged
  // records), and reads as such still.
  out.birthday = f.optional_date("birthday", true);
  out.owner = f.text("owner");
  out.stage = f.text("stage");
  out.segment = f.text("segment");
  const Json consent = f.object("consent");
  for (const auto& [channel, allowed] : consent.items()) {
    if (!allowed.is_boolean()) f.wrong("consent", "an object of true/false by channel");
    out.consent[channel] = allowed.get<bool>();
  }
  out.tags = f.texts("tags");
  out.attributes = f.object("attributes");
  out.created_at = f.time("created_at");
  out.updated_at = f.time("updated_at");
  c = std::move(out);
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
         {"links", i.links},
         {"channel_cost", nullptr}};
  if (i.amount) j["amount"] = *i.amount;
  if (i.channel_cost) j["channel_cost"] = i.channel_cost->to_string();
  return j;
}

void from_json(const Json& j, Interaction& i) {
  const Fields f(j, "interaction");
  Interaction out;
  out.id = f.integer("id");
  out.customer_id = f.integer("customer_id");
  out.channel = f.text("channel");
  out.kind = f.text("kind");
  const std::string direction = f.text("direction");
  if (direction != "inbound" && direction != "outbound")
    f.wrong("direction", "inbound or outbound");
  out.direction = parse_direction(direction);
  out.occurred_at = f.time("occurred_at");
  out.amount = f.optional_money("amount");
  out.agent = f.text("agent");
  out.notes = f.text("notes");
  out.commitments = f.texts("commitments");
  out.payload = f.object("payload");
  out.links = entity_refs(f, "links");
  // Optional: JSON written before channel costs were recorded has no key.
  if (j.contains("channel_cost") && !f.is_null("channel_cost")) {
    try {
      out.channel_cost = Money::parse(f.text("channel_cost"));
    } catch (const InvalidInput& e) {
      throw InvalidInput(std::string("interaction: 'channel_cost': ") + e.what());
    }
  }
  i = std::move(out);
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
         {"link", nullptr},
         {"created_at", format_time(t.created_at)},
         {"completed_at", nullptr}};
  if (t.customer_id) j["customer_id"] = *t.customer_id;
  if (t.link) j["link"] = *t.link;
  if (t.due_at) j["due_at"] = format_time(*t.due_at);
  if (t.completed_at) j["completed_at"] = format_time(*t.completed_at);
  return j;
}

void from_json(const Json& j, Task& t) {
  const Fields f(j, "task");
  Task out;
  out.id = f.integer("id");
  out.customer_id = f.optional_integer("customer_id");
  out.title = f.text("title");
  out.owner = f.text("owner");
  out.due_at = f.optional_time("due_at");
  try {
    out.status = parse_task_status(f.text("status"));
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string("task: 'status': ") + e.what());
  }
  if (!f.is_null("link")) out.link = entity_ref(f, "link");
  out.created_at = f.time("created_at");
  out.completed_at = f.optional_time("completed_at");
  t = std::move(out);
}

Json to_json(const Event& e) {
  Json j{{"type", e.type},
         {"time", format_time(e.time)},
         {"customer_id", nullptr},
         {"payload", e.payload}};
  if (e.customer_id) j["customer_id"] = *e.customer_id;
  return j;
}

void from_json(const Json& j, Event& e) {
  const Fields f(j, "event");
  Event out;
  out.type = f.text("type");
  out.time = f.time("time");
  out.customer_id = f.optional_integer("customer_id");
  out.payload = f.any("payload");
  e = std::move(out);
}

Json to_json(const Timer& t) {
  Json j{{"id", t.id},           {"due", format_time(t.due)},
         {"kind", t.kind},       {"customer_id", nullptr},
         {"payload", t.payload}, {"status", t.status},
         {"error", t.error}};
  if (t.customer_id) j["customer_id"] = *t.customer_id;
  return j;
}

void from_json(const Json& j, Timer& t) {
  const Fields f(j, "timer");
  Timer out;
  out.id = f.integer("id");
  out.due = f.time("due");
  out.kind = f.text("kind");
  out.customer_id = f.optional_integer("customer_id");
  out.payload = f.any("payload");
  out.status = f.text("status");
  out.error = f.text("error");
  t = std::move(out);
}

Json to_json(const AuditEntry& a) {
  Json j{{"id", a.id},
         {"time", format_time(a.time)},
         {"actor", a.actor},
         {"action", a.action},
         {"entity", a.entity},
         {"entity_id", a.entity_id},
         {"customer_id", nullptr},
         {"details", a.details}};
  if (a.customer_id) j["customer_id"] = *a.customer_id;
  return j;
}

void from_json(const Json& j, AuditEntry& a) {
  const Fields f(j, "audit entry");
  AuditEntry out;
  out.id = f.integer("id");
  out.time = f.time("time");
  out.actor = f.text("actor");
  out.action = f.text("action");
  out.entity = f.text("entity");
  out.entity_id = f.integer("entity_id");
  out.customer_id = f.optional_integer("customer_id");
  out.details = f.any("details");
  a = std::move(out);
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

void from_json(const Json& j, PluginRecord& r) {
  const Fields f(j, "plugin record");
  PluginRecord out;
  out.name = f.text("name");
  out.version = f.text("version");
  out.api_version = f.text("api_version");
  out.dependencies = f.texts("requires");
  out.provides = f.texts("provides");
  out.status = f.text("status");
  out.error = f.text("error");
  out.path = f.text("path");
  r = std::move(out);
}

}  // namespace crm
