#include <fstream>
#include <sstream>
#include <stdexcept>

#include "test_crypto.h"

namespace cachet::testing {

std::string fixtures_dir() { return CACHET_FIXTURES_DIR; }

std::string read_fixture(const std::string& relative_path) {
  const std::string path = fixtures_dir() + "/" + relative_path;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read fixture " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace cachet::testing
