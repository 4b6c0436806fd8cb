"""Check operation parameters against the KMS model as the KMS server does.

botocore checks only presence, Python types and minimum lengths on the client;
KMS checks the rest (maximum lengths, ranges, enums, patterns) on the server. This
module does both, so a request that either side would reject is rejected here
with the exception name KMS gives:

* a member of the wrong JSON type: ``SerializationException``;
* a missing required member, a length, range, enum or pattern violation, or an
  unknown member: ``ValidationException``, in KMS's message style;
* a tag key with the reserved ``aws:`` prefix: ``TagException``.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

from kmspolicy.operations.catalogue import OperationInfo, operation_catalogue
from kmspolicy.operations.errors import KmsApiError, validation_error


def validate_parameters(operation: OperationInfo, parameters: dict[str, Any]) -> None:
    """Raise KmsApiError for the first parameter KMS would reject, else return."""
    if not isinstance(parameters, dict):
        message = (
            f"parameters of {operation.name} must be an object, not {parameters!r}"
        )
        raise KmsApiError("SerializationException", message, "parameters", parameters)

    for name in parameters:
        if name not in operation.parameters:
            known = ", ".join(sorted(operation.parameters)) or "none"
            message = (
                f"{operation.name} has no parameter {name!r} (parameter names are "
                f"case-sensitive; known parameters: {known})"
            )
            # NOTE: KMS's JSON protocol may ignore unknown members; rejecting them
            # here catches misspelt names, which would otherwise be silently lost.
            raise KmsApiError("ValidationException", message, name, parameters[name])

    for name in operation.required:
        if parameters.get(name) is None:
            raise validation_error(name, None, "Member must not be null")

    for name, value in parameters.items():
        if value is not None:
            _check_value(
                f"{operation.name}.{name}", name, value, operation.parameters[name]
            )

    _check_combinations(operation, parameters)


def _check_value(limit_key: str, path: str, value: Any, shape: dict) -> None:
    kind = shape["type"]
    _check_type(path, value, kind)
    if kind == "string":
        _check_string(path, value, shape)
    elif kind == "integer":
        _check_integer(limit_key, path, value, shape)
    elif kind == "blob":
        _check_length(path, _blob_length(path, value), shape)
    elif kind == "list":
        _check_length(path, len(value), shape, unit="items")
        for index, item in enumerate(value):
            _check_value(limit_key, f"{path}.{index}", item, shape["member"])
    elif kind == "map":
        _check_map(limit_key, path, value, shape)
    elif kind == "structure":
        _check_structure(limit_key, path, value, shape)
    elif kind == "timestamp":
        parse_timestamp(path, value)


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "blob": (bytes, bytearray, memoryview, str),
    "list": (list, tuple),
    "map": (dict,),
    "structure": (dict,),
    "timestamp": (datetime, int, float, str),
}


def _check_type(path: str, value: Any, kind: str) -> None:
    expected = _TYPES[kind]
    wrong_bool = isinstance(value, bool) and kind in ("integer", "timestamp")
    if isinstance(value, expected) and not wrong_bool:
        return
    message = (
        f"member {path!r} must be of type {kind}, not {type(value).__name__} "
        f"({_preview(value)})"
    )
    raise KmsApiError("SerializationException", message, path, value)


def _check_string(path: str, value: str, shape: dict) -> None:
    _check_length(path, len(value), shape)
    if "enum" in shape and value not in shape["enum"]:
        choices = ", ".join(shape["enum"])
        raise validation_error(
            path, value, f"Member must satisfy enum value set: [{choices}]"
        )
    if "pattern" in shape and _pattern(shape["pattern"]).search(value) is None:
        constraint = (
            f"Member must satisfy regular expression pattern: {shape['pattern']}"
        )
        raise validation_error(path, value, constraint)


def _check_integer(limit_key: str, path: str, value: int, shape: dict) -> None:
    limits = operation_catalogue().server_limits.get(limit_key, shape)
    if "min" in limits and value < limits["min"]:
        constraint = f"Member must have value greater than or equal to {limits['min']}"
        raise validation_error(path, value, constraint)
    if "max" in limits and value > limits["max"]:
        constraint = f"Member must have value less than or equal to {limits['max']}"
        raise validation_error(path, value, constraint)


def _check_length(path: str, length: int, shape: dict, unit: str = "length") -> None:
    if "min" in shape and length < shape["min"]:
        constraint = f"Member must have length greater than or equal to {shape['min']}"
        raise validation_error(path, f"{length} {unit}", constraint)
    if "max" in shape and length > shape["max"]:
        constraint = f"Member must have length less than or equal to {shape['max']}"
        raise validation_error(path, f"{length} {unit}", constraint)


def _blob_length(path: str, value: Any) -> int:
    """Return a blob's length in bytes; a string is base64, as on the wire."""
    if not isinstance(value, str):
        return len(bytes(value))
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError) as error:
        message = f"member {path!r} is a blob; a string must be base64 ({error})"
        raise KmsApiError("SerializationException", message, path, value) from error


