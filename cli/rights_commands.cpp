// `cachet person find|access|erase`: the person's rights over the ledger
// (ledger/include/cachet/ledger/rights.h, store.h erase; docs/rights.md).
#include <iostream>
#include <memory>

#include "cachet/calendar.h"
#include "cachet/ledger/rights.h"
#include "cachet/ledger/store.h"
#include "cachet/messages.h"
#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"
#include "command.h"
#include "ledger_open.h"
#include "support.h"

namespace cachet::cli {
namespace {

// The contact options a person is found by: exactly one of them.
struct ContactArgs {
  std::string email, phone, address;
  CLI::Option* options[3] = {nullptr, nullptr, nullptr};
};

void add_contact_options(CLI::App* command, ContactArgs& args) {
  args.options[0] = command->add_option("--email", args.email, "The person's email address");
  args.options[1] = command->add_option("--phone", args.phone, "The person's phone number (landline or mobile)");
  args.options[2] = command->add_option("--address", args.address, "The person's postal address");
  for (CLI::Option* a : args.options) {
    for (CLI::Option* b : args.options) {
      if (a != b) a->excludes(b);
    }
  }
}

// The query given, if any.
std::optional<ledger::ContactQuery> query_of(const ContactArgs& args) {
  if (args.options[0]->count() > 0) return ledger::ContactQuery{"email", args.email};
  if (args.options[1]->count() > 0) return ledger::ContactQuery{"phone", args.phone};
  if (args.options[2]->count() > 0) return ledger::ContactQuery{"address", args.address};
  return std::nullopt;
}

// The controller's digest secret from its private key (keyed digests,
// receipt version 2); empty, with a warning, when no key is given.
std::optional<std::string> digest_secret(const std::string& key_path, const CryptoProvider& crypto, int& exit_code) {
  if (key_path.empty()) {
    std::cerr << "warning: without --key, only receipts with salted SHA-256 digests (version 1) can match; "
                 "keyed ones (version 2) need the controller's private key.\n";
    return std::string();
  }
  Result<Json> jwk = load_jwk(key_path, /*need_private=*/true);
  Result<std::string> secret = jwk.ok() ? contact_digest_secret(jwk.value(), crypto) : jwk.problems();
  if (!secret.ok()) {
    print_problems(secret.problems());
    exit_code = kUsage;
    return std::nullopt;
  }
  return secret.value();
}

// The people a contact value finds; nullopt after saying why.
std::optional<std::vector<ledger::PersonMatch>> find(ledger::ConsentStore& store, const ledger::ContactQuery& query,
                                                     const std::string& key_path, int& exit_code) {
  const auto crypto = make_openssl_crypto();
  const std::optional<std::string> secret = digest_secret(key_path, *crypto, exit_code);
  if (!secret) return std::nullopt;
  Result<std::vector<ledger::PersonMatch>> found = ledger::find_people(store, query, *secret, *crypto);
  if (!found.ok()) {
    print_problems(found.problems());
    exit_code = exit_code_for(problem_kind(found.problems()));
    return std::nullopt;
  }
  return std::move(found).value();
}

void add_find(CLI::App* person, int& exit_code) {
  auto* command = person->add_subcommand(
      "find", "Find a person by email, phone or postal address: their chain roots and latest receipts.");
  struct Args {
    std::string db = "./cachet.db";
    std::string key;
    std::string format = "text";
    ContactArgs contact;
  };
  auto args = std::make_shared<Args>();
  command->add_option("--db", args->db, "Ledger file or postgresql:// URL")->capture_default_str();
  command->add_option("--key", args->key, "Controller private key (JWK): needed for keyed digests (version 2)");
  add_contact_options(command, args->contact);
  command->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  command->callback([args, &exit_code] {
    const std::optional<ledger::ContactQuery> query = query_of(args->contact);
    if (!query) {
      std::cerr << "error: give one of --email, --phone or --address.\n";
      exit_code = kUsage;
      return;
    }
    auto store = open_existing(args->db, exit_code);
    if (!store) return;
    const auto found = find(*store, *query, args->key, exit_code);
    if (!found) return;
    if (args->format == "json") {
      Json people = Json::array();
      for (const ledger::PersonMatch& m : *found) {
        people.push_back({{"chainRoot", m.chain_root},
                          {"latestReceiptId", m.latest_receipt_id},
                          {"matchedReceipts", m.receipt_ids},
                          {"matched", m.matched}});
      }
      std::cout << Json{{"people", people}}.dump(2) << "\n";
    } else if (found->empty()) {
      std::cout << "No person in the ledger has a receipt binding this " << query->contact << ".\n";
    } else {
      for (const ledger::PersonMatch& m : *found) {
        std::cout << "chain root " << m.chain_root << ", latest receipt " << m.latest_receipt_id << " (matched "
                  << join_list(m.matched, "en") << ")\n";
      }
    }
    exit_code = kOk;
  });
}

void add_access(CLI::App* person, int& exit_code) {
  auto* command = person->add_subcommand(
      "access",
      "A person's access report (GDPR art. 15) in their language: what is held, each choice over time "
      "with the text shown, which partners received what and when.");
  struct Args {
    std::string id;
    std::string db = "./cachet.db";
    std::string key;
    std::string lang;  // empty: the person's own (their latest receipt's)
    std::string format = "text";
    ContactArgs contact;
  };
  auto args = std::make_shared<Args>();
  auto* id = command->add_option("RECEIPT_ID", args->id, "Any receipt of the person");
  command->add_option("--db", args->db, "Ledger file or postgresql:// URL")->capture_default_str();
  command->add_option("--key", args->key, "Controller private key (JWK): to find a person by keyed digests");
  add_contact_options(command, args->contact);
  for (CLI::Option* o : args->contact.options) o->excludes(id);
  command->add_option("--lang", args->lang, "The person's language (default: that of their latest receipt)")
      ->check(locale_check());
  command->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"text", "json", "html"}));
  command->callback([args, &exit_code] {
    const std::optional<ledger::ContactQuery> query = query_of(args->contact);
    if (!query && args->id.empty()) {
      std::cerr << "error: give a RECEIPT_ID, or one of --email, --phone or --address.\n";
      exit_code = kUsage;
      return;
    }
    auto store = open_existing(args->db, exit_code);
    if (!store) return;
    std::vector<std::string> ids;
    if (query) {
      const auto found = find(*store, *query, args->key, exit_code);
      if (!found) return;
      for (const ledger::PersonMatch& m : *found) ids.push_back(m.latest_receipt_id);
    } else {
      ids.push_back(args->id);
    }
    std::vector<Json> reports;
    const std::int64_t now = calendar::now_unix();
    for (const std::string& receipt_id : ids) {
      Result<Json> report = ledger::access_report(*store, receipt_id, args->lang, now);
      if (!report.ok()) {
        print_problems(report.problems());
        exit_code = exit_code_for(problem_kind(report.problems()));
        return;
      }
      reports.push_back(std::move(report).value());
    }
    if (args->format == "json") {
      // One report for a receipt id; for a contact, every person it found.
      std::cout << (query ? Json{{"reports", reports}} : reports.front()).dump(2) << "\n";
    } else if (args->format == "html") {
      std::cout << ledger::render_access_html(reports, args->lang);
    } else {
      std::cout << ledger::render_access_text(reports, args->lang);
    }
    exit_code = kOk;
  });
}

