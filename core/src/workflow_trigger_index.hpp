// Which installed workflows an event may start, found without visiting the
// others.
//
// Triggers are grouped by their event pattern (an exact type, "area.*" or
// "*"). Inside a group, a trigger whose condition requires a payload field
// to equal a string (the condition is that comparison, or an "all" holding
// it) is filed under that field and value: an event whose field has another
// value never reaches it. Every other trigger of the group is a candidate
// for each event of the type. A candidate's whole condition is still
// evaluated by the engine; the index only leaves out what cannot match.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crm/event.hpp"
#include "event_dispatcher.hpp"

namespace crm::core {

class TriggerIndex final : public SubscriberIndex {
 public:
  // Files `target` under `pattern`, by the equality `condition` requires.
  void add(const std::string& pattern, const Json& condition,
           std::shared_ptr<const DispatchTarget> target);
  // Removes what add() filed under `target`; unknown ones are ignored.
  void remove(const DispatchTarget* target);

  bool listens(const std::string& type) const override;
  void select(const Event& e,
              std::vector<std::shared_ptr<const DispatchTarget>>& out) const override;

  // The payload field path ("region", "order.channel") and the string value
  // a condition requires, found as add() files it; false when it requires
  // no such equality. (Exposed so tests can state which conditions index.)
  static bool required_equality(const Json& condition, std::string& field, std::string& value);

 private:
  using Targets = std::vector<std::shared_ptr<const DispatchTarget>>;
  struct Field {
    std::string path;  // below event.payload
    std::unordered_map<std::string, Targets> by_value;
  };
  struct Group {
    Targets always;  // no usable equality: tried for every event of the pattern
    std::vector<Field> fields;
    bool empty() const;
  };
  static void select_from(const Group& g, const Event& e, Targets& out);

  // By exact type (hashed: one lookup however many types have triggers),
  // and by the prefix of an "area.*" pattern ("area.", or "" for "*").
  std::unordered_map<std::string, Group> exact_;
  std::map<std::string, Group, std::less<>> prefixed_;
};

}  // namespace crm::core
