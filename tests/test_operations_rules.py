"""Request rules KMS applies before deciding: key specs, ciphertexts, tags,
timestamps, key usage, alias targets and Regions, and caller-given context."""

from __future__ import annotations

import time

import pytest

from kmspolicy import KeyMetadata, PolicySet
from kmspolicy.grants import GrantStore
from kmspolicy.operations import (
    CallerIdentity,
    KeyRecord,
    KmsApiError,
    OperationRequest,
    authorize_operation,
    perform_operation,
)
from operations_support import (
    ACCOUNT,
    KEY,
    REGION,
    allow_all,
    delegating_key_policy,
    key_ring,
    request,
)

RSA_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c"
WEST_KEY = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"


def ring_with(*records: KeyRecord):
    ring = key_ring()
    for record in records:
        ring.add(record)
    return ring


def rsa_key(usage: str = "ENCRYPT_DECRYPT") -> KeyRecord:
    metadata = KeyMetadata(arn=RSA_KEY, spec="RSA_2048", usage=usage)
    return KeyRecord(metadata=metadata, key_policy=delegating_key_policy())


def rejected(operation_request, keys=None) -> KmsApiError:
    with pytest.raises(KmsApiError) as raised:
        authorize_operation(operation_request, keys or key_ring(), allow_all())
    return raised.value


def context_of(operation_request, keys=None, step: int = 0) -> dict:
    decision = authorize_operation(operation_request, keys or key_ring(), allow_all())
    return decision.steps[step].context


# -- CreateKey key spec and usage ---------------------------------------------


