#!/usr/bin/env python3
"""Seeded generator of labelled data-quality series: the held-out set of issue 19 (stdlib only).

    python3 scripts/lib/dq_series.py OUT [--seed 19] [--series 8]

writes OUT/data/<kind>/<kind>-NN.csv (timestamp,value), OUT/labels/combined_windows.json (NAB's shape:
{"<kind>/<file>": [[start, end], ...]}, both ends inclusive) and OUT/labels/window_types.json (the type of each
window, in the same order), which /work/shared/bench/anomaly/score.py reads. The same seed gives byte-identical
files on every machine (Python's `random.Random`, no numpy).

Series kinds (every series draws its own parameters from the seed):
  daily_row_count      730 days, checked at 06:00 UTC: level 10^3..10^6 rows, growth 0..80% a year (compound),
                       weekday factors ±10% and a weekend at 40..90% of a weekday, log-normal noise 3..10%.
  daily_freshness_lag  730 days: a nightly load that ends 1..4 h before the 06:00 check, plus an exponential delay
                       (mean 10..40 min), a load that slowly takes longer as data grows (up to +1 h over two years).
  daily_null_rate      730 days: a base rate 0.2..5% that wanders day to day (log-normal 5..20%), with the binomial
                       noise of 10^4..10^5 rows a day.
  hourly_row_count     90 days of hours: the daily profile (night at 20..50% of the afternoon peak), weekend factor,
                       growth, noise 5..12%.
  hourly_freshness_lag 90 days: an hourly load that ends 10..40 min before the check, exponential delay 2..8 min.
  hourly_null_rate     90 days: as the daily null rate with 500..5,000 rows an hour.

Anomalies (labelled windows; at most one every 30 points, none in the first 60 days / 14 days):
  spike        one point ×1.8..3 (a duplicated load) — null rate: ×3..8, freshness: +3..5 h (daily) / +30..60 min
  drop         a partial drop to 50..70% of normal for 1..3 points (a source that loads part of its files)
  stall        row count: 0 rows for 1..2 points; freshness: the load stops, the lag grows by one interval per point
               for 1..3 points; null rate: a column no longer filled (rate 40..100%) for 1..2 points
  level_shift  a permanent change of level: ×0.6..0.75 or ×1.4..1.7 (null rate: ×2.5..4; freshness: +2..3 h / +20 min)
The window is the anomaly's points plus one interval after them (a level shift: its first three points), so a
detector that reports the day after still finds it, and one that keeps paging on the new level raises false alarms.
"""

import argparse
import json
import math
import os
import random
from datetime import datetime, timedelta, timezone

DAY = 86_400
HOUR = 3_600
START = datetime(2024, 1, 1, tzinfo=timezone.utc)  # a Monday

KINDS = {
    # kind: (points, interval seconds, first check offset seconds, warm-up points before the first anomaly)
    "daily_row_count": (730, DAY, 6 * HOUR, 60),
    "daily_freshness_lag": (730, DAY, 6 * HOUR, 60),
    "daily_null_rate": (730, DAY, 6 * HOUR, 60),
    "hourly_row_count": (90 * 24, HOUR, 0, 14 * 24),
    "hourly_freshness_lag": (90 * 24, HOUR, 0, 14 * 24),
    "hourly_null_rate": (90 * 24, HOUR, 0, 14 * 24),
}
TYPES = ("spike", "drop", "stall", "level_shift")


