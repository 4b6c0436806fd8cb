"""``kmspolicy test``: run decision case files and count what passes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kmspolicy.cases import load_cases, run_case
from kmspolicy.errors import RequestError


def add_test_parser(commands) -> None:
    parser = commands.add_parser(
        "test",
        help="run decision case files and report the cases that fail",
        description="Run decision case files (format: docs/cases.md).",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="case files (JSON)")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="also print each passing case and warnings",
    )
    parser.set_defaults(run=run_test)


def run_test(arguments: argparse.Namespace) -> int:
    passed = failed = 0
    unreadable = False
    for name in arguments.files:
        path = Path(name)
        try:
            cases = load_cases(path)
        except (RequestError, OSError) as error:
            print(f"error: {name}: {getattr(error, 'message', error)}", file=sys.stderr)
            unreadable = True
            continue

        for case in cases:
            result = run_case(case, path.parent)
            if result.passed:
                passed += 1
                if arguments.verbose:
                    print(f"PASS {name} {result.case_id}: {result.actual}")
            else:
                failed += 1
                print(
                    f"FAIL {name} {result.case_id}: expected {result.expected}, "
                    f"got {result.actual} ({result.detail})"
                )
            if arguments.verbose:
                for warning in result.warnings:
                    print(f"  warning: {warning}")

    print(f"{passed} passed, {failed} failed")
    if unreadable:
        return 2
    return 1 if failed else 0
