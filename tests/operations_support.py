"""Keys, policies and callers shared by the operation and grant tests."""

from __future__ import annotations

import json

from kmspolicy import KeyMetadata, PolicyKind, PolicySet, parse_policy
from kmspolicy.operations import CallerIdentity, KeyRecord, KeyRing, OperationRequest

ACCOUNT = "111122223333"
OTHER = "444455556666"
REGION = "us-east-1"
KEY_ID = "7f3c1a20-5b4e-4d1a-9c8b-2e6f0a1b3c4d"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
KEY2 = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
SIGN_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"
HMAC_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
AGREEMENT_KEY = (
    f"arn:aws:kms:{REGION}:{ACCOUNT}:key/4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b"
)
FOREIGN_KEY = f"arn:aws:kms:{REGION}:{OTHER}:key/3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a"
ANA = f"arn:aws:iam::{ACCOUNT}:user/ana"
BO = f"arn:aws:iam::{ACCOUNT}:user/bo"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def policy(statements: list[dict], kind: PolicyKind = PolicyKind.KEY):
    document = {"Version": "2012-10-17", "Statement": statements}
    return parse_policy(json.dumps(document), kind=kind, name=f"{kind.value} policy")


def delegating_key_policy(account: str = ACCOUNT):
    """Return the default key policy: the account root may do everything."""
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    return policy([statement])


def identity(actions, resource="*", condition=None, effect="Allow"):
    statement = {"Effect": effect, "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return policy([statement], PolicyKind.IDENTITY)


def key_ring() -> KeyRing:
    """Return keys of several types; KEY has the alias alias/orders and a tag."""
    symmetric = KeyMetadata(
        arn=KEY,
        spec="SYMMETRIC_DEFAULT",
        usage="ENCRYPT_DECRYPT",
        origin="AWS_KMS",
        multi_region=False,
        aliases=["alias/orders"],
        tags={"team": "payments"},
        trailing_days_without_key_usage=12,
    )
    records = [
        KeyRecord(metadata=symmetric, key_policy=delegating_key_policy()),
        KeyRecord(
            metadata=KeyMetadata(arn=KEY2, spec="SYMMETRIC_DEFAULT"),
            key_policy=delegating_key_policy(),
        ),
        KeyRecord(
            metadata=KeyMetadata(
                arn=SIGN_KEY, spec="ECC_NIST_P256", usage="SIGN_VERIFY"
            ),
            key_policy=delegating_key_policy(),
        ),
        KeyRecord(
            metadata=KeyMetadata(
                arn=HMAC_KEY, spec="HMAC_256", usage="GENERATE_VERIFY_MAC"
            ),
            key_policy=delegating_key_policy(),
        ),
        KeyRecord(
            metadata=KeyMetadata(
                arn=AGREEMENT_KEY, spec="ECC_NIST_P256", usage="KEY_AGREEMENT"
            ),
            key_policy=delegating_key_policy(),
        ),
        KeyRecord(
            metadata=KeyMetadata(arn=FOREIGN_KEY, spec="SYMMETRIC_DEFAULT"),
            key_policy=delegating_key_policy(OTHER),
        ),
    ]
    return KeyRing(records)


# A base64 blob for Decrypt and ReEncrypt, which KMS rejects without one.
CIPHERTEXT = "AQID"


def request(operation: str, principal: str = ANA, **parameters) -> OperationRequest:
    """Build a request; Decrypt and ReEncrypt get CIPHERTEXT unless given one."""
    if operation in ("Decrypt", "ReEncrypt"):
        parameters.setdefault("CiphertextBlob", CIPHERTEXT)
    caller = CallerIdentity(principal=principal)
    return OperationRequest(operation=operation, parameters=parameters, caller=caller)


def allow_all() -> PolicySet:
    """Return identity policies that allow every kms: action on every resource."""
    return PolicySet(identity_policies=[identity("kms:*")])
