// lint, canonicalize, keygen, issue, verify, countersign, notice, partners-page.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cachet/calendar.h"
#include "cachet/canonical_json.h"
#include "cachet/config.h"
#include "cachet/jws.h"
#include "cachet/messages.h"
#include "cachet/notice.h"
#include "cachet/openssl_crypto.h"
#include "cachet/parallel.h"
#include "cachet/partner_page.h"
#include "cachet/receipt.h"
#include "cachet/uuid.h"
#include "command.h"
#include "support.h"

namespace cachet::cli {
namespace {

constexpr const char* kAgent = "cachet-cli/" CACHET_VERSION;

// Options shared by the commands that print results.
struct FormatOption {
  std::string format = "text";
  void add(CLI::App* command) {
    command->add_option("--format", format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
  }
  bool json() const { return format == "json"; }
};

// --- lint -----------------------------------------------------------------

void add_lint(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("lint", "Check a consent config against the format and the CNIL rules (R1-R9).");
  auto file = std::make_shared<std::string>();
  auto locale = std::make_shared<std::string>("en");
  auto format = std::make_shared<FormatOption>();
  command->add_option("FILE", *file, "Config file (JSON), or - for stdin")->required();
  command->add_option("--locale", *locale, "Language of messages when the config's own locale cannot be read")
      ->check(locale_check())
      ->capture_default_str();
  format->add(command);
  command->callback([file, locale, format, &exit_code] {
    Result<std::string> text = read_input(*file);
    if (!text.ok()) {
      print_problems(text.problems());
      exit_code = kUsage;
      return;
    }
    const LintReport report = lint_config(text.value(), *locale);
    if (format->json()) {
      std::cout << report.to_json().dump(2) << "\n";
    } else {
      // FILE: error: /json/pointer: message [code]; a problem at the top level has no pointer.
      auto print = [&](const char* level, const Problem& p) {
        std::cout << *file << ": " << level << ": " << (p.path.empty() ? "" : p.path + ": ") << p.message << " ["
                  << p.code << "]\n";
      };
      for (const Problem& p : report.errors) print("error", p);
      for (const Problem& p : report.warnings) print("warning", p);
      std::cout << *file << ": " << report.errors.size() << " error(s), " << report.warnings.size() << " warning(s)\n";
    }
    exit_code = report.ok() ? kOk : kBadInput;
  });
}

// --- canonicalize -----------------------------------------------------------

void add_canonicalize(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("canonicalize", "Print the RFC 8785 canonical form of a JSON document.");
  auto file = std::make_shared<std::string>("-");
  command->add_option("FILE", *file, "JSON file; stdin when omitted or -");
  command->callback([file, &exit_code] {
    Result<std::string> text = read_input(*file);
    if (!text.ok()) {
      print_problems(text.problems());
      exit_code = kUsage;
      return;
    }
    Result<std::string> canonical = canonicalize_text(text.value(), ParseLimits{64u << 20, 512});
    if (!canonical.ok()) {
      print_problems(canonical.problems());
      exit_code = kBadInput;
      return;
    }
    std::cout << canonical.value();  // exactly the canonical bytes, no newline
    exit_code = kOk;
  });
}

// --- keygen -----------------------------------------------------------------

void add_keygen(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "keygen", "Create an Ed25519 controller key (private JWK; the public JWK goes to FILE.pub.json).");
  auto out = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  command->add_option("--out", *out, "Private key file (mode 0600); stdout when omitted");
  command->add_flag("--force", *force, "Overwrite an existing key file");
  command->callback([out, force, &exit_code] {
    const auto crypto = make_openssl_crypto();
    Result<Json> key = crypto->generate_ed25519();
    Result<Json> pub = key.ok() ? public_jwk(key.value()) : Result<Json>(key.problems());
    if (!pub.ok()) {
      print_problems(pub.problems());
      exit_code = kUsage;
      return;
    }
    Json private_key = key.value();
    Result<std::string> kid = jwk_thumbprint(pub.value(), *crypto);
    if (kid.ok()) private_key["kid"] = kid.value();
    if (out->empty()) {
      std::cout << private_key.dump(2) << "\n";
      exit_code = kOk;
      return;
    }
    if (!*force && read_input(*out).ok()) {
      std::cerr << "error: " << *out << " already exists; pass --force to replace it (the old key is then lost).\n";
      exit_code = kUsage;
      return;
    }
    Result<bool> written = write_file_atomic(*out, private_key.dump(2) + "\n", /*private_mode=*/true);
    if (written.ok()) written = write_file_atomic(*out + ".pub.json", pub.value().dump(2) + "\n");
    if (!written.ok()) {
      print_problems(written.problems());
      exit_code = kUsage;
      return;
    }
    std::cerr << "Wrote the private key to " << *out << " and the public key to " << *out << ".pub.json"
              << (kid.ok() ? " (kid " + kid.value() + ")" : "") << ".\n";
    exit_code = kOk;
  });
}

// --- issue ------------------------------------------------------------------

struct IssueArgs {
  std::string config, choices, method, locale, page_url, supersedes, supersedes_file, relayed_by, key, at, out;
};

void add_issue(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("issue",
                                     "Make a receipt for choices collected off the web (paper form, phone call, ...), "
                                     "signed and optionally countersigned.");
  auto args = std::make_shared<IssueArgs>();
  command->add_option("--config", args->config, "Consent config (JSON)")->required();
  command
      ->add_option(
          "--choices", args->choices,
          "Choices JSON {\"decisions\": {\"email\": \"granted\", ...}, \"contacts\": {\"email\": \"...\"}}, or -")
      ->required();
  command->add_option("--method", args->method, "How the choices were collected")
      ->required()
      ->check(CLI::IsMember({"paper", "phone", "web-form", "preference-centre", "relayed-by-partner"}));
  command->add_option("--locale", args->locale, "Locale the notice was given in (default: the config's)")
      ->check(locale_check());
  command->add_option("--page-url", args->page_url, "Page the choices were made on (web-form)");
  command->add_option("--supersedes", args->supersedes_file,
                      "Receipt (JWS file) this one updates or withdraws; its subject digests are carried over when "
                      "--choices has no contacts");
  command->add_option("--relayed-by", args->relayed_by, "Partner id that relayed an objection or withdrawal");
  command->add_option("--key", args->key,
                      "Controller private key: countersign the new receipt, and give its contacts keyed digests "
                      "(receipt version 2)");
  command->add_option("--at", args->at, "Issue time, RFC 3339 UTC (default: now)");
  command->add_option("--out", args->out, "Write the receipt here instead of stdout");
  command->callback([args, &exit_code] {
    exit_code = kUsage;
    Result<std::string> config_text = read_input(args->config);
    Result<std::string> choices_text = config_text.ok() ? read_input(args->choices) : config_text;
    if (!choices_text.ok()) return print_problems(choices_text.problems());
    Result<Config> config = load_config(config_text.value());
    if (!config.ok()) {
      std::cerr << "error: " << args->config << " is not a valid config; run 'cachet lint " << args->config << "'.\n";
      print_problems(config.problems());
      exit_code = kBadInput;
      return;
    }
    const auto crypto = make_openssl_crypto();
    ReceiptContext context;
    context.locale = args->locale.empty() ? config.value().locale : args->locale;
    Json superseded_subject;
    if (!args->supersedes_file.empty()) {
      Result<std::string> old_text = read_input(args->supersedes_file);
      if (!old_text.ok()) return print_problems(old_text.problems());
      Result<VerifiedReceipt> old = verify_receipt(old_text.value(), *crypto);
      if (!old.ok()) {
        std::cerr << "error: the receipt to supersede (" << args->supersedes_file << ") does not verify.\n";
        print_problems(old.problems());
        exit_code = kBadInput;
        return;
      }
      context.supersedes = old.value().receipt_id;
      superseded_subject = old.value().payload["subject"];
    }
    Result<Json> choices_json = parse_json_strict(choices_text.value());
    if (!choices_json.ok()) {
      std::cerr << "error: " << args->choices << " is not valid JSON.\n";
      print_problems(choices_json.problems());
      exit_code = kBadInput;
      return;
    }
    Result<Choices> choices =
        parse_choices(config.value(), choices_json.value(), context.locale, !context.supersedes.empty());
    if (!choices.ok()) {
      print_problems(choices.problems());
      exit_code = kBadInput;
      return;
    }
    if (!context.supersedes.empty() && choices.value().contacts.empty()) context.carried_subject = superseded_subject;
    context.receipt_id = new_uuid(*crypto);
    context.issued_at = args->at.empty() ? calendar::format_rfc3339(calendar::now_unix()) : args->at;
    context.collection_method = args->method;
    context.page_url = args->page_url;
    context.agent = kAgent;
    context.relayed_by = args->relayed_by;
    context.salt = base64url_encode(crypto->random_bytes(16));
    std::optional<Json> controller_key;
    if (!args->key.empty()) {
      Result<Json> key = load_jwk(args->key, /*need_private=*/true);
      if (!key.ok()) return print_problems(key.problems());
      controller_key = key.value();
      // With the controller's key the contacts get keyed digests (receipt
      // version 2): the random salt is the nonce the controller re-derives
      // the receipt's key from (docs/receipt.md).
      Result<std::string> secret = contact_digest_secret(key.value(), *crypto);
      if (!secret.ok()) return print_problems(secret.problems());
      context.digest_key = contact_digest_key(secret.value(), context.salt, *crypto);
    }
    Result<Json> receipt = issue_receipt(config.value(), choices.value(), context, *crypto);
    if (receipt.ok() && controller_key) {
      receipt = countersign_receipt(receipt.value().dump(), *controller_key, context.issued_at, *crypto);
    }
    if (!receipt.ok()) {
      print_problems(receipt.problems());
      exit_code = kBadInput;
      return;
    }
    const std::string text = receipt.value().dump() + "\n";
    if (args->out.empty()) {
      std::cout << text;
    } else if (Result<bool> written = write_file_atomic(args->out, text); !written.ok()) {
      return print_problems(written.problems());
    }
    exit_code = kOk;
  });
}

// --- verify -----------------------------------------------------------------

void add_verify(CLI::App& app, int& exit_code) {
  auto* command =
      app.add_subcommand("verify", "Verify one receipt, or JSON lines of receipts (one result line per input line).");
  auto file = std::make_shared<std::string>("-");
  auto trust = std::make_shared<std::string>();
  auto format = std::make_shared<FormatOption>();
  auto jobs = std::make_shared<unsigned>(0);
  command->add_option("FILE", *file, "Receipt (JWS JSON) or JSON lines of receipts; stdin when omitted or -");
  command->add_option("--trust", *trust, "Controller public key (JWK): require its valid countersignature");
  command->add_option("--jobs", *jobs, "Threads verifying JSON lines (default 0: one per core)")->capture_default_str();
  format->add(command);
  command->callback([file, trust, format, jobs, &exit_code] {
    VerifyOptions options;
    if (!trust->empty()) {
      Result<Json> key = load_jwk(*trust, /*need_private=*/false);
      if (!key.ok()) {
        print_problems(key.problems());
        exit_code = kUsage;
        return;
      }
      options.trusted_controller_key = key.value();
    }
    Result<std::string> input = read_input(*file);
    if (!input.ok()) {
      print_problems(input.problems());
      exit_code = kUsage;
      return;
    }
    // One JSON document, pretty-printed or not, is one receipt; otherwise each
    // non-empty line is a receipt.
    // Views into the input: a JSON-lines file is not copied line by line.
    std::vector<std::pair<std::size_t, std::string_view>> receipts;
    const std::string_view text = input.value();
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      std::cerr << "error: " << *file << " holds no receipt.\n";
      exit_code = kBadInput;
      return;
    }
    const bool single = text.find('\n') == std::string::npos ||
                        text.find_first_not_of(" \t\r\n", text.find('\n')) == std::string::npos ||
                        parse_json_strict(text, ParseLimits{1u << 20, 64}).ok();
    if (single) {
      receipts.emplace_back(1, text);
    } else {
      std::size_t number = 1;
      for (std::size_t start = 0; start < text.size(); ++number) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = text.substr(start, end - start);
        if (line.find_first_not_of(" \t\r") != std::string_view::npos) receipts.emplace_back(number, line);
        start = end + 1;
      }
    }
    // Receipts are independent: verify them on every core (each thread has
    // its own crypto provider), then print in input order.
    std::vector<std::optional<Result<VerifiedReceipt>>> results(receipts.size());
    run_striped(thread_count(receipts.size(), *jobs), [&](std::size_t first, std::size_t stride) {
      const auto crypto = make_openssl_crypto();
      for (std::size_t i = first; i < receipts.size(); i += stride) {
        results[i] = verify_receipt(receipts[i].second, *crypto, options);
      }
    });
    std::size_t failed = 0;
    for (std::size_t i = 0; i < receipts.size(); ++i) {
      const std::size_t line = receipts[i].first;
      const Result<VerifiedReceipt>& result = *results[i];
      const std::string where = single ? *file : *file + ":" + std::to_string(line);
      if (format->json()) {
        Json out = {{"ok", result.ok()}};
        if (!single) out["line"] = line;
        if (result.ok()) {
          out["receiptId"] = result.value().receipt_id;
          out["countersigned"] = result.value().countersigned;
          if (result.value().countersigned) out["countersignerKid"] = result.value().countersigner_kid;
        } else {
          out["errors"] = problems_to_json(result.problems());
        }
        std::cout << out.dump() << "\n";
      } else if (result.ok()) {
        std::cout << where << ": valid receipt " << result.value().receipt_id
                  << (result.value().countersigned ? ", countersigned by " + result.value().countersigner_kid
                                                   : ", not countersigned")
                  << "\n";
      } else {
        std::cout << where << ": INVALID\n";
        for (const Problem& p : result.problems()) {
          std::cout << "  " << (p.path.empty() ? "" : p.path + ": ") << p.message << " [" << p.code << "]\n";
        }
      }
      if (!result.ok()) ++failed;
    }
    exit_code = failed == 0 ? kOk : kBadInput;
  });
}

