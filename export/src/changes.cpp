// Consent follows the data (DESIGN.md 2.1): what each partner was sent
// before (the ledger's transfer rows), and, per partner, the changes file
// telling it what to stop or delete since its previous transfer: objections
// and withdrawals (judged by the core's may_transfer over the person's
// history), erasures and retention expiry (purge and erasure log entries,
// or a retention that ran out since). docs/export.md, "Changes files".
#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cachet/lifecycle.h"
#include "exporter.h"

namespace cachet::exporter {

namespace {

constexpr std::uint8_t bit(Channel c) { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(c)); }

// The reason a changes line gives for a stop (stable strings, docs/export.md).
std::string stop_reason(TransferReason reason) {
  switch (reason) {
    case TransferReason::kObjected:
      return "objection";
    case TransferReason::kWithdrawn:
      return "withdrawal";
    case TransferReason::kPartnerNotListed:
      return "partner-not-listed";
    case TransferReason::kNoConsent:
      return "no-consent";
    default:
      return std::string(to_string(reason));
  }
}

// The value of `"name":"` ... `"` in a canonical log entry (no escapes in
// the values read this way: chain roots are UUIDs).
std::string_view member(std::string_view entry, std::string_view name) {
  std::string key = "\"";
  key.append(name).append("\":\"");
  const std::size_t at = entry.find(key);
  if (at == std::string_view::npos) return {};
  const std::size_t begin = at + key.size();
  const std::size_t end = entry.find('"', begin);
  return end == std::string_view::npos ? std::string_view() : entry.substr(begin, end - begin);
}

struct ChangeLine {
  std::string reference, channel, action, reason, acted_at;
};

}  // namespace

std::vector<std::pair<std::string, Removal>> removals_in(std::int64_t seq, std::string_view entry) {
  std::vector<std::pair<std::string, Removal>> out;
  const bool purge = entry.find("\"kind\":\"purge\"") != std::string_view::npos;
  const bool erasure = entry.find("\"kind\":\"erasure\"") != std::string_view::npos;
  if (!purge && !erasure) return out;
  const Json parsed = Json::parse(entry, nullptr, false);
  if (!parsed.is_object() || string_at(parsed, {"kind"}) != (purge ? "purge" : "erasure")) return out;
  Removal removal{seq, purge ? kRetentionExpired : "erasure", string_at(parsed, {"at"})};
  if (erasure && !string_at(parsed, {"requestedAt"}).empty()) removal.at = string_at(parsed, {"requestedAt"});
  std::vector<std::string> roots;
  if (erasure && !string_at(parsed, {"chainRoot"}).empty()) roots.push_back(string_at(parsed, {"chainRoot"}));
  const Json list = parsed.value("removed", Json::array());
  for (const Json& r : list.is_array() ? list : Json::array()) {
    const std::string root = string_at(r, {"chainRoot"});
    if (!root.empty() && std::find(roots.begin(), roots.end(), root) == roots.end()) roots.push_back(root);
  }
  for (std::string& root : roots) out.emplace_back(std::move(root), removal);
  return out;
}

Problems Exporter::load_transfers() {
  Result<std::string> secret = store_.secret(ledger::kTransferReferenceSecret);
  if (!secret.ok()) return secret.problems();
  reference_secret_ = std::move(secret).value();
  for (PartnerOutput& p : partners_) {
    Result<std::int64_t> last = store_.last_transfer_seq(p.partner->id);
    if (!last.ok()) return last.problems();
    p.previous_seq = last.value();
    if (p.previous_seq == 0) continue;
    std::string stated;  // its "holdingsSha256" (an entry written since schema 9)
    Problems problems =
        store_.read_log(p.previous_seq, p.previous_seq, [&](std::int64_t, std::string_view entry, std::string_view) {
          p.previous_at = std::string(member(entry, "at"));
          stated = std::string(member(entry, "holdingsSha256"));
        });
    if (!problems.empty()) return problems;
    problems = load_holdings(p, stated);
    if (!problems.empty()) return problems;
  }

  // The log since the earliest previous transfer: who was removed (purge,
  // erasure) and who acted (a receipt), by chain root.
  std::int64_t from = 0;
  for (const PartnerOutput& p : partners_) {
    if (p.previous_seq > 0 && (from == 0 || p.previous_seq < from)) from = p.previous_seq;
  }
  if (from == 0) return {};
  Result<ledger::LogTip> tip = store_.tip();
  if (!tip.ok()) return tip.problems();
  auto held_anywhere = [&](const std::string& root) {
    return std::any_of(partners_.begin(), partners_.end(),
                       [&](const PartnerOutput& p) { return p.held.count(root) != 0; });
  };
  return store_.read_log(from + 1, tip.value().seq, [&](std::int64_t seq, std::string_view entry, std::string_view) {
    if (entry.find("\"kind\":\"receipt\"") != std::string_view::npos) {
      std::string root(member(entry, "chainRoot"));
      if (held_anywhere(root)) acted_[root] = seq;
      return;
    }
    for (auto& [root, removal] : removals_in(seq, entry)) removed_[root].push_back(std::move(removal));
  });
}

