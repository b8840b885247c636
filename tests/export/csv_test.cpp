// The RFC 4180 reader: every grammar rule, every error with its line number.
#include "cachet/export/csv.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace cachet::exporter {
namespace {

using Rows = std::vector<std::vector<std::string>>;

struct Parsed {
  Rows rows;
  std::vector<Problem> errors;
};

Parsed parse(const std::string& text, CsvLimits limits = {}) {
  CsvReader reader(text, limits);
  Parsed out;
  std::vector<std::string> fields;
  for (int guard = 0; guard < 1000; ++guard) {
    const CsvReader::Status s = reader.next(fields);
    if (s == CsvReader::Status::kEnd) break;
    if (s == CsvReader::Status::kError) {
      out.errors.push_back(reader.error());
    } else {
      out.rows.push_back(fields);
    }
  }
  return out;
}

TEST(Csv, PlainFieldsWithCrlfAndLf) {
  const Parsed p = parse("a,b,c\r\n1,2,3\n4,,6");
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.rows, (Rows{{"a", "b", "c"}, {"1", "2", "3"}, {"4", "", "6"}}));
}

TEST(Csv, QuotedFieldsDoubledQuotesAndEmbeddedNewlines) {
  const Parsed p = parse("name,address\r\n\"Dupont, Jean\",\"12 rue \"\"du\"\" Lac\r\n75001 Paris\"\r\n\"\",x\r\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors.front().message;
  EXPECT_EQ(p.rows, (Rows{{"name", "address"}, {"Dupont, Jean", "12 rue \"du\" Lac\r\n75001 Paris"}, {"", "x"}}));
}

TEST(Csv, TrailingCommaMeansEmptyLastField) { EXPECT_EQ(parse("a,b,\n").rows, (Rows{{"a", "b", ""}})); }

TEST(Csv, BomAndBlankLinesAreSkipped) {
  const Parsed p = parse(
      "\xEF\xBB\xBF"
      "a,b\n\n\r\n1,2\n");
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.rows, (Rows{{"a", "b"}, {"1", "2"}}));
}

TEST(Csv, Utf8IsKeptAndInvalidUtf8IsReportedWithItsLine) {
  const Parsed good = parse("nom\nSociété Générale\n");
  EXPECT_EQ(good.rows[1][0], "Société Générale");
  // Latin-1 "é" on line 3.
  const Parsed bad = parse("a,b\n1,2\nSoci\xE9t\xE9,3\n4,5\n");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].code, "csv_invalid_utf8");
  EXPECT_EQ(bad.errors[0].path, "line 3");
  EXPECT_EQ(bad.rows.size(), 3u);  // the reader goes on after the bad row
  // Inside a multi-line quoted field, the line of the bad byte itself.
  const Parsed deep = parse("a\n\"x\ny\nz\xC0\xAF\"\n");
  ASSERT_EQ(deep.errors.size(), 1u);
  EXPECT_EQ(deep.errors[0].path, "line 4");
}

TEST(Csv, Utf8ValidatorRefusesOverlongsSurrogatesAndTooHigh) {
  EXPECT_EQ(find_invalid_utf8("ok é € 😀"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("\xC0\x80"), 0u);          // overlong NUL
  EXPECT_EQ(find_invalid_utf8("ab\xED\xA0\x80"), 2u);    // surrogate D800
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("\xE2\x82"), 0u);          // truncated
}

TEST(Csv, QuoteInsideUnquotedFieldIsAnErrorWithLine) {
  const Parsed p = parse("a,b\n1,2\nab\"c,3\n4,5\n");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].code, "csv_bad_quote");
  EXPECT_EQ(p.errors[0].path, "line 3");
  EXPECT_EQ(p.rows.back(), (std::vector<std::string>{"4", "5"}));  // resynchronised on the next line
}

TEST(Csv, TextAfterClosingQuoteIsAnError) {
  const Parsed p = parse("a,b\n\"x\"y,2\n");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].code, "csv_bad_quote");
  EXPECT_EQ(p.errors[0].path, "line 2");
}

TEST(Csv, UnterminatedQuoteNamesTheLineItOpened) {
  const Parsed p = parse("a,b\n1,2\n3,\"never closed\n4,5\n6,7\n");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].code, "csv_unterminated_quote");
  EXPECT_EQ(p.errors[0].path, "line 3");
}

TEST(Csv, BareCarriageReturnIsAnError) {
  const Parsed p = parse("a,b\r1,2\n");
  ASSERT_FALSE(p.errors.empty());
  EXPECT_EQ(p.errors[0].code, "csv_bare_cr");
}

TEST(Csv, HugeFieldIsRefusedNotBuffered) {
  CsvLimits limits;
  limits.max_field_bytes = 10;
  const Parsed p = parse("a\n0123456789ABC\nok\n", limits);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].code, "csv_field_too_large");
  EXPECT_EQ(p.errors[0].path, "line 2");
  EXPECT_EQ(p.rows.back(), (std::vector<std::string>{"ok"}));
}