// --- countersign --------------------------------------------------------------

void add_countersign(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("countersign", "Verify a receipt and add the controller's countersignature.");
  auto file = std::make_shared<std::string>("-");
  auto key_file = std::make_shared<std::string>();
  auto at = std::make_shared<std::string>();
  command->add_option("FILE", *file, "Receipt (JWS JSON); stdin when omitted or -");
  command->add_option("--key", *key_file, "Controller private key (JWK)")->required();
  command->add_option("--at", *at, "Acceptance time, RFC 3339 UTC (default: now)");
  command->callback([file, key_file, at, &exit_code] {
    Result<Json> key = load_jwk(*key_file, /*need_private=*/true);
    Result<std::string> input = key.ok() ? read_input(*file) : Result<std::string>(key.problems());
    if (!input.ok()) {
      print_problems(input.problems());
      exit_code = kUsage;
      return;
    }
    const auto crypto = make_openssl_crypto();
    Result<Json> signed_receipt = countersign_receipt(
        input.value(), key.value(), at->empty() ? calendar::format_rfc3339(calendar::now_unix()) : *at, *crypto);
    if (!signed_receipt.ok()) {
      print_problems(signed_receipt.problems());
      exit_code = kBadInput;
      return;
    }
    std::cout << signed_receipt.value().dump() << "\n";
    exit_code = kOk;
  });
}

