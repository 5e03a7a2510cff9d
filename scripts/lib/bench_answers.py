#!/usr/bin/env python3
"""Compares dqmon's answers (`dqmon check --format json`) with the hand-written floor's, for the benchmark scripts.

A fast wrong answer is worse than a slow right one, so every benchmark checks that dqmon and the floor agree.

  bench_answers.py NOW RESULTS_JSON FLOOR_OUTPUT SPEC...            floor lines are "dataset|v1|v2|..."
  bench_answers.py --dataset NAME NOW RESULTS_JSON FLOOR_OUTPUT SPEC...   all of FLOOR_OUTPUT is NAME's v1|v2|...
                                                                          (over one or several lines)

  bench_answers.py --query-ms RESULTS_JSON     dqmon's own time in the warehouse: the sum and median of query_ms
                                               over its metric queries (one per dataset), to split a run's time

Each SPEC names, in the floor's column order, the check that column answers and how: "freshness:age" (the column
is max(timestamp); dqmon's observed value is NOW minus it, in seconds) or "volume/daily:count" (a row count).
Timestamps may be ISO text (zone-less reads as UTC) or epoch seconds. Prints one line: "agree (N checks)" or
"DISAGREE: ..." with the first differences; exits 0 either way (the caller reports), 2 on unreadable input.
"""
import datetime
import json
import sys


def epoch(text):
    try:
        return float(text)
    except ValueError:
        value = datetime.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()


def query_ms(results_path):
    per_dataset = {}
    for result in json.load(open(results_path))["results"]:
        if result.get("query_ms") is not None:
            per_dataset[result["dataset"]] = float(result["query_ms"])
    times = sorted(per_dataset.values())
    if not times:
        return "no query_ms in the results"
    return (f"{sum(times) / 1000:.2f} s in {len(times)} metric queries "
            f"(median {times[len(times) // 2]:.2f} ms, max {times[-1]:.2f} ms)")


def main(argv):
    if argv[:1] == ["--query-ms"]:
        try:
            print(query_ms(argv[1]))
        except (OSError, ValueError, KeyError) as error:
            print(f"unreadable results ({error})")
        return 0
    dataset = None
    if argv[:1] == ["--dataset"]:
        dataset, argv = argv[1], argv[2:]
    now_text, results_path, floor_path, specs = argv[0], argv[1], argv[2], argv[3:]
    now = epoch(now_text.replace("Z", "+00:00"))
    try:
        results = {r["check_id"]: r for r in json.load(open(results_path))["results"]}
        lines = [line for line in open(floor_path).read().splitlines() if line.strip()]
    except (OSError, ValueError, KeyError) as error:
        print(f"DISAGREE: unreadable input ({error})")
        return 2
    rows = {}
    if dataset is not None:
        rows[dataset] = [t for line in lines for t in line.split("|")]
    else:
        for line in lines:
            name, *values = line.split("|")
            rows[name] = values
    problems, compared = [], 0
    for name, values in rows.items():
        for spec, value in zip(specs, values):
            suffix, kind = spec.rsplit(":", 1)
            check_id = f"{name}/{suffix}"
            result = results.get(check_id)
            if result is None:
                problems.append(f"{check_id}: no result")
                continue
            observed = result.get("observed")
            if value == "":
                expected = None
            elif kind == "age":
                expected = now - epoch(value)
            else:
                expected = float(value)
            compared += 1
            if expected is None or observed is None:
                if not (expected is None and observed is None):
                    problems.append(f"{check_id}: dqmon {observed} vs floor {value!r}")
            elif abs(float(observed) - expected) > (0.5 if kind == "age" else 0):
                problems.append(f"{check_id}: dqmon {observed} vs floor {expected:g} ({result.get('status')})")
    if problems:
        print(f"DISAGREE on {len(problems)} of {compared} checks: " + "; ".join(problems[:5]))
    else:
        print(f"agree ({compared} checks)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
