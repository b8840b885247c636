#include "helpers.h"

#include "cachet/messages.h"

namespace cachet::wasm {

std::string ui_text(const std::string& locale) {
  const std::string_view resolved = text_locale(locale);
  const Json out = {{"ok", true}, {"locale", std::string(resolved)}, {"texts", texts_with_prefix("ui.", resolved)}};
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace cachet::wasm
