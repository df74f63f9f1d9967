#include "workflow_position.hpp"

#include <algorithm>
#include <charconv>

#include "crm/error.hpp"

namespace crm::core {
namespace {

bool known_block(std::string_view name, bool root) {
  if (root) return name == "steps";
  return std::find(kNestedBlocks.begin(), kNestedBlocks.end(), name) != kNestedBlocks.end();
}

const std::vector<WorkflowStep>& block_at(const WorkflowDefinition& d, const Position& p,
                                          std::size_t depth) {
  const std::vector<WorkflowStep>* block = &d.steps;
  for (std::size_t i = 0; i < depth; ++i) {
    if (p[i].second >= block->size()) throw StoreError("workflow position is past its block");
    block = (*block)[p[i].second].block(p[i + 1].first);
    if (!block) throw StoreError("workflow position names an unknown block");
  }
  return *block;
}

}  // namespace

std::string format_position(const Position& p) {
  if (p.empty()) return std::string();
  std::string out = "$";
  for (const auto& [block, index] : p) {
    out += '.';
    out += block;
    out += '[';
    out += std::to_string(index);
    out += ']';
  }
  return out;
}

Position parse_position(std::string_view text) {
  Position p;
  if (text.empty()) return p;
  const std::string whole(text);
  const auto bad = [&] { return StoreError("bad workflow position '" + whole + "'"); };
  if (!text.starts_with("$")) throw bad();
  text.remove_prefix(1);
  while (!text.empty()) {
    const auto open = text.find('[');
    const auto close = text.find(']');
    if (text.front() != '.' || open == std::string_view::npos || close == std::string_view::npos ||
        close < open) {
      throw bad();
    }
    std::size_t index = 0;
    const auto [end, ec] = std::from_chars(text.data() + open + 1, text.data() + close, index);
    if (ec != std::errc{} || end != text.data() + close) throw bad();
    const std::string_view block = text.substr(1, open - 1);
    if (!known_block(block, p.empty())) throw bad();
    p.emplace_back(std::string(block), index);
    text.remove_prefix(close + 1);
  }
  return p;
}

const WorkflowStep& step_at(const WorkflowDefinition& d, const Position& p) {
  if (p.empty()) throw StoreError("workflow position is empty: the instance has ended");
  const auto& block = block_at(d, p, p.size() - 1);
  if (p.back().second >= block.size()) throw StoreError("workflow position is past its block");
  return block[p.back().second];
}

void advance(const WorkflowDefinition& d, Position& p) {
  while (!p.empty()) {
    const auto& block = block_at(d, p, p.size() - 1);
    if (p.back().second + 1 < block.size()) {
      ++p.back().second;
      return;
    }
    p.pop_back();
  }
}

}  // namespace crm::core
