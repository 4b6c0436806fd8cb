"""The operation catalogue against botocore's KMS model and the action catalogue."""

from __future__ import annotations

import warnings

import pytest

from kmspolicy.catalogue import CROSS_ACCOUNT_ACTIONS, catalogue
from kmspolicy.operations import operation_catalogue

botocore_session = pytest.importorskip(
    "botocore.session", reason="install the test extra"
)

RECORDED_VERSION = operation_catalogue().source["botocore"]


@pytest.fixture(scope="module")
def kms_model():
    model = botocore_session.get_session().get_service_model("kms")
    members = model.operation_model("CreateGrant").input_shape.members
    if "GranteeServicePrincipal" not in members:
        pytest.skip(
            "the installed botocore predates CreateGrant's GranteeServicePrincipal; "
            f"install botocore>={RECORDED_VERSION} (the test extra does)"
        )
    return model


def _describe(shape) -> dict:
    described = {"type": shape.type_name}
    for name in ("min", "max", "pattern"):
        if name in shape.metadata:
            described[name] = shape.metadata[name]
    if getattr(shape, "enum", None):
        described["enum"] = list(shape.enum)
    if shape.type_name == "list":
        described["member"] = _describe(shape.member)
    if shape.type_name == "map":
        described["key"] = _describe(shape.key)
        described["value"] = _describe(shape.value)
    if shape.type_name == "structure":
        described["members"] = {n: _describe(s) for n, s in shape.members.items()}
        described["required"] = list(shape.required_members)
    return described


def _compare(path: str, ours: dict, theirs: dict, newer: list[str]) -> None:
    """Assert every fact of ``ours`` is true in botocore; list botocore's additions."""
    for name, value in ours.items():
        assert name in theirs, f"{path}: botocore has no {name!r}"
        if name == "enum":
            missing = set(value) - set(theirs["enum"])
            assert not missing, f"{path}: botocore lacks enum values {missing}"
            newer.extend(f"{path}={v}" for v in theirs["enum"] if v not in value)
        elif name in ("members", "member", "key", "value"):
            _compare_nested(
                f"{path}.{name}", value, theirs[name], newer, name == "members"
            )
        elif name == "required":
            assert set(value) == set(theirs[name]), f"{path}: required members differ"
        else:
            assert value == theirs[name], (
                f"{path}: {name} is {theirs[name]!r} in botocore"
            )


def _compare_nested(path, ours, theirs, newer, is_members) -> None:
    if not is_members:
        _compare(path, ours, theirs, newer)
        return
    for member, shape in ours.items():
        assert member in theirs, f"{path}: botocore has no member {member!r}"
        _compare(f"{path}.{member}", shape, theirs[member], newer)
    newer.extend(f"{path}.{m}" for m in theirs if m not in ours)


def test_operations_exist_in_botocore(kms_model):
    ours = set(operation_catalogue().operations)
    theirs = set(kms_model.operation_names)
    assert ours <= theirs, f"not in botocore: {sorted(ours - theirs)}"
    if theirs - ours:
        warnings.warn(
            f"botocore has operations newer than the catalogue: {theirs - ours}"
        )


def test_parameters_match_botocore(kms_model):
    newer: list[str] = []
    for name, info in operation_catalogue().operations.items():
        shape = kms_model.operation_model(name).input_shape
        theirs = (
            _describe(shape) if shape is not None else {"members": {}, "required": []}
        )
        ours = {"members": info.parameters, "required": list(info.required)}
        _compare(name, ours, theirs, newer)
    if newer:
        warnings.warn(
            f"botocore knows members or values newer than the catalogue: {newer}"
        )


def test_grantable_set_is_grant_operation_enum(kms_model):
    grantable = {
        name
        for info in operation_catalogue().operations.values()
        for name in info.grant_operations
    }
    enum = set(kms_model.shape_for("GrantOperation").enum)
    assert grantable <= enum
    if botocore_session.__version__ == RECORDED_VERSION:
        assert grantable == enum


def test_every_check_action_is_catalogued():
    actions = catalogue().actions
    for name, info in operation_catalogue().operations.items():
        for check in info.checks:
            assert check.action.lower() in actions, f"{name}: {check.action}"


def test_grantable_agrees_with_action_catalogue():
    for name, info in operation_catalogue().operations.items():
        for check in info.checks:
            action = catalogue().actions[check.action.lower()]
            short = check.action.split(":")[1]
            if check.resource in ("key", "grant") and action.grantable:
                assert short in info.grant_operations, name


def test_cross_account_agrees_with_actions():
    for name, info in operation_catalogue().operations.items():
        key_actions = [
            c.action.lower() for c in info.checks if c.resource in ("key", "grant")
        ]
        expected = bool(key_actions) and all(
            a in CROSS_ACCOUNT_ACTIONS for a in key_actions
        )
        assert info.cross_account is expected, name


@pytest.mark.parametrize(
    ("operation", "parameter", "forms"),
    [
        ("Decrypt", "KeyId", "any"),
        ("DescribeKey", "KeyId", "any"),
        ("ReEncrypt", "SourceKeyId", "any"),
        ("ReEncrypt", "DestinationKeyId", "any"),
        ("CreateGrant", "KeyId", "id-or-arn"),
        ("GetKeyRotationStatus", "KeyId", "id-or-arn"),
        ("RetireGrant", "KeyId", "key-arn"),
        ("CreateAlias", "TargetKeyId", "id-or-arn"),
    ],
)
def test_key_id_forms(operation, parameter, forms):
    assert operation_catalogue().get(operation).key_id_forms[parameter] == forms


def test_reencrypt_checks_both_keys():
    checks = operation_catalogue().get("ReEncrypt").checks
    assert [c.action for c in checks] == ["kms:ReEncryptFrom", "kms:ReEncryptTo"]
    assert checks[0].encryption_context == "SourceEncryptionContext"
    assert checks[1].encryption_context == "DestinationEncryptionContext"


def test_update_alias_checks_three_resources():
    checks = operation_catalogue().get("UpdateAlias").checks
    assert [c.resource for c in checks] == ["alias", "alias-target", "key"]
