// The workflow actions the kernel ships, and its default channel sink.
#pragma once

#include <memory>

#include "crm/channel.hpp"
#include "crm/workflow_engine.hpp"

namespace crm::core {

// Registers create_task, record_interaction, set_field, set_stage,
// set_segment, add_tag, remove_tag, send_message, emit_event and log.
void register_builtin_actions(WorkflowEngine& engine);

// The kernel's sink: sends nothing, the recorded interaction is the message.
std::shared_ptr<ChannelSink> make_interaction_sink();

// What ActionContext::send() does: refuses a customer who opted out of the
// channel or already got the template through it, else hands `m` to `sink`
// and records it as an outbound interaction unless the sink did.
Delivery deliver(const OutboundMessage& m, ChannelSink& sink, Store& store, const Actor& by);

}  // namespace crm::core
