// A streaming RFC 4180 reader and writer for contact files and partner files.
//
// Why our own reader: Debian packages two C/C++ CSV libraries. libfccp-dev
// (fast-cpp-csv-parser, a 2016 snapshot) splits the input on line breaks
// before parsing, so a quoted field cannot hold a newline (postal addresses
// do), fixes the column count at compile time and reports errors by throwing.
// libcsv-dev (3.0.3, last released upstream in 2013) is a C callback parser
// that does not say where an error is. We need line-numbered errors, runtime
// columns and no exceptions, so the small state machine lives here, fuzzable
// and tested (tests/export/csv_test.cpp).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/problem.h"

namespace cachet::exporter {

struct CsvLimits {
  std::size_t max_field_bytes = std::size_t{64} * 1024;  // one contact value
  std::size_t max_record_bytes = 1 << 20;                // one row
  std::size_t max_errors = 50;                           // then stop collecting
};

// Reads records one at a time from a FILE* (or bytes in memory, for tests).
// Grammar: RFC 4180 section 2, with LF accepted as well as CRLF, a leading
// UTF-8 BOM skipped and blank lines skipped. Every field must be valid UTF-8.
// Errors are Problems with code csv_* and path "line N" (physical line, 1-based).
class CsvReader {
 public:
  enum class Status { kRecord, kEnd, kError };

  // Does not own `file`.
  explicit CsvReader(std::FILE* file, CsvLimits limits = {});
  explicit CsvReader(std::string bytes, CsvLimits limits = {});

  // The next record. kError: `error()` says what and where; the reader has
  // skipped to the next line and can go on (to report every problem).
  Status next(std::vector<std::string>& fields);
  const Problem& error() const { return error_; }
  // Physical line on which the last record (or error) started, 1-based.
  std::int64_t line() const { return record_line_; }
  // Total bytes consumed so far.
  std::uint64_t bytes_read() const { return consumed_; }
  // Called with every chunk read from the file (to hash it while streaming).
  void on_chunk(std::function<void(std::string_view)> observer) { observer_ = std::move(observer); }

 private:
  int peek();
  int get();
  bool fill();
  Status fail(std::string code, std::int64_t line, std::string message);
  void skip_to_line_end();

  std::FILE* file_ = nullptr;
  std::vector<std::int64_t> field_lines_;  // line each field of the record starts on (reused)
  std::string buffer_;
  std::size_t pos_ = 0;
  bool eof_ = false;
  bool started_ = false;
  std::int64_t line_ = 1;  // current physical line
  std::int64_t record_line_ = 0;
  std::uint64_t consumed_ = 0;
  CsvLimits limits_;
  Problem error_;
  std::function<void(std::string_view)> observer_;
};

// Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or npos when `text` is valid.
std::size_t find_invalid_utf8(std::string_view text);

// One CSV field, quoted when it holds a comma, quote, CR, LF or edge spaces.
void append_csv_field(std::string& out, std::string_view field);
// A whole record ending in CRLF (RFC 4180 section 2.1).
void append_csv_record(std::string& out, const std::vector<std::string>& fields);

// Reads a header and then checks every record against it: for callers that
// want named columns and uniform column counts (csv_column_count,
// csv_duplicate_column, csv_missing_column, csv_empty).
class CsvTable {
 public:
  CsvTable(std::unique_ptr<CsvReader> reader) : reader_(std::move(reader)) {}  // NOLINT
  // Reads the header; Problems when it is missing, malformed or lacks one of
  // `required` (all reported at once).
  Problems read_header(const std::vector<std::string>& required);
  // Index of a header column, or -1.
  int column(std::string_view name) const;
  const std::vector<std::string>& header() const { return header_; }
  // kRecord with `fields` sized like the header, kEnd, or kError (see error()).
  CsvReader::Status next(std::vector<std::string>& fields);
  const Problem& error() const { return error_; }
  std::int64_t line() const { return reader_->line(); }
  std::uint64_t bytes_read() const { return reader_->bytes_read(); }
  CsvReader& reader() { return *reader_; }

 private:
  std::unique_ptr<CsvReader> reader_;
  std::vector<std::string> header_;
  Problem error_;
};

}  // namespace cachet::exporter
