// An interaction: one contact between the business and a customer (a call, a
// visit, an e-mail, a purchase, a complaint...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/customer.hpp"
#include "crm/entity_ref.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/money.hpp"
#include "crm/time.hpp"

namespace crm {

using InteractionId = std::int64_t;

struct Interaction {
  InteractionId id = 0;
  CustomerId customer_id = 0;
  std::string channel;  // phone, email, visit, web, sms, chat, store...
  std::string kind;     // purchase, call, complaint, visit, message...
  enum class Direction { kInbound, kOutbound } direction = Direction::kInbound;
  TimePoint occurred_at{};
  std::optional<Money> amount;  // for purchases and refunds; exact, with its currency
  std::string agent;            // who handled it
  std::string notes;
  std::vector<std::string> commitments;  // promises made, visible in the history
  Json payload = Json::object();
  // What it belongs to (the case it is part of, a product...), each once.
  // record() refuses a link to a kernel entity that does not exist, and a
  // case or task of another customer.
  std::vector<EntityRef> links;
  // What the contact cost: record() takes the channel's cost from the
  // channel catalogue when this is empty (none for a channel not in it).
  std::optional<Money> channel_cost;
};

CRM_API std::string to_string(Interaction::Direction d);
// Accepts "in"/"inbound" and "out"/"outbound"; throws InvalidInput otherwise.
CRM_API Interaction::Direction parse_direction(std::string_view text);

CRM_API Json to_json(const Interaction& i);
// Reads what to_json() writes, exactly (also `j.get<Interaction>()`). Throws InvalidInput naming
// the key that is missing or of the wrong type ("interaction: 'name' must be a string").
CRM_API void from_json(const Json& j, Interaction& i);

}  // namespace crm
