#include "cli_files.hpp"

#include <fstream>
#include <sstream>

namespace tcpfsm::cli {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace tcpfsm::cli
