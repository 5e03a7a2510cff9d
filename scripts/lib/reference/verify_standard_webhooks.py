#!/usr/bin/env python3
"""Checks dqmon's webhook signatures with the official Standard Webhooks library (PyPI `standardwebhooks`).

Usage: verify_standard_webhooks.py REQUEST.json   (prints one JSON document; exit 0 when it could run)

REQUEST.json holds either or both of:
  "deliveries": [{"name", "secret", "body", "headers"}]  -> Webhook(secret).verify(body, headers) for each,
                 exactly as a receiver does with the headers and body it got; reported as {"name", "ok", "error"}.
  "signing":    [{"secret", "id", "timestamp", "body"}]  -> Webhook(secret).sign(id, timestamp, body), or the error
                 the library raises for that secret; reported as {"signature"} or {"error"}.
`secret` is what the receiver holds: a `whsec_…` secret as generated, or base64 of a plain secret's text.
Secrets are never printed.
"""
import json
import sys
from datetime import datetime, timezone

from standardwebhooks.webhooks import Webhook


def describe(error):
    return f"{type(error).__name__}: {error}"


def verify(delivery):
    try:
        Webhook(delivery["secret"]).verify(delivery["body"], delivery["headers"])
        return {"name": delivery["name"], "ok": True, "error": None}
    except Exception as error:  # the library's own verdict is what is reported
        return {"name": delivery["name"], "ok": False, "error": describe(error)}


def sign(item):
    try:
        at = datetime.fromtimestamp(item["timestamp"], tz=timezone.utc)
        return {"signature": Webhook(item["secret"]).sign(item["id"], at, item["body"])}
    except Exception as error:
        return {"error": describe(error)}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as handle:
        request = json.load(handle)
    result = {
        "deliveries": [verify(d) for d in request.get("deliveries", [])],
        "signing": [sign(s) for s in request.get("signing", [])],
    }
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
