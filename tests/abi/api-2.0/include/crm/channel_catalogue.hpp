// The channel catalogue: every channel a business reaches its customers
// through, with what one contact through it costs and whether it needs the
// customer's consent. The kernel keeps one (KernelOptions::channels, the
// "channels" key of the `crm` configuration) and records a channel's cost on
// every interaction it stores (Interaction::channel_cost), so cost per
// customer and per case is a sum over interactions, and a later change of the
// catalogue does not rewrite what past contacts cost.
//
// The defaults follow the material the SDK was built from: a face-to-face
// visit 5.00 USD, an agent-handled call 0.05 USD, web self-service "a few
// cents". Every other default cost is an assumption (ChannelInfo::assumed),
// listed as such by `crm channels list`, and meant to be configured.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/money.hpp"

namespace crm {

struct ChannelInfo {
  std::string name;  // as in Interaction::channel: "visit", "phone", "web"...
  std::string description;
  Money cost_per_contact{0, Currency::of("USD")};
  // An outbound contact through it needs the customer's consent (e-mail,
  // SMS, telephone marketing).
  bool needs_consent = false;
  // The cost is not a figure of the material but an assumption: configure it.
  bool assumed = false;
};

CRM_API Json to_json(const ChannelInfo& c);

class CRM_API ChannelCatalogue {
 public:
  // The default catalogue (see the file comment and docs/architecture.md).
  ChannelCatalogue();

  // The defaults with `config` applied. `config` is an object of channel
  // name to {"cost": "0.05 USD", "needs_consent": true, "description": "..."}
  // (every key optional for a default channel; "cost" required for a new
  // one). A configured cost is no longer an assumption. Throws InvalidInput
  // naming the key ("channels.visit.cost: ...") for anything else: not an
  // object, an unknown key, a cost that is not "AMOUNT CURRENCY" or is
  // negative, a needs_consent that is not a boolean, a bad channel name.
  static ChannelCatalogue from_config(const Json& config);

  // The channel of that name, or null.
  const ChannelInfo* find(std::string_view name) const;
  // Its cost per contact, or nothing for a channel not in the catalogue.
  std::optional<Money> cost_of(std::string_view name) const;
  // Every channel, by name.
  const std::vector<ChannelInfo>& list() const { return channels_; }

 private:
  std::vector<ChannelInfo> channels_;  // sorted by name
};

}  // namespace crm
