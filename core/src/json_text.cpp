#include "json_text.hpp"

#include "crm/error.hpp"

namespace crm::core {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  const auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c == 0xE0) return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (c == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
  if (c == 0xF0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s, std::string_view what) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const std::size_t n = utf8_length(s, i);
      if (n == 0) {
        throw InvalidInput(std::string(what) + ": invalid UTF-8 at byte " + std::to_string(i + 1) +
                           " of '" + std::string(s.substr(0, 40)) + "'");
      }
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xF];
        } else {
          out += c;
        }
    }
    ++i;
  }
  out += '"';
}

std::string json_text(const std::map<std::string, bool>& flags, std::string_view what) {
  std::string out = "{";
  for (const auto& [key, value] : flags) {
    if (out.size() > 1) out += ',';
    append_json_string(out, key, what);
    out += value ? ":true" : ":false";
  }
  out += '}';
  return out;
}

std::string json_text(const std::vector<std::string>& items, std::string_view what) {
  std::string out = "[";
  for (const std::string& item : items) {
    if (out.size() > 1) out += ',';
    append_json_string(out, item, what);
  }
  out += ']';
  return out;
}

std::string json_text(const Json& j, std::string_view what) {
  if (j.is_null()) return "{}";
  if (!j.is_object()) return j.dump();
  for (const auto& v : j) {
    if (!v.is_string()) return j.dump();  // nested or typed values: the general path
  }
  std::string out = "{";
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (out.size() > 1) out += ',';
    append_json_string(out, it.key(), what);
    out += ':';
    append_json_string(out, it.value().get_ref<const std::string&>(), what);
  }
  out += '}';
  return out;
}

}  // namespace crm::core
