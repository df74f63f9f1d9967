// A position in a definition: the root block "steps", then the nested
// blocks (kNestedBlocks), each with the index of a step. Stored as text,
// "$.steps[2].then[0]"; "" once the instance has ended.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crm/workflow_definition.hpp"

namespace crm::core {

using Position = std::vector<std::pair<std::string, std::size_t>>;

std::string format_position(const Position& p);
// Throws StoreError for text that is not a position (a corrupt row), naming
// a block that is not "steps" at the root or one of kNestedBlocks below.
Position parse_position(std::string_view text);

// The step at `p`; throws StoreError when `d` has no such step.
const WorkflowStep& step_at(const WorkflowDefinition& d, const Position& p);

// Moves past the step at `p`; leaving a nested block finishes the step that
// holds it. An empty position means the process has ended.
void advance(const WorkflowDefinition& d, Position& p);

}  // namespace crm::core
