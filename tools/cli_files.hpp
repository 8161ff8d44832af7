#pragma once
// Reading the files the verbs are given (scripts, fuzz inputs, configurations, cases).
#include <optional>
#include <string>

namespace tcpfsm::cli {

// The whole file, bytes as they are; nothing when it cannot be opened.
std::optional<std::string> read_file(const std::string& path);

}  // namespace tcpfsm::cli
