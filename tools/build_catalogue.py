"""Build kmspolicy/data/catalogue.json from the project's KMS catalogue source.

Usage: python tools/build_catalogue.py SOURCE.json [--check]

The source is the reviewed catalogue of KMS actions, operations and condition keys
(Service Authorization Reference and botocore's KMS model; its ``source`` member
records the versions). The build checks that every key an action names is defined
and that every operation maps to catalogued actions, then writes the file sorted.
With --check it exits 1 when the packaged file differs from what it would write.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TARGET = (
    Path(__file__).resolve().parent.parent / "kmspolicy" / "data" / "catalogue.json"
)
SECTIONS = (
    "source",
    "resource_types",
    "actions",
    "operations",
    "condition_keys",
    "global_condition_keys",
)


def check(data: dict) -> list[str]:
    """Return the problems of a catalogue document (empty when it is consistent)."""
    problems = [f"missing section {name!r}" for name in SECTIONS if name not in data]
    if problems:
        return problems

    keys = set(data["condition_keys"]) | set(data["global_condition_keys"])
    for action, info in data["actions"].items():
        for key in info["condition_keys"]:
            if key not in keys:
                problems.append(f"{action} names undefined condition key {key!r}")
    for operation, actions in data["operations"].items():
        for action in actions:
            if action not in data["actions"]:
                problems.append(f"operation {operation} maps to unknown {action!r}")
    return problems


def render(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2

    data = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    problems = check(data)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1

    text = render(data)
    if "--check" in argv:
        return 0 if TARGET.read_text(encoding="utf-8") == text else 1

    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
