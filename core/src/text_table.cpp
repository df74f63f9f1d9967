#include "crm/text_table.hpp"

#include <algorithm>

namespace crm {
namespace {

// Display width: count UTF-8 code points, not bytes.
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string cut(const std::string& s, std::size_t max) {
  if (width(s) <= max) return s;
  std::string out;
  std::size_t w = 0;
  for (const char c : s) {
    if ((c & 0xC0) != 0x80 && ++w > max - 3) break;
    out.push_back(c);
  }
  return out + "...";
}

}  // namespace

std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows, std::size_t max_width) {
  std::vector<std::size_t> w(header.size(), 0);
  std::vector<std::vector<std::string>> cells;
  cells.push_back(header);
  for (const auto& r : rows) {
    std::vector<std::string> row;
    for (std::size_t i = 0; i < header.size(); ++i) {
      std::string v = i < r.size() ? r[i] : "";
      std::replace(v.begin(), v.end(), '\n', ' ');
      row.push_back(cut(v, max_width));
    }
    cells.push_back(std::move(row));
  }
  for (const auto& r : cells) {
    for (std::size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], width(r[i]));
  }
  std::string out;
  for (const auto& r : cells) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(w[i] - width(r[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

}  // namespace crm
