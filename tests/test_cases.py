"""Decision case files: the AWS-derived cases and our corpus cases all pass."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import CORPUS, SPEC_CASES

from kmspolicy.cases import load_cases, run_case

CORPUS_CASE_FILES = sorted((CORPUS / "cases").glob("*.json"))


def _case_params(files):
    return [
        pytest.param(path, case, id=f"{path.stem}:{case.get('id')}")
        for path in files
        for case in load_cases(path)
    ]


@pytest.mark.parametrize("path,case", _case_params(CORPUS_CASE_FILES))
def test_corpus_case(path, case):
    result = run_case(case, path.parent)
    assert result.passed, (
        f"expected {result.expected}, got {result.actual}: {result.detail}"
    )


def _spec_case_files():
    if not SPEC_CASES.is_dir():
        return []
    return sorted(SPEC_CASES.glob("*.json"))


@pytest.mark.parametrize("path,case", _case_params(_spec_case_files()))
def test_spec_case(path, case):
    result = run_case(case, path.parent)
    assert result.passed, (
        f"expected {result.expected}, got {result.actual}: {result.detail}"
    )


def test_corpus_case_ids_unique():
    ids = [case["id"] for path in CORPUS_CASE_FILES for case in load_cases(path)]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == []


def test_test_command_summary_line(tmp_path):
    cases = tmp_path / "cases.json"
    cases.write_text(
        """[
        {"id": "allow", "expected": "Allow",
         "policies": {"key_policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/dana"},
             "Action": "kms:Decrypt", "Resource": "*"}]}},
         "request": {"principal": "arn:aws:iam::111122223333:user/dana",
                     "action": "kms:Decrypt",
                     "resource": "arn:aws:kms:us-east-1:111122223333:key/k1"}},
        {"id": "wrong", "expected": "Allow",
         "policies": {"key_policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/dana"},
             "Action": "kms:Decrypt", "Resource": "*"}]}},
         "request": {"principal": "arn:aws:iam::111122223333:user/erin",
                     "action": "kms:Decrypt",
                     "resource": "arn:aws:kms:us-east-1:111122223333:key/k1"}}
        ]"""
    )
    completed = subprocess.run(
        [sys.executable, "-m", "kmspolicy.cli.main", "test", str(cases)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = completed.stdout.strip().splitlines()
    assert lines[-1] == "1 passed, 1 failed"
    assert any("wrong" in line and "ImplicitDeny" in line for line in lines)
    assert completed.returncode == 1


def test_test_command_unreadable_file(tmp_path):
    missing = tmp_path / "missing.json"
    completed = subprocess.run(
        [sys.executable, "-m", "kmspolicy.cli.main", "test", str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert completed.stdout.strip().splitlines()[-1] == "0 passed, 0 failed"
