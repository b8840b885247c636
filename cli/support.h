// Small pieces every native command needs: files, time, ids, keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/problem.h"

namespace cachet::cli {

// Whole file (or stdin for "-"); the problem names the path and the OS reason.
Result<std::string> read_input(const std::string& path);
// Writes via a temporary file, fsync and rename, so a reader never sees half a file.
Result<bool> write_file_atomic(const std::string& path, std::string_view content, bool private_mode = false);

// A JWK from a file: a private key when `need_private`, else a public one.
Result<Json> load_jwk(const std::string& path, bool need_private);

// "error: <message>" lines on stderr for each problem ("path: message" when there is a path).
void print_problems(const Problems& problems, std::string_view prefix = "error");

}  // namespace cachet::cli
