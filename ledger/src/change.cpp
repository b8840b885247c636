#include "cachet/ledger/change.h"

#include "cachet/messages.h"
#include "cachet/receipt.h"
#include "cachet/uuid.h"

namespace cachet::ledger {

Result<ConsentState> consent_state_of(const PersonState& person) {
  std::vector<const Json*> payloads;
  payloads.reserve(person.history.size());
  for (const StoredReceipt& r : person.history) payloads.push_back(&r.payload);
  if (payloads.empty()) payloads.push_back(&person.latest.payload);
  return consent_state(payloads);
}

Problems verify_stored_signatures(const PersonState& person, const CryptoProvider& crypto) {
  std::vector<const StoredReceipt*> receipts;
  for (const StoredReceipt& r : person.history) receipts.push_back(&r);
  if (receipts.empty()) receipts.push_back(&person.latest);
  for (const StoredReceipt* r : receipts) {
    Result<VerifiedReceipt> verified = verify_receipt(r->jws, crypto);
    std::string why;
    if (!verified.ok()) {
      why = "does not verify (" + verified.problems().front().code + ")";
    } else if (verified.value().receipt_id != r->receipt_id || verified.value().payload_sha256 != r->payload_sha256) {
      why = "is not the receipt its log entry records";
    } else if (!verified.value().countersigned || verified.value().countersigner_kid != r->countersigner_kid) {
      why = "is not countersigned by the key its log entry names";
    }
    if (!why.empty()) {
      return {Problem{"ledger_tampered", "/receipts/" + r->receipt_id,
                      "The stored receipt " + r->receipt_id + " (log entry #" + std::to_string(r->seq) + ") " + why +
                          ": the ledger was altered behind Cachet's back, and nothing is done with it. Run `cachet "
                          "ledger verify` and restore the ledger from a backup."}};
    }
  }
  return {};
}

Result<RecordedChange> record_change(ConsentStore& store, const CryptoProvider& crypto, const Config& current,
                                     const PersonState& person, const Change& change, const ChangeContext& context) {
  // The receipts the change folds and supersedes must still be the ones the
  // controller countersigned: an edited one is never re-signed.
  Problems tampered = verify_stored_signatures(person, crypto);
  if (!tampered.empty()) return tampered;
  Result<ConsentState> state = consent_state_of(person);
  if (!state.ok()) return state.problems();
  Result<Superseding> next = supersede(state.value(), change, current);
  if (!next.ok()) return next.problems();
  RecordedChange out;
  out.superseding = next.value();
  if (!out.superseding.changed) return out;

  ReceiptContext receipt;
  receipt.receipt_id = new_uuid(crypto);
  receipt.issued_at = context.issued_at;
  receipt.locale = std::string(text_locale(state.value().locale, current.locale));
  receipt.collection_method = change.accepts_current_list ? "web-form" : change.collection_method;
  receipt.page_url = context.page_url;
  receipt.agent = context.agent;
  receipt.relayed_by = context.relayed_by;
  receipt.supersedes = person.latest.receipt_id;
  receipt.carried_subject = person.latest.payload.value("subject", Json());
  receipt.carried_notice = out.superseding.carried_notice;
  receipt.carried_channels = out.superseding.carried_channels;
  Result<Json> issued = issue_receipt(current, out.superseding.choices, receipt, crypto);
  if (!issued.ok()) return issued.problems();
  Result<Accepted> accepted = accept_receipt(
      store, crypto, issued.value().dump(-1, ' ', false, Json::error_handler_t::replace), context.accept);
  if (!accepted.ok()) return accepted.problems();
  out.accepted = std::move(accepted).value();
  return out;
}

}  // namespace cachet::ledger
