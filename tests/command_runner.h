// Running the real `ecoute` binary from a test: its exit code, standard output and error.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>

namespace ecoute::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `<binary> <args>` through the shell (so `args` may quote), standard input from
// `stdin_file`, outputs captured through files in `dir`.
inline CommandResult RunCommand(const std::string& binary, const std::string& args,
                                const std::filesystem::path& dir,
                                const std::string& stdin_file = "/dev/null") {
  const std::filesystem::path out = dir / "stdout";
  const std::filesystem::path err = dir / "stderr";
  const std::string command =
      binary + " " + args + " <" + stdin_file + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(command.c_str());
  CommandResult run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = Slurp(out);
  run.err = Slurp(err);
  return run;
}

}  // namespace ecoute::testing
