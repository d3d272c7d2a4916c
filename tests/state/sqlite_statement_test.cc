// SqliteStatement's binding of borrowed text (state/sqlite_statement.h):
// read where it lies when the statement runs, and not referred to at all
// once the bindings are cleared.
#include "state/sqlite_statement.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "state/sqlite_connection.h"
#include "tests/state/state_test_support.h"

namespace geoekm {
namespace {

TEST(SqliteStatement, BorrowedTextIsReadWhereItLiesAndForgottenOnceCleared) {
  state_test::TempDir dir;
  const std::string path = dir.File("t.db");
  std::ofstream(path).close();
  auto db = SqliteConnection::OpenExisting(path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a TEXT, b TEXT)", "creating").ok());
  auto insert = db->Prepare("INSERT INTO t (a, b) VALUES (?, ?)");
  ASSERT_TRUE(insert.ok()) << insert.status().ToString();

  std::string text = "first value, longer than a small string";
  insert->BindAll(SqliteStatement::Borrowed{text}, SqliteStatement::Borrowed{std::string_view()});
  // Changed in place before the run: SQLite reads the text as it is then.
  text[0] = 'F';
  ASSERT_TRUE(insert->Run().ok());
  insert->ClearBindings();
  text.assign(text.size(), 'x');  // what was bound is gone
  insert->Reset();
  ASSERT_TRUE(insert->Run().ok());  // runs again with every parameter NULL

  auto rows = db->Prepare("SELECT coalesce(a, 'NULL'), coalesce(b, 'NULL') FROM t ORDER BY rowid");
  ASSERT_TRUE(rows.ok());
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->Text(0), "First value, longer than a small string");
  EXPECT_EQ(rows->Text(1), "");  // a default view is the empty text, not NULL
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->Text(0), "NULL");
  EXPECT_EQ(rows->Text(1), "NULL");
  EXPECT_FALSE(*rows->Step());
}

}  // namespace
}  // namespace geoekm
