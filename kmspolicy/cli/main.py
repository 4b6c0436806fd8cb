"""The ``kmspolicy`` command: lint, what-if and test.

Exit codes are part of the interface. lint exits 0 when clean, 1 with findings, 2
when an input cannot be read. what-if exits 0 for Allow, 1 for a deny, 2 for bad
input. test exits 0 when every case passes, 1 when any fails, 2 for unreadable files.
Every command exits 3 on an internal error, which is a bug.
"""

from __future__ import annotations

import argparse
import logging
import sys

from kmspolicy.cli.lint import add_lint_parser
from kmspolicy.cli.test import add_test_parser
from kmspolicy.cli.whatif import add_whatif_parser

logger = logging.getLogger("kmspolicy.cli")


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


# An unexpected failure exits with its own status, so that CI can tell a crash from
# findings (1) or unreadable input (2).
EXIT_INTERNAL_ERROR = 3


def main(argv: list[str] | None = None) -> int:
    # Input may hold text that the terminal cannot encode (a lone surrogate from a
    # JSON escape, a file name that is not UTF-8): print it escaped, never fail.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")

    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        return arguments.run(arguments)
    except BrokenPipeError:
        # The reader of our output went away (for example `| head`); nothing to report.
        return 0
    except Exception as error:
        logger.debug("internal error in kmspolicy %s", arguments.command, exc_info=True)
        print(
            f"kmspolicy: internal error ({type(error).__name__}: {error}); "
            "this is a bug, please report it with the input that caused it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