def parse_timestamp(path: str, value: Any) -> datetime:
    """Return a timestamp member as an aware UTC datetime; raise SerializationException.

    A timestamp is a datetime, Unix epoch seconds or an ISO 8601 string, the
    forms botocore serializes. NOTE: a datetime or string without a time zone
    is taken as UTC, as botocore does, so the result never depends on the local
    time zone.
    """
    try:
        moment = _to_datetime(value)
    except (ValueError, OverflowError, OSError) as error:
        message = (
            f"member {path!r} is not a valid timestamp: {_preview(value)} ({error}); "
            "give epoch seconds or an ISO 8601 date and time such as "
            "2030-01-01T00:00:00Z"
        )
        raise KmsApiError("SerializationException", message, path, value) from error
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("epoch seconds must be a finite number")
    return datetime.fromtimestamp(value, UTC)


def _check_map(limit_key: str, path: str, value: dict, shape: dict) -> None:
    for key, item in value.items():
        _check_value(limit_key, f"{path}.{key}", key, shape["key"])
        _check_value(limit_key, f"{path}.{key}", item, shape["value"])

    limits = operation_catalogue().server_limits.get(limit_key)
    if limits is None:
        return
    if len(value) > limits["max_pairs"]:
        constraint = f"Member must have at most {limits['max_pairs']} pairs"
        raise validation_error(path, f"{len(value)} pairs", constraint)
    for key, item in value.items():
        if len(item) > limits["max_value_length"]:
            constraint = (
                f"Member must have values of length less than or equal to "
                f"{limits['max_value_length']}"
            )
            raise validation_error(f"{path}.{key}", item, constraint)


def _check_structure(limit_key: str, path: str, value: dict, shape: dict) -> None:
    members = shape["members"]
    for name in value:
        if name not in members:
            message = f"{path} has no member {name!r}; known: {', '.join(members)}"
            raise KmsApiError(
                "ValidationException", message, f"{path}.{name}", value[name]
            )
    for name in shape["required"]:
        if value.get(name) is None:
            raise validation_error(f"{path}.{name}", None, "Member must not be null")
    for name, item in value.items():
        if item is not None:
            _check_value(f"{limit_key}.{name}", f"{path}.{name}", item, members[name])


def _check_combinations(operation: OperationInfo, parameters: dict[str, Any]) -> None:
    """Check the rules between members that the model states only in prose."""
    name = operation.name
    if name == "GenerateDataKey" or name == "GenerateDataKeyWithoutPlaintext":
        _exactly_one(parameters, ("KeySpec", "NumberOfBytes"))
    if name == "CreateGrant":
        _check_create_grant(parameters)
    if name == "CreateKey":
        _check_key_spec_and_usage(parameters)
    if name in ("Decrypt", "ReEncrypt"):
        _check_ciphertext_present(parameters)
    if name in ("CreateKey", "TagResource"):
        _check_tag_keys(parameters.get("Tags") or [])
    if name == "RetireGrant":
        has_token = parameters.get("GrantToken") is not None
        has_pair = (
            parameters.get("KeyId") is not None
            and parameters.get("GrantId") is not None
        )
        if not has_token and not has_pair:
            message = "RetireGrant needs GrantToken, or both KeyId and GrantId"
            raise KmsApiError("ValidationException", message, "GrantToken", None)
    if name == "ListGrants":
        _at_most_one(parameters, ("GranteePrincipal", "GranteeServicePrincipal"))
    if name == "ListRetirableGrants":
        _exactly_one(parameters, ("RetiringPrincipal", "RetiringServicePrincipal"))


def _check_create_grant(parameters: dict[str, Any]) -> None:
    if not parameters["Operations"]:
        # NOTE: the KMS model sets no minimum on Operations. A grant must list at
        # least one operation, so an empty list is rejected here.
        raise validation_error(
            "Operations", "[]", "Member must have length greater than or equal to 1"
        )
    _exactly_one(parameters, ("GranteePrincipal", "GranteeServicePrincipal"))
    _at_most_one(parameters, ("RetiringPrincipal", "RetiringServicePrincipal"))
    if parameters.get("GranteeServicePrincipal") is None:
        return

    constraints = parameters.get("Constraints") or {}
    if constraints.get("SourceArn") is None:
        message = "a grant for GranteeServicePrincipal needs a Constraints.SourceArn"
        raise KmsApiError("ValidationException", message, "Constraints.SourceArn", None)
    if (
        parameters.get("RetiringPrincipal") is None
        and parameters.get("RetiringServicePrincipal") is None
    ):
        message = "a grant for GranteeServicePrincipal needs a retiring principal"
        raise KmsApiError("ValidationException", message, "RetiringPrincipal", None)


