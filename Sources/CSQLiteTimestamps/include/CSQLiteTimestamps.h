#ifndef CSQLITETIMESTAMPS_H
#define CSQLITETIMESTAMPS_H

struct sqlite3;

/// Registers on a SQLite connection the timestamp functions the SQLite dialect sends, each giving exactly what SQLite's
/// own `julianday()` of each value gives: `dqmon_julianday(x)` (julianday(x) for the common text forms, NULL for every
/// other value, so that `coalesce(dqmon_julianday(x), julianday(x))` equals `julianday(x)` for every x), and the
/// aggregates `dqmon_latest_julianday(x)` (the greatest julianday(x) over TEXT and BLOB values) and
/// `dqmon_count_at_or_after(x, bound)` (how many TEXT and BLOB values have julianday(x) >= bound). See
/// SQLiteTimestamps.c. Returns SQLite's result code.
int dqmon_sqlite_register_timestamp_functions(struct sqlite3 *db);

#endif
