// Checking and storing EntityRef links of interactions and tasks. Private to
// the kernel.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "crm/customer.hpp"
#include "crm/entity_ref.hpp"
#include "sqlite_database.hpp"

namespace crm::core {

// Throws InvalidInput when `ref` is malformed (see validate(EntityRef)), NotFound when it names a
// kernel entity (customer, interaction, task, case, workflow instance) that does not exist, and
// InvalidInput when it names an interaction, task or case of a customer other than `customer`.
// References to other types (a plugin's) are only checked for form. `what`
// names the field in errors ("interaction link").
void check_link(SqliteDatabase& db, const EntityRef& ref, std::optional<CustomerId> customer,
                const char* what);

// The links of one interaction as the store's group_concat gives them
// ("case:3 product:9"), or none for NULL/empty text.
std::vector<EntityRef> parse_link_list(std::string_view text);

// SQL for the column that select() queries read: the interaction's links as
// "type:id" separated by spaces, in (type, id) order.
inline constexpr const char* kInteractionLinksColumn =
    "(SELECT group_concat(entity_type || ':' || entity_id, ' ') FROM "
    "(SELECT entity_type, entity_id FROM interaction_links l WHERE l.interaction_id = "
    "interactions.id ORDER BY entity_type, entity_id))";

}  // namespace crm::core
