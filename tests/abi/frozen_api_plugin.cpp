// A plugin compiled against the frozen API 2.0 headers (api-2.0/include) and
// nothing else, then loaded into the kernel of today by abi_boundary_test:
// each registration below crosses the binary boundary in one direction or
// the other, so a later change to sdk/ that moves a virtual function,
// changes a struct's layout or drops a symbol an old plugin uses makes that
// test fail.
#include <crm/error.hpp>
#include <crm/plugin.hpp>
#include <crm/version.hpp>

#include <cstdint>
#include <string>
#include <vector>

static_assert(CRM_API_MINOR == 0, "the fixture is compiled against the frozen .0 headers only");

namespace {

class FrozenApi final : public crm::Plugin {
 public:
  void start(crm::Context& ctx) override {
    ctx_ = &ctx;
    ctx.store().db().migrate("frozen_api", {{1, "notes", R"sql(
CREATE TABLE frozen_api_notes (
  id INTEGER PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  text TEXT NOT NULL
))sql"}});
    // A subscription: every customer created, by whoever.
    ctx.bus().subscribe(
        crm::events::kCustomerCreated, "frozen_api.seen",
        [this](const crm::Event& e) { seen_.push_back(e.customer_id.value_or(0)); });
    // A timer handler: writes a note in the timer's transaction.
    ctx.scheduler().on("frozen_api.note", [this](const crm::Timer& t) {
      note(t.customer_id.value(), t.payload.at("text").get<std::string>());
    });
    add_commands(ctx.commands());
    // A workflow action with a declared parameter: tags the instance's customer.
    crm::ActionSpec spec;
    spec.help = "adds a tag to the customer";
    spec.params = {crm::ParamSpec{"tag", crm::ParamType::kString, true, {}, "the tag"}};
    spec.needs_customer = true;
    ctx.workflows().add_action("frozen_api.tag", spec,
                               [](crm::ActionContext& a, const crm::Json& p) {
                                 crm::Customer c = a.customer();
                                 c.tags.push_back(p.at("tag").get<std::string>());
                                 a.store().customers().update(c, a.actor());
                                 return crm::Json{{"tag", c.tags.back()}, {"tags", c.tags.size()}};
                               });
  }

 private:
  void add_commands(crm::CommandRegistry& commands) {
    commands.add(crm::command({"frozen", "add"}, "adds a customer", {}, {"NAME", "EXTERNAL_ID"}),
                 [this](const crm::CommandInput& in) {
                   crm::Customer c;
                   c.name = in.positionals.at(0);
                   c.external_id = in.positionals.at(1);
                   crm::CommandOutput out;
                   try {
                     out.data = {{"id", ctx_->store().customers().add(c, ctx_->actor())}};
                   } catch (const crm::DuplicateKey& e) {  // thrown by the kernel, caught here
                     out.data = {{"duplicate", true}, {"error", e.what()}};
                   }
                   return out;
                 });
    commands.add(crm::command({"frozen", "note"}, "writes a note", {}, {"CUSTOMER", "TEXT"}),
                 [this](const crm::CommandInput& in) {
                   crm::CommandOutput out;
                   out.data = {{"note", note(crm::parse_id(in.positionals.at(0), "customer"),
                                             in.positionals.at(1))}};
                   return out;
                 });
    commands.add(crm::command({"frozen", "notes"}, "the notes of a customer", {}, {"CUSTOMER"}),
                 [this](const crm::CommandInput& in) {
                   crm::CommandOutput out;
                   out.data = crm::Json::array();
                   ctx_->store().db().query_each(
                       "SELECT text FROM frozen_api_notes WHERE customer_id = ? ORDER BY id",
                       {crm::parse_id(in.positionals.at(0), "customer")},
                       [&](const crm::SqlRow& r) { out.data.push_back(r.text(0)); });
                   return out;
                 });
    commands.add(crm::command({"frozen", "seen"}, "customers created since start"),
                 [this](const crm::CommandInput&) {
                   crm::CommandOutput out;
                   out.data = seen_;
                   return out;
                 });
    commands.add(crm::command({"frozen", "throw"}, "throws the named kind", {}, {"KIND"}),
                 [](const crm::CommandInput& in) -> crm::CommandOutput {
                   const std::string& kind = in.positionals.at(0);
                   const std::string what = kind + " thrown by the frozen_api plugin";
                   if (kind == "not_found") throw crm::NotFound(what);
                   if (kind == "invalid_input") throw crm::InvalidInput(what);
                   if (kind == "store") throw crm::StoreError(what);
                   if (kind == "duplicate_key") throw crm::DuplicateKey(what);
                   if (kind == "conflict") throw crm::Conflict(what);
                   if (kind == "plugin") throw crm::PluginError(what);
                   throw crm::Error(what);
                 });
  }

  // One note and its audit entry, in one transaction.
  std::int64_t note(crm::CustomerId customer, const std::string& text) {
    crm::Database& db = ctx_->store().db();
    crm::Transaction tx(db);
    db.execute("INSERT INTO frozen_api_notes (customer_id, text) VALUES (?, ?)", {customer, text});
    const std::int64_t id = db.last_insert_id();
    ctx_->store().audit().record(ctx_->actor(), "frozen_api.note", "frozen_api_note", id, customer,
                                 crm::Json{{"text", text}});
    tx.commit();
    return id;
  }

  crm::Context* ctx_ = nullptr;
  std::vector<crm::CustomerId> seen_;
};

}  // namespace

CRM_PLUGIN(FrozenApi, {.name = "frozen_api",
                       .version = "2.0.0",
                       .description = "built against the frozen API 2.0 headers"})
