// Every fenced block in README.md is either run or marked as not runnable,
// so the README cannot drift from what geoekm accepts:
//   ```ini / ```json  written to a file; `geoekm config check` must accept it.
//                     Absolute paths in values are moved under a temporary
//                     directory (nothing else is changed), and the files a
//                     configuration reads (ca_bundle, *_file except log_file)
//                     are created there, private, with placeholder content.
//   ```sh             each command (after `\` continuations and `# comments`)
//                     must be a `geoekm ...` command and exit 0; an absolute
//                     .ini/.json path argument becomes the README's first
//                     block of that syntax (prepared as above).
//   anything else     must be marked, on the last non-blank line above the
//                     fence, with <!-- snippet: output: what it shows --> or
//                     <!-- snippet: not-run: why -->; a marked block is not run.
//   <!-- snippet: fragment: what it shows --> above an ```ini block: the
//                     block's sections and keys are merged into the first
//                     ```ini block (a key given in both takes the fragment's
//                     value), and the result must pass `geoekm config check`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "tests/config/temp_config_dir.h"
#include "tests/provider/geoekm_process.h"

namespace geoekm::testing {
namespace {

struct Snippet {
  int line = 0;          // of the opening fence
  std::string language;  // "ini", "json", "sh", "" ...
  std::string text;
  std::string marker;  // "not-run" / "output", or empty
  std::string reason;
};

std::string Where(const Snippet& s) { return "README.md:" + std::to_string(s.line); }

struct ParsedReadme {
  std::vector<Snippet> snippets;
  std::vector<std::string> problems;  // markers without a block, unclosed fences
};

ParsedReadme ParseReadme(const std::string& path) {
  static const std::regex kMarker(R"(^\s*<!--\s*snippet:\s*(not-run|output|fragment):\s*(.*?)\s*-->\s*$)");
  ParsedReadme out;
  std::ifstream in(path);
  std::string line;
  std::string previous;  // last non-blank line outside blocks
  int number = 0;
  int previous_number = 0;
  std::optional<Snippet> open;
  while (std::getline(in, line)) {
    ++number;
    if (open) {
      if (line.rfind("```", 0) == 0) {
        out.snippets.push_back(*open);
        open.reset();
      } else {
        open->text += line + "\n";
      }
      continue;
    }
    std::smatch marker;
    const bool previous_is_marker = std::regex_match(previous, marker, kMarker);
    if (line.rfind("```", 0) == 0) {
      open = Snippet{number, line.substr(3), "", "", ""};
      if (previous_is_marker) {
        open->marker = marker[1];
        open->reason = marker[2];
      }
    } else if (line.find_first_not_of(" \t") == std::string::npos) {
      continue;
    } else if (previous_is_marker) {
      out.problems.push_back("README.md:" + std::to_string(previous_number) +
                             ": a snippet marker must be the last line before a ``` block");
    }
    previous = line;
    previous_number = number;
  }
  if (open) out.problems.push_back(Where(*open) + ": ``` block is never closed");
  return out;
}

bool IsReadByTheConfiguration(const std::string& key) {
  return key == "ca_bundle" || (key.size() > 5 && key.compare(key.size() - 5, 5, "_file") == 0 && key != "log_file");
}

// The configuration with absolute paths moved under `root`, and the files
// it reads created there.
std::string Prepared(const std::string& config, const std::filesystem::path& root) {
  // key = /path (INI) or "key": "/path" (JSON); "https://..." is not a path.
  static const std::regex kPathValue(R"re(("?)([A-Za-z_]+)("?\s*[=:]\s*"?)(/[^/\s";#,}\]][^\s";#,}\]]*))re");
  std::string out;
  auto last = config.cbegin();
  for (std::sregex_iterator it(config.begin(), config.end(), kPathValue), end; it != end; ++it) {
    const std::smatch& m = *it;
    const std::filesystem::path moved = root / std::string(m[4]).substr(1);
    out.append(last, m[0].first);
    out += std::string(m[1]) + std::string(m[2]) + std::string(m[3]) + moved.string();
    last = m[0].second;
    if (IsReadByTheConfiguration(m[2])) {
      std::filesystem::create_directories(moved.parent_path());
      std::ofstream(moved) << "placeholder\n";
      std::filesystem::permissions(moved, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
  }
  out.append(last, config.cend());
  return out;
}

std::string Trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// An INI text as its sections in order ("" holds what precedes the first
// header), each with its lines.
using IniSections = std::vector<std::pair<std::string, std::vector<std::string>>>;

IniSections SplitIni(const std::string& text) {
  IniSections sections{{"", {}}};
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const std::string trimmed = Trimmed(line);
    if (!trimmed.empty() && trimmed[0] == '[') {
      sections.push_back({trimmed.substr(1, trimmed.find(']') - 1), {line}});
    } else {
      sections.back().second.push_back(line);
    }
  }
  return sections;
}

// The key of a `key = value` line, or "" for headers, comments and blanks.
std::string KeyOf(const std::string& line) {
  const std::string trimmed = Trimmed(line);
  if (trimmed.empty() || trimmed[0] == ';' || trimmed[0] == '#' || trimmed[0] == '[') return "";
  const auto equals = trimmed.find('=');
  return equals == std::string::npos ? "" : Trimmed(trimmed.substr(0, equals));
}

// `fragment` merged into `base`: its keys replace or join those of the same
// section; sections the base lacks are appended.
std::string MergedIni(const std::string& base, const std::string& fragment) {
  IniSections merged = SplitIni(base);
  for (const auto& [name, lines] : SplitIni(fragment)) {
    auto section = std::find_if(merged.begin(), merged.end(), [&](const auto& s) { return s.first == name; });
    if (section == merged.end()) {
      merged.push_back({name, lines});
      continue;
    }
    for (const std::string& line : lines) {
      const std::string key = KeyOf(line);
      if (key.empty()) continue;  // the header is already there; comments are not needed
      auto& existing = section->second;
      existing.erase(std::remove_if(existing.begin(), existing.end(),
                                    [&](const std::string& l) { return KeyOf(l) == key; }),
                     existing.end());
      existing.push_back(line);
    }
  }
  std::string out;
  for (const auto& [name, lines] : merged) {
    for (const std::string& line : lines) out += line + "\n";
  }
  return out;
}

// The command lines of an sh block: continuations joined, comments and
// blank lines dropped, split into words (single and double quotes).
std::vector<std::vector<std::string>> Commands(const std::string& text) {
  std::string joined;
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\\') {
      joined += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    lines.push_back(joined + line);
    joined.clear();
  }
  std::vector<std::vector<std::string>> commands;
  for (const std::string& line : lines) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (char c : line) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word += c;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        in_word = true;
      } else if (c == ' ' || c == '\t') {
        if (in_word) words.push_back(word);
        word.clear();
        in_word = false;
      } else if (c == '#' && !in_word) {
        break;
      } else {
        word += c;
        in_word = true;
      }
    }
    if (in_word) words.push_back(word);
    if (!words.empty()) commands.push_back(words);
  }
  return commands;
}

class ReadmeSnippetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ParsedReadme parsed = ParseReadme(GEOEKM_README);
    snippets_ = parsed.snippets;
    for (const std::string& problem : parsed.problems) ADD_FAILURE() << problem;
    ASSERT_GE(snippets_.size(), 5u) << "README.md not found or not parsed";
  }

  // Writes a configuration block (a fragment: merged into the first INI
  // block) as a file of its syntax; returns its path.
  std::string WriteConfig(const Snippet& s) {
    std::string text = s.text;
    if (s.marker == "fragment") {
      const Snippet* base = FirstUnmarked("ini");
      text = MergedIni(base != nullptr ? base->text : "", s.text);
    }
    const std::filesystem::path root = dir_.path() / ("README-" + std::to_string(s.line));
    return dir_.Write("README-" + std::to_string(s.line) + "." + s.language, Prepared(text, root));
  }

  const Snippet* FirstUnmarked(const std::string& language) const {
    for (const Snippet& s : snippets_) {
      if (s.language == language && s.marker.empty()) return &s;
    }
    return nullptr;
  }

  // The first unmarked block of `language`, prepared, as a file.
  std::optional<std::string> FirstExample(const std::string& language) {
    const Snippet* example = FirstUnmarked(language);
    if (example == nullptr) return std::nullopt;
    return WriteConfig(*example);
  }

  std::vector<Snippet> snippets_;
  TempConfigDir dir_;
};

