// The retention plugin's commands, grouped by what they answer.
#pragma once

#include "crm/context.hpp"

namespace crm::retention_plugin {

// segment rfm | segment abc | segment pyramid
void add_segment_commands(Context& ctx);
// churn report | churn risk | churn record | cohorts
void add_churn_commands(Context& ctx);
// clv fit | clv predict | clv historic
void add_clv_commands(Context& ctx);

// The schema of the plugin's own tables.
const std::vector<Migration>& retention_migrations();

// Numeric option values; InvalidInput names the option.
double number_option(const CommandInput& in, const std::string& name);
int integer_option(const CommandInput& in, const std::string& name);

// The "as of" day: --as-of, else today on the kernel clock.
int as_of_day(const Context& ctx, const CommandInput& in);

}  // namespace crm::retention_plugin
