"""Parses a Prometheus text exposition file with the official client library's parser (prometheus_client) and
prints its families as JSON: [{"name", "type", "help", "samples": [{"name", "labels", "value"}]}].

Used by Tests/DQMonTests/Reports/Prometheus/PrometheusTextfileTests.swift to check `dqmon check --prometheus-file`
with the parser the Prometheus ecosystem ships rather than with our own reading of the format. Exit 1 with the
parser's message when the file does not parse; also refuses a file that does not end with a line feed (the
textfile collector requires it) or repeats a family (a second TYPE line for a name).
"""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def main(path):
    # newline="": no universal-newline translation; a carriage return inside a label value is data, as for
    # Prometheus itself, which splits lines on line feeds only.
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    if text and not text.endswith("\n"):
        print("the file does not end with a line feed", file=sys.stderr)
        return 1
    families = []
    seen = set()
    try:
        for family in text_string_to_metric_families(text):
            if family.name in seen:
                print(f"family {family.name} appears twice", file=sys.stderr)
                return 1
            seen.add(family.name)
            samples = []
            for sample in family.samples:
                if not math.isfinite(sample.value):
                    print(f"{sample.name}: non-finite value {sample.value}", file=sys.stderr)
                    return 1
                samples.append({"name": sample.name, "labels": sample.labels, "value": sample.value})
            families.append({"name": family.name, "type": family.type, "help": family.documentation, "samples": samples})
    except Exception as error:  # the parser raises ValueError and others on malformed input
        print(f"does not parse: {error!r}", file=sys.stderr)
        return 1
    json.dump(families, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
