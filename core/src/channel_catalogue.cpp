#include "crm/channel_catalogue.hpp"

#include <algorithm>

#include "crm/error.hpp"

namespace crm {
namespace {

ChannelInfo channel(std::string name, std::string description, std::string_view cost,
                    bool needs_consent, bool assumed) {
  return ChannelInfo{std::move(name), std::move(description), Money::parse(cost), needs_consent,
                     assumed};
}

// A channel name as Interaction::channel holds it: lower-case letters,
// digits and _ or -, so a typo in the configuration is not a new channel
// nobody records contacts on.
void require_channel_name(const std::string& name) {
  const bool ok =
      !name.empty() && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      });
  if (!ok) {
    throw InvalidInput("channels." + name +
                       ": a channel name is 1 to 40 lower-case letters, digits, _ or -");
  }
}

void configure(ChannelInfo& c, const Json& section, bool is_new) {
  const std::string key = "channels." + c.name;
  if (!section.is_object()) {
    throw InvalidInput(key + ": expected an object, got " + section.dump());
  }
  for (const auto& [field, value] : section.items()) {
    if (field == "cost") {
      if (!value.is_string()) {
        throw InvalidInput(key + ".cost: expected \"AMOUNT CURRENCY\" (\"0.05 USD\"), got " +
                           value.dump());
      }
      try {
        c.cost_per_contact = Money::parse(value.get<std::string>());
      } catch (const InvalidInput& e) {
        throw InvalidInput(key + ".cost: " + e.what());
      }
      if (c.cost_per_contact.minor_units() < 0) {
        throw InvalidInput(key + ".cost: a cost is 0 or more, not " + value.get<std::string>());
      }
      c.assumed = false;
    } else if (field == "needs_consent") {
      if (!value.is_boolean()) {
        throw InvalidInput(key + ".needs_consent: expected true or false, got " + value.dump());
      }
      c.needs_consent = value.get<bool>();
    } else if (field == "description") {
      if (!value.is_string()) {
        throw InvalidInput(key + ".description: expected a string, got " + value.dump());
      }
      c.description = value.get<std::string>();
    } else {
      throw InvalidInput(key + "." + field +
                         ": unknown key (the keys are cost, needs_consent and description)");
    }
  }
  if (is_new && !section.contains("cost")) {
    throw InvalidInput(key + ": a channel not in the default catalogue needs a cost");
  }
}

}  // namespace

Json to_json(const ChannelInfo& c) {
  return Json{{"name", c.name},
              {"description", c.description},
              {"cost_per_contact", c.cost_per_contact.to_string()},
              {"needs_consent", c.needs_consent},
              {"assumed", c.assumed}};
}

// The first three costs are the material's; the rest are assumptions, and
// every channel a marketer must not use without permission needs consent.
ChannelCatalogue::ChannelCatalogue()
    : channels_{
          channel("chat", "chat with an agent", "0.05 USD", false, true),
          channel("email", "e-mail", "0.01 USD", true, true),
          channel("letter", "letter by post", "1.00 USD", false, true),
          channel("phone", "call handled by an agent", "0.05 USD", true, false),
          channel("phone_self_service", "phone self-service (voice menu)", "0.02 USD", false, true),
          channel("sms", "text message", "0.05 USD", true, true),
          channel("store", "customer in the store", "0.00 USD", false, true),
          channel("visit", "face-to-face visit", "5.00 USD", false, false),
          channel("web", "web self-service", "0.02 USD", false, true),
      } {}

ChannelCatalogue ChannelCatalogue::from_config(const Json& config) {
  ChannelCatalogue out;
  if (config.is_null()) return out;
  if (!config.is_object()) {
    throw InvalidInput("channels: expected an object of channel: {cost, needs_consent}, got " +
                       config.dump());
  }
  for (const auto& item : config.items()) {
    // Named copies, not structured bindings: clang 14 cannot capture those.
    const std::string& name = item.key();
    const Json& section = item.value();
    require_channel_name(name);
    auto it = std::find_if(out.channels_.begin(), out.channels_.end(),
                           [&](const ChannelInfo& c) { return c.name == name; });
    const bool is_new = it == out.channels_.end();
    if (is_new) {
      ChannelInfo c;
      c.name = name;
      configure(c, section, true);
      out.channels_.push_back(std::move(c));
    } else {
      configure(*it, section, false);
    }
  }
  std::sort(out.channels_.begin(), out.channels_.end(),
            [](const ChannelInfo& a, const ChannelInfo& b) { return a.name < b.name; });
  return out;
}

const ChannelInfo* ChannelCatalogue::find(std::string_view name) const {
  const auto it = std::lower_bound(
      channels_.begin(), channels_.end(), name,
      [](const ChannelInfo& c, std::string_view n) { return std::string_view(c.name) < n; });
  return it != channels_.end() && it->name == name ? &*it : nullptr;
}

std::optional<Money> ChannelCatalogue::cost_of(std::string_view name) const {
  const ChannelInfo* c = find(name);
  if (!c) return std::nullopt;
  return c->cost_per_contact;
}

}  // namespace crm
