// SQL functions dqmon registers on its SQLite warehouse connections (SQLiteWarehouse.openReadOnly), each giving
// exactly what SQLite's julianday() of each value gives:
//
//   dqmon_julianday(x)                  scalar: julianday(x) for the common timestamp text forms, NULL otherwise;
//   dqmon_latest_julianday(x)           aggregate: the greatest julianday(x) over the TEXT and BLOB values;
//   dqmon_count_at_or_after(x, bound)   aggregate: how many TEXT and BLOB values have julianday(x) >= bound.
//
// Why (issue 12): on a column whose form is not declared, dqmon reads every ISO 8601 form exactly, as julianday()
// reads it (a zone, a `T`, a fraction, a date alone, the hour 24, a day past its month's end), so a latest value or a
// window's count on a column without an index converts the rows of the table's one scan. Spelled in SQL, that was a
// julianday() per row behind a text comparison with a band bound, plus a subquery reading the table's newest rows to
// set that bound: `sqlite3` ran `scripts/bench 1000`'s 1,000 statements in 0.35 s of CPU, the hand-written floor in
// 0.15 s. One aggregate call per row, parsing the common forms itself, takes them to 0.21 s (median of 10 runs).
//
// The fast path (read_timestamp) reads exactly
//     YYYY-MM-DD                                      a date alone: midnight
//     YYYY-MM-DD?HH:MM[:SS[.f|.ff|.fff]][Z|±hh:mm]    ? a space or `T`; a zone of at most ±14:59
// on a real calendar date (month 01-12, day 01 to the month's length, leap years as SQLite counts them), hour 00-23,
// minute and second 00-59, and computes the same integer milliseconds as SQLite's computeJD, divided the same way.
// Everything else (the hour 24, February 30, other separators, more fraction digits, bare Julian day numbers, `now`,
// blobs) is read by SQLite's own julianday(), through a statement `SELECT julianday(?1)` the aggregate prepares on its
// connection when it first needs it. So an answer is never different from julianday()'s, only cheaper.
//
// The aggregates also skip julianday() for a value that cannot matter: a text that starts with a date D (`YYYY-MM-DD`,
// month 01-12, day 01-31) is read by SQLite as that date's time of day, or as NULL; with the hour at most 24:59:59.999
// and a zone at most -14:59, it is before D + 40 h. A value whose D + 40 h is not later than the latest so far, or
// than a count's bound, is not read. Tests/DQMonTests/Warehouse/SQLiteJulianDayTests compares all three with
// julianday() on seeded random and mutated text, every second and fraction of a minute, and every zone.
#include "CSQLiteTimestamps.h"
#include <sqlite3.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/// The value of an ASCII digit, or something above 9 for any other byte.
static inline unsigned digit(unsigned char c) { return (unsigned)c - '0'; }

/// The two-digit number at z[0..2), or -1 if either byte is not a digit.
static inline int two_digits(const unsigned char *z) {
    unsigned a = digit(z[0]), b = digit(z[1]);
    return ((a > 9) | (b > 9)) ? -1 : (int)(a * 10 + b);
}

