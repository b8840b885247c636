// Where the time of one receipt verification goes, natively: each phase of
// verify_receipt timed on its own over the same receipts (JSON lines on stdin).
// A benchmark helper for bench/verify-throughput.sh; prints figures, asserts nothing.
//   verify-phases < receipts.jsonl
#include <cstdio>
#include <ctime>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "cachet/canonical_json.h"
#include "cachet/json.h"
#include "cachet/jws.h"
#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"

namespace {

// Best of 7 rounds over every receipt, in microseconds of CPU time per receipt
// (process CPU time, like `openssl speed`, so other load on the core matters less).
double per_receipt_us(const std::vector<std::string>& receipts, const std::function<void(const std::string&)>& run) {
  double best = 1e300;
  for (int round = 0; round < 7; ++round) {
    const std::clock_t start = std::clock();
    for (const std::string& receipt : receipts) run(receipt);
    const double us = 1e6 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
    best = std::min(best, us / static_cast<double>(receipts.size()));
  }
  return best;
}

}  // namespace

int main() {
  std::vector<std::string> receipts;
  for (std::string line; std::getline(std::cin, line);) {
    if (!line.empty()) receipts.push_back(line);
  }
  if (receipts.empty()) {
    std::fprintf(stderr, "usage: verify-phases < receipts.jsonl\n");
    return 2;
  }
  const auto crypto = cachet::make_openssl_crypto();
  std::vector<cachet::VerificationPlan> plans;
  for (const std::string& receipt : receipts) {
    cachet::Result<cachet::VerificationPlan> plan = cachet::plan_verification(receipt);
    if (!plan.ok()) {
      std::fprintf(stderr, "a receipt does not verify: %s\n", plan.problems().front().code.c_str());
      return 1;
    }
    plans.push_back(std::move(plan).value());
  }
  std::size_t volatile sink = 0;
  std::size_t index = 0;
  const auto next_plan = [&]() -> const cachet::VerificationPlan& { return plans[index++ % plans.size()]; };

  struct Row {
    const char* name;
    double us;
  };
  std::vector<Row> rows;
  rows.push_back({"verify_receipt (everything)", per_receipt_us(receipts, [&](const std::string& r) {
                    sink = sink + cachet::verify_receipt(r, *crypto).ok();
                  })});
  rows.push_back({"  plan_verification (no signature maths)", per_receipt_us(receipts, [&](const std::string& r) {
                    sink = sink + cachet::plan_verification(r).ok();
                  })});
  rows.push_back({"    parse_jws (parse + headers + base64)",
                  per_receipt_us(receipts, [&](const std::string& r) { sink = sink + cachet::parse_jws(r).ok(); })});
  rows.push_back({"    parse_json_strict(JWS text), once", per_receipt_us(receipts, [&](const std::string& r) {
                    sink = sink + cachet::parse_json_strict(r).ok();
                  })});
  rows.push_back({"    parse_json_strict(payload)", per_receipt_us(receipts, [&](const std::string&) {
                    sink = sink + cachet::parse_json_strict(next_plan().jws.payload).ok();
                  })});
  rows.push_back({"    canonicalize(payload)", per_receipt_us(receipts, [&](const std::string&) {
                    sink = sink + cachet::canonicalize(next_plan().payload).ok();
                  })});
  rows.push_back(
      {"    nlohmann::json::parse(JWS text) (no strict SAX)", per_receipt_us(receipts, [&](const std::string& r) {
         sink = sink + cachet::Json::parse(r, nullptr, false).is_discarded();
       })});
  rows.push_back({"  CryptoProvider::verify (key import + Ed25519)", per_receipt_us(receipts, [&](const std::string&) {
                    const cachet::JwsSignature& s = next_plan().jws.signatures[0];
                    sink = sink + crypto->verify(s.alg, s.jwk, s.signing_input, s.signature);
                  })});
  rows.push_back({"  jwk_thumbprint", per_receipt_us(receipts, [&](const std::string&) {
                    sink = sink + cachet::jwk_thumbprint(next_plan().jws.signatures[0].jwk, *crypto).ok();
                  })});
  rows.push_back({"  sha256(payload) + hex", per_receipt_us(receipts, [&](const std::string&) {
                    sink = sink + cachet::hex_encode(crypto->sha256(next_plan().jws.payload)).size();
                  })});
  const double total = rows.front().us;
  std::printf("%-52s %10s %8s\n", "phase (CPU time, best of 7, per receipt)", "us", "share");
  for (const Row& row : rows) std::printf("%-52s %10.1f %7.1f%%\n", row.name, row.us, 100 * row.us / total);
  return sink == 0xFFFFFFFF ? 1 : 0;
}
