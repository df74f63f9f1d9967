#include "workflow_actions.hpp"

#include <algorithm>
#include <optional>

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "money_text.hpp"

namespace crm::core {
namespace {

std::string text(const Json& params, const char* key, const std::string& fallback = "") {
  const auto it = params.find(key);
  if (it == params.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string required_text(const Json& params, const char* key) {
  std::string v = text(params, key);
  if (v.empty()) throw InvalidInput(std::string("parameter '") + key + "' is empty");
  return v;
}

ActionSpec spec(std::string help, std::vector<ParamSpec> params, bool needs_customer = false) {
  ActionSpec s;
  s.help = std::move(help);
  s.params = std::move(params);
  s.needs_customer = needs_customer;
  return s;
}

ParamSpec param(std::string name, std::string type, bool required, std::string help) {
  return crm::param(std::move(name), parse_param_type(type), std::move(help), required);
}

// Records `m` as an outbound "message" interaction of its customer: the
// customer's history shows it and later sends check it for duplicates.
InteractionId record_outbound(const OutboundMessage& m, Store& store, const Actor& by) {
  Interaction i;
  i.customer_id = m.customer_id;
  i.channel = m.channel;
  i.kind = "message";
  i.direction = Interaction::Direction::kOutbound;
  i.agent = to_string(by);
  i.notes = m.subject.empty() ? m.body : m.subject + ": " + m.body;
  i.payload = m.payload.is_object() ? m.payload : Json::object();
  i.payload["subject"] = m.subject;
  i.payload["template_id"] = m.template_id;
  return store.interactions().record(i, by);
}

// Why `m` must not go out, whatever the sink: the customer opted out of the
// channel, or already got this template through it.
std::optional<Delivery> suppressed(const OutboundMessage& m, Store& store) {
  const Customer c = store.customers().get(m.customer_id);
  Delivery d;
  if (!c.may_contact(m.channel)) {
    d.status = Delivery::Status::kOptedOut;
    d.detail = "customer " + std::to_string(c.id) + " opted out of " + m.channel;
    return d;
  }
  if (m.template_id.empty()) return std::nullopt;
  InteractionQuery q;
  q.customer_id = m.customer_id;
  q.channel = m.channel;
  q.kind = "message";
  const auto sent = store.interactions().list(q);
  const bool again = std::any_of(sent.begin(), sent.end(), [&](const Interaction& i) {
    return i.direction == Interaction::Direction::kOutbound &&
           i.payload.value("template_id", "") == m.template_id;
  });
  if (!again) return std::nullopt;
  d.status = Delivery::Status::kDuplicate;
  d.detail = "template '" + m.template_id + "' was already sent by " + m.channel;
  return d;
}

}  // namespace

Delivery deliver(const OutboundMessage& m, ChannelSink& sink, Store& store, const Actor& by) {
  // Checked here, before any sink, so that a gateway a plugin plugs in
  // honours opt-outs and repeats too; the message is recorded if the sink
  // did not do it itself.
  if (auto no = suppressed(m, store)) return std::move(*no);
  Delivery d = sink.send(m, store, by);
  if (d.status == Delivery::Status::kSent && !d.interaction_id) {
    d.interaction_id = record_outbound(m, store, by);
  }
  return d;
}

namespace {

// The kernel's sink: delivers nothing, the recorded interaction is the
// message (a product plugs in its gateway with set_channel).
class InteractionSink final : public ChannelSink {
 public:
  Delivery send(const OutboundMessage& m, Store& store, const Actor& by) override {
    Delivery d;
    d.interaction_id = record_outbound(m, store, by);
    return d;
  }
};

// Sets one customer field by name; returns {field, old, new}.
Json set_customer_field(ActionContext& ctx, const std::string& field, const Json& value) {
  Customer c = ctx.customer();
  Json old;
  Json set = value;  // what the field holds now, as the result reports it
  const auto as_text = [&] { return value.is_string() ? value.get<std::string>() : value.dump(); };
  const std::map<std::string, std::string*> fields = {{"name", &c.name},
                                                      {"email", &c.email},
                                                      {"phone", &c.phone},
                                                      {"owner", &c.owner},
                                                      {"stage", &c.stage},
                                                      {"segment", &c.segment},
                                                      {"external_id", &c.external_id}};
  if (field == "birthday") {
    // A date, or null (or "") to clear it: a typo such as "1990-13-01" must
    // fail the step, not be stored as text the calendar cannot read.
    old = c.birthday ? Json(c.birthday->to_string()) : Json(nullptr);
    const bool clear =
        value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty());
    if (clear) {
      c.birthday.reset();
    } else if (!value.is_string()) {
      throw InvalidInput("set_field: birthday must be a date YYYY-MM-DD or null, got " +
                         value.dump());
    } else {
      try {
        c.birthday = Date::parse(value.get_ref<const std::string&>());
      } catch (const InvalidInput& e) {
        throw InvalidInput(std::string("set_field: birthday: ") + e.what());
      }
    }
    set = c.birthday ? Json(c.birthday->to_string()) : Json(nullptr);
  } else if (const auto it = fields.find(field); it != fields.end()) {
    old = *it->second;
    *it->second = as_text();
  } else if (field.starts_with("attributes.") && field.size() > 11) {
    const std::string key = field.substr(11);
    if (!c.attributes.is_object()) c.attributes = Json::object();
    old = c.attributes.value(key, Json());
    c.attributes[key] = value;
  } else {
    throw InvalidInput("set_field: unknown customer field '" + field +
                       "' (name, email, phone, owner, stage, segment, birthday, external_id or "
                       "attributes.<key>)");
  }
  ctx.store().customers().update(c, ctx.actor());
  return Json{{"field", field}, {"old", old}, {"new", set}};
}

}  // namespace

std::shared_ptr<ChannelSink> make_interaction_sink() { return std::make_shared<InteractionSink>(); }

namespace {

// A case id parameter: a whole number, or "17" / "case:17" from a template.
CaseId case_param(const Json& p, const char* key) {
  const auto it = p.find(key);
  if (it != p.end() && it->is_number_integer() && it->get<CaseId>() > 0) return it->get<CaseId>();
  const std::string v = required_text(p, key);
  const EntityRef ref = parse_entity_ref(v.find(':') == std::string::npos ? "case:" + v : v);
  if (ref.type != entity_type::kCase) {
    throw InvalidInput(std::string("parameter '") + key + "' names a " + ref.type + ", not a case");
  }
  return ref.id;
}

// Cases from workflows: a complaint process opens its case, hands it over
// and moves it along its life cycle.
void register_case_actions(WorkflowEngine& e) {
  e.add_action(
      "open_case",
      spec("open a case for the customer (linked to an interaction if given)",
           {param("type", "string", true, "complaint, service_request, repair_request or inquiry"),
            param("subject", "string", true, "what it is about"),
            param("category", "string", false, "the business's classification"),
            param("channel", "string", false, "where it came in"),
            param("priority", "string", false, "low, normal (default), high or urgent"),
            param("owner", "string", false, "who handles it"),
            param("appeal_point", "string", false, "what the customer asks for"),
            param("attitude", "string", false,
                  "unknown, cooperative, unreasonable, non_expert or probing"),
            param("interaction", "any", false, "the id of the interaction it comes from"),
            param("context", "object", false, "extra data")},
           true),
      [](ActionContext& ctx, const Json& p) {
        Case c;
        c.customer_id = *ctx.customer_id();
        c.type = parse_case_type(required_text(p, "type"));
        c.subject = required_text(p, "subject");
        c.category = text(p, "category");
        c.channel = text(p, "channel");
        c.priority = parse_case_priority(text(p, "priority", "normal"));
        c.owner = text(p, "owner");
        c.appeal_point = text(p, "appeal_point");
        c.attitude = parse_case_attitude(text(p, "attitude", "unknown"));
        if (p.contains("interaction") && p["interaction"].is_number_integer()) {
          c.interactions = {p["interaction"].get<InteractionId>()};
        }
        if (p.contains("context") && p["context"].is_object()) c.context = p["context"];
        return Json{{"case_id", ctx.store().cases().open(c, ctx.actor())}};
      });
  e.add_action(
      "set_case_status",
      spec("move a case along its life cycle",
           {param("case", "any", true, "the case id"),
            param("status", "string", true, "in_progress, waiting, resolved, closed or cancelled"),
            param("note", "string", false, "why")}),
      [](ActionContext& ctx, const Json& p) {
        const CaseId id = case_param(p, "case");
        const Case::Status to = parse_case_status(required_text(p, "status"));
        ctx.store().cases().set_status(id, to, text(p, "note"), ctx.actor());
        return Json{{"case_id", id}, {"status", to_string(to)}};
      });
  e.add_action(
      "assign_case",
      spec("hand a case over to another owner", {param("case", "any", true, "the case id"),
                                                 param("owner", "string", true, "the new owner"),
                                                 param("note", "string", false, "why")}),
      [](ActionContext& ctx, const Json& p) {
        const CaseId id = case_param(p, "case");
        ctx.store().cases().assign(id, required_text(p, "owner"), text(p, "note"), ctx.actor());
        return Json{{"case_id", id}, {"owner", required_text(p, "owner")}};
      });
}

}  // namespace

void register_builtin_actions(WorkflowEngine& e) {
  e.add_action("create_task",
               spec("create a task (without waiting for it; the task step waits)",
                    {param("title", "string", true, "what to do"),
                     param("owner", "string", true, "who does it"),
                     param("due", "string", false, "duration from now, e.g. 24h"),
                     param("link", "string", false,
                           "what it belongs to, TYPE:ID such as case:17 (default: the instance)")}),
               [](ActionContext& ctx, const Json& p) {
                 Task t;
                 t.customer_id = ctx.customer_id();
                 t.title = required_text(p, "title");
                 t.owner = required_text(p, "owner");
                 if (const std::string due = text(p, "due"); !due.empty()) {
                   const Seconds after = parse_duration(due);
                   // Bounded, so that the sum below cannot overflow.
                   if (after > kMaxWorkflowDuration) {
                     throw InvalidInput("due '" + due + "' is longer than 100 years");
                   }
                   t.due_at = ctx.clock().now() + after;
                 }
                 const std::string link = text(p, "link");
                 t.link = link.empty() ? EntityRef{entity_type::kWorkflow, ctx.instance_id()}
                                       : parse_entity_ref(link);
                 return Json{{"task_id", ctx.store().tasks().add(t, ctx.actor())}};
               });
  e.add_action(
      "record_interaction",
      spec("record an interaction in the customer's history",
           {param("channel", "string", true, "phone, email, visit..."),
            param("kind", "string", true, "call, message, visit..."),
            param("direction", "string", false, "inbound or outbound (default outbound)"),
            param("notes", "string", false, "text"), param("agent", "string", false, "who"),
            param("amount", "any", false, "\"12.50 EUR\", or a number in the default currency"),
            param("link", "string", false, "what it belongs to, TYPE:ID such as case:17"),
            param("payload", "object", false, "extra data")},
           true),
      [](ActionContext& ctx, const Json& p) {
        Interaction i;
        i.customer_id = *ctx.customer_id();
        i.channel = required_text(p, "channel");
        i.kind = required_text(p, "kind");
        i.direction = parse_direction(text(p, "direction", "outbound"));
        i.notes = text(p, "notes");
        i.agent = text(p, "agent", to_string(ctx.actor()));
        if (const std::string link = text(p, "link"); !link.empty()) {
          i.links = {parse_entity_ref(link)};
        }
        if (p.contains("amount")) {
          // "12.50 EUR", "12.50" or 12.5, the last two in the default currency.
          const Currency fallback = ctx.store().default_currency();
          if (p["amount"].is_string()) {
            i.amount = core::parse_money_text(p["amount"].get<std::string>(), fallback);
          } else if (p["amount"].is_number()) {
            i.amount = Money::from_major(p["amount"].get<double>(), fallback);
          }
        }
        if (p.contains("payload") && p["payload"].is_object()) i.payload = p["payload"];
        return Json{{"interaction_id", ctx.store().interactions().record(i, ctx.actor())}};
      });
  register_case_actions(e);
  e.add_action("set_field",
               spec("set a customer field (name, email, phone, owner, stage, segment, birthday, "
                    "external_id or attributes.<key>)",
                    {param("field", "string", true, "the field"),
                     param("value", "any", true, "the new value")},
                    true),
               [](ActionContext& ctx, const Json& p) {
                 return set_customer_field(ctx, required_text(p, "field"), p.at("value"));
               });
  e.add_action(
      "set_stage",
      spec("set the customer's life-cycle stage", {param("stage", "string", true, "stage")}, true),
      [](ActionContext& ctx, const Json& p) {
        return set_customer_field(ctx, "stage", required_text(p, "stage"));
      });
  e.add_action(
      "set_segment",
      spec("set the customer's segment", {param("segment", "string", true, "segment")}, true),
      [](ActionContext& ctx, const Json& p) {
        return set_customer_field(ctx, "segment", required_text(p, "segment"));
      });
  e.add_action("add_tag", spec("tag the customer", {param("tag", "string", true, "tag")}, true),
               [](ActionContext& ctx, const Json& p) {
                 Customer c = ctx.customer();
                 const std::string tag = required_text(p, "tag");
                 const bool added = std::find(c.tags.begin(), c.tags.end(), tag) == c.tags.end();
                 if (added) {
                   c.tags.push_back(tag);
                   ctx.store().customers().update(c, ctx.actor());
                 }
                 return Json{{"tag", tag}, {"added", added}};
               });
  e.add_action("remove_tag", spec("remove a tag", {param("tag", "string", true, "tag")}, true),
               [](ActionContext& ctx, const Json& p) {
                 Customer c = ctx.customer();
                 const std::string tag = required_text(p, "tag");
                 const auto n = std::erase(c.tags, tag);
                 if (n > 0) ctx.store().customers().update(c, ctx.actor());
                 return Json{{"tag", tag}, {"removed", n > 0}};
               });
  e.add_action(
      "send_message",
      spec("send a message through the channel's sink; opt-outs and repeated templates are "
           "suppressed whatever the sink, and every message sent is recorded as an outbound "
           "interaction",
           {param("channel", "string", true, "email, sms, letter..."),
            param("subject", "string", false, "subject"), param("body", "string", false, "text"),
            param("template_id", "string", false, "the same template is sent once per channel"),
            param("payload", "object", false, "data for the gateway")},
           true),
      [](ActionContext& ctx, const Json& p) {
        OutboundMessage m;
        m.customer_id = *ctx.customer_id();
        m.channel = required_text(p, "channel");
        m.subject = text(p, "subject");
        m.body = text(p, "body");
        m.template_id = text(p, "template_id");
        if (p.contains("payload") && p["payload"].is_object()) m.payload = p["payload"];
        const Delivery d = ctx.send(m);
        Json out{
            {"status", to_string(d.status)}, {"detail", d.detail}, {"interaction_id", nullptr}};
        if (d.interaction_id) out["interaction_id"] = *d.interaction_id;
        return out;
      });
  e.add_action("emit_event",
               spec("publish an event (for the instance's customer)",
                    {param("type", "string", true, "event type, e.g. complaint.escalated"),
                     param("payload", "object", false, "event payload")}),
               [](ActionContext& ctx, const Json& p) {
                 Event ev;
                 ev.type = required_text(p, "type");
                 ev.time = ctx.clock().now();
                 ev.customer_id = ctx.customer_id();
                 ev.payload = p.value("payload", Json::object());
                 ev.payload["workflow"] = ctx.workflow();
                 ev.payload["instance"] = ctx.instance_id();
                 ctx.bus().publish(ev);
                 return Json{{"type", ev.type}};
               });
  e.add_action("log",
               spec("write a message to the kernel log",
                    {param("message", "string", true, "text"),
                     param("level", "string", false, "info, warning or error")}),
               [](ActionContext& ctx, const Json& p) {
                 const std::string level = text(p, "level", "info");
                 const Logger::Level l = level == "error"     ? Logger::Level::kError
                                         : level == "warning" ? Logger::Level::kWarning
                                                              : Logger::Level::kInfo;
                 ctx.log().write(l, "workflow:" + ctx.workflow(), text(p, "message"));
                 return Json{{"message", text(p, "message")}};
               });
}

}  // namespace crm::core

namespace crm {
std::string to_string(Delivery::Status s) {
  switch (s) {
    case Delivery::Status::kSent:
      return "sent";
    case Delivery::Status::kOptedOut:
      return "opted_out";
    case Delivery::Status::kDuplicate:
      break;
  }
  return "duplicate";
}
}  // namespace crm
