"""Bad input of every kind gives a clear error naming the problem, quickly."""

from __future__ import annotations

import pytest
from conftest import run_cli

from kmspolicy.errors import DocumentError
from kmspolicy.policy.parse import read_policy_bytes

BAD_INPUTS = {
    "not-json": (b"Version: 2012-10-17\n", "json-syntax"),
    "empty": (b"", "empty-document"),
    "whitespace-only": (b"  \n\t\n", "empty-document"),
    "invalid-utf8": (
        b'{"Version": "2012-10-17", "Id": "\xff\xfe"}',
        "invalid-encoding",
    ),
    "ten-megabytes": (
        b'{"Id": "' + b"a" * (10 * 1024 * 1024) + b'"}',
        "document-too-large",
    ),
    "deep-nesting": (b"[" * 100_000 + b"]" * 100_000, "nesting-too-deep"),
    "deep-objects": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nesting-too-deep"),
    "top-level-array": (b"[]", "not-an-object"),
    "top-level-string": (b'"policy"', "not-an-object"),
    "statement-number": (b'{"Version": "2012-10-17", "Statement": 5}', "invalid-type"),
    "trailing-garbage": (b'{"Statement": []} extra', "json-syntax"),
    "single-quotes": (b"{'Statement': []}", "json-syntax"),
    "truncated": (b'{"Statement": [{"Effect": "Allow"', "json-syntax"),
    "control-character": (b'{"Id": "a\x01b"}', "json-syntax"),
    "nul-byte": (b'{"Id": "a\x00b"}', "json-syntax"),
}


def _codes(data: bytes) -> set[str]:
    try:
        policy = read_policy_bytes(data)
    except DocumentError as error:
        return {error.finding.code}
    return {finding.code for finding in policy.findings}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gives_code(name):
    data, code = BAD_INPUTS[name]
    assert code in _codes(data)


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_through_lint(tmp_path, name):
    data, code = BAD_INPUTS[name]
    path = tmp_path / f"{name}.json"
    path.write_bytes(data)

    completed = run_cli("lint", str(path), timeout=30)

    assert "Traceback" not in completed.stderr
    assert completed.returncode == 1
    assert f"[{code}]" in completed.stdout


def test_invalid_utf8_names_offset():
    with pytest.raises(DocumentError) as caught:
        read_policy_bytes(b'{"Id": "ok",\n "Sid": "\xc3\x28"}')
    finding = caught.value.finding
    assert finding.line == 2
    assert "0xc3" in finding.message


def test_lone_surrogate_escape_does_not_crash(tmp_path):
    path = tmp_path / "surrogate.json"
    path.write_bytes(b'{"Version": "2012-10-17", "Id": "\\ud800", "Statement": []}')

    text = run_cli("lint", "--kind", "key", str(path))
    as_json = run_cli("lint", "--kind", "key", "--format", "json", str(path))

    assert "Traceback" not in text.stderr
    assert "Traceback" not in as_json.stderr
    assert "[invalid-character]" in text.stdout


def test_missing_file_exits_2(tmp_path):
    completed = run_cli("lint", str(tmp_path / "absent.json"))
    assert completed.returncode == 2
    assert "no such file" in completed.stderr


def test_unreadable_file_exits_2(tmp_path):
    path = tmp_path / "secret.json"
    path.write_text("{}")
    path.chmod(0)
    try:
        completed = run_cli("lint", str(path))
    finally:
        path.chmod(0o600)
    if completed.returncode == 1:
        pytest.skip("running as root: permissions do not stop reading")
    assert completed.returncode == 2
    assert "cannot read" in completed.stderr
