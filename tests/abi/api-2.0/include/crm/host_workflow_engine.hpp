// The workflow engine as a host sees it: what a plugin may do
// (crm/workflow_engine.hpp) plus what only the application that owns the
// kernel decides. A plugin's Context has no way to reach these: which
// workflows run, when crashed work is taken up and how deep cascades go are
// the operator's choices, not a library's.
#pragma once

#include <memory>
#include <string_view>

#include "crm/export.hpp"
#include "crm/time.hpp"
#include "crm/workflow_engine.hpp"

namespace crm {

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API HostWorkflowEngine : public WorkflowEngine {
 public:
  // Validates and stores a definition, and subscribes it to its trigger.
  // Returns its version: 1 for a new name, +1 when the definition changed,
  // the current one when it is identical. Running instances finish on the
  // version they started with. Throws InvalidInput listing every problem.
  virtual int install(const Json& definition) = 0;

  // Removes a definition from its trigger (its history and instances stay;
  // waiting instances are cancelled). Returns false for an unknown name.
  virtual bool uninstall(std::string_view name) = 0;

  // Takes up what a crashed process left between a commit and the engine's
  // next step: instances left running for more than a minute (of the kernel
  // clock), waits whose timer fired, tasks completed, children ended; and
  // instances waiting for a plugin whose action is registered again.
  // `crm run-due` calls it before firing timers; a long-running host calls
  // it each time it wakes, so an instance is taken up as soon as it is idle
  // long enough. Returns how many instances it took up.
  virtual int recover() = 0;

  // recover() with another idle time: a "running" instance not written for
  // `idle` of the kernel clock counts as left by a dead process (recover()
  // uses a minute). A host whose steps never take long may use less, so a
  // restart right after a crash finishes the work sooner. Throws
  // InvalidInput when `idle` is under a second.
  virtual int recover(Seconds idle) = 0;

  // Cause chains longer than this are cut off and logged (at least 1).
  virtual void set_max_cascade_depth(int depth) = 0;

  // The sink registered for exactly `channel` ("*" included), or null. Host
  // only: a sink's send() checks no opt-out, and a plugin sends through
  // ActionContext::send(), which does.
  virtual std::shared_ptr<ChannelSink> channel_sink(std::string_view channel) const = 0;
};

}  // namespace crm
