// Fuzz target: configuration text, as a website owner (or an attacker who
// controls a config URL) could write it. lint_config must never crash, hang or
// throw, and whatever passes lint must load and render a notice in every
// supported locale (the widget does exactly that with it).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cachet/config.h"
#include "cachet/notice.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const cachet::LintReport report = cachet::lint_config(text);
  // What `cachet lint --format json` prints: messages quote config strings, so
  // this also proves every message is valid UTF-8 (dump() throws otherwise).
  const std::string printed = report.to_json().dump();
  CACHET_FUZZ_CHECK(!printed.empty(), "lint report serialises");
  for (const cachet::Problem& problem : report.errors) {
    CACHET_FUZZ_CHECK(!problem.code.empty() && !problem.message.empty(), "every error has a code and a message");
    CACHET_FUZZ_CHECK(problem.path.empty() || problem.path.front() == '/', "paths are JSON Pointers");
  }

  const cachet::Result<cachet::Config> config = cachet::load_config(text, "fr");
  CACHET_FUZZ_CHECK(config.ok() == report.ok(), "load_config accepts exactly what lint_config accepts");
  if (!config.ok()) return 0;

  for (const std::string& locale : cachet::supported_locales()) {
    const cachet::Result<cachet::Notice> notice = cachet::build_notice(config.value(), locale);
    CACHET_FUZZ_CHECK(notice.ok(), "a config that passes lint has a notice in every supported locale");
    CACHET_FUZZ_CHECK(!cachet::canonical_notice(notice.value()).empty(), "canonical notice");
    (void)notice.value().to_json().dump();
  }
  CACHET_FUZZ_CHECK(!cachet::canonical_partner_list(config.value()).empty(), "canonical partner list");
  return 0;
}
