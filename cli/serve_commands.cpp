// `cachet serve` and `cachet ledger verify|head|purge|show|state|export-state|append`
// (DESIGN.md 3.3: exit 0 success, 1 the input was judged bad, 2 usage or I/O).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

#include "cachet/calendar.h"
#include "cachet/config.h"
#include "cachet/jws.h"
#include "cachet/ledger/accept.h"
#include "cachet/ledger/change.h"
#include "cachet/ledger/digest.h"
#include "cachet/ledger/head.h"
#include "cachet/ledger/open.h"
#include "cachet/ledger/store.h"
#include "cachet/lifecycle.h"
#include "cachet/openssl_crypto.h"
#include "cachet/publication.h"
#include "cachet/receipt.h"
#include "cachet/server/http.h"
#include "command.h"
#include "ledger_open.h"
#include "support.h"
#include "webhooks_commands.h"

namespace cachet::cli {
namespace {

using ledger::ConsentStore;

// The file's text (stdin for "-"); when it cannot be read, says which file
// it was meant to be (`what`) and why.
std::optional<std::string> read_named(const std::string& path, std::string_view what) {
  Result<std::string> text = read_input(path);
  if (text.ok()) return std::move(text).value();
  std::cerr << "error: " << what << ": " << text.problems().front().message << "\n";
  return std::nullopt;
}

bool write_private(const std::string& path, const std::string& content, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return false;
  const bool ok =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) && ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// The controller key: loaded, or created when asked to (--init-key).
std::optional<Json> load_or_create_key(const std::string& path, bool init, const CryptoProvider& crypto) {
  if (!exists(path)) {
    if (!init) {
      std::cerr << "error: the controller key " << path << " does not exist. Create it with `cachet keygen --out "
                << path << "`, or pass --init-key to let `cachet serve` create it.\n";
      return std::nullopt;
    }
    Result<Json> key = crypto.generate_ed25519();
    Result<Json> pub = key.ok() ? public_jwk(key.value()) : Result<Json>(key.problems());
    if (!pub.ok()) {
      print_problems(pub.problems());
      return std::nullopt;
    }
    Json private_key = key.value();
    Result<std::string> kid = jwk_thumbprint(pub.value(), crypto);
    if (kid.ok()) private_key["kid"] = kid.value();
    if (!write_private(path, private_key.dump(2) + "\n", 0600) ||
        !write_private(path + ".pub.json", pub.value().dump(2) + "\n", 0644)) {
      std::cerr << "error: cannot write the new controller key to " << path << ": " << std::strerror(errno) << ".\n";
      return std::nullopt;
    }
    std::cerr << "Created a new controller key in " << path << " (public key in " << path
              << ".pub.json). Keep the private key safe: it countersigns every receipt.\n";
    return private_key;
  }
  const auto text = read_named(path, "the controller key");
  if (!text) return std::nullopt;
  Result<Json> key = parse_json_strict(*text);
  if (!key.ok() || !key.value().is_object() || !key.value().contains("d")) {
    std::cerr << "error: " << path << " is not a private JSON Web Key (an object with \"d\").\n";
    return std::nullopt;
  }
  if (!public_jwk(key.value()).ok()) {
    std::cerr << "error: " << path << " is not a usable Ed25519 or P-256 key.\n";
    return std::nullopt;
  }
  return key.value();
}

// A duration: seconds, or a number followed by s, m, h or d ("24h", "10m").
std::optional<std::int64_t> parse_duration(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 9 || text.size() > digits + 1) return std::nullopt;
  const std::int64_t n = std::stoll(text.substr(0, digits));
  if (text.size() == digits) return n;
  switch (text[digits]) {
    case 's':
      return n;
    case 'm':
      return n * 60;
    case 'h':
      return n * 3600;
    case 'd':
      return n * 86400;
    default:
      return std::nullopt;
  }
}

// The published-version options `cachet serve` and `cachet ledger append` share.
struct PublicationArgs {
  std::string grace = "24h";
  std::string skew = "10m";
  std::int64_t grace_seconds = 0;
  std::int64_t skew_seconds = 0;
};

void add_publication_options(CLI::App* command, PublicationArgs& args) {
  command
      ->add_option("--previous-config-grace", args.grace,
                   "Keep accepting receipts of an earlier published config version this long after it stopped "
                   "being current (seconds, or 30m, 24h, 7d)")
      ->capture_default_str();
  command
      ->add_option("--issued-at-skew", args.skew,
                   "Largest gap allowed between a receipt's issuedAt and its arrival (seconds, or 10m)")
      ->capture_default_str();
}

bool read_publication_args(PublicationArgs& args) {
  const auto grace = parse_duration(args.grace);
  const auto skew = parse_duration(args.skew);
  if (!grace || !skew) {
    std::cerr << "error: --previous-config-grace and --issued-at-skew take seconds or a number with s, m, h or d "
                 "(24h, 10m).\n";
    return false;
  }
  args.grace_seconds = *grace;
  args.skew_seconds = *skew;
  return true;
}

// --- serve -------------------------------------------------------------------

void add_serve(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("serve", "Accept, countersign and store receipts over HTTP; serve the demo.");
  struct Args {
    server::ServeOptions options;
    std::string db = "./cachet.db";
    std::string config;
    std::string key;
    bool init_key = false;
    PublicationArgs publication;
    std::string link_ttl = "7d";
    WebhookArgs webhook;  // docs/webhooks.md
    ledger::SqliteOptions ledger;
  };
  auto args = std::make_shared<Args>();
  command->add_option("--host", args->options.host, "Address to listen on")->capture_default_str();
  command->add_option("--port", args->options.port, "Port; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  command->add_option("--db", args->db, "Ledger: a SQLite file (created when missing) or a postgresql:// URL")
      ->capture_default_str();
  command->add_option("--config", args->config, "Consent config (JSON)")->required();
  command->add_option("--key", args->key, "Controller private key (JWK) that countersigns")->required();
  command->add_flag("--init-key", args->init_key, "Create the controller key when the --key file is missing");
  command->add_option("--static", args->options.static_dirs, "Directory served at / (repeatable; first match wins)")
      ->check(CLI::ExistingDirectory);
  // Challenges are required by default; --require-challenge stays accepted
  // for the scripts that passed it when they were opt-in.
  auto* require = command->add_flag(
      "--require-challenge", "Default: web-form receipts need a valid, unused challenge from GET /api/challenge");
  command
      ->add_flag("--allow-unchallenged",
                 "Accept web-form receipts without a server challenge (tests and legacy hosts only: anyone "
                 "can then get receipts countersigned without loading your form)")
      ->excludes(require);
  command
      ->add_option("--admin-token", args->options.admin_token,
                   "Bearer token for the admin endpoints (or env CACHET_ADMIN_TOKEN)")
      ->envname("CACHET_ADMIN_TOKEN");
  command->add_option("--public-url", args->options.public_url,
                      "Public base URL (https://...), used in links and preference-centre receipts");
  command->add_flag("--show-preference-links", args->options.show_preference_links,
                    "Demo: show preference-centre links on screen instead of emailing them");
  command
      ->add_option("--preference-link-ttl", args->link_ttl,
                   "How long a preference-centre link stays valid (seconds, or 30m, 24h, 30d; at most 365d)")
      ->capture_default_str();
  auto* mail_command = command->add_option(
      "--mail-command", args->options.mail_command,
      "Send the preference links people ask for (POST /api/preference-link/request) by running this shell "
      "command, the message as JSON on its standard input (docs/rights.md)");
  command
      ->add_option("--mail-webhook", args->options.mail_webhook,
                   "Send the preference links people ask for by POSTing the message (JSON) to this http(s) URL")
      ->excludes(mail_command);
  command
      ->add_option("--link-requests-per-address", args->options.link_requests_per_address,
                   "Link requests accepted per email address or phone number per hour")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command
      ->add_option("--link-requests-per-ip", args->options.link_requests_per_ip,
                   "Link requests accepted per client IP address per hour")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command->add_option("--max-body", args->options.max_body, "Largest request body, bytes")->capture_default_str();
  add_publication_options(command, args->publication);
  add_webhook_options(command, args->webhook, /*serve=*/true);
  command
      ->add_option("--head-interval", args->options.head_interval_seconds,
                   "Sign the chain head every this many seconds when the log moved, and at shutdown; 0 = never")
      ->check(CLI::Range(0, 86400 * 365))
      ->capture_default_str();
  command
      ->add_option("--max-upload", args->options.max_upload,
                   "Largest total of files in a multipart form post, bytes (read and dropped)")
      ->capture_default_str();
  command
      ->add_option("--header-timeout", args->options.header_timeout_seconds,
                   "Seconds a request's line and headers may take to arrive, whole")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  command
      ->add_option("--body-timeout", args->options.body_timeout_seconds,
                   "Seconds a request's body may take to arrive, whole (and its response to be sent)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  command
      ->add_option("--group-commit-max", args->ledger.group_commit_max,
                   "Receipts committed together at most, in one transaction and one fsync, when several arrive "
                   "at once (each acknowledged once its batch is on disk); 1 commits each receipt alone")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  command
      ->add_option("--max-connections", args->options.max_connections,
                   "Connections served at once, each with its own worker; more are answered 503")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  command->callback([args, command, &exit_code] {
    args->options.require_challenge = command->count("--allow-unchallenged") == 0;
    if (!read_publication_args(args->publication)) {
      exit_code = kUsage;
      return;
    }
    args->options.previous_config_grace_seconds = args->publication.grace_seconds;
    const auto link_ttl = parse_duration(args->link_ttl);
    if (!link_ttl || *link_ttl < 60 || *link_ttl > std::int64_t{365} * 86400) {
      std::cerr << "error: --preference-link-ttl takes seconds or a number with s, m, h or d, from 1m to 365d "
                   "(7d, 30d).\n";
      exit_code = kUsage;
      return;
    }
    args->options.link_ttl_seconds = static_cast<int>(*link_ttl);
    const std::string& hook = args->options.mail_webhook;
    if (!hook.empty() && hook.rfind("http://", 0) != 0 && hook.rfind("https://", 0) != 0) {
      std::cerr << "error: --mail-webhook must be an http:// or https:// URL.\n";
      exit_code = kUsage;
      return;
    }
    args->options.issued_at_skew_seconds = args->publication.skew_seconds;
    const auto webhooks = read_webhook_args(args->webhook);
    if (!webhooks) {
      exit_code = kUsage;
      return;
    }
    const auto crypto = make_openssl_crypto();
    const auto config_text = read_named(args->config, "the config");
    if (!config_text) {
      exit_code = kUsage;
      return;
    }
    Result<Config> config = load_config(*config_text);
    if (!config.ok()) {
      std::cerr << "error: the config " << args->config << " does not pass lint (run `cachet lint " << args->config
                << "`).\n";
      print_problems(config.problems());
      exit_code = kBadInput;
      return;
    }
    const auto key = load_or_create_key(args->key, args->init_key, *crypto);
    if (!key) {
      exit_code = kUsage;
      return;
    }
    args->options.controller_key = *key;
    if (!args->options.admin_token.empty() && args->options.admin_token.size() < 16) {
      std::cerr << "error: the admin token must be at least 16 characters.\n";
      exit_code = kUsage;
      return;
    }
    while (!args->options.public_url.empty() && args->options.public_url.back() == '/') {
      args->options.public_url.pop_back();
    }
    auto store = ledger::open_store(args->db, args->ledger);
    if (!store.ok()) {
      print_problems(store.problems());
      exit_code = kUsage;
      return;
    }
    // Signed webhooks (docs/webhooks.md): a dispatcher on its own connection
    // to the ledger, sending what the outbox holds, until the server stops.
    std::unique_ptr<server::WebhookDispatcher> dispatcher;
    if (!webhooks->endpoints.empty()) {
      auto outbox = ledger::open_webhook_outbox(args->db);
      if (!outbox.ok()) {
        print_problems(outbox.problems());
        exit_code = kUsage;
        return;
      }
      dispatcher =
          std::make_unique<server::WebhookDispatcher>(std::move(outbox).value(), *webhooks, *crypto, std::cerr);
      dispatcher->start();
    }
    exit_code = server::serve(args->options, config.value(), *store.value(), *crypto, std::cout, std::cerr);
    if (dispatcher) dispatcher->stop();
  });
}

// --- ledger ----------------------------------------------------------------------

Json person_json(const ledger::PersonState& person, bool with_history, const std::string& locale) {
  auto receipt = [&](const ledger::StoredReceipt& r) {
    Json out = {{"receiptId", r.receipt_id},
                {"seq", r.seq},
                {"issuedAt", r.issued_at},
                {"receivedAt", r.received_at},
                {"collectionMethod", r.collection_method},
                {"supersedes", r.supersedes},
                {"payloadSha256", r.payload_sha256},
                {"countersignerKid", r.countersigner_kid},
                {"entryHash", r.entry_hash}};
    if (!locale.empty()) out["text"] = render_receipt_text(r.payload, locale);
    return out;
  };
  const Json& payload = person.latest.payload;
  Json out = {{"chainRoot", person.chain_root},
              {"latestReceiptId", person.latest.receipt_id},
              {"issuedAt", person.latest.issued_at},
              {"retentionUntil", person.retention_until},
              {"channels", payload.is_object() && payload.contains("channels") ? payload["channels"] : Json::object()},
              {"subject", payload.is_object() && payload.contains("subject") ? payload["subject"] : Json::object()}};
  if (with_history) {
    Json history = Json::array();
    for (const auto& r : person.history) history.push_back(receipt(r));
    out["history"] = history;
  }
  return out;
}

void add_ledger(CLI::App& app, int& exit_code) {
  auto* ledger = app.add_subcommand("ledger", "Inspect and maintain the consent ledger.");
  ledger->require_subcommand(1);

  {
    auto* migrate = ledger->add_subcommand(
        "migrate",
        "Copy a ledger into a new, empty one on the other backend (SQLite file <-> postgresql:// URL), verifying "
        "the chain on both ends.");
    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    migrate->add_option("--from", *from, "The ledger to copy: a SQLite file or a postgresql:// URL")->required();
    migrate->add_option("--to", *to, "The new ledger: a SQLite file or a postgresql:// URL (must be empty)")
        ->required();
    migrate->callback([from, to, &exit_code] {
      Result<ledger::MigrationReport> report = ledger::migrate_ledger(*from, *to);
      if (!report.ok()) {
        print_problems(report.problems());
        exit_code = kUsage;
        return;
      }
      const ledger::MigrationReport& r = report.value();
      std::cout << "Copied " << r.rows << " rows from " << ledger::describe_ledger(*from) << " to "
                << ledger::describe_ledger(*to) << ".\nBoth chains verify: " << r.destination.entries << " entries, "
                << r.destination.receipts << " receipts, head " << r.destination.head << ".\n";
      exit_code = kOk;
    });
  }
  {
    auto* verify = ledger->add_subcommand(
        "verify",
        "Recompute the hash chain and check it against the latest signed chain head (stored, and --head); exit 1 "
        "naming the first broken entry.");
    auto db = std::make_shared<std::string>("./cachet.db");
    auto format = std::make_shared<std::string>("text");
    auto head_file = std::make_shared<std::string>();
    auto key_file = std::make_shared<std::string>();
    verify->add_option("--db", *db, "Ledger file or postgresql:// URL")->capture_default_str();
    verify->add_option("--format", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
    verify->add_option("--head", *head_file,
                       "A signed chain head kept outside the ledger (`cachet ledger head` output): the log must "
                       "still reach it");
    verify->add_option("--key", *key_file, "Controller key (JWK, public or private): chain heads must be signed by it");
    auto jobs = std::make_shared<unsigned>(0);
    verify
        ->add_option("--jobs", *jobs,
                     "Threads checking the chain, each over its own blocks of entries (default 0: all cores)")
        ->check(CLI::Range(0, 256));
    verify->callback([db, format, head_file, key_file, jobs, &exit_code] {
      std::optional<Json> trusted;
      if (!key_file->empty()) {
        Result<Json> key = load_jwk(*key_file, /*need_private=*/false);
        if (!key.ok()) {
          print_problems(key.problems());
          exit_code = kUsage;
          return;
        }
        trusted = key.value();
      }
      std::optional<std::string> external;
      if (!head_file->empty()) {
        external = read_named(*head_file, "the chain head");
        if (!external) {
          exit_code = kUsage;
          return;
        }
      }
      auto store = open_existing(*db, exit_code);
      if (!store) return;
      ledger::ChainCheckOptions check;
      check.jobs = *jobs;
      auto report = store->verify_chain_with(check);
      if (!report.ok()) {
        print_problems(report.problems());
        exit_code = kUsage;
        return;
      }
      ledger::ChainReport& r = report.value();
      // Truncation shows only against a head: the latest stored one, and the
      // one given (kept where whoever rewrites the ledger cannot reach it).
      const auto crypto = make_openssl_crypto();
      auto stored = store->latest_head();
      if (!stored.ok()) {
        print_problems(stored.problems());
        exit_code = kUsage;
        return;
      }
      Json heads = Json::array();
      auto check_head = [&](const std::string& text, const std::string& origin) {
        Result<ledger::ChainHead> head = ledger::verify_head(text, *crypto, trusted);
        if (!head.ok()) {
          const Problem& p = head.problems().front();
          r.problems.push_back(ledger::ChainProblem{0, "", p.code, "The " + origin + ": " + p.message});
          return true;
        }
        Problems io = ledger::check_against_head(*store, head.value(), origin, r);
        if (!io.empty()) {
          print_problems(io);
          return false;
        }
        heads.push_back({{"origin", origin},
                         {"seq", head.value().seq},
                         {"hash", head.value().hash},
                         {"signedAt", head.value().signed_at},
                         {"kid", head.value().kid},
                         {"keyChecked", trusted.has_value()}});
        return true;
      };
      if ((stored.value() && !check_head(*stored.value(), "stored chain head")) ||
          (external && !check_head(*external, "chain head in " + *head_file))) {
        exit_code = kUsage;
        return;
      }
      if (*format == "json") {
        Json out = r.to_json();
        out["heads"] = heads;
        std::cout << out.dump(2) << "\n";
      } else if (r.ok()) {
        std::cout << ledger::describe_ledger(*db) << ": the chain verifies: " << r.entries << " entries, " << r.receipts
                  << " receipts, head " << r.head << "\n";
        for (const Json& h : heads) {
          std::cout << "It reaches the " << h["origin"].get<std::string>() << " (entry #"
                    << h["seq"].get<std::int64_t>() << ", signed " << h["signedAt"].get<std::string>() << " by key "
                    << h["kid"].get<std::string>()
                    << (trusted ? ", the --key controller's" : "; pass --key to check whose key that is") << ").\n";
        }
        if (heads.empty()) {
          std::cout << "No signed chain head to check against: entries cut off the end of the log would go "
                       "unnoticed. Sign one with `cachet ledger head --key KEY` and keep a copy elsewhere.\n";
        }
      } else {
        // Problems of a chain head itself (its signature, its form) name no entry.
        auto where = [](const ledger::ChainProblem& p) {
          return (p.seq == 0 ? std::string("the chain head") : "#" + std::to_string(p.seq)) +
                 (p.receipt_id.empty() ? "" : " (receipt " + p.receipt_id + ")");
        };
        const auto& first = r.problems.front();
        std::cerr << "error: " << ledger::describe_ledger(*db) << ": first broken entry: " << where(first) << ": "
                  << first.message << " [" << first.code << "]\n";
        for (std::size_t i = 1; i < r.problems.size(); ++i) {
          const auto& p = r.problems[i];
          std::cerr << "error: entry " << where(p) << ": " << p.message << " [" << p.code << "]\n";
        }
      }
      exit_code = r.ok() ? kOk : kBadInput;
    });
  }
  {
    auto* head = ledger->add_subcommand(
        "head",
        "With --key: sign the log's current head and print it (ship it elsewhere to detect truncation); without: "
        "print the latest signed head stored in the ledger.");
    auto db = std::make_shared<std::string>("./cachet.db");
    auto key = std::make_shared<std::string>();
    head->add_option("--db", *db, "Ledger file or postgresql:// URL")->capture_default_str();
    head->add_option("--key", *key, "Controller private key (JWK) that signs the head");
    head->callback([db, key, &exit_code] {
      auto store = open_existing(*db, exit_code);
      if (!store) return;
      if (key->empty()) {
        auto latest = store->latest_head();
        if (!latest.ok()) {
          print_problems(latest.problems());
          exit_code = kUsage;
          return;
        }
        if (!latest.value()) {
          std::cerr << "error: " << ledger::describe_ledger(*db)
                    << " holds no signed chain head yet; sign one with `cachet ledger head --key "
                       "KEY`.\n";
          exit_code = kBadInput;
          return;
        }
        std::cout << *latest.value() << "\n";
        exit_code = kOk;
        return;
      }
      const auto crypto = make_openssl_crypto();
      const auto jwk = load_or_create_key(*key, false, *crypto);
      if (!jwk) {
        exit_code = kUsage;
        return;
      }
      auto signed_head = ledger::sign_and_store_head(*store, *jwk, *crypto);
      if (!signed_head.ok()) {
        print_problems(signed_head.problems());
        exit_code = exit_code_for(problem_kind(signed_head.problems()));
        return;
      }
      std::cout << signed_head.value().jws.dump() << "\n";
      std::cerr << "Signed the chain head: entry #" << signed_head.value().seq << ", hash " << signed_head.value().hash
                << ".\n";
      exit_code = kOk;
    });
  }
  {
    auto* purge = ledger->add_subcommand("purge", "Remove people whose retention period is over (R9), as a log entry.");
    auto db = std::make_shared<std::string>("./cachet.db");
    auto now = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("text");
    purge->add_option("--db", *db, "Ledger file or postgresql:// URL")->capture_default_str();
    purge->add_option("--now", *now, "Pretend it is this time (RFC 3339); default: now");
    purge->add_option("--format", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
    purge->callback([db, now, format, &exit_code] {
      std::int64_t at = calendar::now_unix();
      if (!now->empty()) {
        const auto parsed = calendar::parse_rfc3339(*now);
        if (!parsed) {
          std::cerr << "error: --now must be an RFC 3339 time such as 2029-12-01T00:00:00Z.\n";
          exit_code = kUsage;
          return;
        }
        at = *parsed;
      }
      auto store = open_existing(*db, exit_code);
      if (!store) return;
      auto report = store->purge(at);
      if (!report.ok()) {
        print_problems(report.problems());
        exit_code = kUsage;
        return;
      }
      if (*format == "json") {
        std::cout << report.value().to_json().dump(2) << "\n";
      } else if (report.value().removed.empty()) {
        std::cout << "Nothing to purge at " << calendar::format_rfc3339(at) << ".\n";
      } else {
        std::cout << "Purged " << report.value().removed.size() << " receipt(s), recorded as log entry #"
                  << report.value().seq << ":\n";
        for (const auto& id : report.value().removed) std::cout << "  " << id << "\n";
      }
      exit_code = kOk;
    });
  }
  for (const char* name : {"show", "state"}) {
    auto* show =
        ledger->add_subcommand(name, "A person's current state and receipt history, from any of their receipt ids.");
    auto db = std::make_shared<std::string>("./cachet.db");
    auto id = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("text");
    auto locale = std::make_shared<std::string>("en");
    show->add_option("RECEIPT_ID", *id, "Any receipt of the person")->required();
    show->add_option("--db", *db, "Ledger file or postgresql:// URL")->capture_default_str();
    show->add_option("--format", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
    show->add_option("--locale", *locale, "Language of the text")->check(locale_check());
    show->callback([db, id, format, locale, &exit_code] {
      auto store = open_existing(*db, exit_code);
      if (!store) return;
      auto state = store->state_of(*id);
      // The receipts shown must still verify (signatures: cheap for one person).
      const Problems tampered =
          state.ok() ? ledger::verify_stored_signatures(state.value(), *make_openssl_crypto()) : state.problems();
      if (!tampered.empty()) {
        print_problems(tampered);
        exit_code = exit_code_for(problem_kind(tampered));
        return;
      }
      const auto& person = state.value();
      if (*format == "json") {
        std::cout << person_json(person, true, "").dump(2) << "\n";
      } else {
        std::cout << "Person (chain root) " << person.chain_root << "\nCurrent state, from receipt "
                  << person.latest.receipt_id << " (" << person.latest.issued_at << "):\n";
        const Json& channels = person.latest.payload.value("channels", Json::object());
        for (const auto& [channel, entry] : channels.items()) {
          std::cout << "  " << channel << ": "
                    << (entry.is_object() && entry.contains("decision") && entry["decision"].is_string()
                            ? entry["decision"].get<std::string>()
                            : "?")
                    << "\n";
        }
        std::cout << "Kept until " << person.retention_until << " (retention, R9)\nHistory (oldest first):\n";
        for (const auto& r : person.history) {
          std::cout << "\n#" << r.seq << " " << r.receipt_id << " " << r.collection_method << " received "
                    << r.received_at << (r.supersedes.empty() ? "" : " supersedes " + r.supersedes) << "\n"
                    << render_receipt_text(r.payload, *locale) << "\n";
        }
      }
      exit_code = kOk;
    });
  }
  {
    auto* exp = ledger->add_subcommand("export-state",
                                       "Current state of every person, one JSON object per line (for exporters).");
    auto db = std::make_shared<std::string>("./cachet.db");
    exp->add_option("--db", *db, "Ledger file or postgresql:// URL")->capture_default_str();
    exp->callback([db, &exit_code] {
      auto store = open_existing(*db, exit_code);
      if (!store) return;
      const Problems problems = store->for_each_person([](const ledger::PersonState& person) {
        std::cout << person_json(person, false, "").dump() << "\n";
        return static_cast<bool>(std::cout);
      });
      if (!problems.empty()) {
        print_problems(problems);
        exit_code = exit_code_for(problem_kind(problems));  // ledger_tampered: 1
        return;
      }
      exit_code = kOk;
    });
  }
  {
    // Issue 13: a config that adds partners covers nobody for them until
    // each person accepts the new list (DESIGN.md 2.1; lifecycle.h
    // uncovered_partners). The people to ask, with the preference centre.
    auto* uncovered = ledger->add_subcommand(
        "uncovered", "People whose consent does not cover some partners of a (new) config: those to ask.");
    auto db = std::make_shared<std::string>("./cachet.db");
    auto config_file = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("text");
    uncovered->add_option("--db", *db, "Ledger file or postgresql:// URL")->capture_default_str();
    uncovered->add_option("--config", *config_file, "The config with the partner list to check (JSON)")->required();
    uncovered->add_option("--format", *format, "text: one line per person; json: one object per line")
        ->check(CLI::IsMember({"text", "json"}));
    uncovered->callback([db, config_file, format, &exit_code] {
      const auto config_text = read_named(*config_file, "the config");
      if (!config_text) {
        exit_code = kUsage;
        return;
      }
      Result<Config> config = load_config(*config_text);
      if (!config.ok()) {
        std::cerr << "error: the config " << *config_file << " does not pass lint (run `cachet lint " << *config_file
                  << "`).\n";
        print_problems(config.problems());
        exit_code = kBadInput;
        return;
      }
      auto store = open_existing(*db, exit_code);
      if (!store) return;
      const std::int64_t now = calendar::now_unix();
      std::size_t people = 0;
      std::size_t to_ask = 0;
      Problems problems = store->for_each_person([&](const ledger::PersonState& person) {
        ++people;
        Result<ConsentState> state = ledger::consent_state_of(person);
        // Verified receipts only reach here; a chain that folds to nothing has no one to ask.
        if (!state.ok()) {
          return true;
        }
        const std::vector<UncoveredPartner> missing = uncovered_partners(
            state.value(), config.value(), now, calendar::parse_utc_timestamp(person.retention_until));
        if (missing.empty()) return true;
        ++to_ask;
        if (*format == "json") {
          Json partners = Json::array();
          for (const UncoveredPartner& u : missing) {
            Json channels = Json::array();
            for (const Channel c : u.channels) channels.push_back(std::string(to_string(c)));
            partners.push_back({{"id", u.partner->id}, {"name", u.partner->name}, {"channels", channels}});
          }
          const Json line = {{"chainRoot", person.chain_root},
                             {"latestReceiptId", person.latest.receipt_id},
                             {"locale", state.value().locale},
                             {"partners", partners}};
          std::cout << line.dump() << "\n";
        } else {
          std::cout << person.latest.receipt_id << " " << (state.value().locale.empty() ? "-" : state.value().locale);
          for (const UncoveredPartner& u : missing) {
            std::cout << " " << u.partner->id << ":";
            for (std::size_t i = 0; i < u.channels.size(); ++i) {
              std::cout << (i == 0 ? "" : ",") << to_string(u.channels[i]);
            }
          }
          std::cout << "\n";
        }
        return static_cast<bool>(std::cout);
      });
      if (!problems.empty()) {
        print_problems(problems);
        exit_code = exit_code_for(problem_kind(problems));
        return;
      }
      std::cerr << to_ask << " of " << people
                << " people are not covered for some partners of this config: ask them in the preference centre.\n";
      exit_code = kOk;
    });
  }
  {
    auto* published = ledger->add_subcommand(
        "publications", "The config versions this ledger published: the exact notices and partner list shown.");
    auto db = std::make_shared<std::string>("./cachet.db");
    auto format = std::make_shared<std::string>("text");
    published->add_option("--db", *db, "Ledger file or postgresql:// URL")->capture_default_str();
    published->add_option("--format", *format, "text: one line per version; json: everything stored, one per line")
        ->check(CLI::IsMember({"text", "json"}));
    published->callback([db, format, &exit_code] {
      auto store = open_existing(*db, exit_code);
      if (!store) return;
      auto versions = store->published_versions();
      if (!versions.ok()) {
        print_problems(versions.problems());
        exit_code = exit_code_for(problem_kind(versions.problems()));
        return;
      }
      for (const PublishedVersion& v : versions.value()) {
        if (*format == "text") {
          std::cout << "#" << v.seq << " " << v.config_version << " first served " << v.first_served_at << " digest "
                    << v.digest << "\n";
          continue;
        }
        Json notices = Json::object();
        for (const auto& [locale, text] : v.notices) notices[locale] = Json::parse(text, nullptr, false);
        const Json out = {{"seq", v.seq},
                          {"digest", v.digest},
                          {"configVersion", v.config_version},
                          {"firstServedAt", v.first_served_at},
                          {"noticeSha256", v.notice_sha256},
                          {"partnerListSha256", v.partner_list_sha256},
                          {"config", Json::parse(v.canonical_config, nullptr, false)},
                          {"notices", notices},
                          {"partnerList", Json::parse(v.partner_list, nullptr, false)}};
        std::cout << out.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
      }
      exit_code = kOk;
    });
  }
  {
    auto* append = ledger->add_subcommand(
        "append",
        "Verify, countersign and store a receipt made off the web (cachet issue ... | cachet ledger append -).");
    auto db = std::make_shared<std::string>("./cachet.db");
    auto key = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>("-");
    auto method = std::make_shared<std::string>();
    auto config_file = std::make_shared<std::string>();
    auto publication = std::make_shared<PublicationArgs>();
    append->add_option("FILE", *file, "Receipt (JWS JSON); - for stdin")->capture_default_str();
    append->add_option("--config", *config_file,
                       "The config the receipt was collected under: published in the ledger (once) and taken as "
                       "the current version; default: the version published last");
    add_publication_options(append, *publication);
    append->add_option("--db", *db, "Ledger file (created when missing) or postgresql:// URL")->capture_default_str();
    append->add_option("--key", *key, "Controller private key (JWK) that countersigns")->required();
    append->add_option("--method", *method, "Refuse receipts not collected this way");
    append->callback([db, key, file, method, config_file, publication, &exit_code] {
      if (!read_publication_args(*publication)) {
        exit_code = kUsage;
        return;
      }
      const auto crypto = make_openssl_crypto();
      const auto text = read_named(*file, "the receipt");
      if (!text) {
        exit_code = kUsage;
        return;
      }
      const auto jwk = load_or_create_key(*key, false, *crypto);
      if (!jwk) {
        exit_code = kUsage;
        return;
      }
      auto store = ledger::open_store(*db);
      if (!store.ok()) {
        print_problems(store.problems());
        exit_code = kUsage;
        return;
      }
      // Off-web receipts pass the same check as the server's (publication.h):
      // they match a published config version this ledger still accepts.
      const std::int64_t now = calendar::now_unix();
      std::string current_digest;
      if (!config_file->empty()) {
        const auto config_text = read_named(*config_file, "the config");
        if (!config_text) {
          exit_code = kUsage;
          return;
        }
        Result<Config> config = load_config(*config_text);
        Result<PublishedVersion> version =
            config.ok() ? published_version(config.value(), *crypto) : Result<PublishedVersion>(config.problems());
        Result<PublishedVersion> stored = version.ok()
                                              ? store.value()->publish(version.value(), calendar::format_rfc3339(now))
                                              : Result<PublishedVersion>(version.problems());
        if (!stored.ok()) {
          std::cerr << "error: the config " << *config_file << " cannot be published.\n";
          print_problems(stored.problems());
          exit_code = exit_code_for(problem_kind(stored.problems()));
          return;
        }
        current_digest = stored.value().digest;
      }
      auto published = store.value()->published_versions();
      if (!published.ok()) {
        print_problems(published.problems());
        exit_code = kUsage;
        return;
      }
      if (current_digest.empty() && !published.value().empty()) current_digest = published.value().back().digest;
      const std::vector<PublishedVersion> versions =
          accepted_versions(published.value(), current_digest, now, now, publication->grace_seconds);
      ledger::AcceptOptions options;
      options.controller_key = *jwk;
      options.expected_method = *method;
      options.accepted_versions = &versions;
      options.max_skew_seconds = publication->skew_seconds;
      auto accepted = ledger::accept_receipt(*store.value(), *crypto, *text, options);
      if (!accepted.ok()) {
        print_problems(accepted.problems());
        exit_code = exit_code_for(problem_kind(accepted.problems()));
        return;
      }
      std::cout << accepted.value().jws.dump() << "\n";
      std::cerr << (accepted.value().status == ledger::AppendStatus::kDuplicate ? "Already stored: " : "Stored: ")
                << accepted.value().stored.receipt_id << " (log entry #" << accepted.value().stored.seq << ").\n";
      exit_code = kOk;
    });
  }
}

}  // namespace

std::unique_ptr<ConsentStore> open_existing(const std::string& db, int& exit_code) {
  // A PostgreSQL ledger is reached, not found: open_store says when it cannot be.
  if (!ledger::is_postgres_url(db) && !exists(db)) {
    print_problems({Problem{"ledger_io", "--db",
                            "No ledger at " + db + " (start `cachet serve --db " + db + "` to create one)."}});
    exit_code = kUsage;
    return nullptr;
  }
  auto store = ledger::open_store(db);
  if (!store.ok()) {
    print_problems(store.problems());
    exit_code = kUsage;
    return nullptr;
  }
  return std::move(store).value();
}

void add_server_commands(CLI::App& app, int& exit_code) {
  add_serve(app, exit_code);
  add_ledger(app, exit_code);
}

}  // namespace cachet::cli
