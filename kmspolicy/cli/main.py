"""The ``kmspolicy`` command: lint, what-if and test.

Exit codes are part of the interface: lint exits 0 when clean, 1 with findings, 2
when an input cannot be read; what-if exits 0 for Allow, 1 for a deny, 2 for bad
input; test exits 0 when every case passes, 1 when any fails, 2 for unreadable files.
"""

from __future__ import annotations

import argparse
import sys

from kmspolicy.cli.lint import add_lint_parser
from kmspolicy.cli.test import add_test_parser
from kmspolicy.cli.whatif import add_whatif_parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kmspolicy",
        description="Decide, explain and lint access to AWS KMS keys, offline.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add_lint_parser(commands)
    add_whatif_parser(commands)
    add_test_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        return arguments.run(arguments)
    except BrokenPipeError:
        # The reader of our output went away (for example `| head`); nothing to report.
        return 0


if __name__ == "__main__":
    sys.exit(main())
