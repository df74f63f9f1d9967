// CsvReader at its read-buffer boundary, byte by byte: for each way a
// field can end (a "" escape, a closing quote before ',', '\n', "\r\n" or
// the end of the file, an opening quote, a plain field's comma), the byte
// that decides is put at every offset from 4 before to 4 after the end of
// the first 1 MiB read, and the record, and the one after it, must come
// back whole and on the right line.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "crm/csv.hpp"

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kChunk = 1 << 20;  // the reader's internal read size
constexpr int kReach = 4;                // offsets tried on each side of the boundary

using Fields = std::vector<std::string>;

struct Record {
  std::int64_t line;
  Fields fields;
};

std::vector<Record> read_all(const fs::path& p) {
  crm::CsvReader r(p);
  std::vector<Record> out;
  std::vector<std::string_view> f;
  while (r.next(f)) out.push_back({r.line(), Fields(f.begin(), f.end())});
  return out;
}

// One record under test. In `text`, '@' stands for the padding that moves
// the record and '^' marks the byte that is put at the offset under test (the
// mark is removed); `fields` is what the record must read as, '@' expanded.
struct Shape {
  const char* name;
  std::string text;
  Fields fields;
  std::string terminator;  // after the record ("" at the end of the file)
};

// Names the shape in test names and messages (instead of its bytes).
void PrintTo(const Shape& s, std::ostream* os) { *os << s.name; }

