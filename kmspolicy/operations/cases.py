"""Operation-level decision cases: the extension of the case format (docs/cases.md).

A case with an ``operation`` member names a KMS API operation and its parameters
instead of a single action; ``keys`` lists every key the request may touch, each
with its metadata and key policy; ``grants`` lists grants in ListGrants form,
optionally with the tokens that name them. ``expected`` is the overall outcome,
``expected_checks`` the outcome of each check in order, and ``expected_error``
the KMS error name for a request KMS rejects before deciding.
"""

from __future__ import annotations

from typing import Any

from kmspolicy.errors import RequestError
from kmspolicy.evaluate.request import Grant, KeyMetadata, PolicySet
from kmspolicy.grants.load import load_grant_store
from kmspolicy.grants.store import GrantStore
from kmspolicy.operations.authorize import authorize_operation
from kmspolicy.operations.errors import KmsApiError
from kmspolicy.operations.keyring import KeyRing
from kmspolicy.operations.request import CallerIdentity, KeyRecord, OperationRequest
from kmspolicy.policy.model import Policy, PolicyKind
from kmspolicy.policy.parse import parse_policy

_KEY_FIELDS = ("policy",)  # members of a key entry that are not KeyMetadata


def run_operation_case(case: dict, policies: PolicySet, load_text) -> tuple[str, str]:
    """Decide one operation case; return (actual outcome or error name, detail).

    ``policies`` are the case's ``policies`` already parsed; its key policy is the
    policy of every key that gives none. ``load_text(value, label)`` returns a
    policy's text from an inline object or a path beside the case file.
    """
    operation = case["operation"]
    if not isinstance(operation, dict):
        raise RequestError("invalid-case", "operation", "operation must be an object")

    keys = _keys(_list_member(case, "keys"), policies.key_policy, load_text)
    grants = _grants(_list_member(case, "grants"), policies.grants)
    try:
        decision = authorize_operation(_request(operation), keys, policies, grants)
    except KmsApiError as error:
        return error.code, f"[{error.code}] {error.message}"

    checks = [step.decision.outcome.value for step in decision.steps]
    expected_checks = case.get("expected_checks")
    if expected_checks is not None and expected_checks != checks:
        return f"checks {checks}", f"expected checks {expected_checks}"
    detail = "; ".join(_describe(step) for step in decision.steps)
    return decision.outcome.value, detail


def _describe(step) -> str:
    decision = step.decision
    deciders = [ref.describe() for ref in decision.statements]
    if decision.grant is not None:
        deciders.append(decision.grant.label)
    return f"{step.label}: {decision.outcome.value} ({'; '.join(deciders) or decision.reason})"


def _request(operation: dict) -> OperationRequest:
    caller = operation.get("caller")
    if not isinstance(caller, dict):
        raise RequestError(
            "invalid-case", "operation.caller", "operation.caller must be an object"
        )
    return OperationRequest(
        operation=operation.get("name", ""),
        parameters=operation.get("parameters") or {},
        caller=CallerIdentity.model_validate(caller),
        region=operation.get("region"),
        request_id=operation.get("request_id"),
    )


def _list_member(case: dict, name: str) -> list:
    """Return a list member of the case; absent or null is an empty list."""
    value = case.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        kind = type(value).__name__
        message = f"{name} must be a list of objects, not {kind} ({value!r:.40})"
        raise RequestError("invalid-case", name, message)
    return value


def _keys(entries: list, default_policy: Policy | None, load_text) -> KeyRing:
    ring = KeyRing()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise RequestError(
                "invalid-case", f"keys[{index}]", "each key must be an object"
            )
        metadata = {
            name: value for name, value in entry.items() if name not in _KEY_FIELDS
        }
        policy = default_policy
        if entry.get("policy") is not None:
            text, label = load_text(entry["policy"], f"keys[{index}].policy")
            policy = parse_policy(text, kind=PolicyKind.KEY, name=label)
        ring.add(
            KeyRecord(metadata=KeyMetadata.model_validate(metadata), key_policy=policy)
        )
    return ring


def _grants(entries: list, policy_grants: list[Grant]) -> GrantStore:
    """Build the grant store; an entry may carry ``GrantTokens`` and ``Propagated``."""
    return load_grant_store(entries, in_force=policy_grants)


def is_operation_case(case: dict[str, Any]) -> bool:
    return "operation" in case
