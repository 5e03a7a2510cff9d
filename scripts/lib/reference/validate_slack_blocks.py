#!/usr/bin/env python3
"""Validates Slack messages with the official Block Kit models (PyPI `slack_sdk`).

Usage: validate_slack_blocks.py MESSAGE.json...   (exit 0 when every block of every message is valid)

For each block of each message: `Block.parse(block)` must know its type (slack_sdk logs and skips unknown
ones), `.validate_json()` must pass (text lengths, element counts, required fields), and `.to_dict()` must give the
block back unchanged (a key the models do not know is dropped with a warning: a typo Slack would reject or ignore).
Prints one line per message ("ok FILE: N blocks") or per problem ("FILE blocks[i]: why"); never the message text.
"""
import json
import logging
import sys

from slack_sdk.models.blocks import Block


class Warnings(logging.Handler):
    """Collects what slack_sdk's models log (unknown blocks, unknown keys)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        text = record.getMessage()
        if "were ignored" in text:  # show_unknown_key_warning, logged at DEBUG: "X's constructor args (k) were ignored."
            self.messages.append(text.split("were ignored")[0].strip("! ") + " were ignored")
        elif record.levelno >= logging.WARNING:  # unknown block types; the block itself (message text) is not shown
            self.messages.append(text.split("(")[0].strip())


def check_block(block, where, warnings):
    warnings.messages.clear()
    parsed = Block.parse(block)
    if parsed is None:
        return [f"{where}: slack_sdk does not know block type {block.get('type') if isinstance(block, dict) else None!r}"]
    problems = []
    try:
        parsed.validate_json()
        again = parsed.to_dict()
        if again != block:
            lost = sorted(set(block) - set(again)) if isinstance(block, dict) else []
            problems.append(f"{where}: the {type(parsed).__name__} model does not give the block back unchanged"
                            + (f" (dropped keys: {', '.join(lost)})" if lost else ""))
    except Exception as error:
        problems.append(f"{where}: {type(parsed).__name__}: {type(error).__name__}: {error}")
    problems += [f"{where}: slack_sdk warned: {message}" for message in warnings.messages]
    return problems


def check_message(path, warnings):
    with open(path, encoding="utf-8") as handle:
        message = json.load(handle)
    blocks = message.get("blocks") if isinstance(message, dict) else None
    if not isinstance(blocks, list) or not blocks:
        return [f"{path}: no `blocks` list"], 0
    problems = []
    for index, block in enumerate(blocks):
        problems += check_block(block, f"{path} blocks[{index}]", warnings)
    return problems, len(blocks)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    warnings = Warnings()
    logging.getLogger("slack_sdk").addHandler(warnings)
    logging.getLogger("slack_sdk").setLevel(logging.DEBUG)
    logging.getLogger("slack_sdk").propagate = False
    failed = False
    for path in sys.argv[1:]:
        problems, count = check_message(path, warnings)
        for problem in problems:
            print(problem)
        if problems:
            failed = True
        else:
            print(f"ok {path}: {count} blocks")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
