"""Whether a grant allows a request: grantee, operation and constraint all match."""

from __future__ import annotations

from kmspolicy.evaluate.principal import Caller, CallerType
from kmspolicy.evaluate.request import Grant, Request

# KMS ignores encryption-context constraints when a grant is used for these
# operations, which take no encryption context.
_CONSTRAINT_FREE_ACTIONS = frozenset({"kms:describekey", "kms:retiregrant"})


def grantee_matches(grant: Grant, caller: Caller) -> bool:
    """Tell whether the grantee is the caller; a role grantee covers its sessions.

    NOTE: a grantee that is an account's root ARN matches only the root user here;
    KMS does not document whether IAM users of that account are also covered.
    """
    if caller.type is CallerType.SERVICE:
        service = grant.grantee_service_principal or grant.grantee_principal or ""
        return service.lower() == caller.arn.lower()

    grantee = grant.grantee_principal
    if grantee is None:
        return False
    return grantee == caller.arn or caller.is_role(grantee)


def grant_covers_key(grant: Grant, resource: str) -> bool:
    """Tell whether the grant is on the requested key (a grant covers one key).

    A grant without ``KeyId`` is taken to be on the requested key. ``KeyId`` may
    be the key ARN or the bare key ID.
    """
    if grant.key_id is None or resource == "*":
        return True
    if grant.key_id.startswith("arn:"):
        return grant.key_id == resource
    return resource.endswith(f":key/{grant.key_id}")


def operation_granted(grant: Grant, action: str) -> bool:
    """Tell whether the IAM action (``kms:Decrypt``) is one of the grant operations."""
    prefix, _, operation = action.partition(":")
    if prefix.lower() != "kms":
        return False
    return any(granted.lower() == operation.lower() for granted in grant.operations)


def constraints_hold(grant: Grant, encryption_context: dict[str, str]) -> bool:
    """Check EncryptionContextEquals / EncryptionContextSubset against a request.

    Keys compare without regard to case and values exactly, as KMS documents for
    grant constraints.
    """
    constraints = grant.constraints
    if constraints is None:
        return True

    # Pairs as (folded key, value) sets: a request may carry two keys that differ
    # only by case, and each stays a pair of its own.
    request_pairs = _folded_pairs(encryption_context)
    equals = constraints.encryption_context_equals
    if equals is not None:
        same_pairs = _folded_pairs(equals) == request_pairs
        if not same_pairs or len(equals) != len(encryption_context):
            return False

    subset = constraints.encryption_context_subset
    if subset is not None and not _folded_pairs(subset) <= request_pairs:
        return False
    return True


def _folded_pairs(pairs: dict[str, str]) -> set[tuple[str, str]]:
    return {(name.lower(), value) for name, value in pairs.items()}


def source_arn_holds(grant: Grant, request: Request) -> bool:
    """Check a ``SourceArn`` constraint against the request's ``aws:SourceArn``.

    KMS applies this constraint to every grant operation except RetireGrant. The
    ARN compares exactly, as ``aws:SourceArn`` does under ArnEquals.
    """
    constraints = grant.constraints
    if constraints is None or constraints.source_arn is None:
        return True
    if request.action.lower() == "kms:retiregrant":
        return True

    for name, value in request.context.items():
        if name.lower() == "aws:sourcearn":
            return value == constraints.source_arn
    return False


def same_partition(caller: Caller, resource: str) -> bool:
    """Tell whether an AWS caller is in the key's partition; services always are."""
    if caller.type is CallerType.SERVICE or resource == "*":
        return True
    parts = resource.split(":")
    return len(parts) > 1 and parts[1] == caller.partition


def grant_applies(grant: Grant, caller: Caller, request: Request) -> bool:
    return (
        grant_covers_key(grant, request.resource)
        and same_partition(caller, request.resource)
        and grantee_matches(grant, caller)
        and operation_granted(grant, request.action)
        and (
            request.action.lower() in _CONSTRAINT_FREE_ACTIONS
            or constraints_hold(grant, request.encryption_context)
        )
        and source_arn_holds(grant, request)
    )