@pytest.mark.parametrize(
    "parameters",
    [
        {"KeySpec": "HMAC_256"},
        {"KeySpec": "RSA_2048", "KeyUsage": "GENERATE_VERIFY_MAC"},
        {"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "SIGN_VERIFY"},
        {"KeyUsage": "SIGN_VERIFY"},
        {"KeySpec": "ECC_NIST_P256"},
        {"CustomerMasterKeySpec": "ECC_SECG_P256K1", "KeyUsage": "KEY_AGREEMENT"},
    ],
    ids=repr,
)
def test_create_key_invalid_usage(parameters):
    error = rejected(request("CreateKey", **parameters))
    assert error.code == "ValidationException"
    assert error.parameter == "KeyUsage"


def test_create_key_specs_must_agree():
    error = rejected(
        request("CreateKey", KeySpec="RSA_2048", CustomerMasterKeySpec="RSA_4096")
    )
    assert error.code == "ValidationException"
    assert error.parameter == "CustomerMasterKeySpec"


@pytest.mark.parametrize(
    ("parameters", "usage"),
    [
        ({}, "ENCRYPT_DECRYPT"),
        (
            {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
            "GENERATE_VERIFY_MAC",
        ),
        ({"KeySpec": "RSA_2048"}, "ENCRYPT_DECRYPT"),
        (
            {"CustomerMasterKeySpec": "ECC_NIST_P256", "KeyUsage": "KEY_AGREEMENT"},
            "KEY_AGREEMENT",
        ),
    ],
    ids=repr,
)
def test_create_key_valid_usage(parameters, usage):
    values = context_of(request("CreateKey", **parameters))
    assert values["kms:KeyUsage"] == usage


# -- CiphertextBlob -----------------------------------------------------------


def test_decrypt_without_ciphertext_rejected():
    operation_request = OperationRequest(
        operation="Decrypt",
        parameters={"KeyId": KEY},
        caller=CallerIdentity(principal=f"arn:aws:iam::{ACCOUNT}:user/ana"),
    )
    error = rejected(operation_request)
    assert error.code == "ValidationException"
    assert error.parameter == "CiphertextBlob"


def test_reencrypt_without_ciphertext_rejected():
    parameters = {"SourceKeyId": KEY, "DestinationKeyId": KEY}
    operation_request = OperationRequest(
        operation="ReEncrypt",
        parameters=parameters,
        caller=CallerIdentity(principal=f"arn:aws:iam::{ACCOUNT}:user/ana"),
    )
    assert rejected(operation_request).parameter == "CiphertextBlob"


def test_dry_run_may_ignore_ciphertext():
    operation_request = OperationRequest(
        operation="Decrypt",
        parameters={
            "KeyId": KEY,
            "DryRun": True,
            "DryRunModifiers": ["IGNORE_CIPHERTEXT"],
        },
        caller=CallerIdentity(principal=f"arn:aws:iam::{ACCOUNT}:user/ana"),
    )
    assert authorize_operation(operation_request, key_ring(), allow_all()).allowed


# -- tags ---------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["CreateKey", "TagResource"])
def test_aws_tag_prefix_rejected(operation):
    parameters = {"Tags": [{"TagKey": "AWS:team", "TagValue": "x"}]}
    if operation == "TagResource":
        parameters["KeyId"] = KEY
    error = rejected(request(operation, **parameters))
    assert error.code == "TagException"
    assert error.value == "AWS:team"


# -- ImportKeyMaterial ValidTo ------------------------------------------------


def import_request(valid_to):
    return request(
        "ImportKeyMaterial",
        KeyId=KEY,
        ImportToken="AQID",
        EncryptedKeyMaterial="AQID",
        ValidTo=valid_to,
    )


@pytest.mark.parametrize(
    "valid_to", ["garbage", "2024-13-01", "nan", 1e400, float("nan"), 10**30]
)
def test_invalid_valid_to_rejected(valid_to):
    error = rejected(import_request(valid_to))
    assert error.code == "SerializationException"
    assert error.parameter == "ValidTo"


def test_valid_to_without_zone_is_utc(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        naive = context_of(import_request("2030-01-01T00:00:00"))["kms:ValidTo"]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert naive == "1893456000"
    assert context_of(import_request("2030-01-01T00:00:00Z"))["kms:ValidTo"] == naive


# -- CreateGrant Operations ---------------------------------------------------


def test_create_grant_without_operations():
    operation_request = request(
        "CreateGrant",
        principal=f"arn:aws:iam::{ACCOUNT}:root",
        KeyId=KEY,
        GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:user/bo",
        Operations=[],
    )
    with pytest.raises(KmsApiError) as raised:
        perform_operation(operation_request, key_ring(), PolicySet(), GrantStore())
    assert raised.value.code == "ValidationException"
    assert raised.value.parameter == "Operations"


# -- key usage ----------------------------------------------------------------


def test_encrypt_context_on_rsa_key_rejected():
    operation_request = request(
        "Encrypt",
        KeyId=RSA_KEY,
        Plaintext="AQID",
        EncryptionAlgorithm="RSAES_OAEP_SHA_256",
        EncryptionContext={"a": "1"},
    )
    error = rejected(operation_request, ring_with(rsa_key()))
    assert error.code == "ValidationException"
    assert error.parameter == "EncryptionContext"


def test_encrypt_on_rsa_key_allowed():
    operation_request = request(
        "Encrypt",
        KeyId=RSA_KEY,
        Plaintext="AQID",
        EncryptionAlgorithm="RSAES_OAEP_SHA_256",
    )
    keys = ring_with(rsa_key())
    assert authorize_operation(operation_request, keys, allow_all()).allowed


def test_generate_data_key_on_rsa_key_rejected():
    operation_request = request("GenerateDataKey", KeyId=RSA_KEY, KeySpec="AES_256")
    error = rejected(operation_request, ring_with(rsa_key()))
    assert error.code == "InvalidKeyUsageException"
    assert error.parameter == "KeyId"


def test_sign_on_symmetric_key_rejected():
    operation_request = request(
        "Sign", KeyId=KEY, Message="AQID", SigningAlgorithm="ECDSA_SHA_256"
    )
    assert rejected(operation_request).code == "InvalidKeyUsageException"


# -- aliases ------------------------------------------------------------------


def test_update_alias_to_other_key_type_rejected():
    operation_request = request(
        "UpdateAlias", AliasName="alias/orders", TargetKeyId=RSA_KEY
    )
    error = rejected(operation_request, ring_with(rsa_key()))
    assert error.code == "ValidationException"
    assert error.parameter == "TargetKeyId"


def test_create_alias_uses_target_key_region():
    west = KeyMetadata(arn=WEST_KEY, spec="SYMMETRIC_DEFAULT", aliases=["alias/app"])
    east = KeyMetadata(arn=RSA_KEY, spec="SYMMETRIC_DEFAULT")
    keys = ring_with(
        KeyRecord(metadata=west, key_policy=delegating_key_policy()),
        KeyRecord(metadata=east, key_policy=delegating_key_policy()),
    )
    operation_request = request(
        "CreateAlias", AliasName="alias/app", TargetKeyId=RSA_KEY
    )
    decision = authorize_operation(operation_request, keys, allow_all())
    alias_step = decision.steps[0]
    assert alias_step.decision.resource == f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"


def test_alias_check_has_resource_account():
    operation_request = request("CreateAlias", AliasName="alias/new", TargetKeyId=KEY)
    assert context_of(operation_request)["aws:ResourceAccount"] == ACCOUNT


# -- caller context -----------------------------------------------------------


def caller_request(principal: str, context: dict) -> OperationRequest:
    caller = CallerIdentity(principal=principal, context=context)
    return OperationRequest(
        operation="DescribeKey", parameters={"KeyId": KEY}, caller=caller
    )


def test_caller_cannot_override_in_other_case():
    user = f"arn:aws:iam::{ACCOUNT}:user/ana"
    values = context_of(caller_request(user, {"AWS:PRINCIPALACCOUNT": "444455556666"}))
    assert values["aws:PrincipalAccount"] == ACCOUNT
    assert "AWS:PRINCIPALACCOUNT" not in values


@pytest.mark.parametrize(
    "name",
    [
        "aws:ResourceTag/t",
        "aws:RequestTag/t",
        "aws:TagKeys",
        "aws:ResourceAccount",
        "aws:username",
        "KMS:KeySpec",
    ],
)
def test_caller_cannot_add_derived_key(name):
    root = f"arn:aws:iam::{ACCOUNT}:root"
    values = context_of(caller_request(root, {name: "x"}))
    assert values.get(name) != "x"
    assert not any(
        key.lower() == name.lower() and value == "x" for key, value in values.items()
    )


def test_caller_role_path_kept():
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/s1"
    role = f"arn:aws:iam::{ACCOUNT}:role/team/Reader"
    values = context_of(caller_request(session, {"aws:PrincipalArn": role}))
    assert values["aws:PrincipalArn"] == role


def test_caller_other_role_arn_replaced():
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/s1"
    other = f"arn:aws:iam::{ACCOUNT}:role/Admin"
    values = context_of(caller_request(session, {"aws:PrincipalArn": other}))
    assert values["aws:PrincipalArn"] == f"arn:aws:iam::{ACCOUNT}:role/Reader"


def test_time_keys_always_present():
    values = context_of(caller_request(f"arn:aws:iam::{ACCOUNT}:root", {}))
    assert values["aws:CurrentTime"].endswith("Z")
    assert abs(int(values["aws:EpochTime"]) - time.time()) < 60


def test_caller_sets_time_keys():
    context = {"aws:CurrentTime": "2020-01-01T00:00:00Z", "aws:EpochTime": "1577836800"}
    values = context_of(caller_request(f"arn:aws:iam::{ACCOUNT}:root", context))
    assert values["aws:CurrentTime"] == "2020-01-01T00:00:00Z"
    assert values["aws:EpochTime"] == "1577836800"


# -- key ARNs -----------------------------------------------------------------


@pytest.mark.parametrize(
    "arn",
    [
        "nonsense",
        "arn:aws:kms:us-east-1:1111:key/x",
        f"arn:aws:kms::{ACCOUNT}:key/x",
        f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/x",
        f"arn:aws:kms:us-east-1:{ACCOUNT}:key/*",
    ],
)
def test_key_record_rejects_bad_arn(arn):
    with pytest.raises(ValueError, match="is not a key ARN"):
        KeyRecord(metadata=KeyMetadata(arn=arn))
