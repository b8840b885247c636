// cachet build: the notice bundle of the compiled path (docs/widget.md), the
// same core function the Node API's build() runs (core/include/cachet/bundle.h).
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cachet/bundle.h"
#include "cachet/messages.h"
#include "cachet/openssl_crypto.h"
#include "command.h"
#include "support.h"

namespace cachet::cli {
namespace {

// consent.json -> consent.bundle.json, beside it.
std::string default_output(const std::string& config_path) {
  const std::string suffix = ".json";
  if (config_path.size() > suffix.size() &&
      config_path.compare(config_path.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return config_path.substr(0, config_path.size() - suffix.size()) + ".bundle.json";
  }
  return config_path + ".bundle.json";
}

}  // namespace

void add_build_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "build",
      "Write the notice bundle of a config (every locale, lint result, digests) for the widget's compiled path.");
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto locale = std::make_shared<std::string>("en");
  auto only = std::make_shared<std::vector<std::string>>();
  command->add_option("FILE", *file, "Config file (JSON), or - for stdin")->required();
  command->add_option("--out", *out, "Bundle file to write, - for stdout (default: FILE with .bundle.json)");
  command->add_option("--locale", *locale, "Language of messages when the config's own locale cannot be read")
      ->check(locale_check())
      ->capture_default_str();
  command
      ->add_option("--only", *only,
                   "Carry only this locale (repeatable; the config's default locale always comes too): a smaller "
                   "bundle for a page in one language")
      ->check(locale_check());
  command->callback([file, out, locale, only, &exit_code] {
    Result<std::string> text = read_input(*file);
    if (!text.ok()) {
      print_problems(text.problems());
      exit_code = kUsage;
      return;
    }
    const std::string target = !out->empty() ? *out : (*file == "-" ? std::string("-") : default_output(*file));
    const auto crypto = make_openssl_crypto();
    Result<std::string> bundle = build_bundle(text.value(), *crypto, *locale, *only);
    if (!bundle.ok()) {
      std::cerr << "error: " << *file << " has lint errors; only a config without any is bundled (run 'cachet lint "
                << *file << "'):\n";
      print_problems(bundle.problems());
      exit_code = kBadInput;
      return;
    }
    if (target == "-") {
      std::cout << bundle.value();
      exit_code = kOk;
      return;
    }
    if (Result<bool> written = write_file_atomic(target, bundle.value()); !written.ok()) {
      print_problems(written.problems());
      exit_code = kUsage;
      return;
    }
    std::cout << "wrote " << target << " (" << bundle.value().size() << " bytes)\n";
    exit_code = kOk;
  });
}

}  // namespace cachet::cli
