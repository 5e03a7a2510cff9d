// Process-wide SQLite configuration that Swift cannot do: sqlite3_config is variadic (not callable from Swift) and
// only works before SQLite initializes (any sqlite3_open does that), so it runs as a constructor, before main.
//
// SQLITE_CONFIG_MEMSTATUS off (issue 12). Debian's libsqlite3 is built with memory statistics on: every
// sqlite3_malloc/sqlite3_free then takes one global mutex, shared by every connection of the process. With
// `dqmon check` reading a SQLite warehouse on two connections at once, that mutex was the threads' one remaining
// point of contact: 420-1,240 voluntary context switches (futex waits) per run of 1,000 datasets, against 49-121
// with the statistics off (same binary, LD_PRELOAD of this call). dqmon never reads the statistics
// (sqlite3_memory_used, sqlite3_status) nor sets a soft or hard heap limit, which need them; GRDB neither.
#include "CSQLiteConfig.h"
#include <sqlite3.h>

static int memstatus_result = -1;

__attribute__((constructor)) static void dqmon_sqlite_configure(void) {
    memstatus_result = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int dqmon_sqlite_memstatus_config_result(void) {
    return memstatus_result;
}