// What the partner holds, one row per person (the ledger's holdings), checked
// against the SHA-256 its latest transfer entry states: the chain check
// covered that entry, not the table beside it. An entry written before
// schema 9 states none: the holdings are then checked against the transfer
// rows they fold (once: the next entry states the digest).
Problems Exporter::load_holdings(PartnerOutput& p, std::string_view stated_sha256) {
  ledger::HoldingsDigest table;
  if (index_) p.held.reserve(index_->people());  // a hint: at most everyone, usually
  Problems problems = store_.for_each_holding(p.partner->id, [&](const ledger::Holding& h) {
    table.add(h);
    PartnerOutput::Held& held = p.held[h.chain_root];
    held.reference = h.reference;
    held.notice_due = h.notice_due;
    for (const std::string& name : h.channels) {
      if (const std::optional<Channel> c = channel_from_string(name)) held.channels |= bit(*c);
    }
  });
  if (!problems.empty()) return problems;
  std::string expected(stated_sha256);
  if (expected.empty()) {
    ledger::HoldingsDigest folded;
    problems =
        store_.ledger::ConsentStore::for_each_holding(p.partner->id, [&](const ledger::Holding& h) { folded.add(h); });
    if (!problems.empty()) return problems;
    expected = folded.hex();
  }
  if (table.hex() != expected) {
    return {Problem{"export_ledger_broken", "--db",
                    "What the ledger says partner " + p.partner->id +
                        " holds (its transfer_holdings) does not match its latest transfer entry #" +
                        std::to_string(p.previous_seq) +
                        " (ledger_holdings_mismatch). Nothing was exported; run 'cachet ledger verify' and restore "
                        "the ledger."}};
  }
  return {};
}

bool Exporter::changes_holding(const PartnerOutput& p, const std::string& root, std::uint8_t sent_bits) const {
  const auto held = p.held.find(root);
  if (held == p.held.end() || (sent_bits & ~held->second.channels) != 0) return true;
  const auto act = acted_.find(root);
  return act != acted_.end() && act->second > p.previous_seq;
}