/// Whether the month `month` (1-12) of `year` has a day `day` (1-31), leap years counted as SQLite does (Gregorian).
static int is_calendar_day(int year, int month, int day) {
    static const unsigned char days_in_month[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (day <= 28) return 1;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= days_in_month[month] + (month == 2 && leap);
}

/// Milliseconds since the Julian day epoch of midnight at the start of `year-month-day` (day 1-31, even past the
/// month's end, as SQLite counts it): SQLite's computeJD for a date (Meeus' algorithm, in integers, with the same
/// truncating divisions), exact in 64 bits.
static int64_t julian_milliseconds_at_midnight(int year, int month, int day) {
    if (month <= 2) { year -= 1; month += 12; }
    int a = year / 100, b = 2 - a + (a / 4);
    int x1 = 36525 * (year + 4716) / 100, x2 = 306001 * (month + 1) / 10000;
    return (int64_t)(x1 + x2 + day + b) * 86400000 - 131716800000LL;  // (x1 + x2 + day + b - 1524.5) days
}

/// The date `YYYY-MM-DD` at z[0..10) (month 01-12, day 01-31, not checked against the month), or 0.
static int read_date(const unsigned char *z, int n, int *year, int *month, int *day) {
    if (n < 10 || z[4] != '-' || z[7] != '-') return 0;
    int century = two_digits(z), years = two_digits(z + 2);
    *month = two_digits(z + 5);
    *day = two_digits(z + 8);
    if ((century | years) < 0 || *month < 1 || *month > 12 || *day < 1 || *day > 31) return 0;
    *year = century * 100 + years;
    return 1;
}

/// Milliseconds of `HH:MM[:SS[.f{1,3}]]` at z[0..n) into `*milliseconds`, and how many bytes it took (0: not that form).
static int read_time_of_day(const unsigned char *z, int n, int64_t *milliseconds) {
    if (n < 5 || z[2] != ':') return 0;
    int hour = two_digits(z), minute = two_digits(z + 3);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return 0;
    int at = 5, second = 0, fraction = 0;
    if (at < n && z[at] == ':') {
        if (n < 8 || (second = two_digits(z + 6)) < 0 || second > 59) return 0;
        at = 8;
        if (at < n && z[at] == '.') {
            int digits = 0, scale = 1000;
            for (at++; at < n && digit(z[at]) <= 9; at++) {
                if (++digits > 3) return 0;
                scale /= 10;
                fraction += (int)digit(z[at]) * scale;
            }
            if (digits == 0) return 0;
        }
    }
    *milliseconds = (int64_t)hour * 3600000 + minute * 60000 + second * 1000 + fraction;
    return at;
}

/// The zone at z[0..n) that ends the text, in minutes east of UTC (`Z`: 0), or 0 if it is not exactly `Z`, `+hh:mm`
/// or `-hh:mm` (hh 00-14, mm 00-59); nothing at all is UTC too.
static int read_zone(const unsigned char *z, int n, int *minutes) {
    *minutes = 0;
    if (n == 0) return 1;
    if (n == 1) return z[0] == 'Z';
    if (n != 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':') return 0;
    int hours = two_digits(z + 1), rest = two_digits(z + 4);
    if (hours < 0 || hours > 14 || rest < 0 || rest > 59) return 0;
    *minutes = (z[0] == '-' ? -1 : 1) * (hours * 60 + rest);
    return 1;
}

/// The Julian day of the text from its byte 10 on, after a date that read as `at_midnight` (a calendar day), as
/// SQLite's integer milliseconds into `*milliseconds`: 1 when the rest is nothing or `?HH:MM[:SS[.fff]][zone]` (? a
/// space or `T`), 0 when it is another form.
static int read_rest_of_timestamp(const unsigned char *z, int n, int64_t at_midnight, int64_t *milliseconds) {
    if (n == 10) { *milliseconds = at_midnight; return 1; }
    if (z[10] != ' ' && z[10] != 'T') return 0;
    int64_t time_of_day = 0;
    int used = read_time_of_day(z + 11, n - 11, &time_of_day), zone = 0;
    if (used == 0 || !read_zone(z + 11 + used, n - 11 - used, &zone)) return 0;
    int64_t value = at_midnight + time_of_day - (int64_t)zone * 60000;
    if (value < 0 || value > 464269060799999LL) return 0;  // validJulianDay: julianday() is NULL there
    *milliseconds = value;
    return 1;
}

/// The Julian day of a text in the fast path's forms, as SQLite's integer milliseconds, into `*milliseconds`: 1 when
/// read (the value julianday() gives, times 86,400,000), 0 when the text is not in those forms.
static int read_timestamp(const unsigned char *z, int n, int64_t *milliseconds) {
    int year, month, day;
    if (z == 0 || !read_date(z, n, &year, &month, &day) || !is_calendar_day(year, month, day)) return 0;
    return read_rest_of_timestamp(z, n, julian_milliseconds_at_midnight(year, month, day), milliseconds);
}

/// A text that starts with a date D is read by julianday() as D's time of day (at most 24:59:59.999) in a zone (at
/// most -14:59), or as NULL: before D + 40 hours.
static const int64_t date_reach_milliseconds = 40LL * 3600000;

static void dqmon_julianday(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) return;  // NULL: the caller asks julianday()
    int64_t milliseconds;
    if (read_timestamp(sqlite3_value_text(argv[0]), sqlite3_value_bytes(argv[0]), &milliseconds)) {
        sqlite3_result_double(context, (double)milliseconds / 86400000.0);  // julianday(): iJD / 86400000.0
    }
}

