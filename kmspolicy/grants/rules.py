"""The rules KMS applies to grants themselves, apart from using them.

* which grant operations a key type allows, and that encryption-context
  constraints are for symmetric encryption keys only;
* the no-escalation rule: a grant that lets its grantee call CreateGrant lets
  it create only grants that are no wider than itself;
* who may retire a grant.
"""

from __future__ import annotations

from kmspolicy.evaluate.grants import grantee_matches
from kmspolicy.evaluate.principal import Caller, CallerType
from kmspolicy.evaluate.request import Grant, GrantConstraints, KeyMetadata

SYMMETRIC = "SYMMETRIC_DEFAULT"

_ALWAYS = ("CreateGrant", "RetireGrant", "DescribeKey")

# Grant operations that each key type accepts. The KMS Developer Guide states the
# symmetric and asymmetric exclusions; the per-type lists follow from the
# operations each key type supports.
GRANT_OPERATIONS_BY_KEY_TYPE: dict[str, frozenset[str]] = {
    "SYMMETRIC_ENCRYPTION": frozenset(
        (
            "Decrypt",
            "Encrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "ReEncryptFrom",
            "ReEncryptTo",
            *_ALWAYS,
        )
    ),
    "ASYMMETRIC_ENCRYPT_DECRYPT": frozenset(
        ("Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey", *_ALWAYS)
    ),
    "ASYMMETRIC_SIGN_VERIFY": frozenset(("Sign", "Verify", "GetPublicKey", *_ALWAYS)),
    "HMAC": frozenset(("GenerateMac", "VerifyMac", *_ALWAYS)),
    "KEY_AGREEMENT": frozenset(("DeriveSharedSecret", "GetPublicKey", *_ALWAYS)),
}


def key_type(metadata: KeyMetadata) -> str:
    """Return the key type that decides which grant operations a key accepts.

    NOTE: a key without ``spec`` is taken as SYMMETRIC_DEFAULT, the KMS default,
    and an asymmetric key without ``usage`` as ENCRYPT_DECRYPT for RSA and SM2
    specs and SIGN_VERIFY for the others.
    """
    spec = metadata.spec or SYMMETRIC
    if spec == SYMMETRIC:
        return "SYMMETRIC_ENCRYPTION"
    if spec.startswith("HMAC_"):
        return "HMAC"

    usage = metadata.usage
    if usage is None:
        usage = "ENCRYPT_DECRYPT" if spec.startswith(("RSA_", "SM2")) else "SIGN_VERIFY"
    if usage == "KEY_AGREEMENT":
        return "KEY_AGREEMENT"
    if usage == "ENCRYPT_DECRYPT":
        return "ASYMMETRIC_ENCRYPT_DECRYPT"
    return "ASYMMETRIC_SIGN_VERIFY"


def unsupported_operations(metadata: KeyMetadata, operations: list[str]) -> list[str]:
    """Return the grant operations in ``operations`` that the key's type rejects."""
    allowed = GRANT_OPERATIONS_BY_KEY_TYPE[key_type(metadata)]
    return [operation for operation in operations if operation not in allowed]


def has_context_constraint(constraints: GrantConstraints | None) -> bool:
    if constraints is None:
        return False
    return (
        constraints.encryption_context_equals is not None
        or constraints.encryption_context_subset is not None
    )


# -- no escalation ------------------------------------------------------------


def escalation(
    parent: Grant, operations: list[str], constraints: GrantConstraints | None
):
    """Return why a grant-authorized CreateGrant would exceed ``parent``, or None.

    The new grant's operations must be a subset of the parent's. Its
    encryption-context constraint must be at least as strict: under a parent
    Subset S, a Subset or Equals that contains every pair of S; under a parent
    Equals E, exactly Equals E. Keys compare without regard to case and values
    exactly, as in grant constraints.

    A grant with both constraint kinds must satisfy both, so it is at least as
    strict as the parent when either kind alone meets the rule.
    """
    extra = sorted(set(operations) - set(parent.operations))
    if extra:
        return f"{parent.label} does not list {', '.join(extra)}"

    limits = parent.constraints
    if limits is not None and limits.source_arn is not None:
        child_arn = constraints.source_arn if constraints else None
        if child_arn != limits.source_arn:
            return f"{parent.label} is limited to SourceArn {limits.source_arn}"
    return _context_escalation(parent, constraints)


