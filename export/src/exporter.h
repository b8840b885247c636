// The Exporter behind run_export (private to export/), shared by the files
// that do its jobs: export.cpp runs it (options, input, ledger, the row
// stream), rows.cpp decides each row and writes it, report.cpp counts and
// reports, output_files.h holds the files it writes.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "cachet/export/csv.h"
#include "cachet/export/export.h"
#include "cachet/ledger/head.h"
#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"
#include "output_files.h"
#include "partner_receipts.h"
#include "state_index.h"

namespace cachet::exporter {

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
  // Transfers (ledger, store.h): what this export sends, and what this
  // partner was sent before (changes.cpp).
  std::vector<ledger::TransferBatch::Row> sent;  // file order
  struct Held {
    std::string reference;
    std::string notice_due;     // of the first transfer of this person to this partner
    std::uint8_t channels = 0;  // bit per Channel: ever sent to this partner
  };
  // chain root -> what the partner holds (the ledger's holdings, store.h Holding)
  std::unordered_map<std::string, Held> held;
  std::int64_t previous_seq = 0;  // its latest 'transfer' entry before this export (0: none)
  std::string previous_at;        // and that transfer's time
  std::string changes_file;
  std::string changes_sha256;
  std::map<std::string, std::int64_t> stops, deletes;  // changes written, by reason
};

// One contact-file row on its way through the batch.
struct Row {
  std::int64_t line = 0;
  std::vector<std::string> fields;
  Why reason = kWhyNone;           // row-level reason, kWhyNone while the row is still in
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

std::vector<std::string> config_partner_ids(const Config& config);

// One removal of a person from the ledger, as a log entry states it
// (changes.cpp): a purge ({"kind": "purge", "at", "removed": [{"chainRoot",
// ...}]}, reason retention-expired) or an erasure ({"kind": "erasure", "at",
// "chainRoot", "removed", "requestedAt"}, reason erasure, at = requestedAt).
struct Removal {
  std::int64_t seq = 0;
  std::string reason;
  std::string at;  // the time of the act: the purge, or the erasure request
};
// The people (chain roots) log entry `seq` removes; none for other kinds.
std::vector<std::pair<std::string, Removal>> removals_in(std::int64_t seq, std::string_view entry);

class Exporter {
 public:
  Exporter(const Config& config, ledger::ConsentStore& store, const ExportOptions& options)
      : config_(config), store_(store), options_(options) {}

  Result<ExportOutcome> run();

 private:
  Problems open_input();
  Problems prepare_outputs();
  Problems check_chain();
  // The latest signed chain head stored in the ledger (head.h), checked
  // against chain_ (truncation); signed by --key when one was given.
  Problems check_stored_head();
  Problems start_head();
  Problems chain_problems() const;
  Json checked_json() const;
  std::string checked_text() const;
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
  // Transfers (changes.cpp): the per-partner reference of a person, what
  // each partner was sent before (prepare_outputs), and the changes file of
  // each partner (finish).
  Problems load_transfers();
  Problems load_holdings(PartnerOutput& p, std::string_view stated_sha256);
  Problems write_changes();
  // The log since the earliest previous transfer (load_transfers): who was
  // removed (purge, erasure) and who acted (a receipt), by chain root.
  std::unordered_map<std::string, std::vector<Removal>> removed_;
  std::unordered_map<std::string, std::int64_t> acted_;  // chain root -> seq of its latest receipt entry
  // Whether a row sent to `p` changes what it holds, so that the ledger
  // records it (store.h, TransferBatch::rows): a person new to the partner, a
  // channel never sent to it, or a receipt of the person since its previous transfer.
  bool changes_holding(const PartnerOutput& p, const std::string& root, std::uint8_t sent_bits) const;
  // excluded.csv: one line per row or value left out (line, partner, channel
  // or "row", reason), as counted in the report; partner "*" = every partner.
  // A write failure is kept for finish() (excluded_problems_).
  void exclude(std::int64_t line, std::string_view partner, std::string_view channel, Why reason);
  double seconds_since(std::chrono::steady_clock::time_point start) const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  const Config& config_;
  ledger::ConsentStore& store_;
  const ExportOptions& options_;
  std::int64_t at_ = 0;
  std::string at_text_;
  std::string deadline_;
  std::filesystem::path out_;
  TempDir temp_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> input_{nullptr, &std::fclose};  // the contacts file
  std::unique_ptr<CsvTable> table_;
  Sha256Stream input_hash_;
  int col_receipt_ = -1, col_email_ = -1, col_phone_ = -1, col_mobile_ = -1, col_postal_ = -1;
  std::vector<PartnerOutput> partners_;
  std::unique_ptr<StateIndex> index_;
  std::string key_kid_;  // RFC 7638 thumbprint of --key
  ledger::ChainReport chain_;
  // --from-signed-head: the head the chain check started from (start_head).
  std::optional<ledger::ChainHead> start_head_;
  std::unordered_set<Uuid128, Uuid128Hash> seen_;  // --reverify: people already written
  std::unordered_set<std::string> seen_other_;     // chain roots that are not UUIDs (should not happen)
  std::int64_t rows_read_ = 0;
  std::int64_t rows_written_anywhere_ = 0;
  RowCounts row_level_{};  // rows left out for every partner
  std::map<std::string, std::vector<std::int64_t>> examples_;
  std::vector<Problem> ledger_problems_;
  unsigned jobs_ = 1;
  Sha256Hasher sha256_;  // a million contact values an export checks
  // Keyed (version 2) digests: HMAC-SHA256, and the values left out for want
  // of the controller's private key.
  std::unique_ptr<CryptoProvider> crypto_ = make_openssl_crypto();
  std::int64_t keyed_unchecked_ = 0;
  Json timings_ = Json::object();
  std::string line_;                           // decide_and_write's output line
  std::string reference_secret_;               // ConsentStore::secret(kTransferReferenceSecret)
  std::unique_ptr<PartnerEvidence> evidence_;  // options_.receipts: partner_receipts.h
  std::unique_ptr<OutFile> excluded_ = std::make_unique<OutFile>();
  std::string excluded_line_;
  std::int64_t excluded_lines_ = 0;
  Problems excluded_problems_;
};

}  // namespace cachet::exporter
