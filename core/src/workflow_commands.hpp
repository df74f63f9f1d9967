// The `crm workflows ...` commands, registered in the kernel's CommandRegistry.
#pragma once

#include "crm/command_registry.hpp"
#include "crm/host_workflow_engine.hpp"

namespace crm::core {
void register_workflow_commands(CommandRegistry& registry, HostWorkflowEngine& workflows);
}