const std::vector<Shape>& shapes() {
  static const std::vector<Shape> all = {
      {"escape", R"(r,"@ab^""cd",end)", {"r", "@ab\"cd", "end"}, "\n"},
      {"escape_then_close", R"(r,"@abc^""",end)", {"r", "@abc\"", "end"}, "\n"},
      {"two_escapes", R"(r,"@a^""""b",end)", {"r", "@a\"\"b", "end"}, "\n"},
      {"escape_after_newline", "r,\"@a\nb^\"\"c\",end", {"r", "@a\nb\"c", "end"}, "\n"},
      {"close_before_comma", R"(r,"@abc^",end)", {"r", "@abc", "end"}, "\n"},
      {"close_before_lf", R"(r,end,"@abc^")", {"r", "end", "@abc"}, "\n"},
      {"close_before_crlf", R"(r,end,"@abc^")", {"r", "end", "@abc"}, "\r\n"},
      {"close_at_eof", R"(r,end,"@abc^")", {"r", "end", "@abc"}, ""},
      {"escape_at_eof", R"(r,end,"@ab^""")", {"r", "end", "@ab\""}, ""},
      {"open_quote", R"(r@,^"a,b",end)", {"r@", "a,b", "end"}, "\n"},
      {"plain_comma", "r,@abc^,end", {"r", "@abc", "end"}, "\n"},
      {"plain_crlf", "r,end,@abc^", {"r", "end", "@abc"}, "\r\n"},
  };
  return all;
}

std::string expand(std::string s, const std::string& pad) {
  for (auto at = s.find('@'); at != std::string::npos; at = s.find('@', at + pad.size())) {
    s.replace(at, 1, pad);
  }
  return s;
}

struct Case {
  std::string content;
  std::size_t mark_at = 0;       // file offset of the marked byte
  std::string from_mark;         // the record's text from the marked byte on
  std::int64_t record_line = 0;  // line of the record under test
  Fields fields;                 // what it must read as
  std::size_t records = 0;       // records in the file
  std::int64_t after_line = 0;   // line of the record after it (0: none)
};

// The file for `shape` with its marked byte at file offset kChunk - 1 + shift.
Case make_case(const Shape& shape, int shift) {
  Case c;
  c.content = "id,text,tail\n";
  std::int64_t line = 1;
  while (c.content.size() < kChunk - 2000) {
    c.content += std::to_string(line) + ",filler \"\"not quoted,x\n";
    ++line;
  }
  const std::size_t mark = shape.text.find('^');
  std::string text = shape.text;
  text.erase(mark, 1);
  const std::size_t at_before_pad = c.content.size() + mark;  // with an empty pad
  const auto target = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(kChunk) - 1 + shift);
  // '@' is before '^' in every shape, so the pad moves the marked byte.
  const std::size_t pad_len = target - at_before_pad + 1;  // '@' itself is one byte
  std::string pad;
  for (std::size_t i = 0; i < pad_len; ++i) pad += static_cast<char>('a' + i % 26);
  c.record_line = line + 1;
  const std::string record = expand(text, pad);
  c.mark_at = c.content.size() + mark + pad_len - 1;
  c.from_mark = text.substr(mark);
  c.content += record + shape.terminator;
  for (const auto& f : shape.fields) c.fields.push_back(expand(f, pad));
  c.records = static_cast<std::size_t>(line) + 1;
  if (!shape.terminator.empty()) {
    c.after_line = c.record_line +
                   static_cast<std::int64_t>(std::count(record.begin(), record.end(), '\n')) + 1;
    c.content += "after,\"x\",y" + shape.terminator;
    ++c.records;
  }
  return c;
}

class CsvBoundary : public ::testing::TestWithParam<Shape> {};

TEST_P(CsvBoundary, DecidingByteAtEveryOffsetAroundTheBoundary) {
  const Shape& shape = GetParam();
  const fs::path dir = fs::path(CRM_TEST_TMP) / "csv_boundary";
  fs::create_directories(dir);
  for (int shift = -kReach; shift <= kReach; ++shift) {
    SCOPED_TRACE(std::string(shape.name) + ": marked byte at the boundary " +
                 (shift >= 0 ? "+" : "") + std::to_string(shift));
    const Case c = make_case(shape, shift);
    // The construction put the marked byte where it was meant to go.
    ASSERT_EQ(c.mark_at + 1, static_cast<std::size_t>(static_cast<std::ptrdiff_t>(kChunk) + shift));
    ASSERT_EQ(c.content.compare(c.mark_at, c.from_mark.size(), c.from_mark), 0);
    const fs::path p = dir / (std::string(shape.name) + ".csv");
    {
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out << c.content;
    }
    const auto recs = read_all(p);
    ASSERT_EQ(recs.size(), c.records);
    const Record& r = recs[c.records - (c.after_line ? 2 : 1)];
    EXPECT_EQ(r.fields, c.fields);
    EXPECT_EQ(r.line, c.record_line);
    if (c.after_line) {
      EXPECT_EQ(recs.back().fields, (Fields{"after", "x", "y"}));
      EXPECT_EQ(recs.back().line, c.after_line);
    }
    // Every filler record before it is whole too.
    EXPECT_EQ(recs[1].fields, (Fields{"1", "filler \"\"not quoted", "x"}));
    EXPECT_EQ(recs[c.records - (c.after_line ? 3 : 2)].fields.size(), 3u);
  }
}

// bytes_read() (the import's progress) counts from the start of the file,
// not of the current buffer: after each record it is the offset past it.
TEST(CsvBoundaryBytes, BytesReadIsTheOffsetAfterEachRecordAcrossChunks) {
  std::string content;
  std::vector<std::size_t> ends;
  for (int i = 0; content.size() < 3 * kChunk; ++i) {
    content += std::to_string(i) + ",\"" + std::string(static_cast<std::size_t>(i % 300), 'q') +
               "\"\"x\",end\r\n";
    ends.push_back(content.size());
  }
  const fs::path p = fs::path(CRM_TEST_TMP) / "csv_boundary" / "bytes.csv";
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  crm::CsvReader r(p);
  EXPECT_EQ(r.size(), static_cast<std::int64_t>(content.size()));
  std::vector<std::string_view> f;
  for (std::size_t i = 0; i < ends.size(); ++i) {
    ASSERT_TRUE(r.next(f)) << "record " << i;
    ASSERT_EQ(r.bytes_read(), static_cast<std::int64_t>(ends[i])) << "record " << i;
  }
  EXPECT_FALSE(r.next(f));
}

INSTANTIATE_TEST_SUITE_P(Shapes, CsvBoundary, ::testing::ValuesIn(shapes()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
