// CsvReader: RFC 4180 parsing, line numbers, chunk boundaries, errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crm/csv.hpp"
#include "crm/error.hpp"

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kChunk = 1 << 20;  // the reader's internal read size

fs::path write_file(const std::string& name, const std::string& content) {
  const fs::path dir = fs::path(CRM_TEST_TMP) / "csv";
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  return p;
}

struct Record {
  std::int64_t line;
  std::vector<std::string> fields;
};

std::vector<Record> read_all(const fs::path& p) {
  crm::CsvReader r(p);
  std::vector<Record> out;
  std::vector<std::string_view> f;
  while (r.next(f)) out.push_back({r.line(), std::vector<std::string>(f.begin(), f.end())});
  return out;
}

using Fields = std::vector<std::string>;

TEST(CsvReader, PlainRecordsWithLf) {
  const auto recs = read_all(write_file("plain.csv", "a,b,c\n1,2,3\n"));
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ(recs[1].fields, (Fields{"1", "2", "3"}));
  EXPECT_EQ(recs[0].line, 1);
  EXPECT_EQ(recs[1].line, 2);
}

TEST(CsvReader, QuotedFieldsKeepCommas) {
  const auto recs = read_all(write_file("commas.csv", "\"Smith, John\",\"a,b,c\",x\n"));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].fields, (Fields{"Smith, John", "a,b,c", "x"}));
}

TEST(CsvReader, DoubledQuotesAreUnescaped) {
  const auto recs =
      read_all(write_file("escapes.csv", "\"say \"\"hi\"\"\",\"\"\"\",\"\"\n\"a\"\"\",b\n"));
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].fields, (Fields{"say \"hi\"", "\"", ""}));
  EXPECT_EQ(recs[1].fields, (Fields{"a\"", "b"}));
}

TEST(CsvReader, NewlinesInsideQuotesAndStartLines) {
  const auto recs = read_all(
      write_file("multiline.csv",
                 "h1,h2\n\"line one\nline two\nline three\",x\nnext,y\n\"a\r\nb\",z\nlast,w\n"));
  ASSERT_EQ(recs.size(), 5u);
  EXPECT_EQ(recs[1].fields, (Fields{"line one\nline two\nline three", "x"}));
  EXPECT_EQ(recs[1].line, 2);
  EXPECT_EQ(recs[2].fields, (Fields{"next", "y"}));
  EXPECT_EQ(recs[2].line, 5);
  EXPECT_EQ(recs[3].fields, (Fields{"a\r\nb", "z"}));
  EXPECT_EQ(recs[3].line, 6);
  EXPECT_EQ(recs[4].line, 8);
}

TEST(CsvReader, CrlfLineEndings) {
  const auto recs = read_all(write_file("crlf.csv", "a,b\r\n1,2\r\n3,4\r\n"));
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].fields, (Fields{"1", "2"}));
  EXPECT_EQ(recs[2].fields, (Fields{"3", "4"}));
  EXPECT_EQ(recs[2].line, 3);
}

TEST(CsvReader, MixedCrlfAndLf) {
  const auto recs = read_all(write_file("mixed.csv", "a,b\r\n\"q\",2\n3,\"4\"\r\n"));
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].fields, (Fields{"q", "2"}));
  EXPECT_EQ(recs[2].fields, (Fields{"3", "4"}));
  EXPECT_EQ(recs[2].line, 3);
}

TEST(CsvReader, Utf8BomIsSkipped) {
  const auto recs = read_all(write_file("bom.csv", "\xEF\xBB\xBFname,city\nJos\xC3\xA9,Wien\n"));
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].fields, (Fields{"name", "city"}));
  EXPECT_EQ(recs[1].fields, (Fields{"Jos\xC3\xA9", "Wien"}));
}

TEST(CsvReader, BlankLinesAreSkippedButCounted) {
  const auto recs = read_all(write_file("blank.csv", "a,b\n\n1,2\r\n\r\n\n3,4\n\n"));
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].fields, (Fields{"1", "2"}));
  EXPECT_EQ(recs[1].line, 3);
  EXPECT_EQ(recs[2].fields, (Fields{"3", "4"}));
  EXPECT_EQ(recs[2].line, 6);
}

TEST(CsvReader, LastLineWithoutNewline) {
  const auto recs = read_all(write_file("nonl.csv", "a,b\n1,2"));
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].fields, (Fields{"1", "2"}));
  const auto quoted = read_all(write_file("nonl_quoted.csv", "a,b\n1,\"2\""));
  ASSERT_EQ(quoted.size(), 2u);
  EXPECT_EQ(quoted[1].fields, (Fields{"1", "2"}));
}

TEST(CsvReader, EmptyFields) {
  const auto recs = read_all(write_file("empty.csv", ",,\na,,b\n,\"\",\n1,2,"));
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].fields, (Fields{"", "", ""}));
  EXPECT_EQ(recs[1].fields, (Fields{"a", "", "b"}));
  EXPECT_EQ(recs[2].fields, (Fields{"", "", ""}));
  EXPECT_EQ(recs[3].fields, (Fields{"1", "2", ""}));
}

TEST(CsvReader, EmptyFileHasNoRecords) {
  EXPECT_TRUE(read_all(write_file("nothing.csv", "")).empty());
  EXPECT_TRUE(read_all(write_file("only_bom.csv", "\xEF\xBB\xBF")).empty());
}

