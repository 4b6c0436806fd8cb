"""Bad input of every kind gives a clear error naming the problem, quickly."""

from __future__ import annotations

import json
import os

import pytest
from conftest import run_cli

from kmspolicy.errors import DocumentError
from kmspolicy.policy.model import PolicyKind
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


def test_lone_surrogate_in_member_name_json(tmp_path):
    path = tmp_path / "name.json"
    path.write_bytes(
        b'{"Version": "2012-10-17", "\\ud800": 1, "Statement": [{"Effect": "Allow",'
        b' "Principal": "*", "Action": "kms:*", "Resource": "*"}]}'
    )

    completed = run_cli("lint", "--format", "json", str(path))

    assert "Traceback" not in completed.stderr
    assert completed.returncode == 1
    assert "unknown-element" in completed.stdout


def test_non_utf8_file_name_json(tmp_path):
    name = tmp_path.as_posix().encode() + b"/bad\xfename.json"
    with open(name, "wb") as stream:
        stream.write(b"{}")

    completed = run_cli("lint", "--format", "json", str(tmp_path))

    assert "Traceback" not in completed.stderr
    assert completed.returncode == 1


def test_device_and_fifo_are_not_read(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)

    device = run_cli("lint", "/dev/zero", timeout=20)
    pipe = run_cli("lint", str(fifo), timeout=20)

    assert device.returncode == 2
    assert pipe.returncode == 2
    assert "not a regular file" in device.stderr


def test_large_file_is_not_read_whole(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as stream:
        stream.truncate(300 * 1024 * 1024)

    completed = run_cli("lint", str(path), timeout=20)

    assert completed.returncode == 1
    assert "[document-too-large]" in completed.stdout


def test_deep_grants_file_is_rejected(tmp_path):
    grants = tmp_path / "grants.json"
    grants.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    key_policy = tmp_path / "kp.json"
    key_policy.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": "*", "Action": "kms:*", "Resource": "*"}]}'
    )

    completed = run_cli(
        "what-if",
        "--key-policy",
        str(key_policy),
        "--key-arn",
        "arn:aws:kms:us-east-1:111122223333:key/k",
        "--principal",
        "arn:aws:iam::111122223333:user/dana",
        "--action",
        "kms:Decrypt",
        "--grants",
        str(grants),
    )

    assert completed.returncode == 2
    assert "nest" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_deep_case_file_is_rejected(tmp_path):
    cases = tmp_path / "cases.json"
    cases.write_bytes(b"[" * 100_000 + b"]" * 100_000)

    completed = run_cli("test", str(cases))

    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize(
    "case",
    [
        {"id": "ctx-list", "request": {"context": ["a"]}},
        {"id": "ctx-str", "request": {"context": "abc"}},
        {"id": "grants-int", "request": {}, "policies_grants": 5},
        {"id": "\ud800", "request": {}},
    ],
    ids=["context-list", "context-string", "grants-number", "surrogate-id"],
)
def test_malformed_case_fields_fail_cleanly(tmp_path, case):
    document = {
        "id": case["id"],
        "expected": "Allow",
        "policies": {"key_policy": None, "grants": case.get("policies_grants", [])},
        "request": {
            "principal": "arn:aws:iam::111122223333:user/dana",
            "action": "kms:ListKeys",
            **case["request"],
        },
    }
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([document]))

    completed = run_cli("test", str(path))

    assert "Traceback" not in completed.stderr
    assert completed.returncode == 1
    assert completed.stdout.strip().endswith("0 passed, 1 failed")


def test_cr_only_line_endings_count_as_lines():
    text = '{\r"Version": "2012-10-17",\r"Statement": [{"Effect": "Allw"}]}'
    policy = read_policy_bytes(text.encode(), kind=PolicyKind.IDENTITY)
    effect = [f for f in policy.findings if f.code == "invalid-effect"][0]
    assert (effect.line, effect.column) == (3, 26)
