"""Operation-level authorization: multi-resource checks and rejected input."""

from __future__ import annotations

import pytest

from kmspolicy import KeyMetadata, PolicySet
from kmspolicy.evaluate.decision import Outcome
from kmspolicy.operations import KeyRecord, KmsApiError, authorize_operation
from operations_support import (
    ACCOUNT,
    ANA,
    FOREIGN_KEY,
    KEY,
    KEY2,
    OTHER,
    REGION,
    allow_all,
    delegating_key_policy,
    identity,
    key_ring,
    request,
)


def decide(operation_request, policies=None):
    return authorize_operation(operation_request, key_ring(), policies or allow_all())


def test_reencrypt_asks_both_keys():
    policies = PolicySet(identity_policies=[identity("kms:ReEncryptFrom")])
    decision = decide(
        request(
            "ReEncrypt", CiphertextBlob=b"c", SourceKeyId=KEY, DestinationKeyId=KEY2
        ),
        policies,
    )
    assert [s.decision.action for s in decision.steps] == [
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
    ]
    assert decision.steps[0].decision.outcome is Outcome.ALLOW
    assert decision.steps[1].decision.outcome is Outcome.IMPLICIT_DENY
    assert decision.outcome is Outcome.IMPLICIT_DENY


def test_reencrypt_wildcard_allows_both():
    policies = PolicySet(identity_policies=[identity("kms:ReEncrypt*")])
    decision = decide(
        request(
            "ReEncrypt", CiphertextBlob=b"c", SourceKeyId=KEY, DestinationKeyId=KEY2
        ),
        policies,
    )
    assert decision.allowed


def test_explicit_deny_on_one_key_wins():
    policies = PolicySet(
        identity_policies=[
            identity("kms:ReEncrypt*"),
            identity("kms:ReEncryptTo", resource=KEY2, effect="Deny"),
        ]
    )
    decision = decide(
        request(
            "ReEncrypt", CiphertextBlob=b"c", SourceKeyId=KEY, DestinationKeyId=KEY2
        ),
        policies,
    )
    assert decision.outcome is Outcome.EXPLICIT_DENY


def test_create_alias_needs_alias_and_key():
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/new"
    policies = PolicySet(
        identity_policies=[identity("kms:CreateAlias", resource=alias_arn)]
    )
    decision = decide(
        request("CreateAlias", AliasName="alias/new", TargetKeyId=KEY), policies
    )
    assert decision.steps[0].decision.resource == alias_arn
    assert decision.steps[0].decision.allowed
    assert decision.steps[1].decision.resource == KEY
    assert not decision.steps[1].decision.allowed


