// Transfers to partners and partners' notice acknowledgements in the
// PostgreSQL ledger (store.h, "transfers"; pg_store.h): the same rows and the
// same 'transfer' and 'notice-ack' entries as the SQLite ledger
// (sqlite_transfers.cpp), built by backend_rules.h, so that both chains
// hash alike. Appends hold the chain lock. verify_chain checks the rows
// against their entries through the SQLite verifier (pg_copy.cpp).
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "backend_rules.h"
#include "cachet/calendar.h"
#include "pg_store.h"
#include "records.h"

namespace cachet::ledger::pg {
namespace {

constexpr const char* kTransferColumns =
    "t.seq, t.partner_id, t.reference, t.chain_root, t.channels, t.at, t.file_sha256, t.notice_due";

void read_transfer(const Rows& rows, int i, Transfer& t) {
  t.seq = rows.int64(i, 0);
  t.partner_id = rows.text(i, 1);
  t.reference = rows.text(i, 2);
  t.chain_root = rows.text(i, 3);
  t.channels = transfer_channels_of(rows.view(i, 4));
  t.at = rows.text(i, 5);
  t.file_sha256 = rows.text(i, 6);
  t.notice_due = rows.text(i, 7);
}

// Rows written a chunk per statement (a partner file may hold a million
// rows; PostgreSQL takes at most 65535 parameters per statement).
class RowWriter {
 public:
  RowWriter(Connection& conn, std::string insert, int columns, const char* what, std::string suffix = "")
      : conn_(conn), insert_(std::move(insert)), suffix_(std::move(suffix)), columns_(columns), what_(what) {}
  // Adds one row's values (`columns` of them); flushes a full chunk.
  Problems add(std::vector<Param> row) {
    for (Param& p : row) params_.push_back(std::move(p));
    ++rows_;
    return rows_ == kChunk ? flush() : Problems{};
  }
  Problems flush() {
    if (rows_ == 0) return {};
    std::string sql = insert_ + " VALUES ";
    int n = 0;
    for (int r = 0; r < rows_; ++r) {
      sql += r == 0 ? "(" : ", (";
      for (int c = 0; c < columns_; ++c) sql += (c == 0 ? "$" : ", $") + std::to_string(++n);
      sql += ")";
    }
    sql += suffix_;
    Rows done = conn_.query(sql, params_);
    params_.clear();
    rows_ = 0;
    if (!done.ok()) return {conn_.io_problem(what_, done)};
    return {};
  }

