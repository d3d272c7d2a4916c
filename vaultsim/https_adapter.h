// HttpsAdapter: the thin layer between Poco's HTTPS server and vaultsim's
// request handlers: turns a Poco request into an ApiRequest, writes an
// ApiResponse back, and carries out the connection-level faults (reset
// with RST, blackhole).
//
// Thread safety: the factory and handlers are used by Poco's server threads;
// the wrapped functions must be thread-safe.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <atomic>
#include <functional>

#include "vaultsim/vault_pipeline.h"

namespace geoekm::vaultsim {

using RequestFn = std::function<PipelineResult(const ApiRequest&)>;

// `keep_holding` is polled while a request is blackholed: the connection is
// dropped (without an answer) once it returns false or the peer goes away.
Poco::Net::HTTPRequestHandlerFactory::Ptr MakeHandlerFactory(RequestFn handle, std::function<bool()> keep_holding);

}  // namespace geoekm::vaultsim
