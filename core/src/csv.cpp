#include "crm/csv.hpp"

#include <cstring>
#include <fstream>

#include "crm/error.hpp"

namespace crm {

namespace {
constexpr std::size_t kChunk = 1 << 20;
}

struct CsvReader::Impl {
  std::string path;
  std::ifstream in;
  std::string buf;
  std::size_t pos = 0;
  bool eof = false;
  std::int64_t next_line = 1;
  std::int64_t record_line = 0;
  std::int64_t consumed = 0;  // bytes before buf[0]
  std::int64_t size = 0;
  // A field is [begin, end) of buf, or scratch[index] when it had "" escapes.
  struct Span {
    std::size_t begin, end;
    int scratch;
  };
  std::vector<Span> spans;
  std::vector<std::string> scratch;

  // Appends the next chunk; false at end of file.
  bool fill() {
    if (eof) return false;
    if (pos > 0) {
      buf.erase(0, pos);
      consumed += static_cast<std::int64_t>(pos);
      pos = 0;
    }
    const std::size_t old = buf.size();
    buf.resize(old + kChunk);
    in.read(buf.data() + old, kChunk);
    const auto got = static_cast<std::size_t>(in.gcount());
    buf.resize(old + got);
    if (got < kChunk) eof = true;
    return got > 0;
  }

  enum class Parse { kRecord, kNeedMore };

  // Parses one record starting at `pos`. On kRecord, `spans` hold its fields
  // and `pos` is past its terminator.
  Parse parse(std::int64_t& lines) {
    spans.clear();
    int used_scratch = 0;
    std::size_t p = pos;
    const std::size_t n = buf.size();
    lines = 0;
    for (;;) {  // one field per iteration
      if (p < n && buf[p] == '"') {
        ++p;
        const std::size_t begin = p;
        bool escaped = false;
        for (;;) {
          const void* q = std::memchr(buf.data() + p, '"', n - p);
          if (q == nullptr) {
            if (!eof) return Parse::kNeedMore;
            throw InvalidInput(path + ":" + std::to_string(record_line) +
                               ": unterminated quoted field");
          }
          const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(q) - buf.data());
          for (std::size_t k = p; k < at; ++k) lines += buf[k] == '\n';
          if (at + 1 < n && buf[at + 1] == '"') {
            escaped = true;
            p = at + 2;
            continue;
          }
          if (at + 1 == n && !eof) return Parse::kNeedMore;
          p = at + 1;
          if (!escaped) {
            spans.push_back({begin, at, -1});
          } else {
            if (static_cast<int>(scratch.size()) <= used_scratch) scratch.emplace_back();
            std::string& s = scratch[static_cast<std::size_t>(used_scratch)];
            s.clear();
            for (std::size_t k = begin; k < at; ++k) {
              s.push_back(buf[k]);
              if (buf[k] == '"') ++k;  // "" -> "
            }
            spans.push_back({0, 0, used_scratch++});
          }
          break;
        }
        if (p < n && buf[p] != ',' && buf[p] != '\n' && buf[p] != '\r') {
          throw InvalidInput(path + ":" + std::to_string(record_line + lines) +
                             ": text after a closing quote");
        }
      } else {
        const std::size_t begin = p;
        while (p < n && buf[p] != ',' && buf[p] != '\n' && buf[p] != '\r') ++p;
        if (p == n && !eof) return Parse::kNeedMore;
        spans.push_back({begin, p, -1});
      }
      if (p == n) {  // end of file ends the record
        pos = p;
        return Parse::kRecord;
      }
      if (buf[p] == ',') {
        ++p;
        continue;
      }
      if (buf[p] == '\r') {
        if (p + 1 == n && !eof) return Parse::kNeedMore;
        ++p;
        if (p < n && buf[p] == '\n') ++p;
      } else {
        ++p;
      }
      ++lines;
      pos = p;
      return Parse::kRecord;
    }
  }
};

CsvReader::CsvReader(const std::filesystem::path& file) : impl_(std::make_unique<Impl>()) {
  impl_->path = file.string();
  impl_->in.open(file, std::ios::binary);
  if (!impl_->in)
    throw InvalidInput("cannot read " + impl_->path + ": no such file or not readable");
  std::error_code ec;
  impl_->size = static_cast<std::int64_t>(std::filesystem::file_size(file, ec));
  impl_->fill();
  if (impl_->buf.rfind("\xEF\xBB\xBF", 0) == 0) impl_->pos = 3;
}

CsvReader::~CsvReader() = default;

bool CsvReader::next(std::vector<std::string_view>& fields) {
  Impl& m = *impl_;
  for (;;) {
    if (m.pos >= m.buf.size() && !m.fill()) return false;
    // A '\r' ending the buffer may be the first half of a CRLF split by the
    // chunk boundary: read on, or the '\n' would count as a second line.
    if (m.buf[m.pos] == '\r' && m.pos + 1 == m.buf.size()) m.fill();
    // Blank lines carry no record.
    if (m.buf[m.pos] == '\n' || m.buf[m.pos] == '\r') {
      if (m.buf[m.pos] == '\r' && m.pos + 1 < m.buf.size() && m.buf[m.pos + 1] == '\n') ++m.pos;
      ++m.pos;
      ++m.next_line;
      continue;
    }
    m.record_line = m.next_line;
    std::int64_t lines = 0;
    while (m.parse(lines) == Impl::Parse::kNeedMore) {
      if (!m.fill()) m.eof = true;
    }
    m.next_line += lines;
    fields.clear();
    for (const auto& s : m.spans) {
      if (s.scratch >= 0) {
        fields.emplace_back(m.scratch[static_cast<std::size_t>(s.scratch)]);
      } else {
        fields.emplace_back(m.buf.data() + s.begin, s.end - s.begin);
      }
    }
    return true;
  }
}

std::int64_t CsvReader::line() const { return impl_->record_line; }
std::int64_t CsvReader::bytes_read() const {
  return impl_->consumed + static_cast<std::int64_t>(impl_->pos);
}
std::int64_t CsvReader::size() const { return impl_->size; }

}  // namespace crm
