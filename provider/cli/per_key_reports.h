// PerKeyReports: how a read-only replication check (geoekm check,
// geoekm verify-history) runs over several key names and reports them —
// one report per key, human text one after another, and for --json the
// report's own object when one key was checked, or
// {"command": ..., "ok": all fine, "keys": [report, ...]} for several.
// Exit codes (cli_command.h): 2 when a key's check refused its arguments,
// 3 when some key could not be checked, else 1 when some report found a
// problem, else 0. Every key is checked even after one fails, so the
// operator sees all of them at once.
//
// Thread safety: a function; the callbacks run on the calling thread.
#pragma once

#include <Poco/JSON/Array.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "core/result.h"
#include "provider/cli/cli_command.h"
#include "provider/cli/json_output.h"

namespace geoekm::cli {

template <typename Report>
struct PerKeyReport {
  std::function<Result<Report>(const std::string& key_name)> run;
  std::function<bool(const Report&)> ok;
  std::function<void(const Report&, std::ostream&)> print_human;
  std::function<Poco::JSON::Object::Ptr(const Report&)> to_json;
};

template <typename Report>
int RunPerKeyReports(const std::string& command, const std::vector<std::string>& key_names, bool json,
                     const PerKeyReport<Report>& how, std::ostream& out, std::ostream& err) {
  bool could_not_run = false, problem = false;
  Poco::JSON::Array::Ptr docs = new Poco::JSON::Array;
  for (std::size_t i = 0; i < key_names.size(); ++i) {
    Result<Report> report = how.run(key_names[i]);
    if (!report.ok()) {
      if (report.status().error_class() == ErrorClass::kInvalidInput) {
        err << "geoekm " << command << ": " << report.status().message() << "\n";
        return kExitUsage;
      }
      err << "geoekm " << command << ": could not run for key '" << key_names[i]
          << "': " << report.status().ToString() << "\n";
      could_not_run = true;
      continue;
    }
    problem = problem || !how.ok(*report);
    if (json) {
      docs->add(how.to_json(*report));
    } else {
      if (i > 0) out << "\n";
      how.print_human(*report, out);
    }
  }
  if (json && key_names.size() == 1 && docs->size() == 1) {
    PrintJson(docs->getObject(0), out);
  } else if (json) {
    Poco::JSON::Object::Ptr doc = JsonObject();
    doc->set("command", command);
    doc->set("ok", !could_not_run && !problem);
    doc->set("keys", docs);
    PrintJson(doc, out);
  }
  if (could_not_run) return kExitCouldNotRun;
  return problem ? kExitProblem : kExitOk;
}

}  // namespace geoekm::cli
