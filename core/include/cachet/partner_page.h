// The partner page (R3, R7): the complete, up-to-date list of a config's
// partners as an accessible HTML page, in French or English: each partner's
// name, sector, the channels it receives, its privacy policy and, when the
// config gives one, its contact. cachet serve answers it at /partenaires and
// /partners; `cachet partners-page` writes it as a static file. Native only.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cachet/config.h"
#include "cachet/problem.h"

namespace cachet {

struct PartnerPageOptions {
  // "YYYY-MM-DD" (or an RFC 3339 time): when the current list was first
  // published. Never typed by hand: cachet serve derives it from the ledger
  // (partner_list_since in publication.h), the static command from an option
  // or the config's version. Empty: the page shows no date.
  std::string updated_at;
  std::string stylesheet_href;  // empty: none (the page reads well without one)
  // The same page in other languages: {locale, href}, shown as links.
  std::vector<std::pair<std::string, std::string>> alternates;
};

// The page in `locale` (a supported locale, else the problem
// notice_locale_unsupported). Every config text is HTML-escaped; links are
// the config's https URLs (lint refuses any other scheme).
[[nodiscard]] Result<std::string> render_partner_page(const Config& config, std::string_view locale,
                                                      const PartnerPageOptions& options);

// The date to show for a static page: `given` when it is a date, else the
// config version when that is one, else empty.
std::string partner_page_date(const Config& config, std::string_view given);

}  // namespace cachet
