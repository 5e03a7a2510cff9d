#ifndef CSQLITETIMESTAMPS_H
#define CSQLITETIMESTAMPS_H

struct sqlite3;

/// Registers on a SQLite connection `dqmon_julianday(x)` (SQLite's own `julianday(x)` for the common timestamp text
/// forms, NULL for every other value, so that `coalesce(dqmon_julianday(x), julianday(x))` equals `julianday(x)` for
/// every x) and `dqmon_scan_band_low(start)` (the date a table scan converts text from, as SQLiteDialect.scanBandLow
/// spells it in SQL). See SQLiteTimestamps.c. Returns SQLite's result code.
int dqmon_sqlite_register_timestamp_functions(struct sqlite3 *db);

#endif
