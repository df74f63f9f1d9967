// Who made a change: recorded with every write in the audit log.
#pragma once

#include <string>

namespace crm {

struct Actor {
  enum class Kind { kSystem, kUser, kPlugin, kRule, kWorkflow };
  Kind kind = Kind::kSystem;
  std::string name;  // user name, plugin name, rule name...

  static Actor system() { return {Kind::kSystem, "kernel"}; }
  static Actor user(std::string n) { return {Kind::kUser, std::move(n)}; }
  static Actor plugin(std::string n) { return {Kind::kPlugin, std::move(n)}; }
  static Actor rule(std::string n) { return {Kind::kRule, std::move(n)}; }
};

// "user:alice", "plugin:retention": the form stored in the audit log.
inline std::string to_string(const Actor& a) {
  switch (a.kind) {
    case Actor::Kind::kUser:
      return "user:" + a.name;
    case Actor::Kind::kPlugin:
      return "plugin:" + a.name;
    case Actor::Kind::kRule:
      return "rule:" + a.name;
    case Actor::Kind::kWorkflow:
      return "workflow:" + a.name;
    case Actor::Kind::kSystem:
      break;
  }
  return "system:" + a.name;
}

}  // namespace crm