// --- notice -------------------------------------------------------------------

void add_notice(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("notice", "Print the notice a person reads for a config and locale.");
  auto file = std::make_shared<std::string>();
  auto locale = std::make_shared<std::string>();
  auto format = std::make_shared<FormatOption>();
  command->add_option("FILE", *file, "Config file (JSON)")->required();
  command->add_option("--locale", *locale, locale_help() + " (default: the config's locale)")->check(locale_check());
  format->add(command);
  auto canonical = std::make_shared<bool>(false);
  command->add_flag("--canonical", *canonical,
                    "Print exactly the bytes a receipt's notice.sha256 hashes (RFC 8785 JSON of the notice)");
  command->callback([file, locale, format, canonical, &exit_code] {
    Result<std::string> text = read_input(*file);
    if (!text.ok()) {
      print_problems(text.problems());
      exit_code = kUsage;
      return;
    }
    Result<Config> config = load_config(text.value());
    if (!config.ok()) {
      std::cerr << "error: " << *file << " is not a valid config; run 'cachet lint " << *file << "'.\n";
      print_problems(config.problems());
      exit_code = kBadInput;
      return;
    }
    Result<Notice> notice = build_notice(config.value(), locale->empty() ? config.value().locale : *locale);
    if (!notice.ok()) {
      print_problems(notice.problems());
      exit_code = kBadInput;
      return;
    }
    const Notice& n = notice.value();
    if (*canonical) {
      std::cout << canonical_notice(n);
      exit_code = kOk;
      return;
    }
    if (format->json()) {
      const auto crypto = make_openssl_crypto();
      Json out = n.to_json();
      out["sha256"] = hex_encode(crypto->sha256(canonical_notice(n)));
      out["partnerListSha256"] = hex_encode(crypto->sha256(canonical_partner_list(config.value())));
      std::cout << out.dump(2) << "\n";
      exit_code = kOk;
      return;
    }
    std::cout << n.heading << "\n\n" << n.intro << "\n" << n.recipients << "\n" << n.partner_summary << "\n";
    if (!n.partner_list_url.empty()) std::cout << n.partner_list_url << "\n";
    std::cout << "\n" << n.partner_list_title << "\n";
    for (const NoticePartner& p : n.partners) {
      std::cout << "  - " << p.name << (p.sector.empty() ? "" : " (" + p.sector + ")") << ": " << p.privacy_policy_url
                << " — " << p.channels_text << "\n";
    }
    std::cout << "\n";
    for (const NoticeBox& box : n.boxes) {
      std::cout << "[ ] " << box.label << "\n";
      if (!box.hint.empty()) std::cout << "    " << box.hint << "\n";
    }
    std::cout << "\n" << n.rights << "\n" << n.privacy_policy_label << ": " << n.privacy_policy_url << "\n";
    exit_code = kOk;
  });
}

