// libpq wrapper of the PostgreSQL ledger backend (pg_connection.h).
#include "pg_connection.h"

#include <cstdlib>

namespace cachet::ledger::pg {
namespace {

// libpq messages end with a newline; ours are sentences.
std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '.')) text.pop_back();
  return text;
}

}  // namespace

bool is_postgres_url(std::string_view db) {
  return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

std::string describe_url(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "(an unreadable PostgreSQL URL)";
  }
  std::string host, port, dbname, user;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string keyword = o->keyword;
    if (keyword == "host") host = o->val;
    if (keyword == "port") port = o->val;
    if (keyword == "dbname") dbname = o->val;
    if (keyword == "user") user = o->val;
  }
  PQconninfoFree(options);
  std::string out = "PostgreSQL database " + (dbname.empty() ? std::string("(default)") : dbname);
  out += " on " + (host.empty() ? std::string("the local socket") : host);
  if (!port.empty()) out += " port " + port;
  if (!user.empty()) out += " as " + user;
  return out;
}

std::int64_t Rows::int64(int row, int column) const {
  return std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}

std::string Rows::bytes(int row, int column) const {
  std::size_t length = 0;
  unsigned char* raw =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column)), &length);
  if (raw == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(raw), length);
  PQfreemem(raw);
  return out;
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& url) {
  const std::string where = describe_url(url);
  PGconn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    const std::string why = conn ? trimmed(PQerrorMessage(conn)) : "out of memory";
    PQfinish(conn);
    return Problem{"ledger_io", "--db", "Cannot connect to the ledger's " + where + ": " + why + "."};
  }
  std::unique_ptr<Connection> out(
      new Connection(conn, where));  // NOLINT(cppcoreguidelines-owning-memory): private constructor
  // synchronous_commit on (the server's default, set in case a database or
  // role turned it off): an acknowledged receipt survives a crash.
  // client_min_messages: no NOTICEs ("relation already exists") on stderr.
  Rows set = out->configure();
  if (!set.ok()) return out->io_problem("configure the connection", set);
  return out;
}

Rows Connection::query(const std::string& sql, const std::vector<Param>& params) {
  revive();
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  values.reserve(params.size());
  for (const Param& p : params) {
    values.push_back(p.value ? p.value->c_str() : nullptr);
    lengths.push_back(p.value ? static_cast<int>(p.value->size()) : 0);
    formats.push_back(p.binary ? 1 : 0);
  }
  return Rows(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(), lengths.data(),
                           formats.data(), 0));
}

Problem Connection::io_problem(const std::string& what, const Rows& rows) const {
  return Problem{"ledger_io", "", "The ledger's " + where_ + " failed (" + what + "): " + trimmed(rows.error()) + "."};
}

Problem Connection::io_problem(const std::string& what) const {
  return Problem{"ledger_io", "",
                 "The ledger's " + where_ + " failed (" + what + "): " + trimmed(PQerrorMessage(conn_)) + "."};
}

}  // namespace cachet::ledger::pg
