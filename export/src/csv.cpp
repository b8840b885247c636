#include "cachet/export/csv.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

namespace cachet::exporter {
namespace {

constexpr std::size_t kChunk = 1 << 16;

std::string line_path(std::int64_t line) { return "line " + std::to_string(line); }

}  // namespace

std::size_t find_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte (RFC 3629 section 4)
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c == 0xE0) {
      len = 3, lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      len = 3;
    } else if (c == 0xED) {
      len = 3, hi = 0x9F;  // no UTF-16 surrogates
    } else if (c == 0xF0) {
      len = 4, lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      len = 4;
    } else if (c == 0xF4) {
      len = 4, hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

CsvReader::CsvReader(std::FILE* file, CsvLimits limits) : file_(file), limits_(limits) {}

CsvReader::CsvReader(std::string bytes, CsvLimits limits) : buffer_(std::move(bytes)), eof_(true), limits_(limits) {}

bool CsvReader::fill() {
  if (pos_ < buffer_.size()) return true;
  if (eof_ || file_ == nullptr) return false;
  buffer_.resize(kChunk);
  const std::size_t n = std::fread(buffer_.data(), 1, kChunk, file_);
  buffer_.resize(n);
  pos_ = 0;
  if (n < kChunk) eof_ = true;
  if (n > 0 && observer_) observer_(buffer_);
  return n > 0;
}

int CsvReader::peek() {
  if (!fill()) return -1;
  return static_cast<unsigned char>(buffer_[pos_]);
}

int CsvReader::get() {
  if (!fill()) return -1;
  ++consumed_;
  return static_cast<unsigned char>(buffer_[pos_++]);
}

CsvReader::Status CsvReader::fail(std::string code, std::int64_t line, std::string message) {
  error_ = Problem{std::move(code), line_path(line), std::move(message)};
  return Status::kError;
}

void CsvReader::skip_to_line_end() {
  for (int c = get(); c != -1; c = get()) {
    if (c == '\n') {
      ++line_;
      return;
    }
  }
}

CsvReader::Status CsvReader::next(std::vector<std::string>& fields) {
  // The strings of `fields` are reused from one record to the next (the
  // export reads a million rows): `used` counts the fields of this record.
  std::size_t used = 0;
  auto finish = [&](Status status) {
    fields.resize(used);
    return status;
  };
  if (!started_) {
    started_ = true;
    // A UTF-8 byte order mark (spreadsheets write one) is not data.
    if (fill() && buffer_.compare(pos_, 3, "\xEF\xBB\xBF") == 0) pos_ += 3, consumed_ += 3;
  }
  // Blank lines carry no record.
  for (;;) {
    const int c = peek();
    if (c == -1) return finish(Status::kEnd);
    if (c == '\n') {
      get();
      ++line_;
      continue;
    }
    if (c == '\r') {
      get();
      if (peek() == '\n') {
        get();
        ++line_;
        continue;
      }
      record_line_ = line_;
      skip_to_line_end();
      return fail("csv_bare_cr", record_line_, "A carriage return must be followed by a line feed (CRLF).");
    }
    break;
  }
  record_line_ = line_;
  std::vector<std::int64_t>& field_lines = field_lines_;
  field_lines.clear();
  std::size_t record_bytes = 0;
  for (;;) {
    if (used == fields.size()) fields.emplace_back();
    std::string& field = fields[used];
    field.clear();
    const std::int64_t field_line = line_;
    bool end_of_record = false;
    if (peek() == '"') {
      get();
      for (;;) {
        const int c = get();
        if (c == -1) {
          return fail("csv_unterminated_quote", field_line,
                      "A quoted field opened on this line is never closed (the file ends inside quotes).");
        }
        if (c == '"') {
          if (peek() != '"') break;
          get();  // a doubled quote stands for one quote; it counts towards the limit too
        } else if (c == '\n') {
          ++line_;
        }
        field.push_back(static_cast<char>(c));
        if (field.size() > limits_.max_field_bytes) {
          skip_to_line_end();
          return fail("csv_field_too_large", field_line,
                      "A field is larger than " + std::to_string(limits_.max_field_bytes) + " bytes.");
        }
      }
      const int after = peek();
      if (after == ',') {
        get();
      } else if (after == '\n') {
        get();
        ++line_;
        end_of_record = true;
      } else if (after == '\r') {
        get();
        if (peek() != '\n') {
          skip_to_line_end();
          return fail("csv_bare_cr", line_, "A carriage return must be followed by a line feed (CRLF).");
        }
        get();
        ++line_;
        end_of_record = true;
      } else if (after == -1) {
        end_of_record = true;
      } else {
        const std::int64_t at = line_;
        skip_to_line_end();
        return fail("csv_bad_quote", at,
                    "A closing quote must be followed by a comma or the end of the line (write a quote inside a "
                    "quoted field as two quotes).");
      }
    } else {
      for (;;) {
        if (!fill()) {
          end_of_record = true;
          break;
        }
        // Fast path: copy the run of ordinary bytes in one go.
        const char* begin = buffer_.data() + pos_;
        const char* end = buffer_.data() + buffer_.size();
        const char* p = begin;
        while (p != end && *p != ',' && *p != '\n' && *p != '\r' && *p != '"') ++p;
        field.append(begin, p);
        consumed_ += static_cast<std::uint64_t>(p - begin);
        pos_ += static_cast<std::size_t>(p - begin);
        if (field.size() > limits_.max_field_bytes) {
          skip_to_line_end();
          return fail("csv_field_too_large", field_line,
                      "A field is larger than " + std::to_string(limits_.max_field_bytes) + " bytes.");
        }
        if (p == end) continue;
        const int c = get();
        if (c == ',') break;
        if (c == '\n') {
          ++line_;
          end_of_record = true;
          break;
        }
        if (c == '\r') {
          if (peek() != '\n') {
            skip_to_line_end();
            return fail("csv_bare_cr", field_line, "A carriage return must be followed by a line feed (CRLF).");
          }
          get();
          ++line_;
          end_of_record = true;
          break;
        }
        // c == '"'
        skip_to_line_end();
        return fail("csv_bad_quote", field_line,
                    "A quote appears inside an unquoted field; quote the whole field and double the quote.");
      }
    }
    record_bytes += field.size();
    if (record_bytes > limits_.max_record_bytes) {
      if (!end_of_record) skip_to_line_end();
      return fail("csv_record_too_large", record_line_,
                  "A row is larger than " + std::to_string(limits_.max_record_bytes) + " bytes.");
    }
    ++used;
    field_lines.push_back(field_line);
    if (end_of_record) break;
  }
  fields.resize(used);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::size_t bad = find_invalid_utf8(fields[i]);
    if (bad != std::string_view::npos) {
      const auto newlines = std::count(fields[i].begin(), fields[i].begin() + static_cast<std::ptrdiff_t>(bad), '\n');
      return fail("csv_invalid_utf8", field_lines[i] + newlines,
                  "Field " + std::to_string(i + 1) + " is not valid UTF-8 (byte " + std::to_string(bad + 1) +
                      " of the field); save the file as UTF-8.");
    }
  }
  return Status::kRecord;
}

