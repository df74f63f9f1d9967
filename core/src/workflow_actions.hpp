// The workflow actions the kernel ships, and its default channel sink.
#pragma once

#include <memory>

#include "crm/channel.hpp"
#include "crm/workflow_engine.hpp"

namespace crm::core {

// Registers create_task, record_interaction, set_field, set_stage,
// set_segment, add_tag, remove_tag, send_message, emit_event and log.
void register_builtin_actions(WorkflowEngine& engine);

// The sink that records each message as an outbound interaction (kind
// "message"), after refusing opted-out customers and repeated templates.
std::shared_ptr<ChannelSink> make_interaction_sink();

}  // namespace crm::core
