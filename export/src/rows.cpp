// The per-row verdicts: each contact row is looked up (in the index, or in
// the ledger with --reverify, whose signatures are re-verified here), each
// channel judged by the core's rules (lifecycle.h channel_verdict and
// contact_kind_for; R1-R10), its value checked against the receipt's digest
// and for CSV injection, and the row written to the partner files it may go to.
#include <algorithm>
#include <utility>

#include "cachet/choices.h"
#include "cachet/lifecycle.h"
#include "cachet/parallel.h"
#include "exporter.h"

namespace cachet::exporter {

namespace {

constexpr std::size_t kExamples = 20;

// Spaces and tabs around; plain loops (find_first_not_of with a set calls
// memchr once per byte, and runs for every cell).
std::string_view trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

}  // namespace

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
  run_striped(thread_count(tasks.size(), jobs_), work);
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

// The value must be the one the person's receipt binds (receipt.h):
// version 1, SHA-256 of "salt \n kind \n normalised value"; version 2 (keyed),
// HMAC-SHA256 of "kind \n normalised value" under the receipt's key, which
// only the controller's digest secret derives.
bool Exporter::digest_matches(const PersonRecord& person, const StateIndex& index, ContactKind kind,
                              std::string_view value) {
  const ledger::RecordSalt salt = ledger::split_record_salt(index.salt(person));
  if (!person.has_digest(kind) || salt.salt.empty()) return false;
  const char* name = contact_kind_name(kind);
  const std::optional<std::string> normalized = normalize_contact(name, value);
  if (!normalized) return false;
  const auto& expected = person.digests[static_cast<std::size_t>(kind)];
  if (salt.keyed) {
    if (options_.digest_secret.empty()) {
      ++keyed_unchecked_;
      return false;
    }
    const std::string key = contact_digest_key(options_.digest_secret, salt.salt, *crypto_);
    const std::string mac = key.empty() ? key : crypto_->hmac_sha256(key, keyed_digest_input(name, *normalized));
    return mac.size() == expected.size() &&
           std::equal(expected.begin(), expected.end(), mac.begin(),
                      [](unsigned char a, char b) { return a == static_cast<unsigned char>(b); });
  }
  const std::string input = contact_digest_input(salt.salt, name, *normalized);
  const std::optional<std::array<unsigned char, 32>> digest = sha256_.digest(input);
  return digest && *digest == expected;
}

void Exporter::count_row_everywhere(const Row& row) {
  ++row_level_[row.reason];
  auto& lines = examples_[all_reasons()[row.reason]];
  if (lines.size() < kExamples) lines.push_back(row.line);
  for (PartnerOutput& p : partners_) ++p.rows_left_out[row.reason];
  exclude(row.line, "*", "row", row.reason);
}

void Exporter::exclude(std::int64_t line, std::string_view partner, std::string_view channel, Why reason) {
  if (!excluded_problems_.empty()) return;
  excluded_line_.assign(std::to_string(line)).push_back(',');
  append_csv_field(excluded_line_, partner);
  excluded_line_.push_back(',');
  append_csv_field(excluded_line_, channel);
  excluded_line_.push_back(',');
  excluded_line_.append(all_reasons()[reason]).append("\r\n");
  excluded_problems_ = excluded_->write(excluded_line_);
  ++excluded_lines_;
}

namespace {

bool blank(std::string_view s) { return trim(s).empty(); }

std::optional<Decision> decision_of_code(DecisionCode code) {
  switch (code) {
    case DecisionCode::kGrantedDecision:
      return Decision::kGranted;
    case DecisionCode::kNotGrantedDecision:
      return Decision::kNotGranted;
    case DecisionCode::kObjectedDecision:
      return Decision::kObjected;
    case DecisionCode::kNotObjectedDecision:
      return Decision::kNotObjected;
    case DecisionCode::kWithdrawnDecision:
      return Decision::kWithdrawn;
    case DecisionCode::kNoneDecision:
      return std::nullopt;  // no decision recorded: not informed
  }
  return std::nullopt;
}

// The report's reasons for the core's verdicts (the list and retention are
// checked per row and partner before a channel is judged).
Why why_for(TransferReason reason) {
  switch (reason) {
    case TransferReason::kAllowed:
      return kWhyNone;
    case TransferReason::kObjected:
      return kWhyObjected;
    case TransferReason::kWithdrawn:
      return kWhyWithdrawn;
    case TransferReason::kNoConsent:
      return kWhyNoConsent;
    case TransferReason::kPartnerNotListed:
      return kWhyPartnerNotListed;
    case TransferReason::kRetentionOver:
      return kWhyRetentionExpired;
    case TransferReason::kNotInformed:
    case TransferReason::kChannelNotOffered:
      return kWhyNotInformed;
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
  return !start.empty() &&
         (start.front() == '=' || start.front() == '+' || start.front() == '-' || start.front() == '@');
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
    v.reason = why_for(channel_verdict(c.channel,
                                       person.consent_basis(c.channel) ? Basis::kConsent : Basis::kLegitimateInterest,
                                       decision_of_code(decision)));
    if (v.reason == kWhyNone && !v.has_value) v.reason = kWhyNoValue;
    if (v.reason == kWhyNone && !digest_matches(person, index, source.kind, v.value)) v.reason = kWhyDigestMismatch;
    if (v.reason == kWhyNone && runs_in_a_spreadsheet(source.kind, v.value)) v.reason = kWhyFormulaLike;
  }

  // The reason a row is counted under when nothing of it goes: a value the
  // person allowed but that does not match first (the actionable one), then
  // the person's own decisions.
  static const Why kPriority[] = {kWhyDigestMismatch, kWhyFormulaLike, kWhyWithdrawn, kWhyObjected,
                                  kWhyNoConsent,      kWhyNotInformed, kWhyNoValue};
  // The person, and per partner the reference that partner knows them by
  // (ledger transfer_reference: partners' references cannot be linked).
  const std::string root = index.reference(person);
  bool written_anywhere = false;
  std::string& line = line_;  // reused: no allocation a row
  for (PartnerOutput& p : partners_) {
    if (!index.listed(person, p.index)) {
      ++p.rows_left_out[kWhyPartnerNotListed];
      exclude(row.line, p.partner->id, "row", kWhyPartnerNotListed);
      continue;
    }
    // A partner that holds the person already knows the (stable) reference.
    const auto held = p.held.find(root);
    const std::string reference = held != p.held.end()
                                      ? held->second.reference
                                      : ledger::transfer_reference(reference_secret_, p.partner->id, root);
    line.clear();
    append_csv_field(line, reference);
    bool any = false;
    unsigned reasons = 0;  // bit per Why
    std::vector<std::string> sent_channels;
    for (const Channel c : p.channels) {
      const ChannelVerdict& v = verdicts[static_cast<std::size_t>(c)];
      line.push_back(',');
      if (v.reason == kWhyNone) {
        append_csv_field(line, v.value);
        sent_channels.emplace_back(to_string(c));
        any = true;
      } else {
        reasons |= 1u << v.reason;
        if (v.has_value) {
          ++p.values_left_out[v.reason][static_cast<std::size_t>(c)];
          exclude(row.line, p.partner->id, output_column(c), v.reason);
        }
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
      exclude(row.line, p.partner->id, "row", reason);
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
    if (evidence_) {
      problems = evidence_->written(p.index, trim(row.fields[static_cast<std::size_t>(col_receipt_)]),
                                    person.latest_seq, reference);
      if (!problems.empty()) return problems;
    }
    // The transfer the ledger records, when it changes what the partner
    // holds (R8: the notice is due a month after the person's first
    // transfer to this partner).
    if (changes_holding(p, root, ledger::channel_bits(sent_channels))) {
      p.sent.push_back(ledger::TransferBatch::Row{reference, root, std::move(sent_channels),
                                                  held != p.held.end() ? held->second.notice_due : deadline_});
    }
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

}  // namespace cachet::exporter
