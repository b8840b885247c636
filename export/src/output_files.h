// The export's output files (private to export/): the temporary directory
// beside --out, the partner-file writers that hash what they write, and the
// one rename that puts the finished export in place (docs/export.md: nothing
// is left behind on failure).
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "cachet/config.h"
#include "cachet/jws.h"
#include "cachet/problem.h"

namespace cachet::exporter {

constexpr std::size_t kFlushBytes = 1 << 20;

// Header of the partner-file column for each channel.
const char* output_column(Channel channel);

// Partner ids come from the config: keep file names to a safe alphabet.
std::string file_part(std::string_view id);

// Incremental SHA-256 of a partner file (the ledger entry names each file's hash).
class Sha256Stream {
 public:
  Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ != nullptr && EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) reset();
  }
  ~Sha256Stream() { reset(); }
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view data) {
    if (ctx_ != nullptr) EVP_DigestUpdate(ctx_, data.data(), data.size());
  }
  std::string hex() {
    std::array<unsigned char, 32> digest{};
    unsigned int n = 0;
    if (ctx_ == nullptr || EVP_DigestFinal_ex(ctx_, digest.data(), &n) != 1) return "";
    return hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), n));
  }

 private:
  void reset() {
    EVP_MD_CTX_free(ctx_);
    ctx_ = nullptr;
  }
  EVP_MD_CTX* ctx_;
};

Problem io_problem(const std::string& what);

// A file written in the temporary output directory (mode 0600: personal data).
class OutFile {
 public:
  OutFile() = default;
  OutFile(const OutFile&) = delete;
  OutFile& operator=(const OutFile&) = delete;
  ~OutFile();
  Problems open(const std::string& path);
  Problems write(std::string_view data) {
    hash_.update(data);
    buffer_.append(data);
    return buffer_.size() >= kFlushBytes ? flush() : Problems{};
  }
  Problems flush();
  // Flush, fsync, close; returns the file's SHA-256.
  Result<std::string> close();

 private:
  std::string path_;
  int fd_ = -1;
  std::string buffer_;
  Sha256Stream hash_;
};

Result<std::string> write_whole(const std::string& path, std::string_view content);

bool sync_dir(const std::string& path);

// The temporary directory beside --out; removed unless committed.
class TempDir {
 public:
  ~TempDir();
  Problems create(const std::filesystem::path& out);
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void commit() { committed_ = true; }

 private:
  std::string path_;
  bool committed_ = false;
};

// The last step of an export: the temporary directory is synced and renamed
// to `out` in one step (an existing `out` is moved aside first, and removed
// once the rename is done).
Problems move_into_place(TempDir& temp, const std::filesystem::path& out);

}  // namespace cachet::exporter
