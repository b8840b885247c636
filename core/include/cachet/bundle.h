// The notice bundle (`cachet build`, docs/widget.md "Compiled path"): what
// the widget needs to show the choices without running the core in the page.
// The site owner lints once, at build time; the page renders the notice the
// core built here with plain JavaScript, and loads the core only to validate,
// plan and sign on submit (DESIGN.md section 5, start-up budget).
//
// The bundle is one RFC 8785 JSON object:
//   {"content": {...}, "integritySha256": hex SHA-256 of the canonical content}
// content:
//   bundleVersion      1
//   configVersion      the config's configVersion
//   configSha256       hex SHA-256 of the RFC 8785 canonical config: the
//                      published version's digest (publication.h), which the
//                      widget recomputes from the config it is given
//   partnerListSha256  the receipt's notice.partnerListSha256 (R7)
//   defaultLocale      the locale shown when the page asks for none supported
//   supportedLocales   every locale the core speaks (a page asking for one the
//                      bundle lacks, built with `only`, takes the safe path)
//   host               {locale, fields, receiptInput, theme} (widget_host_settings)
//   lint               the lint report: ok, no errors, maybe warnings
//   locales            {locale: {notice: Notice::to_json(), noticeSha256 (the
//                      receipt's notice.sha256), initialBoxes: {default,
//                      globalPrivacyControl}, ui: the widget's own words}}
//                      for every supported locale (or those asked for,
//                      with defaultLocale)
//
// Hashing is the caller's crypto (OpenSSL natively, WebCrypto through the
// wasm module), so building is split in phases around it, as receipts are.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/config.h"
#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/problem.h"

namespace cachet {

inline constexpr int kBundleVersion = 1;

struct BundlePlan {
  Json content;  // the content with its digests empty
  // Digest name -> the bytes whose lower-case hex SHA-256 fills it in:
  // "config" (configSha256), "partnerList" (partnerListSha256) and
  // "notice/<locale>" (locales.<locale>.noticeSha256).
  std::map<std::string, std::string> digest_inputs;
};

// Phase 1. Only a config without lint errors is bundled: otherwise the
// problems are the lint errors themselves (same codes, paths and messages
// as `cachet lint`, in the config's locale, else `message_locale`).
// `only`: the locales to carry (the page's own language: a smaller bundle);
// the default locale always comes too. Empty: every supported locale. A
// locale the core does not speak: bundle_locale_unsupported.
[[nodiscard]] Result<BundlePlan> plan_bundle(std::string_view config_text, std::string_view message_locale = "en",
                                             const std::vector<std::string>& only = {});

// Phase 2: the digests filled in ({name: lower-case hex}, one per digest
// input) -> the RFC 8785 bytes of the content, whose SHA-256 is the bundle's
// integrity. Problems: bundle_missing_digest, bundle_bad_digest.
[[nodiscard]] Result<std::string> bundle_content(Json content, const std::map<std::string, std::string>& hex_digests);

// Phase 3: the bundle file's exact bytes (canonical JSON and a newline).
[[nodiscard]] std::string seal_bundle(std::string_view canonical_content, std::string_view integrity_hex);

// The three phases with `crypto`: the bundle file's bytes, or the problems.
[[nodiscard]] Result<std::string> build_bundle(std::string_view config_text, const CryptoProvider& crypto,
                                               std::string_view message_locale = "en",
                                               const std::vector<std::string>& only = {});

// What the widget needs of the host settings, read by the core so that web/
// never interprets the config: {locale, fields: {kind: selector},
// receiptInput, theme}.
[[nodiscard]] Json widget_host_settings(const Config& config);

}  // namespace cachet