void append_csv_field(std::string& out, std::string_view field) {
  // Eight bytes at a time (find_first_of with a set calls memchr once per
  // byte): "has a zero byte" is (v - 0x01..) & ~v & 0x80.., exact for whether.
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  auto has = [](std::uint64_t v, char c) {
    const std::uint64_t x = v ^ (kOnes * static_cast<unsigned char>(c));
    return ((x - kOnes) & ~x & kHigh) != 0;
  };
  bool special = false;
  std::size_t i = 0;
  for (; i + 8 <= field.size() && !special; i += 8) {
    std::uint64_t v;
    std::memcpy(&v, field.data() + i, 8);
    special = has(v, ',') || has(v, '"') || has(v, '\r') || has(v, '\n');
  }
  for (; i < field.size() && !special; ++i) {
    const char c = field[i];
    special = c == ',' || c == '"' || c == '\r' || c == '\n';
  }
  const bool quote = special || (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (const char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void append_csv_record(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_csv_field(out, fields[i]);
  }
  out.append("\r\n");
}

Problems CsvTable::read_header(const std::vector<std::string>& required) {
  Problems problems;
  for (;;) {
    const CsvReader::Status status = reader_->next(header_);
    if (status == CsvReader::Status::kEnd) {
      return {Problem{"csv_empty", "line 1", "The file is empty: a header row naming the columns is needed."}};
    }
    if (status == CsvReader::Status::kError) return {reader_->error()};
    break;
  }
  const std::string path = "line " + std::to_string(reader_->line());
  for (std::size_t i = 0; i < header_.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (!header_[i].empty() && header_[i] == header_[j]) {
        problems.push_back({"csv_duplicate_column", path,
                            "The column \"" + header_[i] + "\" appears twice in the header (columns " +
                                std::to_string(j + 1) + " and " + std::to_string(i + 1) + ")."});
      }
    }
  }
  for (const std::string& name : required) {
    if (column(name) < 0) {
      problems.push_back({"csv_missing_column", path, "The header has no column \"" + name + "\"."});
    }
  }
  return problems;
}

int CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

CsvReader::Status CsvTable::next(std::vector<std::string>& fields) {
  const CsvReader::Status status = reader_->next(fields);
  if (status == CsvReader::Status::kError) {
    error_ = reader_->error();
    return status;
  }
  if (status == CsvReader::Status::kRecord && fields.size() != header_.size()) {
    error_ = Problem{"csv_column_count", "line " + std::to_string(reader_->line()),
                     "The row has " + std::to_string(fields.size()) + " field(s); the header has " +
                         std::to_string(header_.size()) + "."};
    return CsvReader::Status::kError;
  }
  return status;
}

}  // namespace cachet::exporter
