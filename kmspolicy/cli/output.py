"""Writing command output that survives any input text."""

from __future__ import annotations

import json
import sys

import orjson


def write_json(document: object) -> None:
    """Write a JSON document to stdout, indented.

    orjson rejects strings that are not valid Unicode (a lone surrogate from a
    ``\\ud800`` escape, or a file name that is not UTF-8); such documents are
    written with every non-ASCII character escaped instead.
    """
    try:
        data = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    except TypeError:
        data = json.dumps(document, indent=2, ensure_ascii=True).encode("ascii")
    sys.stdout.buffer.write(data + b"\n")
