#include "provider/runtime/log_setup.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/Exception.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/PatternFormatter.h>

#include "core/error_codes.h"

namespace geoekm {
namespace {

int PocoLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kError: return Poco::Message::PRIO_ERROR;
    case LogLevel::kWarning: return Poco::Message::PRIO_WARNING;
    case LogLevel::kInfo: return Poco::Message::PRIO_INFORMATION;
    case LogLevel::kDebug: return Poco::Message::PRIO_DEBUG;
  }
  return Poco::Message::PRIO_INFORMATION;
}

}  // namespace

Poco::Logger& EventLogger(const std::string& set_name) { return Poco::Logger::get("geoekm." + set_name); }

Status SetUpLogging(const ProviderConfig& provider) {
  Poco::AutoPtr<Poco::Channel> destination;
  if (provider.log_file.empty()) {
    destination = new Poco::ConsoleChannel;  // std::clog, i.e. stderr
  } else {
    Poco::AutoPtr<Poco::FileChannel> file(new Poco::FileChannel);
    try {
      file->setProperty(Poco::FileChannel::PROP_PATH, provider.log_file);
      file->setProperty(Poco::FileChannel::PROP_ROTATION, kLogRotation);
      file->setProperty(Poco::FileChannel::PROP_ARCHIVE, "number");
      file->setProperty(Poco::FileChannel::PROP_PURGECOUNT, kLogArchives);
      file->open();
    } catch (const Poco::Exception& e) {
      return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput,
                    "log_file '" + provider.log_file + "' cannot be opened for writing: " + e.displayText());
    }
    destination = file;
  }
  // %[set]: the message parameter EventLog sets (Poco reads "%s[" as a
  // width modifier, hence the literal program name).
  Poco::AutoPtr<Poco::PatternFormatter> format(
      new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p geoekm[%P] %[set]: %t"));
  Poco::AutoPtr<Poco::FormattingChannel> formatted(new Poco::FormattingChannel(format, destination));
  Poco::Logger& logger = EventLogger(provider.set_name);
  logger.setChannel(formatted);
  logger.setLevel(PocoLevel(provider.log_level));
  return Status::Ok();
}

}  // namespace geoekm
