// Fuzz target: the exporter's CSV reader (contact files come from whoever runs
// the export, often produced by other tools). The reader must never crash,
// hang or throw; it must always make progress (each call consumes input or
// ends); every field it returns is valid UTF-8; and what the writer makes of a
// record reads back as the same record (what we export, we can import).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/export/csv.h"
#include "fuzz_check.h"

namespace {

using cachet::exporter::CsvLimits;
using cachet::exporter::CsvReader;
using cachet::exporter::CsvTable;

// Small limits so the fuzzer reaches the "too large" paths with small inputs.
CsvLimits small_limits() {
  CsvLimits limits;
  limits.max_field_bytes = 64;
  limits.max_record_bytes = 256;
  limits.max_errors = 8;
  return limits;
}

void check_round_trip(const std::vector<std::string>& fields) {
  // A record of one empty field is a blank line, which readers skip; RFC 4180 has no other form for it.
  if (fields.size() == 1 && fields[0].empty()) return;
  // A first record keeps a leading U+FEFF in the field from being taken for a BOM.
  std::string text;
  cachet::exporter::append_csv_record(text, {"first"});
  cachet::exporter::append_csv_record(text, fields);
  CsvReader reader(text);
  std::vector<std::string> first;
  std::vector<std::string> again;
  CACHET_FUZZ_CHECK(reader.next(first) == CsvReader::Status::kRecord, "written first record reads back");
  CACHET_FUZZ_CHECK(reader.next(again) == CsvReader::Status::kRecord, "written record reads back");
  CACHET_FUZZ_CHECK(again == fields, "written record reads back unchanged");
  CACHET_FUZZ_CHECK(reader.next(again) == CsvReader::Status::kEnd, "and nothing follows it");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);

  for (const CsvLimits& limits : {CsvLimits{}, small_limits()}) {
    CsvReader reader(bytes, limits);
    std::vector<std::string> fields;
    std::uint64_t consumed = 0;
    // Every call that does not end consumes at least one byte: size + 1 calls suffice.
    for (std::size_t calls = 0;; ++calls) {
      CACHET_FUZZ_CHECK(calls <= size + 1, "the reader makes progress");
      const CsvReader::Status status = reader.next(fields);
      CACHET_FUZZ_CHECK(reader.bytes_read() >= consumed && reader.bytes_read() <= size, "bytes_read is sane");
      consumed = reader.bytes_read();
      if (status == CsvReader::Status::kEnd) break;
      if (status == CsvReader::Status::kError) {
        CACHET_FUZZ_CHECK(reader.error().code.rfind("csv_", 0) == 0, "errors have csv_* codes");
        continue;
      }
      for (const std::string& field : fields) {
        CACHET_FUZZ_CHECK(cachet::exporter::find_invalid_utf8(field) == std::string::npos, "fields are UTF-8");
        CACHET_FUZZ_CHECK(field.size() <= limits.max_field_bytes, "fields respect the limit");
      }
      check_round_trip(fields);
    }
  }

  // The table layer on top: header checks and uniform column counts.
  CsvTable table(std::make_unique<CsvReader>(bytes, small_limits()));
  if (table.read_header({"email"}).empty()) {
    CACHET_FUZZ_CHECK(table.column("email") >= 0, "a required column is found");
    std::vector<std::string> fields;
    for (std::size_t calls = 0;; ++calls) {
      CACHET_FUZZ_CHECK(calls <= size + 1, "the table makes progress");
      const CsvReader::Status status = table.next(fields);
      if (status == CsvReader::Status::kEnd) break;
      if (status == CsvReader::Status::kRecord) {
        CACHET_FUZZ_CHECK(fields.size() == table.header().size(), "records are as wide as the header");
      }
    }
  }
  return 0;
}
