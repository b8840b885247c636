// `cachet webhooks ...` and the webhook options of `cachet serve`
// (docs/webhooks.md): signed consent events from the ledger's outbox.
#include "webhooks_commands.h"

#include <iostream>
#include <memory>
#include <string>

#include "cachet/calendar.h"
#include "cachet/ledger/store.h"
#include "cachet/ledger/webhooks.h"
#include "cachet/openssl_crypto.h"
#include "command.h"
#include "ledger_open.h"
#include "support.h"

namespace cachet::cli {
namespace {

// "250ms", "5s", "10m", "6h", "2d", or whole seconds; nullopt when unreadable.
std::optional<std::int64_t> parse_ms(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 9) return std::nullopt;
  const std::int64_t n = std::stoll(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  if (unit == "ms") return n;
  if (unit.empty() || unit == "s") return n * 1000;
  if (unit == "m") return n * 60000;
  if (unit == "h") return n * 3600000;
  if (unit == "d") return n * 86400000;
  return std::nullopt;
}

std::int64_t now_ms() { return calendar::now_unix() * 1000; }

}  // namespace

void add_webhook_options(CLI::App* command, WebhookArgs& args, bool serve) {
  auto* url = command->add_option("--webhook", args.urls,
                                  "POST each consent event, signed (Standard Webhooks), to this http(s) URL "
                                  "(repeatable; docs/webhooks.md)");
  auto* secret = command->add_option("--webhook-secret-file", args.secret_file,
                                     "File holding the signing secret(s) of the --webhook URLs, whsec_... one per "
                                     "line, current first");
  command
      ->add_option("--webhooks", args.file,
                   "JSON file of endpoints, each with its own secret and event types: {\"endpoints\": [{\"url\", "
                   "\"secretFile\", \"events\"}]}")
      ->excludes(url)
      ->excludes(secret);
  command
      ->add_option("--webhook-retry-base", args.retry_base,
                   "Delay after a first failed attempt, doubled after each next one (250ms, 5s, 1m)")
      ->capture_default_str();
  command->add_option("--webhook-retry-cap", args.retry_cap, "Longest delay between two attempts")
      ->capture_default_str();
  command->add_option("--webhook-max-attempts", args.max_attempts, "Attempts before a delivery is marked failed")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command->add_option("--webhook-timeout", args.timeout_seconds, "Seconds an endpoint has to answer")
      ->check(CLI::Range(1, 300))
      ->capture_default_str();
  if (serve) {
    command->add_option("--webhook-poll", args.poll, "How often the outbox is looked at (250ms, 1s)")
        ->capture_default_str();
  }
}

std::optional<server::WebhookOptions> read_webhook_args(const WebhookArgs& args) {
  server::WebhookOptions options;
  const auto base = parse_ms(args.retry_base);
  const auto cap = parse_ms(args.retry_cap);
  const auto poll = parse_ms(args.poll);
  if (!base || *base < 1 || !cap || *cap < *base || !poll || *poll < 10) {
    std::cerr << "error: --webhook-retry-base, --webhook-retry-cap and --webhook-poll take a number with ms, s, m, "
                 "h or d (250ms, 5s, 6h); the cap must not be shorter than the base, the poll at least 10ms.\n";
    return std::nullopt;
  }
  options.policy.base_ms = *base;
  options.policy.cap_ms = *cap;
  options.policy.max_attempts = args.max_attempts;
  options.timeout_seconds = args.timeout_seconds;
  // A claimed delivery is not claimed again while its request may still run.
  options.policy.lease_ms = std::int64_t{2} * args.timeout_seconds * 1000 + 5000;
  options.poll_ms = *poll;
  if (!args.file.empty()) {
    Result<std::string> text = read_input(args.file);
    if (!text.ok()) {
      print_problems(text.problems());
      return std::nullopt;
    }
    auto endpoints = server::load_webhook_endpoints(text.value(), args.file);
    if (!endpoints.ok()) {
      print_problems(endpoints.problems());
      return std::nullopt;
    }
    options.endpoints = endpoints.value();
    return options;
  }
  if (args.urls.empty()) {
    if (!args.secret_file.empty()) {
      std::cerr << "error: --webhook-secret-file is given without a --webhook URL to sign for.\n";
      return std::nullopt;
    }
    return options;
  }
  Problems problems;
  for (std::size_t i = 0; i < args.urls.size(); ++i) {
    if (auto p = server::check_webhook_url(args.urls[i], "")) problems.push_back(*p);
    for (std::size_t j = 0; j < i; ++j) {
      if (args.urls[i] == args.urls[j]) {
        problems.push_back({"webhook_bad_url", "", "The webhook " + args.urls[i] + " is given twice."});
      }
    }
  }
  if (args.secret_file.empty()) {
    problems.push_back({"webhook_bad_secret", "",
                        "--webhook needs --webhook-secret-file, a file holding the signing secret (make one with "
                        "`cachet webhooks secret > FILE`)."});
  }
  if (!problems.empty()) {
    print_problems(problems);
    return std::nullopt;
  }
  Result<std::string> text = read_input(args.secret_file);
  if (!text.ok()) {
    print_problems(text.problems());
    return std::nullopt;
  }
  auto secrets = server::parse_webhook_secrets(text.value(), args.secret_file);
  if (!secrets.ok()) {
    print_problems(secrets.problems());
    return std::nullopt;
  }
  for (const std::string& url : args.urls) options.endpoints.push_back({url, secrets.value(), {}});
  return options;
}

namespace {

// The outbox of an existing ledger, or nullptr after saying why and setting
// `exit_code`. The ledger is opened first: that migrates an older one.
std::unique_ptr<ledger::WebhookOutbox> open_outbox(const std::string& db, int& exit_code) {
  if (!open_existing(db, exit_code)) return nullptr;
  auto outbox = ledger::open_webhook_outbox(db);
  if (!outbox.ok()) {
    print_problems(outbox.problems());
    exit_code = kUsage;
    return nullptr;
  }
  return std::move(outbox).value();
}

void add_deliver(CLI::App* webhooks, int& exit_code) {
  auto* command = webhooks->add_subcommand(
      "deliver", "Send the due webhook events once and exit (from cron, where no `cachet serve --webhook` runs).");
  struct Args {
    std::string db = "./cachet.db";
    std::string format = "text";
    WebhookArgs webhook;
  };
  auto args = std::make_shared<Args>();
  command->add_option("--db", args->db, "Ledger file or postgresql:// URL")->capture_default_str();
  command->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  add_webhook_options(command, args->webhook, /*serve=*/false);
  command->callback([args, &exit_code] {
    const auto options = read_webhook_args(args->webhook);
    if (!options) {
      exit_code = kUsage;
      return;
    }
    if (options->endpoints.empty()) {
      std::cerr << "error: give the endpoints: --webhook URL --webhook-secret-file FILE, or --webhooks FILE.\n";
      exit_code = kUsage;
      return;
    }
    const auto outbox = open_outbox(args->db, exit_code);
    if (!outbox) return;
    const auto crypto = make_openssl_crypto();
    server::PassReport total;
    // Until nothing more is due now: a batch at a time.
    while (true) {
      const server::PassReport pass = server::deliver_due(*outbox, *options, *crypto, std::cerr);
      total.delivered += pass.delivered;
      total.retrying += pass.retrying;
      total.failed += pass.failed;
      total.gone += pass.gone;
      total.skipped += pass.skipped;
      if (!pass.problems.empty()) {
        print_problems(pass.problems);
        exit_code = kUsage;
        return;
      }
      const int n = pass.delivered + pass.retrying + pass.failed + pass.gone + pass.skipped;
      if (n < options->batch) break;
    }
    if (args->format == "json") {
      std::cout << Json{{"delivered", total.delivered},
                        {"retrying", total.retrying},
                        {"failed", total.failed},
                        {"gone", total.gone},
                        {"skipped", total.skipped}}
                       .dump()
                << "\n";
    } else {
      std::cout << "delivered " << total.delivered << ", to retry " << total.retrying << ", failed " << total.failed
                << ", endpoint gone " << total.gone << ", skipped " << total.skipped << "\n";
    }
    exit_code = total.retrying + total.failed + total.gone == 0 ? kOk : kBadInput;
  });
}

void add_status(CLI::App* webhooks, int& exit_code) {
  auto* command = webhooks->add_subcommand(
      "status",
      "Webhook deliveries per endpoint: pending, delivered, failed; exit 1 when some failed or an "
      "endpoint is disabled.");
  auto db = std::make_shared<std::string>("./cachet.db");
  auto format = std::make_shared<std::string>("text");
  command->add_option("--db", *db, "Ledger file or postgresql:// URL")->capture_default_str();
  command->add_option("--format", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
  command->callback([db, format, &exit_code] {
    const auto outbox = open_outbox(*db, exit_code);
    if (!outbox) return;
    auto status = outbox->status();
    if (!status.ok()) {
      print_problems(status.problems());
      exit_code = kUsage;
      return;
    }
    const ledger::OutboxStatus& s = status.value();
    bool bad = false;
    for (const auto& e : s.endpoints) bad = bad || e.failed > 0 || e.gone > 0 || !e.disabled_at.empty();
    if (*format == "json") {
      std::cout << s.to_json().dump() << "\n";
    } else {
      std::cout << s.events << " event(s) in the outbox\n";
      if (s.endpoints.empty()) std::cout << "no endpoint has been delivered to yet\n";
      for (const auto& e : s.endpoints) {
        std::cout << e.url << ": pending " << e.pending << ", delivered " << e.delivered << ", failed " << e.failed
                  << ", gone " << e.gone << ", skipped " << e.skipped;
        if (e.next_attempt_ms > 0) {
          std::cout << ", next attempt " << calendar::format_rfc3339(e.next_attempt_ms / 1000);
        }
        if (!e.disabled_at.empty()) {
          std::cout << "; DISABLED since " << e.disabled_at << " (" << e.disabled_reason << ")";
        }
        std::cout << "\n";
      }
      for (const Json& p : s.problems) {
        std::cout << "  " << p["state"].get<std::string>() << " " << p["type"].get<std::string>() << " "
                  << p["id"].get<std::string>() << " (seq " << p["seq"].get<std::int64_t>() << ") to "
                  << p["endpoint"].get<std::string>() << ": " << p["attempts"].get<std::int64_t>()
                  << " attempt(s), last: " << p["lastError"].get<std::string>() << "\n";
      }
    }
    exit_code = bad ? kBadInput : kOk;
  });
}

void add_retry(CLI::App* webhooks, int& exit_code) {
  auto* command =
      webhooks->add_subcommand("retry", "Make failed and gone deliveries pending again and re-enable their endpoints.");
  auto db = std::make_shared<std::string>("./cachet.db");
  auto endpoint = std::make_shared<std::string>();
  command->add_option("--db", *db, "Ledger file or postgresql:// URL")->capture_default_str();
  command->add_option("--endpoint", *endpoint, "Only this endpoint URL (default: every endpoint)");
  command->callback([db, endpoint, &exit_code] {
    const auto outbox = open_outbox(*db, exit_code);
    if (!outbox) return;
    auto n = outbox->retry(*endpoint, now_ms());
    if (!n.ok()) {
      print_problems(n.problems());
      exit_code = kUsage;
      return;
    }
    std::cout << n.value() << " deliver" << (n.value() == 1 ? "y" : "ies") << " pending again\n";
  });
}

void add_events(CLI::App* webhooks, int& exit_code) {
  auto* command = webhooks->add_subcommand(
      "events",
      "Every event in the outbox as JSON lines {\"seq\", \"id\", \"type\", \"body\"}: what is signed "
      "and sent.");
  auto db = std::make_shared<std::string>("./cachet.db");
  command->add_option("--db", *db, "Ledger file or postgresql:// URL")->capture_default_str();
  command->callback([db, &exit_code] {
    const auto outbox = open_outbox(*db, exit_code);
    if (!outbox) return;
    auto events = outbox->events();
    if (!events.ok()) {
      print_problems(events.problems());
      exit_code = kUsage;
      return;
    }
    for (const auto& e : events.value()) {
      std::cout << Json{{"seq", e.seq}, {"id", e.id}, {"type", e.type}, {"body", e.body}}.dump() << "\n";
    }
  });
}

}  // namespace

void add_webhooks_commands(CLI::App& app, int& exit_code) {
  auto* webhooks = app.add_subcommand("webhooks", "Signed consent webhooks: deliver, status, retry, secrets.");
  webhooks->require_subcommand(1);
  add_deliver(webhooks, exit_code);
  add_status(webhooks, exit_code);
  add_retry(webhooks, exit_code);
  add_events(webhooks, exit_code);
  auto* secret = webhooks->add_subcommand("secret", "Print a new signing secret (whsec_ + base64 of 32 random bytes).");
  secret->callback([] { std::cout << server::new_webhook_secret(*make_openssl_crypto()) << "\n"; });
}

}  // namespace cachet::cli
