// geoekm: the command-line tool. Everything but argv handling is in
// geoekm_cli (provider/cli/dispatcher.h).
#include <iostream>
#include <string>
#include <vector>

#include "provider/cli/dispatcher.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return geoekm::cli::RunCli(args, std::cout, std::cerr);
}
