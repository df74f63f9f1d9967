#include "workflow_facts.hpp"

namespace crm::core {

Json WorkflowFacts::changes(const Json& payload, const char* which) {
  Json out = Json::object();
  if (!payload.is_object()) return out;
  const auto changes = payload.find("changes");
  if (changes == payload.end() || !changes->is_object()) return out;
  for (auto it = changes->begin(); it != changes->end(); ++it) {
    if (it->is_object() && it->contains(which)) out[it.key()] = (*it)[which];
  }
  return out;
}

const Json& WorkflowFacts::of_event(const Event& e, bool with_customer) {
  // The same dispatch and object: the same event seen by the next trigger
  // (a new event may come at a reused address, but never in one dispatch).
  const std::uint64_t dispatch = bus_.current_dispatch();
  if (dispatch == 0 || facts_dispatch_ != dispatch || facts_event_ != &e) {
    facts_ = Json{{"event", to_json(e)},
                  {"old", changes(e.payload, "old")},
                  {"new", changes(e.payload, "new")}};
    facts_event_ = &e;
    facts_dispatch_ = dispatch;
  }
  if (with_customer && e.customer_id) {
    const std::int64_t now_changes = sqlite3_total_changes64(db_.handle());
    if (cached_customer_id_ != e.customer_id || cached_at_changes_ != now_changes) {
      const auto c = store_.customers().find(*e.customer_id);
      cached_customer_ = c ? to_json(*c) : Json();
      cached_customer_id_ = e.customer_id;
      cached_at_changes_ = now_changes;
    }
    facts_["customer"] = cached_customer_;
  } else {
    facts_.erase("customer");
  }
  return facts_;
}

Json WorkflowFacts::of_instance(const WorkflowInstance& inst, bool with_customer) const {
  const Json trigger = inst.variables.value("trigger", Json());
  const Json payload = trigger.is_object() ? trigger.value("payload", Json()) : Json();
  Json instance{{"id", inst.id}, {"workflow", inst.workflow}};
  if (inst.customer_id) instance["customer_id"] = *inst.customer_id;
  Json facts{{"vars", inst.variables},          {"event", trigger},
             {"old", changes(payload, "old")},  {"new", changes(payload, "new")},
             {"instance", std::move(instance)}, {"now", format_time(clock_.now())}};
  if (with_customer && inst.customer_id) {
    if (const auto c = store_.customers().find(*inst.customer_id)) facts["customer"] = to_json(*c);
  }
  return facts;
}

}  // namespace crm::core
