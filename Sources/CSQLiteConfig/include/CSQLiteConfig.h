#ifndef CSQLITECONFIG_H
#define CSQLITECONFIG_H

/// What sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) returned when dqmon's process started (SQLITE_OK: SQLite keeps no
/// global memory statistics). -1 if it has not run.
int dqmon_sqlite_memstatus_config_result(void);

#endif
