// RunGeoekm: runs the built geoekm executable (GEOEKM_BINARY) as a user
// would and collects its exit code, stdout and stderr.
//
// Thread safety: each call is independent.
#pragma once

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <string>
#include <thread>
#include <vector>

namespace geoekm::testing {

struct ProcessRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline ProcessRun RunGeoekm(const std::vector<std::string>& args) {
  Poco::Pipe out_pipe;
  Poco::Pipe err_pipe;
  Poco::ProcessHandle handle = Poco::Process::launch(GEOEKM_BINARY, args, nullptr, &out_pipe, &err_pipe);
  ProcessRun run;
  // Drain stderr on its own thread so neither pipe can fill up and block.
  std::thread err_reader([&] {
    Poco::PipeInputStream err(err_pipe);
    Poco::StreamCopier::copyToString(err, run.err);
  });
  Poco::PipeInputStream out(out_pipe);
  Poco::StreamCopier::copyToString(out, run.out);
  err_reader.join();
  run.exit_code = handle.wait();
  return run;
}

}  // namespace geoekm::testing
