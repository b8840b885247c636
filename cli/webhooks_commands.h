// The webhook options `cachet serve` and `cachet webhooks deliver` share
// (webhooks_commands.cpp; docs/webhooks.md, "Configuration").
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cachet/crypto.h"
#include "cachet/server/webhooks.h"

namespace cachet::cli {

struct WebhookArgs {
  std::vector<std::string> urls;  // --webhook (repeatable)
  std::string secret_file;        // --webhook-secret-file
  std::string file;               // --webhooks FILE.json
  std::string retry_base = "5s";
  std::string retry_cap = "6h";
  int max_attempts = 20;
  int timeout_seconds = 15;
  std::string poll = "1s";  // serve only
};

// Adds --webhook, --webhook-secret-file, --webhooks, --webhook-retry-base,
// --webhook-retry-cap, --webhook-max-attempts, --webhook-timeout (and, for
// serve, --webhook-poll).
void add_webhook_options(CLI::App* command, WebhookArgs& args, bool serve);
// The endpoints and policy; no endpoints when none is configured. nullopt
// after saying what is wrong on stderr (a usage error).
std::optional<server::WebhookOptions> read_webhook_args(const WebhookArgs& args);

// cachet webhooks deliver|status|retry|secret|events
void add_webhooks_commands(CLI::App& app, int& exit_code);

}  // namespace cachet::cli
