// The nearest valid word to a mistyped one, for "did you mean ...?" hints
// (unknown commands, unknown CSV columns).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/export.hpp"

namespace crm {

// Edits (insert, delete, replace, swap of two adjacent characters) that turn
// `a` into `b`; case-sensitive.
CRM_API std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a typo of it:
// at most 1 edit for words of up to 4 characters, 2 up to 8, else 3. Ties go
// to the candidate listed first. Never `word` itself.
CRM_API std::optional<std::string> nearest_word(std::string_view word,
                                                const std::vector<std::string>& candidates);

}  // namespace crm