Problems Exporter::write_changes() {
  const auto& removed = removed_;
  const auto& acted = acted_;
  // 2. Per partner, what it holds and what changed since its previous transfer.
  for (PartnerOutput& p : partners_) {
    std::vector<ChangeLine> lines;
    const std::optional<std::int64_t> previous_at = parse_time(p.previous_at);
    for (const auto& [root, held] : p.held) {
      // Removed from the ledger since: delete everything.
      const auto gone = removed.find(root);
      const Removal* removal = nullptr;
      if (gone != removed.end()) {
        for (const Removal& r : gone->second) {
          if (r.seq > p.previous_seq) {
            removal = &r;
            break;
          }
        }
      }
      if (removal != nullptr) {
        lines.push_back({held.reference, "all", "delete", removal->reason, removal->at});
        continue;
      }
      const auto act = acted.find(root);
      const bool changed = act != acted.end() && act->second > p.previous_seq;
      if (!changed && !options_.reverify) {
        // Nothing the person did since: only their retention may have run out (R9).
        const PersonRecord* person = index_ ? index_->find(root) : nullptr;
        if (person != nullptr && person->retention_until <= at_ && previous_at &&
            person->retention_until > *previous_at) {
          lines.push_back({held.reference, "all", "delete", kRetentionExpired, format_time(person->retention_until)});
        }
        continue;
      }
      Result<ledger::PersonState> state = store_.state_of(root);
      if (!state.ok()) {
        if (problem_kind(state.problems()) == ProblemKind::kNotFound) continue;  // removed before: told then
        return state.problems();
      }
      const ledger::PersonState& person = state.value();
      if (!person.retention_until.empty()) {
        const std::optional<std::int64_t> until = parse_time(person.retention_until);
        if (until && *until <= at_) {
          if (previous_at && *until > *previous_at) {
            lines.push_back({held.reference, "all", "delete", kRetentionExpired, format_time(*until)});
          }
          continue;
        }
      }
      if (!changed) continue;
      // The person's state after each receipt (the core folds them), and per
      // channel the partner holds, whether it may still go to this partner.
      std::vector<const Json*> payloads;
      std::vector<std::vector<TransferVerdict>> verdicts;  // [receipt][channel slot]
      std::vector<Channel> channels;
      for (const Channel c : {Channel::kPostal, Channel::kPhone, Channel::kEmail, Channel::kSms}) {
        if ((held.channels & bit(c)) != 0) channels.push_back(c);
      }
      for (const ledger::StoredReceipt& r : person.history) {
        payloads.push_back(&r.payload);
        Result<ConsentState> folded = consent_state(payloads);
        std::vector<TransferVerdict> row;
        row.reserve(channels.size());
        for (const Channel c : channels) {
          row.push_back(folded.ok() ? may_transfer(folded.value(), *p.partner, c, at_, std::nullopt)
                                    : TransferVerdict{false, TransferReason::kNotInformed});
        }
        verdicts.push_back(std::move(row));
      }
      std::vector<ChangeLine> stops;
      bool all_unlisted = !channels.empty();
      for (std::size_t slot = 0; slot < channels.size(); ++slot) {
        // The channel stops now; since which receipt has it stopped?
        auto stopping = [&](std::size_t k) {
          const TransferVerdict& v = verdicts[k][slot];
          return !v.allowed && v.reason != TransferReason::kChannelNotOffered;
        };
        std::size_t k = verdicts.size();
        while (k > 0 && stopping(k - 1)) --k;
        if (k == verdicts.size() || person.history[k].seq <= p.previous_seq) {
          all_unlisted = false;
          continue;  // allowed now, or stopped before the previous transfer (told then)
        }
        const TransferReason reason = verdicts.back()[slot].reason;
        if (reason != TransferReason::kPartnerNotListed) all_unlisted = false;
        stops.push_back({held.reference, std::string(to_string(channels[slot])), "stop", stop_reason(reason),
                         person.history[k].issued_at});
      }
      if (all_unlisted && stops.size() == channels.size() && !stops.empty()) {
        // The person's list no longer names this partner: everything stops.
        stops = {
            {held.reference, "all", "stop", stop_reason(TransferReason::kPartnerNotListed), stops.front().acted_at}};
      }
      lines.insert(lines.end(), stops.begin(), stops.end());
    }
    std::sort(lines.begin(), lines.end(), [](const ChangeLine& a, const ChangeLine& b) {
      return std::tie(a.reference, a.channel) < std::tie(b.reference, b.channel);
    });
    p.changes_file = "partner-" + file_part(p.partner->id) + ".changes.csv";
    std::string text;
    append_csv_record(text, {"reference", "channel", "action", "reason", "acted_at"});
    for (const ChangeLine& l : lines) {
      append_csv_record(text, {l.reference, l.channel, l.action, l.reason, l.acted_at});
      ++(l.action == "delete" ? p.deletes : p.stops)[l.reason];
    }
    Result<std::string> written = write_whole(temp_.file(p.changes_file), text);
    if (!written.ok()) return written.problems();
    p.changes_sha256 = written.value();
  }
  return {};
}

}  // namespace cachet::exporter