TEST(Csv, ReadsFromAFileInChunksAcrossBoundaries) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  std::string text = "id,value\r\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",\"v,\"\"" + std::to_string(i) + "\"\"\nx\"\r\n";
  std::fwrite(text.data(), 1, text.size(), f);
  std::rewind(f);
  CsvReader reader(f);
  std::vector<std::string> fields;
  int rows = 0;
  std::string hashed;
  reader.on_chunk([&](std::string_view chunk) { hashed.append(chunk); });
  while (reader.next(fields) == CsvReader::Status::kRecord) {
    if (rows > 0) {
      ASSERT_EQ(fields.size(), 2u);
      ASSERT_EQ(fields[1], "v,\"" + std::to_string(rows - 1) + "\"\nx");
    }
    ++rows;
  }
  std::fclose(f);
  EXPECT_EQ(rows, 20001);
  EXPECT_EQ(hashed, text);
  EXPECT_EQ(reader.bytes_read(), text.size());
}

TEST(Csv, WriterQuotesOnlyWhatNeedsIt) {
  std::string out;
  append_csv_record(out, {"plain", "a,b", "say \"hi\"", "two\nlines", " edge", ""});
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" edge\",\r\n");
  EXPECT_EQ(parse(out).rows[0], (std::vector<std::string>{"plain", "a,b", "say \"hi\"", "two\nlines", " edge", ""}));
}

TEST(Csv, WriterFindsSpecialBytesAnywhereInLongFields) {
  // The writer scans eight bytes at a time: a special byte at every position
  // of fields longer than one block must still be quoted.
  for (const char special : {',', '"', '\r', '\n'}) {
    for (std::size_t length = 1; length <= 24; ++length) {
      for (std::size_t at = 0; at < length; ++at) {
        std::string field(length, 'x');
        field[at] = special;
        std::string out;
        append_csv_field(out, field);
        ASSERT_EQ(out.front(), '"') << int(special) << " at " << at << " of " << length;
        EXPECT_EQ(parse(out + "\r\n").rows[0][0], field);
      }
    }
  }
  std::string out;
  append_csv_field(out, "0123456789abcdef\x7f\xc3\xa9 plain");  // high bytes are not special
  EXPECT_EQ(out, "0123456789abcdef\x7f\xc3\xa9 plain");
}

TEST(CsvTable, HeaderChecksAndColumnCounts) {
  {
    CsvTable t(std::make_unique<CsvReader>(std::string("")));
    const Problems p = t.read_header({"id"});
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].code, "csv_empty");
  }
  {
    CsvTable t(std::make_unique<CsvReader>(std::string("id,email,email\n")));
    const Problems p = t.read_header({"id", "phone", "address"});
    ASSERT_EQ(p.size(), 3u);
    EXPECT_EQ(p[0].code, "csv_duplicate_column");
    EXPECT_EQ(p[1].code, "csv_missing_column");
    EXPECT_EQ(p[1].path, "line 1");
    EXPECT_NE(p[2].message.find("address"), std::string::npos);
  }
  {
    CsvTable t(std::make_unique<CsvReader>(std::string("id,email\n1,a\n2\n3,c,d\n")));
    ASSERT_TRUE(t.read_header({"id"}).empty());
    std::vector<std::string> f;
    EXPECT_EQ(t.next(f), CsvReader::Status::kRecord);
    EXPECT_EQ(t.next(f), CsvReader::Status::kError);
    EXPECT_EQ(t.error().code, "csv_column_count");
    EXPECT_EQ(t.error().path, "line 3");
    EXPECT_EQ(t.next(f), CsvReader::Status::kError);
    EXPECT_EQ(t.error().path, "line 4");
    EXPECT_EQ(t.next(f), CsvReader::Status::kEnd);
  }
}

TEST(Csv, HostileBytesNeverCrash) {
  // Cheap deterministic fuzz: every prefix of a nasty input, and random bytes.
  const std::string nasty = "\"a\"\"b\",\r\n\"\xFF\n\"\",,\r\r\n\"\"\"\n\xEF\xBB\xBF\xF0\x9F\x98";
  for (std::size_t n = 0; n <= nasty.size(); ++n) parse(nasty.substr(0, n));
  std::uint32_t state = 12345;
  for (int round = 0; round < 200; ++round) {
    std::string bytes;
    for (int i = 0; i < 200; ++i) {
      state = state * 1664525u + 1013904223u;
      const char alphabet[] = {'a', ',', '"', '\r', '\n', '\xC3', '\xA9', '\xFF', ' '};
      bytes.push_back(alphabet[(state >> 16) % sizeof alphabet]);
    }
    parse(bytes);
  }
  SUCCEED();
}

}  // namespace
}  // namespace cachet::exporter
