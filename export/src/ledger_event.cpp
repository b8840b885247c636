// Recording an export in the ledger's hash-chained log.
//
// ConsentStore (server/, owned by the server engineer) has no log-entry kind
// for exports yet. The method asked for is
//   Result<std::int64_t> record_event(std::string_view kind, const Json& details);
// appending a hash-chained entry {"kind": kind, "seq", "at", "details"}. This
// file detects it at compile time, so the export starts recording as soon as
// the method lands, with no edit here.
#include <string_view>
#include <type_traits>
#include <utility>

#include "cachet/export/export.h"

namespace cachet::exporter {
namespace {

template <typename Store, typename = void>
struct HasRecordEvent : std::false_type {};
template <typename Store>
struct HasRecordEvent<Store, std::void_t<decltype(std::declval<Store&>().record_event(
                                 std::declval<std::string_view>(), std::declval<const Json&>()))>> : std::true_type {};

template <typename Store>
Result<std::int64_t> record(Store& store, const Json& details) {
  if constexpr (HasRecordEvent<Store>::value) {
    auto result = store.record_event(std::string_view("export"), details);
    if (!result.ok()) return result.problems();
    return static_cast<std::int64_t>(result.value());
  } else {
    (void)store;
    (void)details;
    return Problem{"ledger_event_unsupported", "",
                   "This ledger cannot record export events yet (ConsentStore::record_event is missing); the "
                   "export is documented in report.json only."};
  }
}

}  // namespace

Result<std::int64_t> record_export_event(server::ConsentStore& store, const Json& details) {
  return record(store, details);
}

}  // namespace cachet::exporter
