// What a partner needs to check its file (docs/export.md, "For partners:
// checking what you received"): beside each partner-ID.csv, the receipts
// that justify each row (partner-ID.receipts.jsonl), and the language each
// person is to be written to in (partner-notice-ID.csv, for a mail merge of
// the first-contact notices, R8). Private to export/.
//
// One JSON line per row of partner-ID.csv, in the same order:
//   {"row": N, "reference": "...", "receipts": [JWS, ...], "digestKey": "..."}
// `receipts`: the person's receipts, oldest first, from the latest one made
// where the partner list was shown (lifecycle.h shows_partner_list: the one
// that sets the list the person accepted, R7) to the latest one (its
// decisions and subject digests are the person's current state, R10), each
// the countersigned JWS the ledger holds, in the general JSON serialisation.
// `digestKey`: for a keyed (version 2) subject, the receipt key k
// (receipt.h contact_digest_key, base64url) with which the partner checks
// the values it got against the subject's digests, and no other receipt's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/ledger/store.h"
#include "cachet/problem.h"
#include "output_files.h"

namespace cachet::exporter {

class PartnerEvidence {
 public:
  struct Target {
    std::string partner_id;
    std::string file_name;  // partner-ID.csv
  };
  // `default_locale`: the config's, for a receipt whose locale has no notice.
  PartnerEvidence(ledger::ConsentStore& store, std::string digest_secret, std::string default_locale);

  // Opens partner-ID.receipts.jsonl and partner-notice-ID.csv in `temp`,
  // one of each per target, in the order written() will name them.
  Problems open(const TempDir& temp, const std::vector<Target>& targets);
  // A row was written to target `partner`'s file with `reference`.
  // `receipt_id`: the row's receipt cell (any receipt of the chain);
  // `latest_seq`: the log position of the receipt the export decided on (the
  // ledger may have moved on since: what is written is the chain up to it).
  Problems written(std::size_t partner, std::string_view receipt_id, std::int64_t latest_seq,
                   std::string_view reference);
  // Closes every file; per target {"receipts": {"file", "sha256", "rows"},
  // "noticeLanguages": {"file", "sha256", "locales": {locale: rows}}}.
  Result<std::vector<Json>> close();

 private:
  struct PerPartner {
    std::string receipts_name, notices_name, notice_base;
    std::unique_ptr<OutFile> receipts = std::make_unique<OutFile>();
    std::unique_ptr<OutFile> notices = std::make_unique<OutFile>();
    std::int64_t rows = 0;
    Json locales = Json::object();
  };
  // The chain of the current row, looked up once for all partners.
  Problems load(std::string_view receipt_id, std::int64_t latest_seq);

  ledger::ConsentStore& store_;
  std::string digest_secret_;
  std::string default_locale_;
  std::unique_ptr<CryptoProvider> crypto_;
  std::vector<PerPartner> partners_;
  std::string cached_id_;
  std::int64_t cached_seq_ = -1;
  std::string cached_receipts_;  // the JSON array text of `receipts`
  std::string cached_key_;       // base64url k, or empty
  std::string cached_locale_;
  std::string line_;
};

}  // namespace cachet::exporter
