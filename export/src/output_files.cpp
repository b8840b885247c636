// The export's output files (output_files.h): partner-file writers, the
// temporary directory beside --out, and the one rename that commits it.
#include "output_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace cachet::exporter {

namespace fs = std::filesystem;

// Header of the partner-file column for each channel.
const char* output_column(Channel channel) {
  switch (channel) {
    case Channel::kPostal:
      return "postal_address";
    case Channel::kPhone:
      return "phone";
    case Channel::kEmail:
      return "email";
    case Channel::kSms:
      return "mobile";
  }
  return "";
}

// Partner ids come from the config: keep file names to a safe alphabet.
std::string file_part(std::string_view id) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (const char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' || c == '_') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

Problem io_problem(const std::string& what) {
  return Problem{"export_io", "", what + ": " + std::strerror(errno) + "."};
}

OutFile::~OutFile() {
  if (fd_ >= 0) ::close(fd_);
}

Problems OutFile::open(const std::string& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) return {io_problem("Cannot create " + path)};
  return {};
}

Problems OutFile::flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return {io_problem("Cannot write " + path_)};
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
  return {};
}

Result<std::string> OutFile::close() {
  Problems p = flush();
  if (!p.empty()) return p;
  if (::fsync(fd_) != 0) return io_problem("Cannot sync " + path_);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return io_problem("Cannot close " + path_);
  return hash_.hex();
}

Result<std::string> write_whole(const std::string& path, std::string_view content) {
  OutFile file;
  Problems p = file.open(path);
  if (p.empty()) p = file.write(content);
  if (!p.empty()) return p;
  return file.close();
}

bool sync_dir(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

TempDir::~TempDir() {
  if (!path_.empty() && !committed_) {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
}

Problems TempDir::create(const fs::path& out) {
  path_ =
      (out.parent_path() / ("." + out.filename().string() + ".cachet-export-" + std::to_string(::getpid()) + ".tmp"))
          .string();
  std::error_code ec;
  fs::remove_all(path_, ec);  // a leftover from a killed run with the same pid
  if (::mkdir(path_.c_str(), 0700) != 0) {
    const Problem p = io_problem("Cannot create the temporary directory " + path_);
    path_.clear();
    return {p};
  }
  return {};
}

Problems move_into_place(TempDir& temp, const fs::path& out) {
  if (!sync_dir(temp.path())) return {io_problem("Cannot sync " + temp.path())};

  // All files are complete: move the directory into place in one rename.
  std::error_code ec;
  std::string replaced;
  if (fs::exists(out, ec)) {
    if (fs::is_empty(out, ec)) {
      fs::remove(out, ec);
    } else {
      replaced = out.string() + ".replaced-" + std::to_string(::getpid());
      fs::rename(out, replaced, ec);
    }
    if (ec) return {Problem{"export_io", "", "Cannot replace " + out.string() + ": " + ec.message() + "."}};
  }
  fs::rename(temp.path(), out, ec);
  if (ec) {
    if (!replaced.empty()) fs::rename(replaced, out, ec);
    return {Problem{"export_io", "", "Cannot move the export into " + out.string() + "."}};
  }
  temp.commit();
  if (!replaced.empty()) fs::remove_all(replaced, ec);
  sync_dir(out.parent_path().string());
  return {};
}

}  // namespace cachet::exporter
