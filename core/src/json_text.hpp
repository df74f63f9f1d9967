// JSON text of the small values the store writes for every customer
// (consent flags, tags, flat attribute objects, audit details), written
// directly: the same text as Json::dump(), without building a Json first.
// A bulk import writes a million of each, and nlohmann's tree building and
// serialising was a quarter of its time.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crm/json.hpp"

namespace crm::core {

// Throws InvalidInput "<what>: invalid UTF-8 at byte N" (with the text
// before it) unless `s` is valid UTF-8 (RFC 3629). The store checks every
// text field with it on the way in, so that whatever it holds can be
// written out as JSON.
void require_utf8(std::string_view s, std::string_view what);
// The same for every key and string in `j`, recursively; the message names
// the path below `what` ("attributes.size", "payload.items[2]").
void require_utf8_json(const Json& j, std::string_view what);

// Appends `s` as a JSON string literal. Throws InvalidInput when `s` is not
// valid UTF-8 (as Json::dump() would refuse it), naming `what`.
void append_json_string(std::string& out, std::string_view s, std::string_view what);

// {"email":true,"sms":false}
std::string json_text(const std::map<std::string, bool>& flags, std::string_view what);
// ["a","b"]
std::string json_text(const std::vector<std::string>& items, std::string_view what);
// `j` as Json::dump() gives it; fast for an object whose values are all
// strings (the attributes an import collects), else through dump().
std::string json_text(const Json& j, std::string_view what);

}  // namespace crm::core
