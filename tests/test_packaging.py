"""The installed package carries its grammars and catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

import kmspolicy
from kmspolicy.grammars import grammar_text

GRAMMARS = ("policy_json", "condition_operator", "policy_variable")


@pytest.mark.parametrize("name", GRAMMARS)
def test_grammar_loads(name):
    assert "start" in grammar_text(name) or ":" in grammar_text(name)


def test_installed_package_ships_grammars():
    package_dir = Path(kmspolicy.__file__).resolve().parent
    if "site-packages" not in str(package_dir):
        pytest.skip("kmspolicy is imported from the source tree, not installed")

    shipped = sorted(p.stem for p in (package_dir / "grammar").glob("*.lark"))
    assert shipped == sorted(GRAMMARS)
    assert (package_dir / "data" / "catalogue.json").is_file()