def test_update_alias_asks_three_resources():
    decision = decide(
        request("UpdateAlias", AliasName="alias/orders", TargetKeyId=KEY2)
    )
    resources = [s.decision.resource for s in decision.steps]
    assert resources == [f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/orders", KEY, KEY2]
    assert decision.allowed


def test_delete_alias_asks_current_target():
    decision = decide(request("DeleteAlias", AliasName="alias/orders"))
    assert [s.label for s in decision.steps] == ["alias", "current alias target"]
    assert decision.steps[1].decision.resource == KEY


def test_update_primary_region_asks_replica():
    keys = key_ring()
    replica = KEY.replace(REGION, "eu-west-1")
    keys.add(
        KeyRecord(metadata=KeyMetadata(arn=replica), key_policy=delegating_key_policy())
    )
    operation_request = request(
        "UpdatePrimaryRegion", KeyId=KEY, PrimaryRegion="eu-west-1"
    )
    decision = authorize_operation(operation_request, keys, allow_all())
    assert [s.decision.resource for s in decision.steps] == [KEY, replica]
    assert decision.steps[0].context["kms:PrimaryRegion"] == "eu-west-1"


def test_create_key_with_tags_asks_tag_resource():
    policies = PolicySet(identity_policies=[identity("kms:CreateKey")])
    tags = [{"TagKey": "a", "TagValue": "b"}]
    decision = decide(request("CreateKey", Tags=tags), policies)
    assert [s.decision.action for s in decision.steps] == [
        "kms:CreateKey",
        "kms:TagResource",
    ]
    assert not decision.allowed


def test_cross_account_decrypt_needs_both_sides():
    partner = f"arn:aws:iam::{ACCOUNT}:user/ana"
    decision = decide(request("Decrypt", principal=partner, KeyId=FOREIGN_KEY))
    assert not decision.allowed
    assert "cross-account" in decision.steps[0].decision.reason


def test_cross_account_not_supported_operation():
    decision = decide(request("DisableKey", KeyId=FOREIGN_KEY))
    assert decision.outcome is Outcome.IMPLICIT_DENY
    assert "another account" in decision.steps[0].decision.reason


def test_foreign_key_id_resolves_in_caller_account():
    key_id = FOREIGN_KEY.split("/")[1]
    with pytest.raises(KmsApiError) as raised:
        decide(request("Decrypt", KeyId=key_id))
    assert raised.value.code == "NotFoundException"


ERRORS = [
    ("Decrpyt", {"KeyId": KEY}, "UnknownOperationException", "operation"),
    ("decrypt", {"KeyId": KEY}, "UnknownOperationException", "operation"),
    ("Decrypt", {"KeyId": 7}, "SerializationException", "KeyId"),
    (
        "Decrypt",
        {"KeyId": KEY, "EncryptionContext": ["a"]},
        "SerializationException",
        "EncryptionContext",
    ),
    (
        "Decrypt",
        {"KeyId": KEY, "EncryptionAlgorithm": "AES"},
        "ValidationException",
        "EncryptionAlgorithm",
    ),
    (
        "Decrypt",
        {"KeyId": KEY, "GrantTokens": ["t"] * 11},
        "ValidationException",
        "GrantTokens",
    ),
    ("Decrypt", {"KeyId": KEY, "Keyid": KEY}, "ValidationException", "Keyid"),
    ("Decrypt", {}, "ValidationException", "KeyId"),
    ("Encrypt", {"KeyId": KEY}, "ValidationException", "Plaintext"),
    (
        "Encrypt",
        {"KeyId": KEY, "Plaintext": b"x" * 4097},
        "ValidationException",
        "Plaintext",
    ),
    (
        "GenerateDataKey",
        {"KeyId": KEY, "NumberOfBytes": 2048},
        "ValidationException",
        "NumberOfBytes",
    ),
    ("GenerateDataKey", {"KeyId": KEY}, "ValidationException", "KeySpec"),
    (
        "GenerateDataKey",
        {"KeyId": KEY, "NumberOfBytes": True},
        "SerializationException",
        "NumberOfBytes",
    ),
    (
        "ScheduleKeyDeletion",
        {"KeyId": KEY, "PendingWindowInDays": 6},
        "ValidationException",
        "PendingWindowInDays",
    ),
    (
        "ScheduleKeyDeletion",
        {"KeyId": KEY, "PendingWindowInDays": 31},
        "ValidationException",
        "PendingWindowInDays",
    ),
    (
        "EnableKeyRotation",
        {"KeyId": KEY, "RotationPeriodInDays": 89},
        "ValidationException",
        "RotationPeriodInDays",
    ),
    (
        "CreateGrant",
        {"KeyId": KEY, "Operations": ["Decrypt"]},
        "ValidationException",
        "GranteePrincipal",
    ),
    (
        "CreateGrant",
        {"KeyId": KEY, "GranteePrincipal": ANA, "Operations": ["Fly"]},
        "ValidationException",
        "Operations.0",
    ),
    (
        "CreateGrant",
        {"KeyId": KEY, "GranteePrincipal": "not valid!", "Operations": ["Decrypt"]},
        "ValidationException",
        "GranteePrincipal",
    ),
    (
        "CreateGrant",
        {
            "KeyId": KEY,
            "GranteePrincipal": ANA,
            "Operations": ["Decrypt"],
            "Constraints": {"EncryptionContextEquals": {str(i): "v" for i in range(9)}},
        },
        "ValidationException",
        "Constraints.EncryptionContextEquals",
    ),
    (
        "CreateGrant",
        {
            "KeyId": KEY,
            "GranteeServicePrincipal": "logs.amazonaws.com",
            "Operations": ["Decrypt"],
        },
        "ValidationException",
        "Constraints.SourceArn",
    ),
    (
        "CreateGrant",
        {"KeyId": "alias/orders", "GranteePrincipal": ANA, "Operations": ["Decrypt"]},
        "NotFoundException",
        "KeyId",
    ),
    (
        "CreateGrant",
        {
            "KeyId": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/orders",
            "GranteePrincipal": ANA,
            "Operations": ["Decrypt"],
        },
        "InvalidArnException",
        "KeyId",
    ),
    ("Decrypt", {"KeyId": "not-a-key"}, "NotFoundException", "KeyId"),
    (
        "Decrypt",
        {"KeyId": KEY.replace(REGION, "eu-west-1")},
        "NotFoundException",
        "KeyId",
    ),
    ("Decrypt", {"KeyId": "alias/missing"}, "NotFoundException", "KeyId"),
    (
        "Decrypt",
        {"KeyId": KEY, "GrantTokens": ["unknown-token"]},
        "InvalidGrantTokenException",
        "GrantTokens.0",
    ),
    ("RetireGrant", {}, "ValidationException", "GrantToken"),
    (
        "RetireGrant",
        {"GrantToken": "unknown"},
        "InvalidGrantTokenException",
        "GrantToken",
    ),
    (
        "RetireGrant",
        {"KeyId": KEY, "GrantId": "0" * 64},
        "InvalidGrantIdException",
        "GrantId",
    ),
    (
        "CreateAlias",
        {"AliasName": "orders", "TargetKeyId": KEY},
        "ValidationException",
        "AliasName",
    ),
    (
        "CreateAlias",
        {"AliasName": "alias/orders", "TargetKeyId": KEY},
        "AlreadyExistsException",
        "AliasName",
    ),
    (
        "CreateAlias",
        {"AliasName": "alias/aws/s3", "TargetKeyId": KEY},
        "NotAuthorizedException",
        "AliasName",
    ),
]


@pytest.mark.parametrize(("operation", "parameters", "code", "parameter"), ERRORS)
def test_rejected_input(operation, parameters, code, parameter):
    with pytest.raises(KmsApiError) as raised:
        decide(request(operation, **parameters))
    assert raised.value.code == code
    assert raised.value.parameter == parameter
    if code in ("ValidationException", "SerializationException"):
        assert parameter.split(".")[0].lower() in raised.value.message.lower()


def test_validation_message_names_member():
    with pytest.raises(KmsApiError) as raised:
        decide(request("GenerateDataKey", KeyId=KEY, NumberOfBytes=2048))
    assert "at 'numberOfBytes'" in raised.value.message
    assert raised.value.value == 2048


def test_other_account_alias_name_stays_local():
    keys = key_ring()
    assert keys.alias_target("alias/orders", OTHER, REGION) is None
