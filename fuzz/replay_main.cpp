// Runs a fuzz target's entry point once over each file given (or each file of
// each folder given, sorted by name), for builds without libFuzzer: this is how
// the committed corpora and crash regressions stay tested under gcc (ctest
// fuzz_replay.*). A crash, sanitizer report or failed property aborts, which
// fails the test; a path that does not exist fails it too, so a renamed folder
// cannot silently turn the test into one that always passes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool run_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Named first, so that a crash report says which input caused it.
  std::fprintf(stderr, "replay: %s\n", path.c_str());
  // A copy in its own allocation, as libFuzzer does, so ASan sees reads past the end.
  const std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(data.data(), data.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code error;
    if (fs::is_directory(arg, error)) {
      std::vector<fs::path> files;
      for (const fs::directory_entry& entry : fs::directory_iterator(arg)) {
        // Dot files (.gitkeep) only keep empty folders in git.
        if (entry.is_regular_file() && entry.path().filename().string().front() != '.') files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const fs::path& file : files) {
        if (!run_file(file)) return 2;
        ++runs;
      }
    } else if (fs::is_regular_file(arg, error)) {
      if (!run_file(arg)) return 2;
      ++runs;
    } else {
      std::fprintf(stderr, "replay: no such file or folder: %s\n", argv[i]);
      return 2;
    }
  }
  std::printf("replay: %zu input(s) ran without a crash\n", runs);
  return 0;
}
