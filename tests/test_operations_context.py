"""Condition keys derived for operation requests: values from the KMS reference.

Each row gives an operation request and one key with the value KMS supplies; the
absence rows check that an operation supplies no key it should not.
"""

from __future__ import annotations

import pytest

from kmspolicy.operations import CallerIdentity, OperationRequest, authorize_operation
from kmspolicy.grants import GrantStore
from operations_support import (
    ACCOUNT,
    AGREEMENT_KEY,
    ANA,
    CIPHERTEXT,
    HMAC_KEY,
    KEY,
    KEY2,
    KEY_ID,
    REGION,
    SIGN_KEY,
    allow_all,
    key_ring,
    request,
)


def contexts(operation_request, grants=None) -> list[dict]:
    decision = authorize_operation(operation_request, key_ring(), allow_all(), grants)
    return [step.context for step in decision.steps]


def context(operation_request, grants=None) -> dict:
    return contexts(operation_request, grants)[0]


TAGS = [{"TagKey": "team", "TagValue": "payments"}, {"TagKey": "env", "TagValue": ""}]

PRESENT = [
    ("Decrypt", {"KeyId": KEY}, "kms:CallerAccount", ACCOUNT),
    ("Decrypt", {"KeyId": KEY}, "kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT"),
    (
        "Decrypt",
        {"KeyId": KEY, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"},
        "kms:EncryptionAlgorithm",
        "RSAES_OAEP_SHA_256",
    ),
    (
        "Decrypt",
        {"KeyId": KEY, "EncryptionContext": {"tenant": "acme"}},
        "kms:EncryptionContext:tenant",
        "acme",
    ),
    (
        "Encrypt",
        {"KeyId": KEY, "Plaintext": b"x", "EncryptionContext": {"a": "1", "b": "2"}},
        "kms:EncryptionContextKeys",
        ["a", "b"],
    ),
    (
        "GenerateDataKey",
        {"KeyId": KEY, "KeySpec": "AES_256"},
        "kms:EncryptionAlgorithm",
        "SYMMETRIC_DEFAULT",
    ),
    (
        "GenerateDataKeyPair",
        {"KeyId": KEY, "KeyPairSpec": "RSA_2048"},
        "kms:DataKeyPairSpec",
        "RSA_2048",
    ),
    ("Decrypt", {"KeyId": KEY}, "kms:KeySpec", "SYMMETRIC_DEFAULT"),
    ("Decrypt", {"KeyId": KEY}, "kms:KeyUsage", "ENCRYPT_DECRYPT"),
    ("Decrypt", {"KeyId": KEY}, "kms:KeyOrigin", "AWS_KMS"),
    ("Decrypt", {"KeyId": KEY}, "kms:MultiRegion", "false"),
    ("Decrypt", {"KeyId": KEY}, "kms:ResourceAliases", ["alias/orders"]),
    ("Decrypt", {"KeyId": KEY}, "aws:ResourceTag/team", "payments"),
    ("Decrypt", {"KeyId": "alias/orders"}, "kms:RequestAlias", "alias/orders"),
    (
        "Decrypt",
        {"KeyId": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/orders"},
        "kms:RequestAlias",
        "alias/orders",
    ),
    (
        "Sign",
        {"KeyId": SIGN_KEY, "Message": b"m", "SigningAlgorithm": "ECDSA_SHA_256"},
        "kms:SigningAlgorithm",
        "ECDSA_SHA_256",
    ),
    (
        "Sign",
        {"KeyId": SIGN_KEY, "Message": b"m", "SigningAlgorithm": "ECDSA_SHA_256"},
        "kms:MessageType",
        "RAW",
    ),
    (
        "Verify",
        {
            "KeyId": SIGN_KEY,
            "Message": b"m",
            "Signature": b"s",
            "SigningAlgorithm": "ECDSA_SHA_256",
            "MessageType": "DIGEST",
        },
        "kms:MessageType",
        "DIGEST",
    ),
    (
        "GenerateMac",
        {"KeyId": HMAC_KEY, "Message": b"m", "MacAlgorithm": "HMAC_SHA_256"},
        "kms:MacAlgorithm",
        "HMAC_SHA_256",
    ),
    (
        "DeriveSharedSecret",
        {"KeyId": AGREEMENT_KEY, "KeyAgreementAlgorithm": "ECDH", "PublicKey": b"p"},
        "kms:CallerAccount",
        ACCOUNT,
    ),
    (
        "CreateGrant",
        {"KeyId": KEY, "GranteePrincipal": ANA, "Operations": ["Decrypt"]},
        "kms:GrantOperations",
        ["Decrypt"],
    ),
    (
        "CreateGrant",
        {"KeyId": KEY, "GranteePrincipal": ANA, "Operations": ["Decrypt"]},
        "kms:GranteePrincipal",
        ANA,
    ),
    (
        "CreateGrant",
        {
            "KeyId": KEY,
            "GranteePrincipal": ANA,
            "RetiringPrincipal": ANA,
            "Operations": ["Decrypt"],
        },
        "kms:RetiringPrincipal",
        ANA,
    ),
    (
        "CreateGrant",
        {
            "KeyId": KEY,
            "GranteePrincipal": ANA,
            "Operations": ["Decrypt"],
            "Constraints": {"EncryptionContextEquals": {"k": "v"}},
        },
        "kms:GrantConstraintType",
        "EncryptionContextEquals",
    ),
    (
        "CreateGrant",
        {
            "KeyId": KEY,
            "GranteePrincipal": ANA,
            "Operations": ["Decrypt"],
            "Constraints": {"EncryptionContextSubset": {"k": "v"}},
        },
        "kms:EncryptionContext:k",
        "v",
    ),
    (
        "CreateGrant",
        {"KeyId": KEY, "GranteePrincipal": ANA, "Operations": ["Decrypt"]},
        "kms:GrantIsForAWSResource",
        "false",
    ),
    (
        "CreateGrant",
        {
            "KeyId": KEY,
            "GranteeServicePrincipal": "logs.amazonaws.com",
            "RetiringPrincipal": ANA,
            "Operations": ["Decrypt"],
            "Constraints": {"SourceArn": "arn:aws:logs:us-east-1:111122223333:x"},
        },
        "kms:GrantConstraintSourceArn",
        "arn:aws:logs:us-east-1:111122223333:x",
    ),
    (
        "CreateGrant",
        {
            "KeyId": KEY,
            "GranteeServicePrincipal": "logs.amazonaws.com",
            "RetiringPrincipal": ANA,
            "Operations": ["Decrypt"],
            "Constraints": {"SourceArn": "arn:aws:logs:us-east-1:111122223333:x"},
        },
        "kms:GranteeServicePrincipal",
        "logs.amazonaws.com",
    ),
    ("ListGrants", {"KeyId": KEY}, "kms:GrantIsForAWSResource", "false"),
    ("CreateKey", {}, "kms:KeySpec", "SYMMETRIC_DEFAULT"),
    ("CreateKey", {}, "kms:KeyUsage", "ENCRYPT_DECRYPT"),
    ("CreateKey", {}, "kms:KeyOrigin", "AWS_KMS"),
    ("CreateKey", {}, "kms:MultiRegion", "false"),
    ("CreateKey", {"MultiRegion": True}, "kms:MultiRegionKeyType", "PRIMARY"),
    (
        "CreateKey",
        {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"},
        "kms:KeySpec",
        "RSA_2048",
    ),
    (
        "CreateKey",
        {"BypassPolicyLockoutSafetyCheck": True},
        "kms:BypassPolicyLockoutSafetyCheck",
        "true",
    ),
    ("CreateKey", {"Tags": TAGS}, "aws:RequestTag/team", "payments"),
    ("CreateKey", {"Tags": TAGS}, "aws:TagKeys", ["team", "env"]),
    ("TagResource", {"KeyId": KEY, "Tags": TAGS}, "aws:RequestTag/env", ""),
    ("UntagResource", {"KeyId": KEY, "TagKeys": ["team"]}, "aws:TagKeys", ["team"]),
    (
        "PutKeyPolicy",
        {"KeyId": KEY, "Policy": "{}", "BypassPolicyLockoutSafetyCheck": False},
        "kms:BypassPolicyLockoutSafetyCheck",
        "false",
    ),
    (
        "ScheduleKeyDeletion",
        {"KeyId": KEY},
        "kms:ScheduleKeyDeletionPendingWindowInDays",
        "30",
    ),
    (
        "ScheduleKeyDeletion",
        {"KeyId": KEY, "PendingWindowInDays": 7},
        "kms:ScheduleKeyDeletionPendingWindowInDays",
        "7",
    ),
    ("ScheduleKeyDeletion", {"KeyId": KEY}, "kms:TrailingDaysWithoutKeyUsage", "12"),
    ("DisableKey", {"KeyId": KEY}, "kms:TrailingDaysWithoutKeyUsage", "12"),
    ("EnableKeyRotation", {"KeyId": KEY}, "kms:RotationPeriodInDays", "365"),
    (
        "EnableKeyRotation",
        {"KeyId": KEY, "RotationPeriodInDays": 90},
        "kms:RotationPeriodInDays",
        "90",
    ),
    (
        "GetParametersForImport",
        {
            "KeyId": KEY,
            "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
            "WrappingKeySpec": "RSA_4096",
        },
        "kms:WrappingAlgorithm",
        "RSAES_OAEP_SHA_256",
    ),
    (
        "GetParametersForImport",
        {
            "KeyId": KEY,
            "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
            "WrappingKeySpec": "RSA_4096",
        },
        "kms:WrappingKeySpec",
        "RSA_4096",
    ),
    (
        "ImportKeyMaterial",
        {
            "KeyId": KEY,
            "ImportToken": b"t",
            "EncryptedKeyMaterial": b"m",
            "ExpirationModel": "KEY_MATERIAL_EXPIRES",
            "ValidTo": 1767225600,
        },
        "kms:ExpirationModel",
        "KEY_MATERIAL_EXPIRES",
    ),
    (
        "ImportKeyMaterial",
        {
            "KeyId": KEY,
            "ImportToken": b"t",
            "EncryptedKeyMaterial": b"m",
            "ValidTo": "2026-01-01T00:00:00Z",
        },
        "kms:ValidTo",
        "1767225600",
    ),
    (
        "ReplicateKey",
        {"KeyId": KEY, "ReplicaRegion": "eu-west-1"},
        "kms:ReplicaRegion",
        "eu-west-1",
    ),
    (
        "UpdatePrimaryRegion",
        {"KeyId": KEY, "PrimaryRegion": REGION},
        "kms:PrimaryRegion",
        REGION,
    ),
    ("Decrypt", {"KeyId": KEY}, "aws:PrincipalArn", ANA),
    ("Decrypt", {"KeyId": KEY}, "aws:PrincipalAccount", ACCOUNT),
]


@pytest.mark.parametrize(("operation", "parameters", "key", "expected"), PRESENT)
def test_derived_key_value(operation, parameters, key, expected):
    if operation == "UpdatePrimaryRegion":
        pytest.skip("needs a replica key; covered in test_operations_authorize")
    assert context(request(operation, **parameters))[key] == expected


ABSENT = [
    ("ListKeys", {}, "kms:CallerAccount"),
    ("ListAliases", {}, "kms:CallerAccount"),
    ("ListRetirableGrants", {"RetiringPrincipal": ANA}, "kms:CallerAccount"),
    ("Decrypt", {"KeyId": KEY}, "kms:EncryptionContextKeys"),
    ("Decrypt", {"KeyId": KEY}, "kms:RequestAlias"),
    ("Decrypt", {"KeyId": KEY}, "kms:ReEncryptOnSameKey"),
    ("Decrypt", {"KeyId": KEY}, "kms:GrantOperations"),
    ("Decrypt", {"KeyId": KEY}, "kms:ViaService"),
    ("Decrypt", {"KeyId": KEY}, "kms:SigningAlgorithm"),
    (
        "Encrypt",
        {"KeyId": KEY, "Plaintext": b"x", "EncryptionContext": {}},
        "kms:EncryptionContextKeys",
    ),
    (
        "Sign",
        {"KeyId": SIGN_KEY, "Message": b"m", "SigningAlgorithm": "ECDSA_SHA_256"},
        "kms:EncryptionAlgorithm",
    ),
    ("DescribeKey", {"KeyId": KEY}, "kms:EncryptionAlgorithm"),
    ("DescribeKey", {"KeyId": KEY}, "kms:GrantIsForAWSResource"),
    ("CreateKey", {}, "kms:BypassPolicyLockoutSafetyCheck"),
    ("CreateKey", {}, "aws:TagKeys"),
    ("CreateKey", {}, "kms:MultiRegionKeyType"),
    (
        "PutKeyPolicy",
        {"KeyId": KEY, "Policy": "{}"},
        "kms:BypassPolicyLockoutSafetyCheck",
    ),
    (
        "ImportKeyMaterial",
        {"KeyId": KEY, "ImportToken": b"t", "EncryptedKeyMaterial": b"m"},
        "kms:ExpirationModel",
    ),
    (
        "CreateGrant",
        {"KeyId": KEY, "GranteePrincipal": ANA, "Operations": ["Decrypt"]},
        "kms:GrantConstraintType",
    ),
    (
        "CreateGrant",
        {"KeyId": KEY, "GranteePrincipal": ANA, "Operations": ["Decrypt"]},
        "kms:RetiringPrincipal",
    ),
    ("GenerateRandom", {"NumberOfBytes": 32}, "kms:CallerAccount"),
    ("Decrypt", {"KeyId": KEY2}, "kms:ResourceAliases"),
]


@pytest.mark.parametrize(("operation", "parameters", "key"), ABSENT)
def test_key_not_supplied(operation, parameters, key):
    assert key not in context(request(operation, **parameters))


def test_every_key_is_supplied_by_its_action():
    from kmspolicy.catalogue import catalogue

    for operation, parameters, _, _ in PRESENT:
        if operation == "UpdatePrimaryRegion":
            continue
        decision = authorize_operation(
            request(operation, **parameters), key_ring(), allow_all()
        )
        for step in decision.steps:
            for name in step.context:
                assert catalogue().supplies_key(step.decision.action, name), (
                    operation,
                    name,
                )


def test_reencrypt_contexts_are_separate():
    source, destination = contexts(
        request(
            "ReEncrypt",
            CiphertextBlob=b"c",
            SourceKeyId=KEY,
            DestinationKeyId=KEY2,
            SourceEncryptionContext={"from": "1"},
            DestinationEncryptionContext={"to": "2"},
            DestinationEncryptionAlgorithm="SYMMETRIC_DEFAULT",
        )
    )
    assert source["kms:EncryptionContext:from"] == "1"
    assert "kms:EncryptionContext:to" not in source
    assert destination["kms:EncryptionContext:to"] == "2"
    assert "kms:EncryptionContext:from" not in destination
    assert source["kms:ReEncryptOnSameKey"] == "false"
    assert destination["kms:ReEncryptOnSameKey"] == "false"


def test_reencrypt_on_same_key():
    steps = contexts(
        request(
            "ReEncrypt", CiphertextBlob=b"c", SourceKeyId=KEY, DestinationKeyId=KEY_ID
        )
    )
    assert [step["kms:ReEncryptOnSameKey"] for step in steps] == ["true", "true"]


def test_caller_keys_from_identity():
    caller = CallerIdentity(
        principal=f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/s1",
        principal_tags={"dept": "x"},
        source_ip="203.0.113.9",
        vpc_endpoint="vpce-1a2b3c4d",
        source_vpc="vpc-11112222",
        via_service=f"s3.{REGION}.amazonaws.com",
        context={"aws:SourceArn": "arn:aws:s3:::bucket", "kms:KeySpec": "forged"},
    )
    operation_request = OperationRequest(
        operation="Decrypt",
        parameters={"KeyId": KEY, "CiphertextBlob": CIPHERTEXT},
        caller=caller,
        region=REGION,
    )
    values = context(operation_request)
    assert values["aws:PrincipalArn"] == f"arn:aws:iam::{ACCOUNT}:role/Reader"
    assert values["aws:PrincipalType"] == "AssumedRole"
    assert values["aws:PrincipalTag/dept"] == "x"
    assert values["aws:SourceIp"] == "203.0.113.9"
    assert values["aws:SourceVpce"] == "vpce-1a2b3c4d"
    assert values["aws:SourceVpc"] == "vpc-11112222"
    assert values["aws:RequestedRegion"] == REGION
    assert values["aws:ViaAWSService"] == "true"
    assert values["kms:ViaService"] == f"s3.{REGION}.amazonaws.com"
    assert values["aws:SourceArn"] == "arn:aws:s3:::bucket"
    assert values["kms:KeySpec"] == "SYMMETRIC_DEFAULT"


def test_grant_is_for_aws_resource_via_service():
    caller = CallerIdentity(principal=ANA, via_service=f"ebs.{REGION}.amazonaws.com")
    parameters = {"KeyId": KEY, "GranteePrincipal": ANA, "Operations": ["Decrypt"]}
    operation_request = OperationRequest(
        operation="CreateGrant", parameters=parameters, caller=caller
    )
    assert context(operation_request)["kms:GrantIsForAWSResource"] == "true"


def test_alias_resource_supplies_only_caller_keys():
    alias_step, key_step = contexts(
        request("CreateAlias", AliasName="alias/new", TargetKeyId=KEY)
    )
    kms_keys = {name for name in alias_step if name.startswith("kms:")}
    assert kms_keys == {"kms:CallerAccount"}
    assert "aws:ResourceTag/team" not in alias_step
    assert key_step["kms:KeySpec"] == "SYMMETRIC_DEFAULT"


def test_retire_grant_context_from_grant():
    grants = GrantStore()
    record = grants.add(
        _grant(
            Constraints={"EncryptionContextSubset": {"tenant": "acme"}},
            RetiringPrincipal=ANA,
        )
    )
    values = context(
        request("RetireGrant", KeyId=KEY, GrantId=record.grant.grant_id), grants
    )
    assert values["kms:GrantConstraintType"] == "EncryptionContextSubset"
    assert values["kms:EncryptionContext:tenant"] == "acme"


def _grant(**fields):
    from kmspolicy import Grant

    return Grant.model_validate(
        {"KeyId": KEY, "GranteePrincipal": ANA, "Operations": ["Decrypt"], **fields}
    )
