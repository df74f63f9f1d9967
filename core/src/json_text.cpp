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

// The offset of the first byte that is not part of valid UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

}  // namespace

void require_utf8(std::string_view s, std::string_view what) {
  const std::size_t i = invalid_utf8_at(s);
  if (i == std::string_view::npos) return;
  // Up to 20 bytes of the valid text before the fault, cut at a character
  // boundary: the message itself must stay valid UTF-8.
  std::size_t from = i > 20 ? i - 20 : 0;
  while (from < i && (static_cast<unsigned char>(s[from]) & 0xC0) == 0x80) ++from;
  std::string msg = std::string(what) + ": invalid UTF-8 at byte " + std::to_string(i + 1);
  if (i > 0) msg += " (after '" + std::string(s.substr(from, i - from)) + "')";
  throw InvalidInput(msg);
}

void require_utf8_json(const Json& j, std::string_view what) {
  if (j.is_string()) {
    require_utf8(j.get_ref<const std::string&>(), what);
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      // Paths are built only for a fault: an import checks millions of values.
      if (invalid_utf8_at(it.key()) != std::string_view::npos) {
        require_utf8(it.key(), std::string(what) + " key");
      }
      const Json& v = it.value();
      if (v.is_string() ? invalid_utf8_at(v.get_ref<const std::string&>()) == std::string_view::npos
                        : !v.is_structured()) {
        continue;
      }
      require_utf8_json(v, std::string(what) + "." + it.key());
    }
  } else if (j.is_array()) {
    for (std::size_t k = 0; k < j.size(); ++k) {
      const Json& v = j[k];
      if (v.is_string() ? invalid_utf8_at(v.get_ref<const std::string&>()) == std::string_view::npos
                        : !v.is_structured()) {
        continue;
      }
      require_utf8_json(v, std::string(what) + "[" + std::to_string(k) + "]");
    }
  }
}

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
