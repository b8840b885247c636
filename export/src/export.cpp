// `cachet export`: contacts file + ledger -> per-partner files (R1-R10).
//
// First one pass over the ledger's log and compact records, in one read
// transaction, verifies the hash chain over them and builds the state index
// (state_index.h: any receipt id -> the person's latest state, R10); a broken
// chain stops the export (docs/export.md, "Trust model"). Then the contact
// file is streamed row by row: one lookup and one SHA-256 per contact value,
// in file order. Memory: the index (about 300 bytes a person) plus one batch
// of rows. With --reverify, the full chain check (every stored receipt's
// bytes) runs first, and each batch of rows instead looks its people up in
// the ledger (state_of) and re-verifies the stored receipts' signatures on
// several threads, as the export did first.
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <unordered_set>
#include <utility>

#include "cachet/choices.h"
#include "cachet/export/csv.h"
#include "cachet/export/export.h"
#include "cachet/jws.h"
#include "cachet/lifecycle.h"
#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"
#include "state_index.h"

namespace cachet::exporter {

namespace fs = std::filesystem;

const std::vector<std::string>& all_reasons() {
  static const std::vector<std::string> kReasons = {
      kNoReceipt, kReceiptInvalid, kRetentionExpired, kDuplicatePerson, kPartnerNotListed, kWithdrawn,
      kObjected,  kNoConsent,      kNotInformed,      kDigestMismatch,  kFormulaLike,      kNoValue};
  return kReasons;
}

Result<ColumnMapping> parse_mapping(std::string_view json_text) {
  Result<Json> parsed = parse_json_strict(json_text);
  if (!parsed.ok()) return parsed.problems();
  const Json& json = parsed.value();
  if (!json.is_object()) return Problem{"mapping_wrong_type", "", "The column mapping must be a JSON object."};
  ColumnMapping mapping;
  Problems problems;
  const std::map<std::string, std::string*> members = {{"receipt", &mapping.receipt},
                                                       {"email", &mapping.email},
                                                       {"phone", &mapping.phone},
                                                       {"mobile", &mapping.mobile},
                                                       {"postal", &mapping.postal}};
  for (const auto& [key, value] : json.items()) {
    const auto it = members.find(key);
    if (it == members.end()) {
      problems.push_back({"mapping_unknown_key", pointer_append("", key),
                          "Unknown member \"" + key + "\" (receipt, email, phone, mobile, postal)."});
    } else if (!value.is_string() || value.get<std::string>().empty()) {
      problems.push_back({"mapping_wrong_type", pointer_append("", key), "A column name must be a non-empty string."});
    } else {
      *it->second = value.get<std::string>();
    }
  }
  if (!problems.empty()) return problems;
  return mapping;
}

namespace {

constexpr std::size_t kBatch = 512;
constexpr std::size_t kExamples = 20;
constexpr std::size_t kFlushBytes = 1 << 20;

// Header of the partner-file column for each channel.
const char* output_column(Channel channel) {
  switch (channel) {
    case Channel::kPostal: return "postal_address";
    case Channel::kPhone: return "phone";
    case Channel::kEmail: return "email";
    case Channel::kSms: return "mobile";
  }
  return "";
}

// Partner ids come from the config: keep file names to a safe alphabet.
std::string file_part(std::string_view id) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (const char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' || c == '_') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

// Spaces and tabs around; plain loops (find_first_not_of with a set calls
// memchr once per byte, and runs for every cell).
std::string_view trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

// Incremental SHA-256 of a partner file (the ledger entry names each file's hash).
class Sha256Stream {
 public:
  Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ != nullptr && EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) reset();
  }
  ~Sha256Stream() { reset(); }
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view data) {
    if (ctx_ != nullptr) EVP_DigestUpdate(ctx_, data.data(), data.size());
  }
  std::string hex() {
    std::array<unsigned char, 32> digest{};
    unsigned int n = 0;
    if (ctx_ == nullptr || EVP_DigestFinal_ex(ctx_, digest.data(), &n) != 1) return "";
    return hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), n));
  }

 private:
  void reset() {
    EVP_MD_CTX_free(ctx_);
    ctx_ = nullptr;
  }
  EVP_MD_CTX* ctx_;
};

Problem io_problem(const std::string& what) {
  return Problem{"export_io", "", what + ": " + std::strerror(errno) + "."};
}

// A file written in the temporary output directory (mode 0600: personal data).
class OutFile {
 public:
  OutFile() = default;
  OutFile(const OutFile&) = delete;
  OutFile& operator=(const OutFile&) = delete;
  ~OutFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  Problems open(const std::string& path) {
    path_ = path;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) return {io_problem("Cannot create " + path)};
    return {};
  }
  Problems write(std::string_view data) {
    hash_.update(data);
    buffer_.append(data);
    return buffer_.size() >= kFlushBytes ? flush() : Problems{};
  }
  Problems flush() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return {io_problem("Cannot write " + path_)};
      }
      done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
    return {};
  }
  // Flush, fsync, close; returns the file's SHA-256.
  Result<std::string> close() {
    Problems p = flush();
    if (!p.empty()) return p;
    if (::fsync(fd_) != 0) return io_problem("Cannot sync " + path_);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return io_problem("Cannot close " + path_);
    return hash_.hex();
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::string buffer_;
  Sha256Stream hash_;
};

Result<std::string> write_whole(const std::string& path, std::string_view content) {
  OutFile file;
  Problems p = file.open(path);
  if (p.empty()) p = file.write(content);
  if (!p.empty()) return p;
  return file.close();
}

