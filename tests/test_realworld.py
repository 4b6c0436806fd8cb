"""Every public real-world policy lints without a crash: findings or a clear error."""

from __future__ import annotations

import json

import pytest
from conftest import REALWORLD, run_cli

from kmspolicy.cli.lint import lint_file

FILES = sorted(REALWORLD.glob("*.json")) if REALWORLD.is_dir() else []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem[:40])
def test_realworld_policy_lints(path):
    report = lint_file(path, None)

    assert report.error is None
    for finding in report.findings:
        assert finding.line >= 1
        assert finding.column >= 1
        assert finding.message


def test_realworld_folder_through_cli(realworld_dir):
    completed = run_cli("lint", "--format", "json", str(realworld_dir), timeout=120)

    assert "Traceback" not in completed.stderr
    assert completed.returncode in (0, 1)
    document = json.loads(completed.stdout)
    assert document["summary"]["files"] == len(list(realworld_dir.glob("*.json")))
    assert document["summary"]["unreadable"] == 0


def test_realworld_published_broken_json_is_reported(realworld_dir):
    broken = realworld_dir / "005-kms-sourcevpc-admin-usage-split-trailing-comma.json"
    if not broken.is_file():
        pytest.skip("sample file not present")

    report = lint_file(broken, None)

    codes = [finding.code for finding in report.findings]
    assert codes == ["json-syntax"]
    assert "trailing comma" in report.findings[0].message
