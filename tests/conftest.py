"""Shared paths for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"
REALWORLD = SHARED / "realworld" / "policies"
SPEC_CASES = SHARED / "spec" / "cases"


@pytest.fixture
def realworld_dir() -> Path:
    if not REALWORLD.is_dir():
        pytest.skip("../shared/realworld/policies is not beside this checkout")
    return REALWORLD
