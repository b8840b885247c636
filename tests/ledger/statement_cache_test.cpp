// The ledger's prepared-statement cache (ledger/src/sqlite_statement.h): a
// statement comes back reset, with its bindings cleared, so no use sees the
// previous one's rows or values and no SELECT keeps a read transaction open;
// a nested use of the same SQL gets a statement of its own.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "sqlite_statement.h"

namespace cachet::ledger::sqlite {
namespace {

class StatementCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_TRUE(exec(db_, "CREATE TABLE t(k INTEGER, v TEXT); INSERT INTO t VALUES (1, 'a'), (1, 'b'), (2, 'c')"));
  }
  void TearDown() override {
    cache_.reset();
    sqlite3_close(db_);
  }
  // Statements of the connection that are stepping (would hold a read transaction).
  int busy_statements() const {
    int busy = 0;
    for (sqlite3_stmt* st = sqlite3_next_stmt(db_, nullptr); st != nullptr; st = sqlite3_next_stmt(db_, st)) {
      busy += sqlite3_stmt_busy(st) != 0 ? 1 : 0;
    }
    return busy;
  }
  sqlite3* db_ = nullptr;
  std::unique_ptr<StatementCache> cache_;
};

constexpr const char* kByKey = "SELECT v FROM t WHERE k = ?1 ORDER BY v";
constexpr const char* kCountNull = "SELECT count(*) FROM t WHERE ?1 IS NULL";

TEST_F(StatementCacheTest, AStatementLeftMidwayComesBackResetAndUnbound) {
  cache_ = std::make_unique<StatementCache>(db_);
  {
    Stmt st(*cache_, kByKey);
    ASSERT_TRUE(st.ok());
    st.bind(1, std::int64_t{1});
    ASSERT_EQ(st.step(), SQLITE_ROW);
    EXPECT_EQ(st.text(0), "a");
    EXPECT_EQ(busy_statements(), 1);
  }  // given back after one row of two
  EXPECT_EQ(busy_statements(), 0) << "a cached SELECT must not keep its read transaction";
  EXPECT_EQ(cache_->size(), 1u);
  {
    Stmt st(*cache_, kByKey);
    st.bind(1, std::int64_t{2});
    ASSERT_EQ(st.step(), SQLITE_ROW);
    EXPECT_EQ(st.text(0), "c") << "the first row for the new binding, not the old cursor's next";
    EXPECT_EQ(st.step(), SQLITE_DONE);
  }
  {
    // Not bound this time: ?1 must be NULL again, not the 2 bound before.
    Stmt st(*cache_, kByKey);
    EXPECT_EQ(st.step(), SQLITE_DONE);
  }
  {
    Stmt st(*cache_, kCountNull);
    st.bind(1, std::int64_t{7});
    ASSERT_EQ(st.step(), SQLITE_ROW);
    EXPECT_EQ(st.int64(0), 0);
  }
  {
    Stmt st(*cache_, kCountNull);
    ASSERT_EQ(st.step(), SQLITE_ROW);
    EXPECT_EQ(st.int64(0), 3) << "the binding of the previous use was cleared";
  }
  EXPECT_EQ(cache_->size(), 2u) << "each SQL text prepared once";
}

TEST_F(StatementCacheTest, ANestedUseOfTheSameSqlGetsItsOwnStatement) {
  cache_ = std::make_unique<StatementCache>(db_);
  Stmt outer(*cache_, kByKey);
  outer.bind(1, std::int64_t{1});
  ASSERT_EQ(outer.step(), SQLITE_ROW);
  {
    Stmt inner(*cache_, kByKey);
    ASSERT_TRUE(inner.ok());
    inner.bind(1, std::int64_t{2});
    ASSERT_EQ(inner.step(), SQLITE_ROW);
    EXPECT_EQ(inner.text(0), "c");
  }
  // The outer cursor was not disturbed by the inner use.
  ASSERT_EQ(outer.step(), SQLITE_ROW);
  EXPECT_EQ(outer.text(0), "b");
  EXPECT_EQ(cache_->size(), 1u);
}

TEST_F(StatementCacheTest, SqlThatDoesNotPrepareIsNotCached) {
  cache_ = std::make_unique<StatementCache>(db_);
  Stmt st(*cache_, "SELECT nope FROM missing");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.step(), SQLITE_ERROR);
  EXPECT_EQ(cache_->size(), 0u);
  EXPECT_TRUE(exec(*cache_, "INSERT INTO t VALUES (3, 'd')"));
  EXPECT_FALSE(exec(*cache_, "INSERT INTO missing VALUES (1)"));
}

}  // namespace
}  // namespace cachet::ledger::sqlite
