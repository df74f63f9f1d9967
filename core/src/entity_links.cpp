#include "entity_links.hpp"

#include <string>

#include "crm/error.hpp"
#include "json_text.hpp"

namespace crm::core {
namespace {

// The table holding each kernel entity type and whether its rows belong to
// one customer (NULL for tasks without one).
struct KernelTable {
  const char* type;
  const char* table;
  const char* customer_column;  // nullptr: the row has no customer
};

constexpr KernelTable kKernelTables[] = {
    {entity_type::kCustomer, "customers", nullptr},
    {entity_type::kInteraction, "interactions", "customer_id"},
    {entity_type::kTask, "tasks", "customer_id"},
    {entity_type::kCase, "cases", "customer_id"},
    {entity_type::kWorkflow, "workflow_instances", nullptr},
};

}  // namespace

void check_link(SqliteDatabase& db, const EntityRef& ref, std::optional<CustomerId> customer,
                const char* what) {
  require_utf8(ref.type, what);
  try {
    validate(ref);
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string(what) + ": " + e.what());
  }
  for (const KernelTable& k : kKernelTables) {
    if (ref.type != k.type) continue;
    const std::string sql = std::string("SELECT ") + (k.customer_column ? k.customer_column : "0") +
                            " FROM " + k.table + " WHERE id = ?";
    const auto rows = db.query(sql, {ref.id});
    if (rows.empty()) throw NotFound(std::string(what) + " " + to_string(ref) + " not found");
    if (k.customer_column && customer && !rows[0].is_null(0) && rows[0].integer(0) != *customer) {
      throw InvalidInput(std::string(what) + " " + to_string(ref) + " belongs to customer " +
                         std::to_string(rows[0].integer(0)) + ", not " + std::to_string(*customer));
    }
    return;
  }
}

std::vector<EntityRef> parse_link_list(std::string_view text) {
  std::vector<EntityRef> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.push_back(parse_entity_ref(text.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

}  // namespace crm::core
