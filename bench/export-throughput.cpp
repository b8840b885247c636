// Generates the input of the export benchmark (not a test): N contacts, each
// with its own receipt issued by the real core (fresh collector key, real
// Ed25519 signatures, real salted digests) and countersigned by the
// controller key; one person in 20 later changed their mind in the
// preference centre (a second receipt superseding the first, email
// withdrawn), so chains resolve from any of their ids. Receipts are made on
// every core and appended through ConsentStore::append_many, 4096 per
// transaction, while the next batch is being signed (the ledger derives and
// stores each receipt's compact record as it appends, as at acceptance).
// bench/export-throughput.sh runs `cachet export` on it and prints the rates.
//
// Usage: export_throughput DIR N CONFIG
// Writes DIR/ledger.db, DIR/contacts.csv, DIR/consent.json, DIR/controller.jwk.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cachet/choices.h"
#include "cachet/config.h"
#include "cachet/export/csv.h"
#include "cachet/jws.h"
#include "cachet/ledger/accept.h"
#include "cachet/ledger/store.h"
#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"

namespace {

using namespace cachet;

struct Person {
  std::uint32_t seed = 0;
  std::string receipt_id;                  // the first receipt: what the contact file names
  std::vector<ledger::NewReceipt> stored;  // the first receipt, then the update when there is one
  bool ok = false;
};

std::uint32_t next(std::uint32_t& s) {
  s = s * 1664525u + 1013904223u;
  return s >> 8;
}

std::string pad(std::size_t i, int width) {
  std::string s = std::to_string(i);
  return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') + s;
}

struct ControllerKey {
  Json key, pub;
  std::string kid;
};

// Issues one receipt with the core and countersigns it as accept_receipt
// does (without re-verifying a receipt we have just made).
bool issue(const Config& config, const Choices& choices, ReceiptContext context, const ControllerKey& controller,
           const CryptoProvider& crypto, ledger::NewReceipt& out) {
  Result<Json> receipt = issue_receipt(config, choices, context, crypto);
  if (!receipt.ok()) {
    std::cerr << receipt.problems().front().path << ": " << receipt.problems().front().message << "\n";
    return false;
  }
  Json jws = receipt.value();
  const std::string payload_b64 = jws["payload"].get<std::string>();
  const Json header = make_protected_header(
      controller.pub, Json{{"typ", kCountersignType}, {"kid", controller.kid}, {"cachet_at", context.issued_at}});
  Result<std::string> signature = crypto.sign(controller.key, make_signing_input(header, payload_b64));
  if (!signature.ok()) return false;
  jws = add_signature(jws, payload_b64, header, signature.value());
  const std::optional<std::string> payload = base64url_decode(payload_b64);
  if (!payload) return false;
  out.receipt_id = context.receipt_id;
  out.jws = jws.dump();
  out.payload = *payload;
  out.payload_sha256 = hex_encode(crypto.sha256(*payload));
  out.verification = Json{
      {"ok", true},
      {"verifiedAt", context.issued_at},
      {"collectorAlg", "Ed25519"},
      {"countersignedBy",
       controller.kid}}.dump();
  out.countersigner_kid = controller.kid;
  out.received_at = context.issued_at;
  out.issued_at = context.issued_at;
  out.collection_method = context.collection_method;
  out.supersedes = context.supersedes;
  out.retention_months = config.retention_months;
  return true;
}

void make_person(const Config& config, const ControllerKey& controller, const CryptoProvider& crypto, std::size_t i,
                 Person& out) {
  std::uint32_t s = static_cast<std::uint32_t>(i) * 2654435761u + 1;
  Choices choices;
  choices.decisions[Channel::kPostal] = next(s) % 100 < 20 ? Decision::kObjected : Decision::kNotObjected;
  choices.decisions[Channel::kPhone] = next(s) % 100 < 30 ? Decision::kObjected : Decision::kNotObjected;
  choices.decisions[Channel::kEmail] = next(s) % 100 < 60 ? Decision::kGranted : Decision::kNotGranted;
  choices.decisions[Channel::kSms] = next(s) % 100 < 40 ? Decision::kGranted : Decision::kNotGranted;
  choices.contacts = {{"email", "person" + std::to_string(i) + "@example.fr"},
                      {"phone", "+3361" + pad(i, 8)},
                      {"mobile", "+3367" + pad(i, 8)},
                      {"postal", std::to_string(i) + " rue de la Paix, 75002 Paris"}};
  ReceiptContext context;
  context.receipt_id = ledger::new_receipt_id(crypto);
  context.issued_at = "2026-11-01T10:00:00Z";
  context.locale = "fr";
  context.collection_method = "web-form";
  context.page_url = "https://x.example/inscription";
  context.agent = "cachet-widget/0.1.0";
  context.salt = base64url_encode(crypto.random_bytes(16));
  out.stored.assign(1, ledger::NewReceipt{});
  if (!issue(config, choices, context, controller, crypto, out.stored[0])) return;
  out.receipt_id = context.receipt_id;
  if (next(s) % 100 < 5) {
    // Changed their mind in the preference centre: email withdrawn (R10).
    Choices update = choices;
    update.superseding = true;
    update.contacts.clear();
    if (update.decisions[Channel::kEmail] == Decision::kGranted)
      update.decisions[Channel::kEmail] = Decision::kWithdrawn;
    ReceiptContext later = context;
    later.receipt_id = ledger::new_receipt_id(crypto);
    later.issued_at = "2026-11-10T10:00:00Z";
    later.collection_method = "preference-centre";
    later.page_url.clear();
    later.supersedes = context.receipt_id;
    const Json payload = Json::parse(out.stored[0].payload);
    later.carried_subject = payload["subject"];
    out.stored.emplace_back();
    if (!issue(config, update, later, controller, crypto, out.stored[1])) return;
  }
  out.seed = s;
  out.ok = true;
}

// Signs one batch on `threads` threads.
std::vector<Person> make_batch(const Config& config, const ControllerKey& controller, std::size_t base,
                               std::size_t count, unsigned threads) {
  std::vector<Person> people(count);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const auto local = make_openssl_crypto();
      for (std::size_t k = t; k < count; k += threads) make_person(config, controller, *local, base + k, people[k]);
    });
  }
  for (std::thread& th : pool) th.join();
  return people;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: export_throughput DIR N CONFIG\n";
    return 2;
  }
  const std::string dir = argv[1];
  const std::size_t n = std::stoul(argv[2]);
  std::ifstream config_in(argv[3]);
  std::stringstream config_text;
  config_text << config_in.rdbuf();
  Result<Config> config = load_config(config_text.str());
  if (!config.ok()) {
    std::cerr << "config does not load\n";
    return 2;
  }
  std::ofstream(dir + "/consent.json") << config_text.str();
  const auto crypto = make_openssl_crypto();
  ControllerKey controller;
  controller.key = crypto->generate_ed25519().value();
  controller.pub = public_jwk(controller.key).value();
  controller.kid = jwk_thumbprint(controller.pub, *crypto).value();
  std::ofstream(dir + "/controller.jwk") << controller.key.dump();
  auto store = ledger::open_sqlite_store(dir + "/ledger.db");
  if (!store.ok()) {
    std::cerr << store.problems().front().message << "\n";
    return 2;
  }
  std::FILE* csv = std::fopen((dir + "/contacts.csv").c_str(), "wb");
  std::string out;
  exporter::append_csv_record(out, {"customer_id", "name", "email", "phone", "mobile", "address", "cachet_receipt_id"});

  const auto start = std::chrono::steady_clock::now();
  const std::size_t chunk = 4096;
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::size_t issued = 0, people_done = 0;
  double append_seconds = 0;
  // Pipeline: batch k+1 is signed while batch k is appended and written.
  std::future<std::vector<Person>> pending = std::async(std::launch::async, make_batch, std::cref(config.value()),
                                                        std::cref(controller), 0, std::min(chunk, n), threads);
  for (std::size_t base = 0; base < n; base += chunk) {
    std::vector<Person> people = pending.get();
    const std::size_t following = base + chunk;
    if (following < n) {
      pending = std::async(std::launch::async, make_batch, std::cref(config.value()), std::cref(controller), following,
                           std::min(chunk, n - following), threads);
    }
    std::vector<ledger::NewReceipt> batch;
    for (std::size_t k = 0; k < people.size(); ++k) {
      if (!people[k].ok) {
        std::cerr << "issuing receipt " << base + k << " failed\n";
        return 1;
      }
      for (ledger::NewReceipt& r : people[k].stored) batch.push_back(std::move(r));
    }
    const auto t0 = std::chrono::steady_clock::now();
    Result<std::vector<ledger::AppendOutcome>> appended = store.value()->append_many(batch);
    append_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!appended.ok()) {
      std::cerr << "append failed: " << appended.problems().front().path << " " << appended.problems().front().message
                << "\n";
      return 1;
    }
    issued += batch.size();
    for (std::size_t k = 0; k < people.size(); ++k) {
      const std::size_t i = base + k;
      std::uint32_t s = people[k].seed;
      // 3% of rows have no receipt id, 2% a changed email (digest mismatch).
      const std::uint32_t roll = next(s) % 100;
      const std::string id = roll < 3 ? "" : people[k].receipt_id;
      const std::string email = roll >= 3 && roll < 5 ? "changed" + std::to_string(i) + "@example.fr"
                                                      : "person" + std::to_string(i) + "@example.fr";
      exporter::append_csv_record(out, {"C" + pad(i, 8), "Person " + std::to_string(i), email, "+3361" + pad(i, 8),
                                        "+3367" + pad(i, 8), std::to_string(i) + " rue de la Paix, 75002 Paris", id});
    }
    people_done += people.size();
    std::fwrite(out.data(), 1, out.size(), csv);
    out.clear();
    if ((base / chunk) % 25 == 0) {
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cerr << "  " << people_done << " people, " << issued << " receipts issued and stored ("
                << static_cast<long>(static_cast<double>(issued) / sec) << " receipts/s)\n";
    }
  }
  std::fclose(csv);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "generated " << people_done << " people, " << issued << " signed, countersigned receipts in " << seconds
            << " s (" << static_cast<long>(static_cast<double>(issued) / seconds) << " receipts/s, " << threads
            << " signing threads; appending took " << append_seconds << " s)\n";
  return 0;
}