TEST(CsvReader, QuotedFieldAcrossChunkBoundary) {
  // A header, filler records, then a quoted field (with commas, escapes and
  // newlines) that starts before the 1 MiB chunk boundary and ends after it.
  std::string content = "id,text,tail\n";
  int n = 1;
  while (content.size() < kChunk - 5000) {
    content += std::to_string(n++) + ",filler,x\n";
  }
  const int long_id = n++;
  const std::int64_t long_line = std::count(content.begin(), content.end(), '\n') + 1;
  std::string big;
  for (int i = 0; big.size() < 20000; ++i) {
    big += "chunk " + std::to_string(i) + ", \"q\"";
    if (i % 100 == 99) big += "\n";
  }
  std::string escaped;
  for (char c : big) {
    escaped += c;
    if (c == '"') escaped += '"';
  }
  content += std::to_string(long_id) + ",\"" + escaped + "\",end\n";
  const std::int64_t big_newlines = std::count(big.begin(), big.end(), '\n');
  content += std::to_string(n) + ",after,y\n";
  ASSERT_GT(content.size(), kChunk + 10000);
  const auto recs = read_all(write_file("chunked.csv", content));
  ASSERT_EQ(recs.size(), static_cast<std::size_t>(n) + 1);  // header + n records
  const Record& r = recs[static_cast<std::size_t>(long_id)];
  EXPECT_EQ(r.fields.at(0), std::to_string(long_id));
  EXPECT_EQ(r.fields.at(1), big);
  EXPECT_EQ(r.fields.at(2), "end");
  EXPECT_EQ(r.line, long_line);
  EXPECT_EQ(recs.back().fields, (Fields{std::to_string(n), "after", "y"}));
  EXPECT_EQ(recs.back().line, long_line + big_newlines + 1);
}

TEST(CsvReader, EveryRecordSurvivesTheChunkBoundary) {
  // Records of varying length so that boundaries fall at many offsets
  // within a record: every field must come back intact.
  std::string content;
  std::vector<Fields> expected;
  for (int i = 0; content.size() < 2 * kChunk + 1000; ++i) {
    Fields f{std::to_string(i), std::string(static_cast<std::size_t>(i % 97), 'a'),
             "q,\"" + std::to_string(i)};
    content += f[0] + "," + f[1] + ",\"q,\"\"" + std::to_string(i) + "\"\r\n";
    expected.push_back(f);
  }
  const auto recs = read_all(write_file("boundaries.csv", content));
  ASSERT_EQ(recs.size(), expected.size());
  for (std::size_t i = 0; i < recs.size(); ++i) {
    ASSERT_EQ(recs[i].fields, expected[i]) << "record " << i;
    ASSERT_EQ(recs[i].line, static_cast<std::int64_t>(i) + 1);
  }
}

TEST(CsvReader, CrlfBlankLineSplitByChunkBoundaryCountsOneLine) {
  // The '\r' of a blank CRLF line is the last byte of the first chunk and
  // its '\n' the first byte of the next: that is one line, not two.
  std::string content;
  std::int64_t lines = 0;
  const std::string rec = "abcdefg,1\r\n";  // 11 bytes
  while (content.size() + rec.size() + 1 < kChunk) {
    content += rec;
    ++lines;
  }
  const std::size_t pad = kChunk - 1 - content.size() - 2;  // leaves room for "\r\n" + '\r'
  content += std::string(pad, 'p') + "\r\n";
  ++lines;
  ASSERT_EQ(content.size(), kChunk - 1);
  content += "\r\n";  // the blank line, split across the boundary
  ++lines;
  content += "after,2\r\n";
  const auto recs = read_all(write_file("crlf_boundary.csv", content));
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(recs.back().fields, (Fields{"after", "2"}));
  EXPECT_EQ(recs.back().line, lines + 1);
}

TEST(CsvReader, ReportsSizeAndBytesRead) {
  const std::string content = "a,b\n1,2\n";
  crm::CsvReader r(write_file("size.csv", content));
  EXPECT_EQ(r.size(), static_cast<std::int64_t>(content.size()));
  std::vector<std::string_view> f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(r.bytes_read(), 4);
  ASSERT_TRUE(r.next(f));
  EXPECT_FALSE(r.next(f));
  EXPECT_EQ(r.bytes_read(), static_cast<std::int64_t>(content.size()));
}

std::string error_of(const fs::path& p) {
  try {
    read_all(p);
  } catch (const crm::InvalidInput& e) {
    return e.what();
  }
  return "";
}

TEST(CsvReader, UnterminatedQuoteNamesFileAndLine) {
  const fs::path p = write_file("unterminated.csv", "a,b\n1,2\n3,\"open\nstill open\n");
  const std::string msg = error_of(p);
  EXPECT_NE(msg.find(p.string() + ":3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unterminated"), std::string::npos) << msg;
}

TEST(CsvReader, TextAfterClosingQuoteIsAnError) {
  const fs::path p = write_file("after_quote.csv", "a,b\n\"x\"y,2\n");
  const std::string msg = error_of(p);
  EXPECT_NE(msg.find(p.string() + ":2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("after a closing quote"), std::string::npos) << msg;
}

TEST(CsvReader, RecordsBeforeAnErrorAreReturned) {
  crm::CsvReader r(write_file("late_error.csv", "a,b\n\"x\" ,2\n"));
  std::vector<std::string_view> f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f[0], "a");
  EXPECT_THROW(r.next(f), crm::InvalidInput);
}

TEST(CsvReader, MissingFileThrowsNamingIt) {
  const fs::path p = fs::path(CRM_TEST_TMP) / "csv" / "does_not_exist.csv";
  try {
    crm::CsvReader r(p);
    ADD_FAILURE() << "no exception";
  } catch (const crm::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos) << e.what();
  }
}

}  // namespace
