// Compiled by the surface.compile.* tests: with no REACH_* macro it is what a
// plugin may do and must compile; each REACH_* macro adds one host-only call
// a plugin must not be able to make, and the test expects the compiler's
// error naming that member.
#include "crm/context.hpp"

void allowed(crm::Context& ctx, crm::ActionContext& action) {
  (void)ctx.workflows().validate(crm::Json::object());
  (void)ctx.workflows().definitions();
  (void)ctx.workflows().max_cascade_depth();
  (void)ctx.scheduler().pending();
  (void)action.send(crm::OutboundMessage{});
#if defined(REACH_INSTALL)
  (void)ctx.workflows().install(crm::Json::object());
#elif defined(REACH_UNINSTALL)
  (void)ctx.workflows().uninstall("x");
#elif defined(REACH_RECOVER)
  (void)ctx.workflows().recover();
#elif defined(REACH_CASCADE)
  ctx.workflows().set_max_cascade_depth(100);
#elif defined(REACH_CHANNEL_SINK)
  (void)ctx.workflows().channel_sink("email");
#elif defined(REACH_RUN_DUE)
  (void)ctx.scheduler().run_due(ctx.clock().now());
#elif defined(REACH_ACTION_CHANNEL)
  (void)action.channel("email");
#endif
}