// --- partners-page --------------------------------------------------------------

// The partner page for a site without cachet serve (R3, R7): static HTML.
void add_partners_page(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "partners-page", "Write the partner page (each partner's name, channels, privacy policy) as static HTML.");
  struct Args {
    std::string file, lang, updated_at, out, stylesheet;
    std::vector<std::string> alternates;
  };
  auto args = std::make_shared<Args>();
  command->add_option("FILE", args->file, "Config file (JSON)")->required();
  command->add_option("--lang", args->lang, locale_help() + " (default: the config's locale)")->check(locale_check());
  command->add_option("--updated-at", args->updated_at,
                      "YYYY-MM-DD: when this partner list was first published (default: the configVersion when it "
                      "is a date). Never a date typed in the config.");
  command->add_option("--out", args->out, "Write the page to this file (default: standard output)");
  command->add_option("--stylesheet", args->stylesheet, "href of a stylesheet for the page");
  command->add_option("--alternate", args->alternates,
                      "LOCALE=HREF: the same page in another language (repeatable), e.g. en=partners.html");
  command->callback([args, &exit_code] {
    Result<std::string> text = read_input(args->file);
    if (!text.ok()) {
      print_problems(text.problems());
      exit_code = kUsage;
      return;
    }
    Result<Config> config = load_config(text.value());
    if (!config.ok()) {
      std::cerr << "error: " << args->file << " is not a valid config; run 'cachet lint " << args->file << "'.\n";
      print_problems(config.problems());
      exit_code = kBadInput;
      return;
    }
    PartnerPageOptions options;
    options.updated_at = partner_page_date(config.value(), args->updated_at);
    if (!args->updated_at.empty() && options.updated_at.empty()) {
      std::cerr << "error: --updated-at must be a date written YYYY-MM-DD (got \"" << args->updated_at << "\").\n";
      exit_code = kUsage;
      return;
    }
    options.stylesheet_href = args->stylesheet;
    for (const std::string& alternate : args->alternates) {
      const std::size_t eq = alternate.find('=');
      if (eq == std::string::npos || !is_supported_locale(alternate.substr(0, eq)) || eq + 1 == alternate.size()) {
        std::cerr << "error: --alternate takes LOCALE=HREF with LOCALE " << locale_help() << " (got \"" << alternate
                  << "\").\n";
        exit_code = kUsage;
        return;
      }
      options.alternates.emplace_back(alternate.substr(0, eq), alternate.substr(eq + 1));
    }
    const std::string locale = args->lang.empty() ? config.value().locale : args->lang;
    Result<std::string> page = render_partner_page(config.value(), locale, options);
    if (!page.ok()) {
      print_problems(page.problems());
      exit_code = kBadInput;
      return;
    }
    if (args->out.empty()) {
      std::cout << page.value();
    } else if (Result<bool> written = write_file_atomic(args->out, page.value()); !written.ok()) {
      print_problems(written.problems());
      exit_code = kUsage;
      return;
    }
    exit_code = kOk;
  });
}

}  // namespace

void add_core_commands(CLI::App& app, int& exit_code) {
  add_lint(app, exit_code);
  add_canonicalize(app, exit_code);
  add_keygen(app, exit_code);
  add_issue(app, exit_code);
  add_verify(app, exit_code);
  add_countersign(app, exit_code);
  add_notice(app, exit_code);
  add_partners_page(app, exit_code);
}

}  // namespace cachet::cli