void add_erase(CLI::App* person, int& exit_code) {
  auto* command = person->add_subcommand(
      "erase",
      "Erase one person (GDPR art. 17): every receipt of theirs, kept in the hash chain as a proof of "
      "erasure that the next export passes on to partners.");
  struct Args {
    std::string id;
    std::string db = "./cachet.db";
    std::string requested_at;
    std::string format = "text";
  };
  auto args = std::make_shared<Args>();
  command->add_option("RECEIPT_ID", args->id, "Any receipt of the person")->required();
  command->add_option("--db", args->db, "Ledger file or postgresql:// URL")->capture_default_str();
  command->add_option("--requested-at", args->requested_at,
                      "When the person asked (RFC 3339 UTC time or date); default: now");
  command->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  command->callback([args, &exit_code] {
    auto store = open_existing(args->db, exit_code);
    if (!store) return;
    const std::int64_t now = calendar::now_unix();
    const std::string requested = args->requested_at.empty() ? calendar::format_rfc3339(now) : args->requested_at;
    Result<ledger::ErasureReport> erased = store->erase(args->id, requested, now);
    if (!erased.ok()) {
      print_problems(erased.problems());
      exit_code = exit_code_for(problem_kind(erased.problems()));
      return;
    }
    const ledger::ErasureReport& r = erased.value();
    if (args->format == "json") {
      std::cout << r.to_json().dump(2) << "\n";
    } else {
      std::cout << "Erased the person " << r.chain_root << ": " << r.removed.size()
                << " receipt(s) removed, recorded as log entry #" << r.seq << ".\n"
                << "Proof of erasure (entry hash " << r.hash << "):\n"
                << r.entry << "\n";
    }
    exit_code = kOk;
  });
}

}  // namespace

void add_rights_commands(CLI::App& app, int& exit_code) {
  auto* person = app.add_subcommand("person", "A person's rights: find them, answer their access request, erase them.");
  person->require_subcommand(1);
  add_find(person, exit_code);
  add_access(person, exit_code);
  add_erase(person, exit_code);
}

}  // namespace cachet::cli
