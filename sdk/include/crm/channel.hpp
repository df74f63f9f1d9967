// Channel sinks: where the workflow action "send_message" delivers a message.
//
// A sink is an interface so a product can plug in its e-mail or SMS gateway.
// Whatever the sink, send_message first refuses a message to a customer who
// opted out of the channel or who already got the same template through it
// (the course's "mailing after opting out" and "identical mailing twice"
// complaints), and records every message sent as an outbound interaction of
// the customer, unless the sink recorded it itself. An action of a plugin
// gets the same with ActionContext::send(). The kernel's own sink sends
// nothing: the recorded interaction is the message.
#pragma once

#include <optional>
#include <string>

#include "crm/actor.hpp"
#include "crm/customer.hpp"
#include "crm/export.hpp"
#include "crm/interaction.hpp"
#include "crm/json.hpp"
#include "crm/store.hpp"

namespace crm {

struct OutboundMessage {
  CustomerId customer_id = 0;
  std::string channel;  // email, sms, phone, letter...
  std::string subject;
  std::string body;
  // Identifies "the same message" for duplicate suppression: a customer gets
  // a given template once per channel. Empty: no duplicate check.
  std::string template_id;
  Json payload = Json::object();  // anything else the gateway needs
};

struct Delivery {
  enum class Status { kSent, kOptedOut, kDuplicate } status = Status::kSent;
  std::optional<InteractionId> interaction_id;  // the recorded outbound interaction
  std::string detail;                           // why it was suppressed
};

// "sent", "opted_out", "duplicate".
CRM_API std::string to_string(Delivery::Status s);

// ABI: implemented by plugins and hosts, called by the kernel. Frozen within a
// major: a minor release changes no virtual function of it.
class CRM_API ChannelSink {
 public:
  virtual ~ChannelSink() = default;
  // Delivers `m` and returns what happened (a sink may still suppress a
  // message for reasons of its own). Throws on a delivery failure; the
  // workflow step then fails and is retried per policy. Runs inside the
  // step's transaction: writes to `store` commit with it.
  virtual Delivery send(const OutboundMessage& m, Store& store, const Actor& by) = 0;
};

}  // namespace crm