bool sync_dir(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

// The temporary directory beside --out; removed unless committed.
class TempDir {
 public:
  ~TempDir() {
    if (!path_.empty() && !committed_) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  Problems create(const fs::path& out) {
    path_ = (out.parent_path() / ("." + out.filename().string() + ".cachet-export-" + std::to_string(::getpid()) +
                                  ".tmp"))
                .string();
    std::error_code ec;
    fs::remove_all(path_, ec);  // a leftover from a killed run with the same pid
    if (::mkdir(path_.c_str(), 0700) != 0) {
      const Problem p = io_problem("Cannot create the temporary directory " + path_);
      path_.clear();
      return {p};
    }
    return {};
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void commit() { committed_ = true; }

 private:
  std::string path_;
  bool committed_ = false;
};

// Reasons as indices into all_reasons(), so that counting is an array increment.
enum Why : std::uint8_t {
  kWhyNoReceipt,
  kWhyReceiptInvalid,
  kWhyRetentionExpired,
  kWhyDuplicatePerson,
  kWhyPartnerNotListed,
  kWhyWithdrawn,
  kWhyObjected,
  kWhyNoConsent,
  kWhyNotInformed,
  kWhyDigestMismatch,
  kWhyFormulaLike,
  kWhyNoValue,
  kWhyCount,
  kWhyNone = kWhyCount  // allowed
};
using RowCounts = std::array<std::int64_t, kWhyCount>;
using ValueCounts = std::array<std::array<std::int64_t, 4>, kWhyCount>;  // reason -> Channel -> values

struct PartnerOutput {
  const Partner* partner = nullptr;
  std::size_t index = 0;          // position in the config (bit of a partner list)
  std::vector<Channel> channels;  // configured channels this partner receives, config order
  std::string file_name;
  std::unique_ptr<OutFile> file = std::make_unique<OutFile>();
  std::int64_t rows_written = 0;
  std::array<std::int64_t, 4> values_written{};  // by Channel
  RowCounts rows_left_out{};
  ValueCounts values_left_out{};
  std::string sha256;
};

// One contact-file row on its way through the batch.
struct Row {
  std::int64_t line = 0;
  std::vector<std::string> fields;
  Why reason = kWhyNone;  // row-level reason, kWhyNone while the row is still in
  PersonRecord* person = nullptr;  // default path: the person's entry in the index
  // --reverify: the stored chain, and the receipts re-verified now.
  std::optional<ledger::PersonState> stored;
  const ledger::StoredReceipt* basis = nullptr;  // latest receipt that showed the partner list
  std::optional<Result<VerifiedReceipt>> latest_verified;
  std::optional<Result<VerifiedReceipt>> basis_verified;
  std::unique_ptr<StateIndex> reverified;  // the verified payloads, in the index's form

  // Ready for the next record; `fields` keeps its strings (no allocation a row).
  void reset() {
    reason = kWhyNone;
    person = nullptr;
    stored.reset();
    basis = nullptr;
    latest_verified.reset();
    basis_verified.reset();
    reverified.reset();
  }
};

// Which contact kind and column carry a channel's value for one receipt.
// SMS goes to the mobile number when the receipt binds one, else to the phone
// number it was consented on (choices.h: contact kinds); for a receipt that
// binds neither, the column the config's form uses (for the report's counts).
struct ValueSource {
  ContactKind kind = ContactKind::kEmail;
  int column = -1;
};

class Exporter {
 public:
  Exporter(const Config& config, ledger::ConsentStore& store, const ExportOptions& options)
      : config_(config), store_(store), options_(options) {}

  Result<ExportOutcome> run();

 private:
  Problems open_input();
  Problems prepare_outputs();
  Problems check_chain();
  Problems chain_problems() const;
  Problems build_index();
  Problems process_batch(Row* batch, std::size_t count);
  void lookup(Row& row);
  void lookup_stored(Row& row);
  void verify(Row* batch, std::size_t count);
  void absorb_verified(Row& row);
  Problems decide_and_write(Row& row, const StateIndex* index);
  void count_row_everywhere(const Row& row);
  ValueSource source_for(Channel channel, const PersonRecord& person) const;
  bool digest_matches(const PersonRecord& person, const StateIndex& index, ContactKind kind, std::string_view value);
  Result<ExportOutcome> finish();
  double seconds_since(std::chrono::steady_clock::time_point start) const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  const Config& config_;
  ledger::ConsentStore& store_;
  const ExportOptions& options_;
  std::int64_t at_ = 0;
  std::string at_text_;
  std::string deadline_;
  fs::path out_;
  TempDir temp_;
  std::FILE* input_ = nullptr;
  std::unique_ptr<CsvTable> table_;
  Sha256Stream input_hash_;
  int col_receipt_ = -1, col_email_ = -1, col_phone_ = -1, col_mobile_ = -1, col_postal_ = -1;
  std::vector<PartnerOutput> partners_;
  std::unique_ptr<StateIndex> index_;
  std::string key_kid_;  // RFC 7638 thumbprint of --key
  ledger::ChainReport chain_;
  std::unordered_set<Uuid128, Uuid128Hash> seen_;  // --reverify: people already written
  std::unordered_set<std::string> seen_other_;    // chain roots that are not UUIDs (should not happen)
  std::int64_t rows_read_ = 0;
  std::int64_t rows_written_anywhere_ = 0;
  RowCounts row_level_{};  // rows left out for every partner
  std::map<std::string, std::vector<std::int64_t>> examples_;
  std::vector<Problem> ledger_problems_;
  unsigned jobs_ = 1;
  Sha256Hasher sha256_;  // a million contact values an export checks
  Json timings_ = Json::object();
  std::string line_;  // decide_and_write's output line
};

Problems Exporter::open_input() {
  input_ = std::fopen(options_.contacts_path.c_str(), "rb");
  if (input_ == nullptr) return {io_problem("Cannot read " + options_.contacts_path)};
  auto reader = std::make_unique<CsvReader>(input_);
  reader->on_chunk([this](std::string_view chunk) { input_hash_.update(chunk); });
  table_ = std::make_unique<CsvTable>(std::move(reader));
  // The columns the configured channels need (missing ones are csv_missing_column).
  std::vector<std::string> required = {options_.columns.receipt};
  for (const ChannelConfig& c : config_.channels) {
    switch (c.channel) {
      case Channel::kPostal: required.push_back(options_.columns.postal); break;
      case Channel::kPhone: required.push_back(options_.columns.phone); break;
      case Channel::kEmail: required.push_back(options_.columns.email); break;
      case Channel::kSms:
        required.push_back(contact_kind_for(Channel::kSms, config_.fields.count("mobile") != 0) == "mobile"
                               ? options_.columns.mobile
                               : options_.columns.phone);
        break;
    }
  }
  std::sort(required.begin(), required.end());
  required.erase(std::unique(required.begin(), required.end()), required.end());
  Problems problems = table_->read_header(required);
  if (!problems.empty()) return problems;
  col_receipt_ = table_->column(options_.columns.receipt);
  col_email_ = table_->column(options_.columns.email);
  col_phone_ = table_->column(options_.columns.phone);
  col_mobile_ = table_->column(options_.columns.mobile);
  col_postal_ = table_->column(options_.columns.postal);
  return {};
}

Problems Exporter::prepare_outputs() {
  Problems problems = temp_.create(out_);
  if (!problems.empty()) return problems;
  for (std::size_t i = 0; i < config_.partners.entries.size(); ++i) {
    const Partner& partner = config_.partners.entries[i];
    PartnerOutput output;
    output.partner = &partner;
    output.index = i;
    for (const ChannelConfig& c : config_.channels) {
      for (const Partner* p : config_.partners_for(c.channel)) {
        if (p->id == partner.id) output.channels.push_back(c.channel);
      }
    }
    output.file_name = "partner-" + file_part(partner.id) + ".csv";
    problems = output.file->open(temp_.file(output.file_name));
    if (!problems.empty()) return problems;
    std::vector<std::string> header = {"reference"};
    for (const Channel c : output.channels) header.emplace_back(output_column(c));
    std::string line;
    append_csv_record(line, header);
    problems = output.file->write(line);
    if (!problems.empty()) return problems;
    partners_.push_back(std::move(output));
  }
  return {};
}

std::vector<std::string> config_partner_ids(const Config& config) {
  std::vector<std::string> ids;
  for (const Partner& p : config.partners.entries) ids.push_back(p.id);
  return ids;
}

// The trust model (docs/export.md): every receipt's signatures were verified,
// and the controller countersigned it, when the ledger accepted it; the
// ledger stores that verification, and its hash chain proves the stored bytes
// are still the ones accepted. So the chain is checked first, and a broken
// chain stops the export: nothing about the ledger can be relied on then.
Problems Exporter::check_chain() {
  const auto start = std::chrono::steady_clock::now();
  Result<ledger::ChainReport> report = store_.verify_chain();
  timings_["verifyChainSeconds"] = seconds_since(start);
  if (!report.ok()) return report.problems();
  chain_ = std::move(report).value();
  return chain_problems();
}

Problems Exporter::chain_problems() const {
  if (chain_.ok()) return {};
  const ledger::ChainProblem& first = chain_.problems.front();
  return {Problem{"export_ledger_broken", "--db",
                  "The ledger's hash chain does not verify (" + std::to_string(chain_.problems.size()) +
                      " problem(s); first: entry #" + std::to_string(first.seq) + ", " + first.code + ": " +
                      first.message + "). Nothing was exported; run 'cachet ledger verify' and restore the ledger."}};
}

// One pass over the ledger's log and compact records: the hash chain is
// checked and the index built from the same snapshot (verify_records). Per
// receipt, what may be relied on is the compact record the ledger derived
// when it accepted (and verified) the receipt, which the chain binds; the
// index is only used once the whole chain verified.
Problems Exporter::build_index() {
  const auto start = std::chrono::steady_clock::now();
  index_ = std::make_unique<StateIndex>(config_partner_ids(config_));
  Result<ledger::ChainReport> report = store_.verify_records([this](const ledger::ReceiptRecord& r) {
    const bool invalid = !r.verified || (!key_kid_.empty() && r.countersigner_kid != key_kid_);
    index_->add(r, invalid);
  });
  timings_["verifyChainSeconds"] = seconds_since(start);  // chain over the records, and the index pass
  if (!report.ok()) return report.problems();
  chain_ = std::move(report).value();
  Problems problems = chain_problems();
  if (!problems.empty()) {
    index_.reset();
    return problems;
  }
  const auto finish_start = std::chrono::steady_clock::now();
  index_->finish();
  timings_["indexSeconds"] = seconds_since(finish_start);
  timings_["indexPeople"] = index_->people();
  timings_["indexReceiptIds"] = index_->receipt_ids();
  timings_["indexBytes"] = index_->memory_bytes();
  return {};
}

// Default path: one lookup in the index.
void Exporter::lookup(Row& row) {
  const std::string_view id =
      col_receipt_ >= 0 ? trim(row.fields[static_cast<std::size_t>(col_receipt_)]) : std::string_view();
  PersonRecord* person = id.empty() ? nullptr : index_->find(id);
  if (person == nullptr) {
    row.reason = kWhyNoReceipt;
    return;
  }
  row.person = person;
  // One person, one line per partner file.
  if ((person->flags & PersonRecord::kSeen) != 0) {
    row.reason = kWhyDuplicatePerson;
    return;
  }
  person->flags |= PersonRecord::kSeen;
  // R9: a person past retention is not handed to anyone (the purge will remove them).
  if (person->retention_until <= at_) {
    row.reason = kWhyRetentionExpired;
    return;
  }
  if (person->invalid()) row.reason = kWhyReceiptInvalid;
}

// --reverify: the person's chain from the ledger, as before the index existed.
void Exporter::lookup_stored(Row& row) {
  const std::string_view id =
      col_receipt_ >= 0 ? trim(row.fields[static_cast<std::size_t>(col_receipt_)]) : std::string_view();
  if (id.empty()) {
    row.reason = kWhyNoReceipt;
    return;
  }
  Result<ledger::PersonState> state = store_.state_of(id);
  if (!state.ok()) {
    const bool unknown = problem_kind(state.problems()) == ProblemKind::kNotFound;
    if (!unknown) ledger_problems_ = state.problems();
    row.reason = kWhyNoReceipt;
    return;
  }
  row.stored = std::move(state).value();
  const ledger::PersonState& person = *row.stored;
  const std::optional<Uuid128> root = parse_uuid(person.chain_root);
  const bool fresh = root ? seen_.insert(*root).second : seen_other_.insert(person.chain_root).second;
  if (!fresh) {
    row.reason = kWhyDuplicatePerson;
    return;
  }
  if (!person.retention_until.empty()) {
    const auto until = parse_time(person.retention_until);
    if (until && *until <= at_) {
      row.reason = kWhyRetentionExpired;
      return;
    }
  }
  // The partner list that binds is the one the person was last shown (R7;
  // lifecycle.h shows_partner_list): the latest receipt made where the list
  // was shown; later receipts may only narrow it.
  for (auto it = person.history.rbegin(); it != person.history.rend(); ++it) {
    if (shows_partner_list(it->collection_method)) {
      row.basis = &*it;
      break;
    }
  }
  if (row.basis != nullptr && row.basis->receipt_id == person.latest.receipt_id) row.basis = nullptr;
}

void Exporter::verify(Row* batch, std::size_t count) {
  struct Task {
    const std::string* jws;
    std::optional<Result<VerifiedReceipt>>* out;
  };
  std::vector<Task> tasks;
  for (std::size_t r = 0; r < count; ++r) {
    Row& row = batch[r];
    if (row.reason != kWhyNone || !row.stored) continue;
    tasks.push_back({&row.stored->latest.jws, &row.latest_verified});
    if (row.basis != nullptr) tasks.push_back({&row.basis->jws, &row.basis_verified});
  }
  VerifyOptions verify_options;
  verify_options.trusted_controller_key = options_.controller_key;
  auto work = [&](std::size_t begin, std::size_t step) {
    const auto crypto = make_openssl_crypto();
    for (std::size_t i = begin; i < tasks.size(); i += step) {
      *tasks[i].out = verify_receipt(*tasks[i].jws, *crypto, verify_options);
    }
  };
  const std::size_t threads = std::min<std::size_t>(jobs_, std::max<std::size_t>(1, tasks.size() / 8));
  if (threads <= 1) {
    work(0, 1);
  } else {
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work, t, threads);
    work(0, threads);
    for (std::thread& t : pool) t.join();
  }
  for (std::size_t r = 0; r < count; ++r) {
    if (batch[r].reason == kWhyNone && batch[r].stored) absorb_verified(batch[r]);
  }
}

// --reverify: the verified payloads (never the ledger's copy) into a one-person
// index, so that the rules below run on the same form on both paths.
void Exporter::absorb_verified(Row& row) {
  const Result<VerifiedReceipt>& latest = row.latest_verified.value();
  const bool basis_ok = row.basis == nullptr || row.basis_verified->ok();
  if (!latest.ok() || !basis_ok || latest.value().receipt_id != row.stored->latest.receipt_id ||
      (row.basis != nullptr && row.basis_verified->value().receipt_id != row.basis->receipt_id)) {
    row.reason = kWhyReceiptInvalid;
    return;
  }
  row.reverified = std::make_unique<StateIndex>(config_partner_ids(config_));
  // The record the ledger derives at acceptance, here from the payload verified now.
  auto summary = [&](const ledger::StoredReceipt& stored, const Json& payload) {
    ledger::ReceiptRecord s;
    s.receipt_seq = stored.seq;
    s.receipt_id = stored.receipt_id;
    s.chain_root = row.stored->chain_root;
    s.collection_method = stored.collection_method;
    s.received_at = row.stored->latest.received_at;  // retention runs from the latest receipt (R9)
    s.retention_months = row.stored->latest.retention_months;
    ledger::derive_record_fields(payload, s);
    return s;
  };
  if (row.basis != nullptr) row.reverified->add(summary(*row.basis, row.basis_verified->value().payload), false);
  row.reverified->add(summary(row.stored->latest, latest.value().payload), false);
  row.reverified->finish();
  row.person = row.reverified->find(row.stored->latest.receipt_id);
}

ValueSource Exporter::source_for(Channel channel, const PersonRecord& person) const {
  // Which contact serves the channel is the core's rule (lifecycle.h): SMS
  // goes to the mobile number when there is one. "There is one": the receipt
  // binds a mobile number, or binds no number and the form asks for a mobile.
  const bool has_mobile = person.names_digest(ContactKind::kMobile) ||
                          (!person.names_digest(ContactKind::kPhone) && config_.fields.count("mobile") != 0);
  const std::string_view kind = contact_kind_for(channel, has_mobile);
  if (kind == "email") return {ContactKind::kEmail, col_email_};
  if (kind == "mobile") return {ContactKind::kMobile, col_mobile_};
  if (kind == "postal") return {ContactKind::kPostal, col_postal_};
  return {ContactKind::kPhone, col_phone_};
}

// The value must be the one the person's receipt binds: SHA-256 of
// "salt \n kind \n normalised value" equals subject.digests.KIND.
bool Exporter::digest_matches(const PersonRecord& person, const StateIndex& index, ContactKind kind,
                              std::string_view value) {
  const std::string_view salt = index.salt(person);
  if (!person.has_digest(kind) || salt.empty()) return false;
  const char* name = contact_kind_name(kind);
  const std::optional<std::string> normalized = normalize_contact(name, value);
  if (!normalized) return false;
  const std::string input = contact_digest_input(salt, name, *normalized);
  const std::optional<std::array<unsigned char, 32>> digest = sha256_.digest(input);
  return digest && *digest == person.digests[static_cast<std::size_t>(kind)];
}

void Exporter::count_row_everywhere(const Row& row) {
  ++row_level_[row.reason];
  auto& lines = examples_[all_reasons()[row.reason]];
  if (lines.size() < kExamples) lines.push_back(row.line);
  for (PartnerOutput& p : partners_) ++p.rows_left_out[row.reason];
}

bool blank(std::string_view s) { return trim(s).empty(); }

namespace {

std::optional<Decision> decision_of_code(DecisionCode code) {
  switch (code) {
    case DecisionCode::kGrantedDecision: return Decision::kGranted;
    case DecisionCode::kNotGrantedDecision: return Decision::kNotGranted;
    case DecisionCode::kObjectedDecision: return Decision::kObjected;
    case DecisionCode::kNotObjectedDecision: return Decision::kNotObjected;
    case DecisionCode::kWithdrawnDecision: return Decision::kWithdrawn;
    case DecisionCode::kNoneDecision: return std::nullopt;  // no decision recorded: not informed
  }
  return std::nullopt;
}

// The report's reasons for the core's verdicts (the list and retention are
// checked per row and partner before a channel is judged).
Why why_for(TransferReason reason) {
  switch (reason) {
    case TransferReason::kAllowed: return kWhyNone;
    case TransferReason::kObjected: return kWhyObjected;
    case TransferReason::kWithdrawn: return kWhyWithdrawn;
    case TransferReason::kNoConsent: return kWhyNoConsent;
    case TransferReason::kPartnerNotListed: return kWhyPartnerNotListed;
    case TransferReason::kRetentionOver: return kWhyRetentionExpired;
    case TransferReason::kNotInformed:
    case TransferReason::kChannelNotOffered: return kWhyNotInformed;
  }
  return kWhyNotInformed;
}

// CSV injection (OWASP): a spreadsheet opening a partner file runs a cell that
// starts with = + - @ (after spaces) or a tab or carriage return, and an email
// address or a postal address may well start so ("=HYPERLINK(...)@x.fr" is a
// plausible address). Such a value is left out and counted rather than
// altered: a partner gets exactly what the person gave, or nothing. Phone
// numbers pass: the digest check allows only digits, spaces, + . - ( ), which
// cannot call anything.
bool runs_in_a_spreadsheet(ContactKind kind, std::string_view value) {
  if (kind != ContactKind::kEmail && kind != ContactKind::kPostal) return false;
  if (!value.empty() && (value.front() == '\t' || value.front() == '\r')) return true;
  const std::string_view start = value.substr(std::min(value.find_first_not_of(' '), value.size()));
  return !start.empty() && (start.front() == '=' || start.front() == '+' || start.front() == '-' || start.front() == '@');
}

}  // namespace

Problems Exporter::decide_and_write(Row& row, const StateIndex* index_for_row) {
  if (row.reason != kWhyNone) {
    count_row_everywhere(row);
    return {};
  }
  const StateIndex& index = *index_for_row;
  const PersonRecord& person = *row.person;

  // Per channel: the value when allowed, else the reason (same for every partner).
  struct ChannelVerdict {
    Why reason = kWhyNotInformed;  // kWhyNone: allowed
    std::string_view value;
    bool has_value = false;
  };
  std::array<ChannelVerdict, 4> verdicts{};
  for (const ChannelConfig& c : config_.channels) {
    ChannelVerdict& v = verdicts[static_cast<std::size_t>(c.channel)];
    const DecisionCode decision = person.decision(c.channel);
    const ValueSource source = source_for(c.channel, person);
    if (source.column >= 0) v.value = row.fields[static_cast<std::size_t>(source.column)];
    v.has_value = !blank(v.value);
    // The decision's verdict is the core's (lifecycle.h channel_verdict; R1, R4, R10).
    v.reason = why_for(channel_verdict(c.channel, person.consent_basis(c.channel) ? Basis::kConsent
                                                                                 : Basis::kLegitimateInterest,
                                       decision_of_code(decision)));
    if (v.reason == kWhyNone && !v.has_value) v.reason = kWhyNoValue;
    if (v.reason == kWhyNone && !digest_matches(person, index, source.kind, v.value)) v.reason = kWhyDigestMismatch;
    if (v.reason == kWhyNone && runs_in_a_spreadsheet(source.kind, v.value)) v.reason = kWhyFormulaLike;
  }

  // The reason a row is counted under when nothing of it goes: a value the
  // person allowed but that does not match first (the actionable one), then
  // the person's own decisions.
  static const Why kPriority[] = {kWhyDigestMismatch, kWhyFormulaLike,  kWhyWithdrawn, kWhyObjected,
                                  kWhyNoConsent,      kWhyNotInformed, kWhyNoValue};
  const std::string reference = index.reference(person);
  bool written_anywhere = false;
  std::string& line = line_;  // reused: no allocation a row
  for (PartnerOutput& p : partners_) {
    if (!index.listed(person, p.index)) {
      ++p.rows_left_out[kWhyPartnerNotListed];
      continue;
    }
    line.clear();
    append_csv_field(line, reference);
    bool any = false;
    unsigned reasons = 0;  // bit per Why
    for (const Channel c : p.channels) {
      const ChannelVerdict& v = verdicts[static_cast<std::size_t>(c)];
      line.push_back(',');
      if (v.reason == kWhyNone) {
        append_csv_field(line, v.value);
        any = true;
      } else {
        reasons |= 1u << v.reason;
        if (v.has_value) ++p.values_left_out[v.reason][static_cast<std::size_t>(c)];
      }
    }
    if (!any) {
      Why reason = kWhyNoValue;
      for (const Why candidate : kPriority) {
        if ((reasons >> candidate & 1u) != 0) {
          reason = candidate;
          break;
        }
      }
      ++p.rows_left_out[reason];
      continue;
    }
    for (const Channel c : p.channels) {
      const ChannelVerdict& v = verdicts[static_cast<std::size_t>(c)];
      if (v.reason == kWhyNone && !v.value.empty()) ++p.values_written[static_cast<std::size_t>(c)];
    }
    line.append("\r\n");
    Problems problems = p.file->write(line);
    if (!problems.empty()) return problems;
    ++p.rows_written;
    written_anywhere = true;
  }
  if (written_anywhere) ++rows_written_anywhere_;
  return {};
}

Problems Exporter::process_batch(Row* batch, std::size_t count) {
  if (!options_.reverify) {
    for (std::size_t i = 0; i < count; ++i) {
      lookup(batch[i]);
      Problems problems = decide_and_write(batch[i], index_.get());
      if (!problems.empty()) return problems;
    }
    return {};
  }
  for (std::size_t i = 0; i < count; ++i) {
    lookup_stored(batch[i]);
    if (!ledger_problems_.empty()) return ledger_problems_;
  }
  verify(batch, count);
  for (std::size_t i = 0; i < count; ++i) {
    Problems problems = decide_and_write(batch[i], batch[i].reverified.get());
    if (!problems.empty()) return problems;
  }
  return {};
}

Json counts_json(const RowCounts& counts) {
  Json out = Json::object();
  for (std::size_t r = 0; r < kWhyCount; ++r) out[all_reasons()[r]] = counts[r];
  return out;
}

Result<ExportOutcome> Exporter::run() {
  // Options first: fail before reading anything.
  at_text_ = options_.at.empty() ? format_time(static_cast<std::int64_t>(std::time(nullptr))) : options_.at;
  const std::optional<std::int64_t> at = parse_time(at_text_);
  if (!at) {
    return Problem{"export_bad_time", "--at", "The transfer time must be RFC 3339 UTC (2026-11-30T10:00:00Z) or a date."};
  }
  at_ = *at;
  at_text_ = format_time(at_);
  deadline_ = one_month_after(at_text_);
  std::error_code ec;
  out_ = fs::absolute(fs::path(options_.out_dir), ec);
  if (ec || options_.out_dir.empty()) return Problem{"export_bad_out", "--out", "The output directory is not usable."};
  if (out_.filename().empty()) out_ = out_.parent_path();  // "dir/"
  if (fs::exists(out_, ec)) {
    if (!fs::is_directory(out_, ec)) {
      return Problem{"export_out_exists", "--out", out_.string() + " exists and is not a directory."};
    }
    if (!fs::is_empty(out_, ec) && !options_.force) {
      return Problem{"export_out_exists", "--out",
                     out_.string() + " is not empty; pass --force to replace it, or choose another directory."};
    }
  }
  jobs_ = options_.jobs > 0 ? static_cast<unsigned>(options_.jobs) : std::max(1u, std::thread::hardware_concurrency());

  if (options_.controller_key) {
    const auto crypto = make_openssl_crypto();
    Result<std::string> kid = jwk_thumbprint(*options_.controller_key, *crypto);
    if (!kid.ok()) return kid.problems();
    key_kid_ = kid.value();
  }

  Problems problems = open_input();
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> input_owner(input_, &std::fclose);
  if (!problems.empty()) return problems;
  // --reverify: the full chain check (every stored receipt's bytes), then
  // the receipts themselves per row. Default: one pass over the log and the
  // compact records, checking the chain and building the index together.
  problems = options_.reverify ? check_chain() : build_index();
  if (!problems.empty()) return problems;
  problems = prepare_outputs();
  if (!problems.empty()) return problems;
  const auto rows_start = std::chrono::steady_clock::now();

  // Stream the rows. A malformed row stops the work but not the reading, so
  // that every problem is reported at once (capped).
  Problems csv_problems;
  std::vector<Row> batch(kBatch);  // reused: rows keep their field strings
  std::size_t used = 0;
  for (;;) {
    Row& row = batch[used];
    row.reset();
    const CsvReader::Status status = table_->next(row.fields);
    if (status == CsvReader::Status::kEnd) break;
    if (status == CsvReader::Status::kError) {
      csv_problems.push_back(table_->error());
      if (csv_problems.size() >= CsvLimits{}.max_errors) {
        csv_problems.push_back({"csv_too_many_errors", "", "Stopped after " +
                                std::to_string(csv_problems.size()) + " errors."});
        break;
      }
      continue;
    }
    ++rows_read_;
    if (!csv_problems.empty()) continue;
    row.line = table_->line();
    if (++used == kBatch) {
      problems = process_batch(batch.data(), used);
      if (!problems.empty()) return problems;
      used = 0;
    }
  }
  if (std::ferror(input_) != 0) return io_problem("Cannot read " + options_.contacts_path);
  if (!csv_problems.empty()) {
    for (Problem& p : csv_problems) p.message = options_.contacts_path + ": " + p.message;
    return csv_problems;
  }
  problems = process_batch(batch.data(), used);
  if (!problems.empty()) return problems;
  timings_["rowsSeconds"] = seconds_since(rows_start);
  return finish();
}

Result<ExportOutcome> Exporter::finish() {
  Json report = Json::object();
  report["version"] = "cachet-export-report/1";
  report["transferDate"] = at_text_;
  report["noticeDeadline"] = deadline_;
  report["contacts"] = {{"file", options_.contacts_path}, {"sha256", input_hash_.hex()}, {"rows", rows_read_}};
  // What the export relied on (docs/export.md, "Trust model").
  report["signaturesVerified"] = options_.reverify;  // re-verified during this export
  report["trust"] = {
      {"signatures", options_.reverify ? "re-verified" : "verified-at-acceptance"},
      {"statement",
       options_.reverify
           ? "Every receipt used was re-verified now (collector signature and controller countersignature" +
                 std::string(options_.controller_key ? ", which must be the --key controller's" : "") +
                 "); its decisions were read from the verified payload. The ledger's hash chain was verified "
                 "first, in full: every entry, every stored receipt's bytes, and every compact record against the "
                 "receipt it was made from."
           : "Every receipt's signatures were verified, and the controller countersigned it, when the ledger "
             "accepted it; the ledger then stored a compact record of it (decisions, partner list, salted "
             "digests, that verification) bound to its hash chain. The chain over the compact records was "
             "verified (every entry rehashed, every record checked against its entry), and decisions were read "
             "from those records" +
                 std::string(options_.controller_key ? "; each receipt must be countersigned by --key" : "") +
                 ". The full receipts were not re-read: 'cachet ledger verify' (or --reverify) also checks every "
                 "stored receipt's bytes and that each compact record matches its receipt. Compare chain.head with "
                 "a copy kept outside the ledger to rule out a rewritten log; --reverify re-verifies every "
                 "signature instead."},
      {"chain", {{"ok", chain_.ok()},
                 {"verified", options_.reverify ? "entries-receipts-and-records" : "entries-and-records"},
                 {"entries", chain_.entries},
                 {"receipts", chain_.receipts},
                 {"head", chain_.head}}}};
  report["rowsWrittenToSomePartner"] = rows_written_anywhere_;
  report["rowsLeftOutForEveryPartner"] = counts_json(row_level_);
  Json examples = Json::object();
  for (const auto& [reason, lines] : examples_) examples[reason] = lines;
  report["exampleLines"] = examples;

  Json partners = Json::array();
  Json ledger_partners = Json::array();
  for (PartnerOutput& p : partners_) {
    Result<std::string> sha = p.file->close();
    if (!sha.ok()) return sha.problems();
    p.sha256 = sha.value();
    const PartnerNoticeText notice = partner_notice(config_, *p.partner, at_text_, deadline_);
    const std::string base = "partner-notice-" + file_part(p.partner->id);
    for (const auto& [lang, text] : {std::pair<std::string, const std::string*>{"fr", &notice.fr},
                                     std::pair<std::string, const std::string*>{"en", &notice.en}}) {
      Result<std::string> written = write_whole(temp_.file(base + "." + lang + ".txt"), *text);
      if (!written.ok()) return written.problems();
    }
    Json columns = Json::array({"reference"});
    for (const Channel c : p.channels) columns.push_back(output_column(c));
    Json values_written = Json::object();
    for (const Channel c : p.channels) values_written[output_column(c)] = p.values_written[static_cast<std::size_t>(c)];
    Json values_left_out = Json::object();
    for (std::size_t r = 0; r < kWhyCount; ++r) {
      for (std::size_t c = 0; c < 4; ++c) {
        const std::int64_t n = p.values_left_out[r][c];
        if (n > 0) values_left_out[all_reasons()[r]][output_column(static_cast<Channel>(c))] = n;
      }
    }
    Json entry = Json::object();
    entry["id"] = p.partner->id;
    entry["name"] = p.partner->name;
    entry["file"] = p.file_name;
    entry["sha256"] = p.sha256;
    entry["columns"] = columns;
    entry["rowsWritten"] = p.rows_written;
    entry["valuesWritten"] = values_written;
    entry["rowsLeftOut"] = counts_json(p.rows_left_out);
    entry["valuesLeftOut"] = values_left_out;
    entry["notice"] = {{"deadline", deadline_},
                       {"files", {{"fr", base + ".fr.txt"}, {"en", base + ".en.txt"}}},
                       {"fr", notice.fr},
                       {"en", notice.en}};
    partners.push_back(entry);
    ledger_partners.push_back(
        {{"id", p.partner->id}, {"file", p.file_name}, {"sha256", p.sha256}, {"rows", p.rows_written}});
  }
  report["partners"] = partners;

  // The export goes on the record (R9: prove what left, when, to whom).
  const Json details = {{"at", at_text_},
                        {"agent", options_.agent},
                        {"out", out_.string()},
                        {"contactsSha256", report["contacts"]["sha256"]},
                        {"rows", rows_read_},
                        {"noticeDeadline", deadline_},
                        {"partners", ledger_partners}};
  ExportOutcome outcome;
  Result<std::int64_t> recorded = record_export_event(store_, details);
  if (!recorded.ok()) return recorded.problems();  // a ledger that fails must not see files leave
  outcome.ledger_recorded = true;
  report["ledger"] = {{"recorded", true}, {"seq", recorded.value()}};

  // Readable summary.
  std::string text = "Cachet export of " + options_.contacts_path + " at " + at_text_ + ": " +
                     std::to_string(rows_read_) + " row(s) read, " + std::to_string(rows_written_anywhere_) +
                     " written to at least one partner.\n";
  std::string everywhere;
  // Reasons in alphabetical order, as report.json lists them.
  for (const auto& [reason, n] : report["rowsLeftOutForEveryPartner"].items()) {
    if (n.get<std::int64_t>() > 0) everywhere += " " + reason + " " + std::to_string(n.get<std::int64_t>()) + ",";
  }
  if (!everywhere.empty()) {
    everywhere.pop_back();
    text += "Left out for every partner:" + everywhere + ".\n";
  }
  for (const Json& p : partners) {
    text += "\nPartner " + p["id"].get<std::string>() + " (" + p["name"].get<std::string>() + "): " +
            std::to_string(p["rowsWritten"].get<std::int64_t>()) + " row(s) in " + p["file"].get<std::string>() +
            "; columns";
    for (const Json& c : p["columns"]) text += " " + c.get<std::string>();
    text += ".\n";
    std::string rows;
    for (const auto& [reason, n] : p["rowsLeftOut"].items()) {
      if (n.get<std::int64_t>() > 0) rows += " " + reason + " " + std::to_string(n.get<std::int64_t>()) + ",";
    }
    if (!rows.empty()) {
      rows.pop_back();
      text += "  rows left out:" + rows + "\n";
    }
    for (const auto& [reason, by_column] : p["valuesLeftOut"].items()) {
      text += "  values left out (" + reason + "):";
      for (const auto& [column, n] : by_column.items()) text += " " + column + " " + std::to_string(n.get<std::int64_t>());
      text += "\n";
    }
    text += "  first-contact notice due by " + deadline_ + ": " + p["notice"]["files"]["fr"].get<std::string>() +
            ", " + p["notice"]["files"]["en"].get<std::string>() + "\n";
  }
  text += "\nLedger: " + (outcome.ledger_recorded
                              ? "export recorded as log entry " + std::to_string(recorded.value()) + ".\n"
                              : "export NOT recorded: " + report["ledger"]["message"].get<std::string>() + "\n");

  Result<std::string> written = write_whole(temp_.file("report.json"), report.dump(2) + "\n");
  if (written.ok()) written = write_whole(temp_.file("report.txt"), text);
  if (!written.ok()) return written.problems();
  if (!sync_dir(temp_.path())) return io_problem("Cannot sync " + temp_.path());

  // All files are complete: move the directory into place in one rename.
  std::error_code ec;
  std::string replaced;
  if (fs::exists(out_, ec)) {
    if (fs::is_empty(out_, ec)) {
      fs::remove(out_, ec);
    } else {
      replaced = out_.string() + ".replaced-" + std::to_string(::getpid());
      fs::rename(out_, replaced, ec);
    }
    if (ec) return Problem{"export_io", "", "Cannot replace " + out_.string() + ": " + ec.message() + "."};
  }
  fs::rename(temp_.path(), out_, ec);
  if (ec) {
    if (!replaced.empty()) fs::rename(replaced, out_, ec);
    return Problem{"export_io", "", "Cannot move the export into " + out_.string() + "."};
  }
  temp_.commit();
  if (!replaced.empty()) fs::remove_all(replaced, ec);
  sync_dir(out_.parent_path().string());
  outcome.report = std::move(report);
  outcome.summary = std::move(text);
  outcome.timings = std::move(timings_);
  return outcome;
}

}  // namespace

Result<ExportOutcome> run_export(const Config& config, ledger::ConsentStore& store, const ExportOptions& options) {
  Exporter exporter(config, store, options);
  return exporter.run();
}

}  // namespace cachet::exporter