/// What the aggregates keep between rows: their answer so far (the latest in integer milliseconds for the values the
/// fast path read, as a Julian day for the others; or the count), the bound they last saw, and the `SELECT
/// julianday(?1)` statement they read the other forms with (prepared on first need, finalized by their final call,
/// which SQLite also makes when the outer statement is reset or finalized early).
typedef struct {
    int64_t latest_milliseconds;
    double latest_julian_day;
    int has_latest_milliseconds, has_latest_julian_day, has_bound;
    double bound;
    int64_t bound_milliseconds;
    int64_t count;
    sqlite3_stmt *julianday;
} TimestampAggregate;

/// julianday(value) by SQLite itself into `*julian_day`: 1 when not NULL, 0 when NULL, -1 after reporting an error.
static int sqlite_julianday(sqlite3_context *context, TimestampAggregate *state, sqlite3_value *value, double *julian_day) {
    if (state->julianday == 0) {
        int code = sqlite3_prepare_v2(sqlite3_context_db_handle(context), "SELECT julianday(?1)", -1, &state->julianday, 0);
        if (code != SQLITE_OK) {
            sqlite3_result_error_code(context, code);
            return -1;
        }
    }
    sqlite3_bind_value(state->julianday, 1, value);
    int code = sqlite3_step(state->julianday), found = 0;
    if (code == SQLITE_ROW && sqlite3_column_type(state->julianday, 0) != SQLITE_NULL) {
        *julian_day = sqlite3_column_double(state->julianday, 0);
        found = 1;
    }
    sqlite3_reset(state->julianday);
    if (code != SQLITE_ROW) {
        sqlite3_result_error_code(context, code == SQLITE_DONE ? SQLITE_ERROR : code);
        return -1;
    }
    return found;
}

/// The aggregate's state, or NULL after reporting that memory ran out.
static TimestampAggregate *aggregate_state(sqlite3_context *context) {
    TimestampAggregate *state = sqlite3_aggregate_context(context, sizeof *state);
    if (state == 0) sqlite3_result_error_nomem(context);
    return state;
}

/// How a step reads its value.
typedef enum {
    READ_BY_FAST_PATH,  // `*milliseconds` holds SQLite's integer milliseconds for it
    SKIPPED,            // a text starting with a date that cannot reach past the step's floor: not read
    READ_BY_SQLITE      // the step asks julianday() (a blob, or text the fast path does not read)
} Reading;

/// Reads a TEXT or BLOB value (of type `type`) for a step, skipping a text starting with a date D when D + 40 hours is at or before
/// `floor` milliseconds or the Julian day `julian_floor` (-INFINITY: none): every instant SQLite reads it as is then
/// before the floor.
static inline Reading read_value(sqlite3_value *value, int type, int64_t floor, double julian_floor, int64_t *milliseconds) {
    if (type != SQLITE_TEXT) return READ_BY_SQLITE;
    const unsigned char *z = sqlite3_value_text(value);
    int n = sqlite3_value_bytes(value), year, month, day;
    if (z == 0 || !read_date(z, n, &year, &month, &day)) return READ_BY_SQLITE;
    int64_t at_midnight = julian_milliseconds_at_midnight(year, month, day), reach = at_midnight + date_reach_milliseconds;
    if (reach <= floor) return SKIPPED;
    if (julian_floor != -INFINITY && (double)reach / 86400000.0 <= julian_floor) return SKIPPED;
    if (is_calendar_day(year, month, day) && read_rest_of_timestamp(z, n, at_midnight, milliseconds)) return READ_BY_FAST_PATH;
    return READ_BY_SQLITE;
}

