// TextTable: the human tables of geoekm's commands — a header row and rows
// of cells, printed in columns padded to the widest cell, so every command's
// output reads alike. Cells are plain text (UTF-8 counted by code points).
//
// Thread safety: a plain value.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  // A row with fewer cells than headers is padded with empty cells.
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  // Each line starts with `indent`; columns are separated by two spaces.
  void Print(std::ostream& out, const std::string& indent = "  ") const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace geoekm::cli
