// SQL functions dqmon registers on its SQLite warehouse connections (SQLiteWarehouse.openReadOnly), each exactly
// equal to the SQL it replaces: dqmon_julianday here, and dqmon_scan_band_low below.
//
// dqmon_julianday(x): the Julian day of a timestamp text in its common forms, computed without SQLite's general
// date parser, for the rows a SQLite metric query converts one by one (issue 12).
//
// Why: on a column whose form is not declared, dqmon reads every ISO 8601 form exactly, as SQLite's julianday()
// reads it (a zone, a `T`, a fraction, a date alone, text SQLite reads later than it sorts), so the rows that can
// decide a latest timestamp or a window are converted one by one. julianday() is general: it parses modifiers, `now`,
// bare Julian day numbers, zones and odd separators, and it was the largest part of those statements' cost
// (`valgrind --tool=callgrind` of sqlite3 running `scripts/bench 1000`'s statements: ~1.7 of 5.1 G instructions).
//
// Contract: for a TEXT value that is exactly
//     YYYY-MM-DD                                   (a date alone: midnight)
//     YYYY-MM-DD?HH:MM:SS[.f|.ff|.fff][Z]          (? a space or `T`; 1 to 3 fraction digits; `Z` for UTC)
// with a real calendar date (month 01-12, day 01 to the month's length, leap years as SQLite counts them), hour
// 00-23, minute and second 00-59, it returns exactly the double julianday() returns (the same integer milliseconds,
// divided the same way). For anything else — other text (a zone offset, the hour 24, February 30, spaces, more
// fraction digits), numbers, blobs, NULL — it returns NULL, and the caller's coalesce() asks julianday(). So the
// fast path can only be right or absent, never a different answer. Tests/DQMonTests/Warehouse/SQLiteJulianDayTests
// compares it with julianday() on seeded random and mutated text and on every second-and-fraction of a minute.
#include "CSQLiteTimestamps.h"
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/// The value of an ASCII digit, or something above 9 for any other byte.
static inline unsigned digit(unsigned char c) { return (unsigned)c - '0'; }