TEST_F(ReadmeSnippetsTest, EveryBlockIsRunnableOrMarkedWithAReason) {
  for (const Snippet& s : snippets_) {
    SCOPED_TRACE(Where(s));
    if (s.marker == "fragment") {
      EXPECT_EQ(s.language, "ini") << "only ```ini blocks can be fragments";
    }
    if (!s.marker.empty()) {
      EXPECT_FALSE(s.reason.empty()) << "a snippet marker needs a reason";
      continue;
    }
    EXPECT_THAT(s.language, ::testing::AnyOf("ini", "json", "sh"))
        << Where(s) << ": a ```" << s.language
        << " block is not run; mark it <!-- snippet: output: what it shows --> or <!-- snippet: not-run: why -->";
  }
}

TEST_F(ReadmeSnippetsTest, ConfigurationBlocksPassConfigCheck) {
  int checked = 0;
  for (const Snippet& s : snippets_) {
    const bool fragment = s.marker == "fragment" && s.language == "ini";
    if ((!s.marker.empty() && !fragment) || (s.language != "ini" && s.language != "json")) continue;
    SCOPED_TRACE(Where(s));
    ProcessRun run = RunGeoekm({"config", "check", WriteConfig(s)});
    EXPECT_EQ(run.exit_code, 0) << Where(s) << ": ```" << s.language << " block rejected:\n" << run.err;
    EXPECT_THAT(run.out, ::testing::HasSubstr(": valid"));
    ++checked;
  }
  EXPECT_GE(checked, 3);  // the minimal INI, the INI example and the JSON example
}

TEST_F(ReadmeSnippetsTest, ShellBlocksRunAsShown) {
  int ran = 0;
  for (const Snippet& s : snippets_) {
    if (!s.marker.empty() || s.language != "sh") continue;
    for (std::vector<std::string> command : Commands(s.text)) {
      SCOPED_TRACE(Where(s) + ": " + command.front());
      if (command.front() != "geoekm") {
        ADD_FAILURE() << Where(s) << ": only geoekm commands can run here; mark the block "
                      << "<!-- snippet: not-run: why -->";
        continue;
      }
      command.erase(command.begin());
      for (std::string& arg : command) {
        const std::string extension = std::filesystem::path(arg).extension().string();
        if (arg.rfind('/', 0) == 0 && (extension == ".ini" || extension == ".json")) {
          std::optional<std::string> example = FirstExample(extension.substr(1));
          ASSERT_TRUE(example) << "no ```" << extension.substr(1) << " example to stand for " << arg;
          arg = *example;
        }
      }
      ProcessRun run = RunGeoekm(command);
      EXPECT_EQ(run.exit_code, 0) << run.err;
      EXPECT_FALSE(run.out.empty());
      ++ran;
    }
  }
  EXPECT_GE(ran, 1);
}

}  // namespace
}  // namespace geoekm::testing
