"""The command line: output formats and exit statuses of lint and what-if."""

from __future__ import annotations

import json

from conftest import CORPUS, run_cli

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/7e3f9a12-4b6c-4d2e-9a1f-0c5b8d7e6f01"
SESSION = "arn:aws:sts::111122223333:assumed-role/AppRole/app-session"
VALID = CORPUS / "policies" / "valid"
KEY_POLICY = VALID / "admins-users-grants.json"


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


BAD_EFFECT = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
  ]
}
"""


def test_lint_clean_folder_exits_0():
    completed = run_cli("lint", str(VALID))
    assert completed.returncode == 0
    assert completed.stdout.strip().endswith("0 finding(s)")


def test_lint_text_line_format(tmp_path):
    path = _write(tmp_path, "bad.json", BAD_EFFECT)

    completed = run_cli("lint", str(path))

    assert completed.returncode == 1
    first = completed.stdout.splitlines()[0]
    assert first.startswith(f"{path}:4:16: error[invalid-effect]: ")
    assert "'allow'" in first


def test_lint_json_format(tmp_path):
    path = _write(tmp_path, "bad.json", BAD_EFFECT)

    completed = run_cli("lint", "--format", "json", str(path))

    document = json.loads(completed.stdout)
    finding = document["files"][0]["findings"][0]
    assert finding["code"] == "invalid-effect"
    assert finding["path"] == "$.Statement[0].Effect"
    assert (finding["line"], finding["column"]) == (4, 16)
    assert document["summary"]["errors"] == 1


def test_lint_github_format(tmp_path):
    path = _write(tmp_path, "bad.json", BAD_EFFECT)

    completed = run_cli("lint", "--format", "github", str(path))

    assert completed.stdout.startswith("::error file=")
    assert ",line=4,col=16,title=invalid-effect::" in completed.stdout


def test_lint_fail_on_error_ignores_warnings(tmp_path):
    path = _write(
        tmp_path,
        "noversion.json",
        '{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}',
    )

    default = run_cli("lint", str(path))
    errors_only = run_cli("lint", "--fail-on", "error", str(path))

    assert default.returncode == 1
    assert errors_only.returncode == 0


def test_whatif_allow_exits_0():
    completed = run_cli(
        "what-if",
        "--key-policy",
        str(KEY_POLICY),
        "--key-arn",
        KEY_ARN,
        "--principal",
        SESSION,
        "--action",
        "kms:Decrypt",
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("Allow:")
    assert "'Key users'" in completed.stdout


def test_whatif_deny_exits_1():
    completed = run_cli(
        "what-if",
        "--key-policy",
        str(KEY_POLICY),
        "--key-arn",
        KEY_ARN,
        "--principal",
        SESSION,
        "--action",
        "kms:ScheduleKeyDeletion",
    )
    assert completed.returncode == 1
    assert completed.stdout.startswith("ImplicitDeny:")


def test_whatif_json_output():
    completed = run_cli(
        "what-if",
        "--key-policy",
        str(KEY_POLICY),
        "--key-arn",
        KEY_ARN,
        "--principal",
        SESSION,
        "--action",
        "kms:Decrypt",
        "--format",
        "json",
    )
    document = json.loads(completed.stdout)
    assert document["decision"] == "Allow"
    assert document["statements"][0]["sid"] == "Key users"


def test_whatif_context_and_encryption_context(tmp_path):
    policy = _write(
        tmp_path,
        "kp.json",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111122223333:role/AppRole"},
                        "Action": "kms:Decrypt",
                        "Resource": "*",
                        "Condition": {
                            "StringEquals": {"kms:EncryptionContext:tenant": "acme"},
                            "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                        },
                    }
                ],
            }
        ),
    )
    base = [
        "what-if",
        "--key-policy",
        str(policy),
        "--key-arn",
        KEY_ARN,
        "--principal",
        SESSION,
        "--action",
        "kms:Decrypt",
    ]

    allowed = run_cli(
        *base,
        "--encryption-context",
        "tenant=acme",
        "--context",
        "aws:SourceIp=203.0.113.9",
    )
    wrong_tenant = run_cli(
        *base,
        "--encryption-context",
        "tenant=other",
        "--context",
        "aws:SourceIp=203.0.113.9",
    )

    assert allowed.returncode == 0
    assert wrong_tenant.returncode == 1


def test_whatif_invalid_policy_exits_2(tmp_path):
    path = _write(tmp_path, "bad.json", BAD_EFFECT)

    completed = run_cli(
        "what-if",
        "--key-policy",
        str(path),
        "--key-arn",
        KEY_ARN,
        "--principal",
        SESSION,
        "--action",
        "kms:Decrypt",
    )

    assert completed.returncode == 2
    assert "invalid-effect" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_whatif_bad_flags_exit_2():
    bad_action = run_cli(
        "what-if",
        "--key-policy",
        str(KEY_POLICY),
        "--principal",
        SESSION,
        "--action",
        "Decrypt",
    )
    bad_context = run_cli(
        "what-if",
        "--key-policy",
        str(KEY_POLICY),
        "--principal",
        SESSION,
        "--action",
        "kms:Decrypt",
        "--context",
        "novalue",
    )
    bad_principal = run_cli(
        "what-if",
        "--key-policy",
        str(KEY_POLICY),
        "--key-arn",
        KEY_ARN,
        "--principal",
        "someone",
        "--action",
        "kms:Decrypt",
    )

    for completed in (bad_action, bad_context, bad_principal):
        assert completed.returncode == 2
        assert "Traceback" not in completed.stderr
        assert completed.stderr.startswith("error:")


def test_lint_sarif_format(tmp_path):
    path = _write(tmp_path, "bad.json", BAD_EFFECT)

    completed = run_cli("lint", "--format", "sarif", str(path))

    log = json.loads(completed.stdout)
    result = log["runs"][0]["results"][0]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert log["version"] == "2.1.0"
    assert result["ruleId"] == "invalid-effect"
    assert result["level"] == "error"
    assert (region["startLine"], region["startColumn"]) == (4, 16)
    assert log["runs"][0]["tool"]["driver"]["rules"][0]["id"] == "invalid-effect"
    assert completed.returncode == 1


def test_whatif_context_json_single_item_list(tmp_path):
    policy = _write(
        tmp_path,
        "kp.json",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111122223333:role/AppRole"},
                        "Action": "kms:Decrypt",
                        "Resource": "*",
                        "Condition": {
                            "ForAnyValue:StringEquals": {"aws:TagKeys": "team"}
                        },
                    }
                ],
            }
        ),
    )
    base = ["what-if", "--key-policy", str(policy), "--key-arn", KEY_ARN]
    base += ["--principal", SESSION, "--action", "kms:Decrypt"]

    allowed = run_cli(*base, "--context-json", '{"aws:TagKeys": ["team"]}')
    bad_value = run_cli(*base, "--context-json", '{"aws:TagKeys": 5}')
    not_object = run_cli(*base, "--context-json", "[1]")

    assert allowed.returncode == 0
    assert bad_value.returncode == 2
    assert not_object.returncode == 2
    assert "Traceback" not in bad_value.stderr


def test_whatif_key_policy_needs_key_arn():
    completed = run_cli(
        "what-if",
        "--key-policy",
        str(KEY_POLICY),
        "--principal",
        SESSION,
        "--action",
        "kms:Decrypt",
    )
    assert completed.returncode == 2
    assert "--key-arn" in completed.stderr


def test_whatif_action_applies_key_metadata(tmp_path):
    policy = _write(
        tmp_path,
        "kp.json",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "kms:DescribeKey",
                        "Resource": "*",
                        "Condition": {
                            "StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT"}
                        },
                    }
                ],
            }
        ),
    )
    base = ["what-if", "--key-policy", str(policy), "--key-arn", KEY_ARN]
    base += ["--principal", SESSION, "--action", "kms:DescribeKey"]

    symmetric = run_cli(*base, "--key-metadata", '{"spec": "SYMMETRIC_DEFAULT"}')
    other_key = run_cli(
        *base, "--key-metadata", '{"arn": "arn:aws:kms:eu-west-1:999988887777:key/z"}'
    )
    bad_arn = run_cli(*base[:4], "arn:", *base[5:])

    assert symmetric.returncode == 0
    assert other_key.returncode == 2
    assert bad_arn.returncode == 2


def test_sarif_uri_percent_encodes_bytes(tmp_path):
    name = tmp_path.as_posix().encode() + b"/bad\xfe name.json"
    with open(name, "wb") as stream:
        stream.write(b"{}")

    completed = run_cli("lint", "--format", "sarif", str(tmp_path))

    log = json.loads(completed.stdout)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("/bad%FE%20name.json")
