"""Write docs/findings.md from the finding codes table (kmspolicy.findings.CODES).

Usage: python tools/findings_doc.py [--check]
With --check, exit 1 when the page is out of date instead of writing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kmspolicy.findings import CODES

PAGE = Path(__file__).resolve().parent.parent / "docs" / "findings.md"

HEADER = """# Finding codes

`kmspolicy lint` reports each problem as `file:line:col: severity[code]: message`.
Codes are stable: a code keeps its meaning across releases. This page is generated
from `kmspolicy/findings.py` by `tools/findings_doc.py`.

## Where a finding points

- A problem with a value (a bad Effect, action, principal, condition value) points
  at the start of that value, and its path names the list item when the value is
  one item of a list, for example `$.Statement[0].Action[1]`.
- A problem with a member name (unknown element, operator, condition key,
  duplicate member) points at the opening quote of the name.
- A missing element points at the `{` of the statement (or of the document for
  Statement and Version).
- Paths start at `$`; `.Name` selects a member, even when the name has colons, and
  `[i]` an array item (0-based). Lines and columns are 1-based; columns count
  characters.

## Codes

| code | severity | meaning |
|---|---|---|
"""


def render() -> str:
    rows = [
        f"| `{code}` | {severity.value} | {description} |"
        for code, (severity, description) in CODES.items()
    ]
    return HEADER + "\n".join(rows) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = PAGE.read_text() if PAGE.is_file() else ""
        return 0 if current == text else 1

    PAGE.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
