// Fuzz target: workflow definitions. The input is JSON text; a document that
// parses is checked (check_workflow_json), parsed (parse_workflow), and
// validated, installed, exported and started in a kernel on a fresh
// in-memory database. The checker and the parser must agree: no problems
// means it parses, problems mean InvalidInput listing each one. A definition
// the engine accepts must survive the store: what it reads back checks clean.
#include <cstdint>
#include <string>
#include <string_view>

#include "crm/error.hpp"
#include "crm/kernel.hpp"
#include "crm/workflow_definition.hpp"
#include "fuzz_support.hpp"

namespace {

void check_paths(const std::vector<crm::DefinitionError>& errors, const char* what) {
  for (const auto& e : errors) {
    FUZZ_CHECK(crm_fuzz::starts_with(e.path, "$"), "%s: path '%s' does not start with $", what,
               e.path.c_str());
    FUZZ_CHECK(!e.message.empty(), "%s: empty message at %s", what, e.path.c_str());
  }
}

void run_in_kernel(const crm::Json& definition, const crm::WorkflowDefinition& parsed) {
  crm::Kernel kernel(crm_fuzz::kernel_options());
  crm::HostWorkflowEngine& engine = kernel.workflows();
  const auto problems = engine.validate(definition);
  check_paths(problems, "validate");
  if (!problems.empty()) {
    bool refused = false;
    try {
      engine.install(definition);
    } catch (const crm::InvalidInput&) {
      refused = true;
    }
    FUZZ_CHECK(refused, "install accepted a definition validate() refused: %s",
               to_string(problems.front()).c_str());
    return;
  }
  FUZZ_CHECK(engine.install(definition) == 1, "a first install is not version 1");
  FUZZ_CHECK(engine.install(definition) == 1, "installing the same definition again changed it");
  const crm::WorkflowDefinition stored = engine.definition(parsed.name);
  FUZZ_CHECK(stored.name == parsed.name, "stored as '%s', not '%s'", stored.name.c_str(),
             parsed.name.c_str());
  const auto again = crm::check_workflow_json(stored.source);
  FUZZ_CHECK(again.empty(), "the stored definition has a problem: %s",
             to_string(again.front()).c_str());
  engine.export_chart(parsed.name, crm::ChartFormat::kMermaid);
  engine.export_chart(parsed.name, crm::ChartFormat::kDot);

  crm::Customer c;
  c.name = "Fuzz Customer";
  c.email = "fuzz@example.com";
  const crm::CustomerId id = kernel.store().customers().add(c, crm::Actor::user("fuzz"));
  try {
    const crm::InstanceId started = engine.start(parsed.name, id);
    const auto instance = engine.instance(started);
    FUZZ_CHECK(instance.has_value(), "started instance %lld not found",
               static_cast<long long>(started));
    engine.history(started);
  } catch (const crm::InvalidInput&) {
    // A guard refused the start: allowed.
  }
  FUZZ_CHECK(engine.uninstall(parsed.name), "uninstall of '%s' failed", parsed.name.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const crm::Json definition = crm::Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (definition.is_discarded()) return 0;

  const auto errors = crm::check_workflow_json(definition);
  check_paths(errors, "check_workflow_json");
  if (!errors.empty()) {
    try {
      crm::parse_workflow(definition);
    } catch (const crm::InvalidInput& e) {
      const std::string what = e.what();
      // what() is a C string: a NUL in a name or key ("\u0000") cuts the
      // message short there, so only the part before it can be compared.
      if (definition.dump().find("\\u0000") != std::string::npos) return 0;
      for (const auto& err : errors) {
        FUZZ_CHECK(what.find(to_string(err)) != std::string::npos,
                   "the parse error does not list '%s': %s", to_string(err).c_str(), e.what());
      }
      return 0;
    }
    FUZZ_CHECK(false, "parse_workflow accepted a definition with problems: %s",
               to_string(errors.front()).c_str());
  }
  const crm::WorkflowDefinition parsed = crm::parse_workflow(definition);
  std::size_t steps = 0;
  crm::for_each_step(parsed, [&](const crm::WorkflowStep&, const std::string& path) {
    FUZZ_CHECK(crm_fuzz::starts_with(path, "$.steps["), "step path '%s'", path.c_str());
    ++steps;
  });
  FUZZ_CHECK(steps >= parsed.steps.size(), "%zu steps visited of %zu at the top", steps,
             parsed.steps.size());
  crm::to_mermaid(parsed);
  crm::to_dot(parsed);
  run_in_kernel(definition, parsed);
  return 0;
}
