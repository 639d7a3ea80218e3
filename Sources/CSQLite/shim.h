#pragma once
#include <sqlite3.h>

/// Turns off SQLite's memory statistics, whose global mutex every allocation takes. `sqlite3_config`
/// is variadic, which Swift cannot call; it only takes effect before SQLite initialises.
static inline int tokenledger_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
