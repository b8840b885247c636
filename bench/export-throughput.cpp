// Generates the input of the export benchmark (not a test): N contacts, each
// with its own receipt issued by the real core (fresh collector key, real
// Ed25519 signatures, real salted digests) and countersigned by the
// controller key, appended to a real SQLite ledger through ConsentStore.
// bench/export-throughput.sh runs `cachet export` on it and prints the rates.
//
// Usage: export_throughput DIR N
// Writes DIR/ledger.db, DIR/contacts.csv, DIR/consent.json, DIR/controller.jwk.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cachet/config.h"
#include "cachet/export/csv.h"
#include "cachet/jws.h"
#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"
#include "cachet/server/accept.h"
#include "cachet/server/store.h"

namespace {

using namespace cachet;

struct Person {
  std::uint32_t seed = 0;
  std::string receipt_id;
  server::NewReceipt stored;
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

void issue_one(const Config& config, const Json& controller_key, const Json& controller_public,
               const std::string& kid, const CryptoProvider& crypto, std::size_t i, Person& out) {
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
  context.receipt_id = server::new_receipt_id(crypto);
  context.issued_at = "2026-11-01T10:00:00Z";
  context.locale = "fr";
  context.collection_method = "web-form";
  context.page_url = "https://x.example/inscription";
  context.agent = "cachet-widget/0.1.0";
  context.salt = base64url_encode(crypto.random_bytes(16));
  Result<Json> receipt = issue_receipt(config, choices, context, crypto);
  if (!receipt.ok()) return;
  // The controller's countersignature, as accept_receipt adds it (without its
  // re-verification of a receipt we have just made).
  Json jws = receipt.value();
  const std::string payload_b64 = jws["payload"].get<std::string>();
  const Json header = make_protected_header(
      controller_public, Json{{"typ", kCountersignType}, {"kid", kid}, {"cachet_at", context.issued_at}});
  Result<std::string> signature = crypto.sign(controller_key, make_signing_input(header, payload_b64));
  if (!signature.ok()) return;
  jws = add_signature(jws, payload_b64, header, signature.value());
  const std::optional<std::string> payload = base64url_decode(payload_b64);
  if (!payload) return;
  out.receipt_id = context.receipt_id;
  out.stored.receipt_id = context.receipt_id;
  out.stored.jws = jws.dump();
  out.stored.payload = *payload;
  out.stored.payload_sha256 = hex_encode(crypto.sha256(*payload));
  out.stored.verification = Json{{"ok", true}, {"verifiedAt", context.issued_at}, {"countersignedBy", kid}}.dump();
  out.stored.countersigner_kid = kid;
  out.stored.received_at = context.issued_at;
  out.stored.issued_at = context.issued_at;
  out.stored.collection_method = "web-form";
  out.stored.retention_months = config.retention_months;
  out.seed = s;
  out.ok = true;
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
  const Json controller_key = crypto->generate_ed25519().value();
  const Json controller_public = public_jwk(controller_key).value();
  const std::string kid = jwk_thumbprint(controller_public, *crypto).value();
  std::ofstream(dir + "/controller.jwk") << controller_key.dump();
  auto store = server::open_sqlite_store(dir + "/ledger.db");
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
  std::vector<Person> people;
  std::size_t issued = 0;
  for (std::size_t base = 0; base < n; base += chunk) {
    const std::size_t count = std::min(chunk, n - base);
    people.assign(count, Person{});
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        const auto local = make_openssl_crypto();
        for (std::size_t k = t; k < count; k += threads) {
          issue_one(config.value(), controller_key, controller_public, kid, *local, base + k, people[k]);
        }
      });
    }
    for (std::thread& th : pool) th.join();
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t i = base + k;
      Person& p = people[k];
      if (!p.ok || !store.value()->append(p.stored).ok()) {
        std::cerr << "issuing receipt " << i << " failed\n";
        return 1;
      }
      ++issued;
      std::uint32_t s = p.seed;
      // 3% of rows have no receipt id, 2% a changed email (digest mismatch).
      const std::uint32_t roll = next(s) % 100;
      const std::string id = roll < 3 ? "" : p.receipt_id;
      const std::string email = roll >= 3 && roll < 5 ? "changed" + std::to_string(i) + "@example.fr"
                                                      : "person" + std::to_string(i) + "@example.fr";
      exporter::append_csv_record(out, {"C" + pad(i, 8), "Person " + std::to_string(i), email, "+3361" + pad(i, 8),
                                        "+3367" + pad(i, 8), std::to_string(i) + " rue de la Paix, 75002 Paris", id});
    }
    std::fwrite(out.data(), 1, out.size(), csv);
    out.clear();
    if ((base / chunk) % 25 == 0) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cerr << "  " << issued << " receipts issued and stored (" << static_cast<long>(static_cast<double>(issued) / s) << "/s)\n";
    }
  }
  std::fclose(csv);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "generated " << issued << " signed, countersigned receipts in " << seconds << " s ("
            << static_cast<long>(static_cast<double>(issued) / seconds) << "/s, " << threads << " threads)\n";
  return 0;
}