/// Whether the month `month` (1-12) of `year` has a day `day` (1-31), leap years counted as SQLite does (Gregorian).
static int is_calendar_day(int year, int month, int day) {
    static const unsigned char days_in_month[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (day <= 28) return 1;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= days_in_month[month] + (month == 2 && leap);
}

/// Milliseconds since the Julian day epoch of midnight at the start of a calendar date: SQLite's computeJD for a
/// date (Meeus' algorithm, in integers, with the same truncating divisions), exact in 64 bits.
static int64_t julian_milliseconds_at_midnight(int year, int month, int day) {
    if (month <= 2) { year -= 1; month += 12; }
    int a = year / 100, b = 2 - a + (a / 4);
    int x1 = 36525 * (year + 4716) / 100, x2 = 306001 * (month + 1) / 10000;
    return (int64_t)(x1 + x2 + day + b) * 86400000 - 131716800000LL;  // (x1 + x2 + day + b - 1524.5) days
}

/// Milliseconds into the day of `HH:MM:SS[.fff][Z]` at z[0..n), or -1 if it is not exactly that form.
static int64_t milliseconds_of_time(const unsigned char *z, int n) {
    if (n < 8 || z[2] != ':' || z[5] != ':') return -1;
    unsigned h0 = digit(z[0]), h1 = digit(z[1]), m0 = digit(z[3]), m1 = digit(z[4]), s0 = digit(z[6]), s1 = digit(z[7]);
    if ((h0 > 9) | (h1 > 9) | (m0 > 9) | (m1 > 9) | (s0 > 9) | (s1 > 9)) return -1;
    int hour = (int)(h0 * 10 + h1), minute = (int)(m0 * 10 + m1), second = (int)(s0 * 10 + s1);
    if (hour > 23 || minute > 59 || second > 59) return -1;
    int at = 8, fraction = 0, scale = 1000;
    if (at < n && z[at] == '.') {
        int digits = 0;
        for (at++; at < n && digit(z[at]) <= 9; at++) {
            if (++digits > 3) return -1;
            scale /= 10;
            fraction += (int)digit(z[at]) * scale;
        }
        if (digits == 0) return -1;
    }
    if (at < n && z[at] == 'Z') at++;
    if (at != n) return -1;
    return (int64_t)hour * 3600000 + minute * 60000 + second * 1000 + fraction;
}

static void dqmon_julianday(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    sqlite3_value *value = argv[0];
    if (sqlite3_value_type(value) != SQLITE_TEXT) return;  // NULL: the caller asks julianday()
    const unsigned char *z = sqlite3_value_text(value);
    int n = sqlite3_value_bytes(value);
    if (z == 0 || n < 10 || n > 24) return;
    unsigned y0 = digit(z[0]), y1 = digit(z[1]), y2 = digit(z[2]), y3 = digit(z[3]);
    unsigned mo0 = digit(z[5]), mo1 = digit(z[6]), d0 = digit(z[8]), d1 = digit(z[9]);
    if ((y0 > 9) | (y1 > 9) | (y2 > 9) | (y3 > 9) | (mo0 > 9) | (mo1 > 9) | (d0 > 9) | (d1 > 9) | (z[4] != '-') | (z[7] != '-')) return;
    int year = (int)(y0 * 1000 + y1 * 100 + y2 * 10 + y3), month = (int)(mo0 * 10 + mo1), day = (int)(d0 * 10 + d1);
    if (month < 1 || month > 12 || day < 1 || !is_calendar_day(year, month, day)) return;
    int64_t milliseconds = 0;
    if (n > 10) {
        if (z[10] != ' ' && z[10] != 'T') return;
        milliseconds = milliseconds_of_time(z + 11, n - 11);
        if (milliseconds < 0) return;
    }
    milliseconds += julian_milliseconds_at_midnight(year, month, day);
    sqlite3_result_double(context, (double)milliseconds / 86400000.0);  // julianday(): iJD / 86400000.0
}

/// SQLite's computeYMD: the calendar date of a Julian day held as integer milliseconds (valid, non-negative).
static void calendar_date(int64_t milliseconds, int *year, int *month, int *day) {
    int z = (int)((milliseconds + 43200000) / 86400000);
    int a = (int)((z - 1867216.25) / 36524.25);
    a = z + 1 + a - (a / 4);
    int b = a + 1524;
    int c = (int)((b - 122.1) / 365.25);
    int d = (36525 * (c & 32767)) / 100;
    int e = (int)((b - d) / 30.6001);
    int x1 = (int)(30.6001 * e);
    *day = b - d - x1;
    *month = e < 14 ? e - 1 : e - 13;
    *year = *month > 2 ? c - 4716 : c - 4715;
}

/// Whether SQLite's date functions read integer milliseconds as a Julian day (validJulianDay: up to 9999-12-31).
static int is_valid_julian_milliseconds(int64_t milliseconds) {
    return milliseconds >= 0 && milliseconds <= 464269060799999LL;
}

// dqmon_scan_band_low(start): for a Julian day `start`, the date text at or above which a table scan converts
// text rows (SQLiteDialect.latestTimestampInTableScan): exactly what the SQL spelling SQLiteDialect.scanBandLow
// gives, computed once per dataset statement without its five strftime() calls, whose parsing made the read of
// the newest rows cost more to prepare than the rest of the statement. That is
//     CASE WHEN strftime('%d', start) <= '04'
//          THEN min(strftime('%Y-%m-29', start, 'start of month', '-1 day'), strftime('%Y-%m-%d', start, '-1 hour'))
//          ELSE strftime('%Y-%m-%d', start, '-1 hour') END
// with SQLite's own arithmetic, for what the statements pass it, an arithmetic result: a number (read as a Julian
// day, rounded to the millisecond; NULL outside the years SQLite reads) or NULL. Text or a blob gives NULL (the SQL
// would parse it as a date). SQLiteJulianDayTests compares the two on random and edge days.
static void dqmon_scan_band_low(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    int type = sqlite3_value_type(argv[0]);
    if (type != SQLITE_FLOAT && type != SQLITE_INTEGER) return;
    double start = sqlite3_value_double(argv[0]);
    if (!(start >= 0.0 && start < 5373484.5)) return;  // setRawDateNumber reads no other number as a Julian day
    int64_t milliseconds = (int64_t)(start * 86400000.0 + 0.5);
    int64_t hour_before = milliseconds - 3600000;
    if (!is_valid_julian_milliseconds(milliseconds) || !is_valid_julian_milliseconds(hour_before)) return;
    int year, month, day, hour_year, hour_month, hour_day;
    calendar_date(milliseconds, &year, &month, &day);
    calendar_date(hour_before, &hour_year, &hour_month, &hour_day);
    char band[16], previous[16];
    snprintf(band, sizeof band, "%04d-%02d-%02d", hour_year, hour_month, hour_day);
    if (day <= 4) {
        // 'start of month', '-1 day': the last day of the previous month, printed with the day 29.
        int64_t month_start = julian_milliseconds_at_midnight(year, month, 1);
        if (!is_valid_julian_milliseconds(month_start - 86400000)) return;
        int previous_year, previous_month, previous_day;
        calendar_date(month_start - 86400000, &previous_year, &previous_month, &previous_day);
        snprintf(previous, sizeof previous, "%04d-%02d-29", previous_year, previous_month);
        if (strcmp(previous, band) < 0) memcpy(band, previous, sizeof band);
    }
    sqlite3_result_text(context, band, -1, SQLITE_TRANSIENT);
}

int dqmon_sqlite_register_timestamp_functions(struct sqlite3 *db) {
    int code = sqlite3_create_function_v2(db, "dqmon_julianday", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                          0, dqmon_julianday, 0, 0, 0);
    if (code != SQLITE_OK) return code;
    return sqlite3_create_function_v2(db, "dqmon_scan_band_low", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                      0, dqmon_scan_band_low, 0, 0, 0);
}
