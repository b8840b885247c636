#include "support.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cachet/jws.h"

namespace cachet::cli {

Result<std::string> read_input(const std::string& path) {
  if (path == "-") {
    std::ostringstream out;
    out << std::cin.rdbuf();
    return out.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Problem{"io_read", "", "Cannot read " + path + ": " + std::strerror(errno) + "."};
  }
  // In blocks: an istreambuf_iterator copies one character per call, which
  // showed up in the profile of `cachet verify` over large JSON-lines files.
  std::string content;
  char block[1 << 16];
  while (in.read(block, sizeof block) || in.gcount() > 0) content.append(block, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return Problem{"io_read", "", "Cannot read " + path + ": read error."};
  return content;
}

Result<bool> write_file_atomic(const std::string& path, std::string_view content, bool private_mode) {
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, private_mode ? 0600 : 0644);
  if (fd < 0) return Problem{"io_write", "", "Cannot write " + path + ": " + std::strerror(errno) + "."};
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(temp.c_str());
      std::string message = "Cannot write ";
      message.append(path).append(": ").append(reason).append(".");
      return Problem{"io_write", "", message};
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    return Problem{"io_write", "", "Cannot write " + path + ": " + reason + "."};
  }
  return true;
}

Result<Json> load_jwk(const std::string& path, bool need_private) {
  Result<std::string> text = read_input(path);
  if (!text.ok()) return text.problems();
  Result<Json> jwk = parse_json_strict(text.value());
  if (!jwk.ok()) {
    return Problem{"key_invalid", "", path + " is not a JSON Web Key: " + jwk.problems().front().message};
  }
  if (!jwk.value().is_object()) return Problem{"key_invalid", "", path + " is not a JSON Web Key (not an object)."};
  if (need_private && !jwk.value().contains("d")) {
    return Problem{"key_not_private", "", path + " holds a public key; a private key (with \"d\") is needed."};
  }
  return jwk;
}

void print_problems(const Problems& problems, std::string_view prefix) {
  for (const Problem& p : problems) {
    std::cerr << prefix << ": " << (p.path.empty() ? "" : p.path + ": ") << p.message << " [" << p.code << "]\n";
  }
}

}  // namespace cachet::cli
