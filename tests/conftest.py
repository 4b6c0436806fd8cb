"""Shared paths for the test suite."""

from __future__ import annotations

import subprocess
import sys
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


def cli_command() -> list[str]:
    """Return the installed ``kmspolicy`` script, or the module when run from source."""
    script = Path(sys.executable).parent / "kmspolicy"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "kmspolicy.cli.main"]


def run_cli(*arguments: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*cli_command(), *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