static void latest_step(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    int type = sqlite3_value_type(argv[0]);
    if (type != SQLITE_TEXT && type != SQLITE_BLOB) return;  // numbers are epochs, read raw by the caller
    TimestampAggregate *state = aggregate_state(context);
    if (state == 0) return;
    // A text that cannot be later than the latest so far is not read (equal to it would change nothing either).
    int64_t milliseconds;
    switch (read_value(argv[0], type, state->has_latest_milliseconds ? state->latest_milliseconds : INT64_MIN,
                       state->has_latest_julian_day ? state->latest_julian_day : -INFINITY, &milliseconds)) {
    case SKIPPED: return;
    case READ_BY_FAST_PATH:
        if (!state->has_latest_milliseconds || milliseconds > state->latest_milliseconds) state->latest_milliseconds = milliseconds;
        state->has_latest_milliseconds = 1;
        return;
    case READ_BY_SQLITE: break;
    }
    double julian_day;
    if (sqlite_julianday(context, state, argv[0], &julian_day) == 1 && (!state->has_latest_julian_day || julian_day > state->latest_julian_day)) {
        state->latest_julian_day = julian_day;
        state->has_latest_julian_day = 1;
    }
}

static void latest_final(sqlite3_context *context) {
    TimestampAggregate *state = sqlite3_aggregate_context(context, 0);
    if (state == 0) return;  // no TEXT or BLOB value: NULL
    sqlite3_finalize(state->julianday);
    double from_milliseconds = (double)state->latest_milliseconds / 86400000.0;  // julianday(): iJD / 86400000.0
    if (state->has_latest_milliseconds && (!state->has_latest_julian_day || from_milliseconds >= state->latest_julian_day)) {
        sqlite3_result_double(context, from_milliseconds);
    } else if (state->has_latest_julian_day) {
        sqlite3_result_double(context, state->latest_julian_day);
    }
}

/// The least integer milliseconds m (a Julian day times 86,400,000, as SQLite keeps it) with m / 86400000.0 >= bound:
/// a value the fast path read is at or after `bound` exactly when its milliseconds are at least this. INT64_MAX when no
/// valid Julian day reaches `bound` (or it is NaN).
static int64_t least_milliseconds_reaching(double bound) {
    if (bound <= 0.0) return 0;
    if (!(bound <= 5373484.5)) return INT64_MAX;  // also NaN
    int64_t m = (int64_t)(bound * 86400000.0);
    while (m > 0 && (double)(m - 1) / 86400000.0 >= bound) m -= 1;
    while ((double)m / 86400000.0 < bound) m += 1;
    return m;
}

static void count_step(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    int type = sqlite3_value_type(argv[0]), bound_type = sqlite3_value_type(argv[1]);
    if ((type != SQLITE_TEXT && type != SQLITE_BLOB) || (bound_type != SQLITE_FLOAT && bound_type != SQLITE_INTEGER)) return;
    TimestampAggregate *state = aggregate_state(context);
    if (state == 0) return;
    double bound = sqlite3_value_double(argv[1]);
    if (!state->has_bound || bound != state->bound) {
        state->bound = bound;
        state->bound_milliseconds = least_milliseconds_reaching(bound);
        state->has_bound = 1;
    }
    // A text that cannot reach the bound is not read.
    int64_t milliseconds;
    switch (read_value(argv[0], type, state->bound_milliseconds, -INFINITY, &milliseconds)) {
    case SKIPPED: return;
    case READ_BY_FAST_PATH:
        if (milliseconds >= state->bound_milliseconds) state->count += 1;
        return;
    case READ_BY_SQLITE: break;
    }
    double julian_day;
    if (sqlite_julianday(context, state, argv[0], &julian_day) == 1 && julian_day >= bound) state->count += 1;
}

static void count_final(sqlite3_context *context) {
    TimestampAggregate *state = sqlite3_aggregate_context(context, 0);
    if (state != 0) sqlite3_finalize(state->julianday);
    sqlite3_result_int64(context, state == 0 ? 0 : state->count);
}

int dqmon_sqlite_register_timestamp_functions(struct sqlite3 *db) {
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    int code = sqlite3_create_function_v2(db, "dqmon_julianday", 1, flags, 0, dqmon_julianday, 0, 0, 0);
    if (code == SQLITE_OK) code = sqlite3_create_function_v2(db, "dqmon_latest_julianday", 1, flags, 0, 0, latest_step, latest_final, 0);
    if (code == SQLITE_OK) code = sqlite3_create_function_v2(db, "dqmon_count_at_or_after", 2, flags, 0, 0, count_step, count_final, 0);
    return code;
}
