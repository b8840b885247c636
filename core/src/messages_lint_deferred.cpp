// The widget's wasm module is built with this file instead of
// messages_lint.cpp (wasm/CMakeLists.txt): its lint still finds every
// problem, with its code and path, but carries no message texts; the message
// of a problem is then its id. The JS layer has a refused config described
// again by the verification module, which carries the whole table
// (web/core.mjs, describeRefusal).
#include "messages_table.h"

namespace cachet::detail {

TextTable lint_texts() { return {nullptr, 0}; }

}  // namespace cachet::detail