 private:
  static constexpr int kChunk = 500;
  Connection& conn_;
  std::string insert_;
  std::string suffix_;  // e.g. an ON CONFLICT clause
  int columns_;
  const char* what_;
  std::vector<Param> params_;
  int rows_ = 0;
};

// A partner's holdings in chain-root byte order (store.h, Holding), which is
// the order "holdingsSha256" hashes them in.
Problems read_holdings(Connection& conn, std::string_view partner_id,
                       const std::function<void(const Holding&)>& visit) {
  Rows rows = conn.query(
      "SELECT chain_root, reference, channels, notice_due FROM transfer_holdings WHERE partner_id = $1 "
      "ORDER BY chain_root COLLATE \"C\"",
      {partner_id});
  if (!rows.ok()) return {conn.io_problem("read holdings", rows)};
  Holding h;
  h.partner_id = std::string(partner_id);
  for (int i = 0; i < rows.size(); ++i) {
    h.chain_root = rows.text(i, 0);
    h.reference = rows.text(i, 1);
    h.channels = channels_of_bits(static_cast<std::uint8_t>(rows.int64(i, 2)));
    h.notice_due = rows.text(i, 3);
    visit(h);
  }
  return {};
}

// One batch's rows folded per person before they reach transfer_holdings:
// an upsert statement may not touch the same row twice.
struct BatchHolding {
  std::string reference, notice_due;  // of the person's first row in the batch
  std::uint8_t channels = 0;
};

// The next free id of `table` (its rows are only written under the chain lock).
Result<std::int64_t> next_id(Connection& conn, const char* table) {
  Rows rows = conn.exec(std::string("SELECT COALESCE(max(id), 0) + 1 FROM ") + table);
  if (!rows.ok()) return conn.io_problem(std::string("read ") + table, rows);
  return rows.int64(0, 0);
}

// Opens an append (the chain lock taken) that writes rows into `table`: the
// entry's seq, the hash it links onto, and the table's next free id. Rolls
// back on failure.
Problems begin_rows_append(Connection& conn, const char* table, std::int64_t& seq, std::string& prev,
                           std::int64_t& next) {
  if (Problems problems = begin_append(conn); !problems.empty()) return problems;
  Problems problems = log_head(conn, seq, prev);
  if (problems.empty()) {
    Result<std::int64_t> id = next_id(conn, table);
    if (id.ok()) {
      next = id.value();
      return {};
    }
    problems = id.problems();
  }
  conn.exec("ROLLBACK");
  return problems;
}

Problems commit_or_rollback(Connection& conn) {
  Rows commit = conn.exec("COMMIT");
  if (!commit.ok()) {
    const Problem p = conn.io_problem("commit", commit);
    conn.exec("ROLLBACK");
    return {p};
  }
  return {};
}

Result<std::vector<Transfer>> read_transfers_with_acks(Connection& conn, const std::string& where,
                                                       const std::vector<Param>& params) {
  const std::string sql = std::string("SELECT ") + kTransferColumns +
                          ", COALESCE((SELECT min(a.sent_at) FROM notice_acks a WHERE a.partner_id = t.partner_id AND "
                          "a.reference = t.reference), '') FROM transfers t " +
                          where;
  Rows rows = conn.query(sql, params);
  if (!rows.ok()) return conn.io_problem("read transfers", rows);
  std::vector<Transfer> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    Transfer t;
    read_transfer(rows, i, t);
    t.notice_acknowledged_at = rows.text(i, 8);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

Result<std::vector<std::int64_t>> record_transfers(Connection& conn, const std::vector<TransferBatch>& batches) {
  if (std::optional<Problem> bad = bad_transfer_batches(batches)) return *bad;
  std::int64_t seq = 0, next = 0;
  std::string prev;
  if (Problems problems = begin_rows_append(conn, "transfers", seq, prev, next); !problems.empty()) return problems;
  auto fail = [&conn](Problems problems) {
    conn.exec("ROLLBACK");
    return problems;
  };
  RowWriter writer(conn,
                   "INSERT INTO transfers(id, seq, partner_id, reference, chain_root, channels, at, file_sha256, "
                   "notice_due)",
                   9, "record transfer rows");
  // The holding keeps its first reference and notice date; channels accumulate.
  RowWriter holdings(conn, "INSERT INTO transfer_holdings(partner_id, chain_root, reference, channels, notice_due)", 5,
                     "record holdings",
                     " ON CONFLICT (partner_id, chain_root) DO UPDATE SET channels = "
                     "transfer_holdings.channels | excluded.channels");
  std::vector<std::int64_t> seqs;
  for (const TransferBatch& b : batches) {
    TransferRowsHash rows_hash(b);
    std::map<std::string, BatchHolding> batch_holdings;
    for (const TransferBatch::Row& r : b.rows) {
      rows_hash.add(r);
      Problems problems = writer.add({next++, seq, b.partner_id, r.reference, r.chain_root,
                                      transfer_channels_text(r.channels), b.at, b.file_sha256, r.notice_due});
      if (!problems.empty()) return fail(problems);
      auto [held, first] = batch_holdings.try_emplace(r.chain_root);
      if (first) {
        held->second.reference = r.reference;
        held->second.notice_due = r.notice_due;
      }
      held->second.channels = static_cast<std::uint8_t>(held->second.channels | channel_bits(r.channels));
    }
    if (Problems problems = writer.flush(); !problems.empty()) return fail(problems);
    for (const auto& held : batch_holdings) {
      Problems problems = holdings.add({b.partner_id, held.first, held.second.reference,
                                        static_cast<std::int64_t>(held.second.channels), held.second.notice_due});
      if (!problems.empty()) return fail(problems);
    }
    if (Problems problems = holdings.flush(); !problems.empty()) return fail(problems);
    // What the partner holds after this entry, bound to it (store.h, Holding).
    HoldingsDigest holdings_digest;
    if (Problems problems = read_holdings(conn, b.partner_id, [&](const Holding& h) { holdings_digest.add(h); });
        !problems.empty()) {
      return fail(problems);
    }
    const std::string text =
        transfer_entry(seq, b, static_cast<std::int64_t>(b.rows.size()), rows_hash.hex(), holdings_digest.hex());
    prev = chain_hash(prev, text);
    Rows log = conn.query(kInsertLogSql, {seq, "transfer", Param::null(), text, prev});
    if (!log.ok()) return fail({conn.io_problem("append transfer entry", log)});
    seqs.push_back(seq);
    ++seq;
  }
  if (Problems problems = commit_or_rollback(conn); !problems.empty()) return problems;
  return seqs;
}

Problems for_each_holding(Connection& conn, std::string_view partner_id,
                          const std::function<void(const Holding&)>& visit) {
  return read_holdings(conn, partner_id, visit);
}

Result<std::vector<Transfer>> transfers_of(Connection& conn, std::string_view chain_root) {
  return read_transfers_with_acks(conn, "WHERE t.chain_root = $1 ORDER BY t.seq, t.id", {chain_root});
}

Problems for_each_transfer_to(Connection& conn, std::string_view partner_id,
                              const std::function<bool(const Transfer&)>& visit) {
  // One snapshot, read through a cursor: memory does not grow with the partner's rows.
  Rows begin = conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!begin.ok()) return {conn.io_problem("begin", begin)};
  auto done = [&conn](Problems problems) {
    conn.exec("ROLLBACK");  // read only: nothing to commit
    return problems;
  };
  Rows declared = conn.query(std::string("DECLARE partner_rows NO SCROLL CURSOR FOR SELECT ") + kTransferColumns +
                                 " FROM transfers t WHERE t.partner_id = $1 ORDER BY t.seq, t.id",
                             {partner_id});
  if (!declared.ok()) return done({conn.io_problem("read transfers", declared)});
  Transfer t;
  while (true) {
    Rows page = conn.exec("FETCH 1000 FROM partner_rows");
    if (!page.ok()) return done({conn.io_problem("read transfers", page)});
    if (page.size() == 0) break;
    for (int i = 0; i < page.size(); ++i) {
      read_transfer(page, i, t);
      if (!visit(t)) return done({});
    }
  }
  return done({});
}

Result<std::int64_t> last_transfer_seq(Connection& conn, std::string_view partner_id) {
  // From the log (not the rows): a file with no row is a transfer too.
  Rows rows = conn.query(
      "SELECT COALESCE(max(seq), 0) FROM log WHERE kind = 'transfer' AND ((entry::jsonb) ->> 'partnerId') = $1",
      {partner_id});
  if (!rows.ok()) return conn.io_problem("read transfers", rows);
  return rows.int64(0, 0);
}

Result<std::optional<std::string>> chain_root_of_reference(Connection& conn, std::string_view partner_id,
                                                           std::string_view reference) {
  Rows rows =
      conn.query("SELECT chain_root FROM transfers WHERE partner_id = $1 AND reference = $2 ORDER BY seq, id LIMIT 1",
                 {partner_id, reference});
  if (!rows.ok()) return conn.io_problem("read transfers", rows);
  if (rows.size() == 0) return std::optional<std::string>();
  return std::optional<std::string>(rows.text(0, 0));
}

Result<std::int64_t> record_notice_acks(Connection& conn, std::string_view partner_id, std::string_view file_sha256,
                                        const std::vector<NoticeAck>& acks) {
  if (std::optional<Problem> bad = bad_notice_ack_partner(partner_id)) return *bad;
  std::int64_t seq = 0, next = 0;
  std::string prev;
  if (Problems problems = begin_rows_append(conn, "notice_acks", seq, prev, next); !problems.empty()) return problems;
  auto fail = [&conn](Problems problems) {
    conn.exec("ROLLBACK");
    return problems;
  };
  RowWriter writer(conn, "INSERT INTO notice_acks(id, seq, line, partner_id, reference, sent_at)", 6,
                   "record acknowledgements");
  NoticeAckRowsHash rows_hash(partner_id);
  for (const NoticeAck& ack : acks) {
    rows_hash.add(ack);
    Problems problems = writer.add({next++, seq, ack.line, partner_id, ack.reference, ack.sent_at});
    if (!problems.empty()) return fail(problems);
  }
  if (Problems problems = writer.flush(); !problems.empty()) return fail(problems);
  const std::string text = notice_ack_entry(seq, calendar::format_rfc3339(calendar::now_unix()), partner_id,
                                            file_sha256, static_cast<std::int64_t>(acks.size()), rows_hash.hex());
  Rows log = conn.query(kInsertLogSql, {seq, "notice-ack", Param::null(), text, chain_hash(prev, text)});
  if (!log.ok()) return fail({conn.io_problem("append acknowledgement entry", log)});
  if (Problems problems = commit_or_rollback(conn); !problems.empty()) return problems;
  return seq;
}

Result<std::vector<Transfer>> notice_status(Connection& conn) {
  // The first transfer of each (partner, reference), and its earliest
  // acknowledgement; in byte order, as on SQLite, whatever the database's collation.
  return read_transfers_with_acks(
      conn,
      "WHERE t.id = (SELECT f.id FROM transfers f WHERE f.partner_id = t.partner_id AND "
      "f.reference = t.reference ORDER BY f.seq, f.id LIMIT 1) ORDER BY t.partner_id COLLATE \"C\", "
      "t.reference COLLATE \"C\"",
      {});
}

}  // namespace cachet::ledger::pg
