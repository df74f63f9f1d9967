// Workflow actions: named C++ functions a workflow's action steps call, and
// what such a function sees while it runs.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crm/actor.hpp"
#include "crm/channel.hpp"
#include "crm/clock.hpp"
#include "crm/customer.hpp"
#include "crm/event_bus.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/logger.hpp"
#include "crm/param_spec.hpp"
#include "crm/store.hpp"

namespace crm {

using InstanceId = std::int64_t;

struct ActionSpec {
  std::string help;
  // Checked by validate()/install() with check_params (templates allowed):
  // a step missing a required one, or giving a value of another type, is
  // refused with the step's path. A template string ("{{vars.x}}") is
  // accepted for every type.
  std::vector<ParamSpec> params;
  bool needs_customer = false;  // fails at run time for an instance without a customer
  bool open_params = false;     // accept parameters not declared in `params`
};

// What an action sees while it runs: the instance, the kernel's services
// and the actor to record its writes with. Its writes commit together with
// the instance's step; an exception rolls them back and fails the step.
// Everything reachable from here is pinned like the rest of a plugin: the
// bus a plugin's action gets tracks its subscriptions for that plugin, and
// removes them when the plugin stops.
// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API ActionContext {
 public:
  virtual ~ActionContext() = default;
  virtual InstanceId instance_id() const = 0;
  virtual const std::string& workflow() const = 0;
  virtual std::optional<CustomerId> customer_id() const = 0;
  // The customer, read fresh; throws InvalidInput when the instance has none.
  virtual Customer customer() = 0;
  virtual const Json& variables() const = 0;
  virtual Store& store() = 0;
  virtual EventBus& bus() = 0;
  virtual const Clock& clock() const = 0;
  virtual Logger& log() = 0;
  // "workflow:<name>#<instance id>", for audit entries.
  virtual Actor actor() const = 0;
  // The one way to send a message: refused when the customer opted out of
  // the channel or already got the template through it, else handed to the
  // channel's sink (its own, else "*", else the kernel's) and recorded as an
  // outbound interaction. Throws what the sink throws.
  virtual Delivery send(const OutboundMessage& m) = 0;
};

// An action: returns a JSON result (stored under the step's save_as).
using ActionFunction = std::function<Json(ActionContext&, const Json& params)>;

}  // namespace crm
