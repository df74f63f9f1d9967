// How deeply a JSON document nests, found without recursion: checked before
// anything recursive (copying, validating, compiling a condition) descends
// into a document that could be nested deep enough to exhaust the stack.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crm/json.hpp"

namespace crm::core {

// The path (from `root`) of the first array or object, in document order,
// that lies inside `max_depth` others, or nullopt when none does. `j` itself
// is at depth 1 when it is an array or object.
inline std::optional<std::string> too_deep_at(const Json& j, int max_depth,
                                              const std::string& root = "$") {
  struct Pending {
    const Json* value;
    std::string path;
    int depth;
  };
  std::vector<Pending> stack;
  stack.push_back({&j, root, 1});
  while (!stack.empty()) {
    Pending p = std::move(stack.back());
    stack.pop_back();
    if (!p.value->is_structured()) continue;
    if (p.depth > max_depth) return std::move(p.path);
    // Pushed last first, so that the first child is looked at first.
    if (p.value->is_array()) {
      for (std::size_t i = p.value->size(); i-- > 0;) {
        const Json& child = (*p.value)[i];
        if (child.is_structured())
          stack.push_back({&child, p.path + "[" + std::to_string(i) + "]", p.depth + 1});
      }
    } else {
      std::vector<Pending> children;
      for (auto it = p.value->begin(); it != p.value->end(); ++it) {
        if (it->is_structured()) children.push_back({&*it, p.path + "." + it.key(), p.depth + 1});
      }
      for (auto c = children.rbegin(); c != children.rend(); ++c) stack.push_back(std::move(*c));
    }
  }
  return std::nullopt;
}

}  // namespace crm::core