def _context_escalation(parent: Grant, child: GrantConstraints | None) -> str | None:
    limits = parent.constraints
    parent_equals = limits.encryption_context_equals if limits else None
    parent_subset = limits.encryption_context_subset if limits else None
    child_equals = child.encryption_context_equals if child else None
    child_subset = child.encryption_context_subset if child else None

    if parent_equals is not None and not _same_pairs(child_equals, parent_equals):
        return f"{parent.label} requires EncryptionContextEquals {parent_equals}"

    if parent_subset is not None:
        covering = [
            pairs for pairs in (child_equals, child_subset) if pairs is not None
        ]
        if not any(_contains(pairs, parent_subset) for pairs in covering):
            return f"{parent.label} requires every pair of {parent_subset}"
    return None


def _folded_pairs(pairs: dict[str, str]) -> set[tuple[str, str]]:
    """Return the pairs with folded keys; keys that differ only by case stay two pairs."""
    return {(name.lower(), value) for name, value in pairs.items()}


def _same_pairs(pairs: dict[str, str] | None, other: dict[str, str]) -> bool:
    if pairs is None:
        return False
    return _folded_pairs(pairs) == _folded_pairs(other) and len(pairs) == len(other)


def _contains(pairs: dict[str, str], required: dict[str, str]) -> bool:
    return _folded_pairs(required) <= _folded_pairs(pairs)


# -- retiring -----------------------------------------------------------------


def retire_role(grant: Grant, caller: Caller) -> str | None:
    """Return how the grant itself lets ``caller`` retire it, or None.

    These need no IAM permission: the retiring principal, the grantee when the
    grant lists RetireGrant, and the root user of the issuing account.
    """
    if _is_retiring_principal(grant, caller):
        return "the caller is the grant's retiring principal"
    if "RetireGrant" in grant.operations and grantee_matches(grant, caller):
        return "the caller is the grantee and the grant lists RetireGrant"
    issuing_root = _issuing_root(grant, caller)
    if caller.type is CallerType.ROOT and issuing_root == caller.arn:
        return "the caller is the root user of the account that issued the grant"
    return None


def retire_delegation(grant: Grant, caller: Caller) -> str | None:
    """Return why the caller's IAM policies may let it retire the grant, or None.

    Principals of the issuing account, and of an account that is the retiring
    principal, may retire the grant when their IAM policies allow kms:RetireGrant.
    """
    if caller.account is None:
        return None
    if _issuing_root(grant, caller) == caller.root_arn:
        return "the caller belongs to the account that issued the grant"
    retiring = grant.retiring_principal
    if retiring is not None and retiring == caller.root_arn:
        return "the caller belongs to the account that is the retiring principal"
    return None


def _is_retiring_principal(grant: Grant, caller: Caller) -> bool:
    retiring = grant.retiring_principal or grant.retiring_service_principal
    if retiring is None:
        return False
    if caller.type is CallerType.SERVICE:
        return retiring.lower() == caller.arn.lower()
    if retiring == caller.arn:
        return True
    return caller.is_role(retiring)


def _issuing_root(grant: Grant, caller: Caller) -> str | None:
    if grant.issuing_account is not None:
        return grant.issuing_account
    if grant.key_id and grant.key_id.startswith("arn:"):
        parts = grant.key_id.split(":")
        # NOTE: a grant without IssuingAccount is taken as issued by the key's
        # account; KMS sets IssuingAccount on every grant it lists.
        return f"arn:{parts[1]}:iam::{parts[4]}:root"
    return None
