#ifndef CSQLITETIMESTAMPS_H
#define CSQLITETIMESTAMPS_H

struct sqlite3;

/// Registers `dqmon_julianday(x)` on a SQLite connection: SQLite's own `julianday(x)` for the common timestamp text
/// forms, NULL for every other value, so that `coalesce(dqmon_julianday(x), julianday(x))` equals `julianday(x)`
/// for every x (see SQLiteTimestamps.c). Returns SQLite's result code.
int dqmon_sqlite_register_julianday(struct sqlite3 *db);

#endif