# KeyUsage values that CreateKey accepts with each KeySpec.
_USAGES_BY_KEY_SPEC: dict[str, frozenset[str]] = {
    "SYMMETRIC_DEFAULT": frozenset({"ENCRYPT_DECRYPT"}),
    "HMAC_224": frozenset({"GENERATE_VERIFY_MAC"}),
    "HMAC_256": frozenset({"GENERATE_VERIFY_MAC"}),
    "HMAC_384": frozenset({"GENERATE_VERIFY_MAC"}),
    "HMAC_512": frozenset({"GENERATE_VERIFY_MAC"}),
    "RSA_2048": frozenset({"ENCRYPT_DECRYPT", "SIGN_VERIFY"}),
    "RSA_3072": frozenset({"ENCRYPT_DECRYPT", "SIGN_VERIFY"}),
    "RSA_4096": frozenset({"ENCRYPT_DECRYPT", "SIGN_VERIFY"}),
    "ECC_NIST_P256": frozenset({"SIGN_VERIFY", "KEY_AGREEMENT"}),
    "ECC_NIST_P384": frozenset({"SIGN_VERIFY", "KEY_AGREEMENT"}),
    "ECC_NIST_P521": frozenset({"SIGN_VERIFY", "KEY_AGREEMENT"}),
    "ECC_SECG_P256K1": frozenset({"SIGN_VERIFY"}),
    "ECC_NIST_EDWARDS25519": frozenset({"SIGN_VERIFY"}),
    "ML_DSA_44": frozenset({"SIGN_VERIFY"}),
    "ML_DSA_65": frozenset({"SIGN_VERIFY"}),
    "ML_DSA_87": frozenset({"SIGN_VERIFY"}),
    "SM2": frozenset({"ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"}),
}


def create_key_spec(parameters: dict[str, Any]) -> str:
    """Return the KeySpec of a CreateKey request, with the deprecated synonym."""
    return (
        parameters.get("KeySpec")
        or parameters.get("CustomerMasterKeySpec")
        or "SYMMETRIC_DEFAULT"
    )


def _check_key_spec_and_usage(parameters: dict[str, Any]) -> None:
    """Reject a KeySpec with a KeyUsage it does not allow; KeyUsage defaults to ENCRYPT_DECRYPT.

    NOTE: KMS models no exception for this; ValidationException is what emulators
    return. An HMAC key spec therefore needs KeyUsage GENERATE_VERIFY_MAC stated.
    """
    spec = parameters.get("KeySpec")
    legacy = parameters.get("CustomerMasterKeySpec")
    if spec is not None and legacy is not None and spec != legacy:
        message = (
            f"KeySpec {spec!r} and CustomerMasterKeySpec {legacy!r} disagree; "
            "give only KeySpec"
        )
        raise KmsApiError(
            "ValidationException", message, "CustomerMasterKeySpec", legacy
        )

    spec = create_key_spec(parameters)
    usage = parameters.get("KeyUsage") or "ENCRYPT_DECRYPT"
    allowed = _USAGES_BY_KEY_SPEC.get(spec)
    if allowed is None or usage in allowed:
        return
    choices = ", ".join(sorted(allowed))
    message = (
        f"KeyUsage {usage} is not valid for KeySpec {spec}; give KeyUsage {choices}"
    )
    raise KmsApiError("ValidationException", message, "KeyUsage", usage)


def _check_ciphertext_present(parameters: dict[str, Any]) -> None:
    """Require CiphertextBlob, which the model marks optional but KMS requires.

    Only a DryRun with DryRunModifiers IGNORE_CIPHERTEXT may leave it out.
    """
    if parameters.get("CiphertextBlob") is not None:
        return
    modifiers = parameters.get("DryRunModifiers") or []
    if parameters.get("DryRun") and "IGNORE_CIPHERTEXT" in modifiers:
        return
    raise validation_error("CiphertextBlob", None, "Member must not be null")


def _check_tag_keys(tags: list[dict]) -> None:
    for index, tag in enumerate(tags):
        name = tag["TagKey"]
        if name.lower().startswith("aws:"):
            message = (
                f"tag key {name!r} is invalid: the aws: prefix is reserved for "
                "tags that AWS creates"
            )
            raise KmsApiError("TagException", message, f"Tags.{index}.TagKey", name)


def _exactly_one(parameters: dict[str, Any], names: tuple[str, ...]) -> None:
    given = [name for name in names if parameters.get(name) is not None]
    if len(given) != 1:
        message = f"give exactly one of {' and '.join(names)}; given: {given or 'none'}"
        raise KmsApiError("ValidationException", message, names[0], given)


def _at_most_one(parameters: dict[str, Any], names: tuple[str, ...]) -> None:
    given = [name for name in names if parameters.get(name) is not None]
    if len(given) > 1:
        message = f"give at most one of {' and '.join(names)}; given: {given}"
        raise KmsApiError("ValidationException", message, given[1], given)


@cache
def _pattern(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
