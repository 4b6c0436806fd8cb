"""Key-type rules that KMS applies to an operation once its keys are resolved.

* a cryptographic operation needs a key whose type and usage support it
  (InvalidKeyUsageException otherwise);
* an encryption context is valid only with a symmetric encryption key;
* UpdateAlias may move an alias only to a key of the same type and usage.

NOTE: KMS does not document whether these errors come before or after the
authorization decision. Here they are raised after the keys are resolved and
before any check is decided, like the other request errors.
"""

from __future__ import annotations

from kmspolicy.grants.rules import key_type
from kmspolicy.operations.catalogue import Check
from kmspolicy.operations.errors import KmsApiError
from kmspolicy.operations.request import KeyRecord

_ENCRYPTION = frozenset({"SYMMETRIC_ENCRYPTION", "ASYMMETRIC_ENCRYPT_DECRYPT"})
_SYMMETRIC = frozenset({"SYMMETRIC_ENCRYPTION"})

# The key types that each cryptographic operation accepts.
KEY_TYPES_BY_OPERATION: dict[str, frozenset[str]] = {
    "Encrypt": _ENCRYPTION,
    "Decrypt": _ENCRYPTION,
    "ReEncrypt": _ENCRYPTION,
    "GenerateDataKey": _SYMMETRIC,
    "GenerateDataKeyWithoutPlaintext": _SYMMETRIC,
    "GenerateDataKeyPair": _SYMMETRIC,
    "GenerateDataKeyPairWithoutPlaintext": _SYMMETRIC,
    "Sign": frozenset({"ASYMMETRIC_SIGN_VERIFY"}),
    "Verify": frozenset({"ASYMMETRIC_SIGN_VERIFY"}),
    "GenerateMac": frozenset({"HMAC"}),
    "VerifyMac": frozenset({"HMAC"}),
    "DeriveSharedSecret": frozenset({"KEY_AGREEMENT"}),
}


def check_key_usage(
    operation: str, check: Check, key: KeyRecord, parameters: dict
) -> None:
    """Raise KmsApiError when ``key`` cannot serve ``check`` of ``operation``."""
    allowed = KEY_TYPES_BY_OPERATION.get(operation)
    if allowed is None or check.resource != "key":
        return

    kind = key_type(key.metadata)
    if kind not in allowed:
        usage = key.metadata.usage or _usage_name(kind)
        message = f"{key.arn} key usage is {usage} which is not valid for {operation}."
        raise KmsApiError("InvalidKeyUsageException", message, check.parameter, key.arn)
    _check_encryption_context(check, key, kind, parameters)


def _check_encryption_context(
    check: Check, key: KeyRecord, kind: str, parameters: dict
) -> None:
    """Reject a non-empty encryption context with a key that is not symmetric.

    NOTE: KMS documents this as invalid without naming the error; this raises
    ValidationException. An empty context counts as no context.
    """
    name = check.encryption_context
    if name is None or kind == "SYMMETRIC_ENCRYPTION" or not parameters.get(name):
        return
    message = (
        f"{name} is valid only with a symmetric encryption key; {key.arn} is "
        f"{key.metadata.spec}"
    )
    raise KmsApiError("ValidationException", message, name, parameters[name])


def check_alias_retarget(current: KeyRecord, new: KeyRecord) -> None:
    """Raise ValidationException unless both keys have the same type and usage.

    NOTE: KMS does not document the error name for this; the KMS API Reference
    states the rule, and ValidationException is the name for rule violations.
    """
    old_kind = key_type(current.metadata)
    new_kind = key_type(new.metadata)
    if old_kind == new_kind:
        return
    message = (
        f"UpdateAlias cannot move an alias from a {_readable(old_kind)} key "
        f"({current.arn}) to a {_readable(new_kind)} key; the new target needs "
        "the same key type and key usage"
    )
    raise KmsApiError("ValidationException", message, "TargetKeyId", new.arn)


def _usage_name(kind: str) -> str:
    usages = {
        "SYMMETRIC_ENCRYPTION": "ENCRYPT_DECRYPT",
        "ASYMMETRIC_ENCRYPT_DECRYPT": "ENCRYPT_DECRYPT",
        "ASYMMETRIC_SIGN_VERIFY": "SIGN_VERIFY",
        "HMAC": "GENERATE_VERIFY_MAC",
        "KEY_AGREEMENT": "KEY_AGREEMENT",
    }
    return usages[kind]


def _readable(kind: str) -> str:
    return kind.lower().replace("_", " ")