def stamp(seconds):
    return (START + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def place_anomalies(rng, n, warm, per_points):
    """Non-overlapping anomalies (type, start index, length), one per `per_points` points on average."""
    count = max(2, n // per_points)
    gap = (n - warm - 10) // count
    order = list(TYPES)
    rng.shuffle(order)
    events = []
    for k in range(count):
        kind = order[k % len(order)]
        start = warm + k * gap + rng.randrange(max(1, gap - 10))
        length = {"spike": 1, "drop": rng.randint(1, 3), "stall": rng.randint(1, 2), "level_shift": 10**9}[kind]
        events.append((kind, start, length))
    return events


def windows_for(events, n, times):
    windows, types = [], []
    for kind, start, length in events:
        last = start + 2 if kind == "level_shift" else min(n - 1, start + length)  # one interval after
        windows.append([stamp(times[start]), stamp(times[min(n - 1, last)])])
        types.append(kind)
    return windows, types


def active(events, i):
    """The anomaly covering point i, as (type, offset from its start, its length), or None."""
    hit = None
    for kind, start, length in events:
        if start <= i < start + length:
            hit = (kind, i - start, length)
    return hit


def row_count(rng, n, interval, times, events, hourly):
    level = 10 ** rng.uniform(3, 6) / (24 if hourly else 1)
    growth = math.log(1 + rng.uniform(0, 0.8)) / (365 * DAY)
    weekday = [1 + rng.uniform(-0.1, 0.1) for _ in range(5)] + [rng.uniform(0.4, 0.9) for _ in range(2)]
    night = rng.uniform(0.2, 0.5)
    peak = rng.uniform(13, 17)
    sigma = rng.uniform(0.05, 0.12) if hourly else rng.uniform(0.03, 0.10)
    spike, drop, shift = rng.uniform(1.8, 3), rng.uniform(0.5, 0.7), rng.choice([rng.uniform(0.6, 0.75), rng.uniform(1.4, 1.7)])
    shifted = 1.0
    values = []
    for i, t in enumerate(times):
        day = int(t // DAY)
        v = level * math.exp(growth * t) * weekday[(day + 3) % 7]  # Monday = 0 (1970-01-01 was a Thursday)
        if hourly:
            hour = (t % DAY) / HOUR
            v *= night + (1 - night) * (0.5 + 0.5 * math.cos(2 * math.pi * (hour - peak) / 24))
        v *= math.exp(rng.gauss(0, sigma))
        a = active(events, i)
        if a and a[0] == "level_shift" and a[1] == 0:
            shifted = shift
        v *= shifted
        if a and a[0] == "spike":
            v *= spike
        elif a and a[0] == "drop":
            v *= drop
        elif a and a[0] == "stall":
            v = 0
        values.append(round(v))
    return values


def freshness_lag(rng, n, interval, times, events, hourly):
    base = rng.uniform(10, 40) * 60 if hourly else rng.uniform(1, 4) * HOUR
    delay = rng.uniform(2, 8) * 60 if hourly else rng.uniform(10, 40) * 60
    slow = 0 if hourly else rng.uniform(0, 1) * HOUR  # the load takes this much longer by the end
    late = rng.uniform(30, 60) * 60 if hourly else rng.uniform(3, 5) * HOUR
    shift = 20 * 60 if hourly else rng.uniform(2, 3) * HOUR
    shifted = 0.0
    values = []
    for i, t in enumerate(times):
        lag = base + rng.expovariate(1 / delay) + slow * i / n
        a = active(events, i)
        if a and a[0] == "level_shift" and a[1] == 0:
            shifted = shift
        lag += shifted
        if a and a[0] == "spike":
            lag += late
        elif a and a[0] == "drop":  # a load that ends early (a partial load): the lag falls to 50..70%
            lag *= rng.uniform(0.5, 0.7)
        elif a and a[0] == "stall":
            lag += (a[1] + 1) * interval
        values.append(round(lag))
    return values


def null_rate(rng, n, interval, times, events, hourly):
    rate = rng.uniform(0.002, 0.05)
    rows = rng.uniform(500, 5000) if hourly else rng.uniform(1e4, 1e5)
    wander = rng.uniform(0.05, 0.2)
    spike, shift, stall = rng.uniform(3, 8), rng.uniform(2.5, 4), rng.uniform(0.4, 1.0)
    shifted = 1.0
    values = []
    for i, t in enumerate(times):
        p = rate * math.exp(rng.gauss(0, wander))
        a = active(events, i)
        if a and a[0] == "level_shift" and a[1] == 0:
            shifted = shift
        p = min(1.0, p * shifted)
        if a and a[0] == "spike":
            p = min(1.0, p * spike)
        elif a and a[0] == "drop":  # a fix upstream that half-works: the rate falls to 50..70%, then returns
            p *= rng.uniform(0.5, 0.7)
        elif a and a[0] == "stall":
            p = stall
        observed = p + rng.gauss(0, math.sqrt(p * (1 - p) / rows))
        values.append(round(min(1.0, max(0.0, observed)), 6))
    return values


MAKERS = {"row_count": row_count, "freshness_lag": freshness_lag, "null_rate": null_rate}


def generate(out, seed, series):
    labels, types = {}, {}
    for kind, (n, interval, first, warm) in KINDS.items():
        os.makedirs(os.path.join(out, "data", kind), exist_ok=True)
        hourly = kind.startswith("hourly")
        maker = MAKERS[kind.split("_", 1)[1]]
        for s in range(series):
            rng = random.Random("%d/%s/%d" % (seed, kind, s))
            times = [first + i * interval for i in range(n)]
            events = place_anomalies(rng, n, warm, 120 if not hourly else 480)
            values = maker(rng, n, interval, times, events, hourly)
            key = "%s/%s-%02d.csv" % (kind, kind, s + 1)
            with open(os.path.join(out, "data", key), "w") as fh:
                fh.write("timestamp,value\n")
                for t, v in zip(times, values):
                    fh.write("%s,%s\n" % (stamp(t), v))
            labels[key], types[key] = windows_for(events, n, times)
    os.makedirs(os.path.join(out, "labels"), exist_ok=True)
    with open(os.path.join(out, "labels", "combined_windows.json"), "w") as fh:
        json.dump(labels, fh, indent=1, sort_keys=True)
    with open(os.path.join(out, "labels", "window_types.json"), "w") as fh:
        json.dump(types, fh, indent=1, sort_keys=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--series", type=int, default=8, help="series per kind")
    a = ap.parse_args()
    generate(a.out, a.seed, a.series)


if __name__ == "__main__":
    main()
