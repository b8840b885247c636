// Recording an export in the ledger's hash-chained log (an "export" event),
// so the transfer itself is provable alongside the receipts it relied on.
#include <string_view>

#include "cachet/export/export.h"

namespace cachet::exporter {

Result<std::int64_t> record_export_event(ledger::ConsentStore& store, const Json& details) {
  return store.record_event(std::string_view("export"), details);
}

}  // namespace cachet::exporter
