"""Authorize a grant operation and, when allowed, apply it to a grant store.

Only the grant operations change state here (CreateGrant, RetireGrant,
RevokeGrant) or read it (ListGrants, ListRetirableGrants); every other operation
is only authorized, and its ``response`` is None.
"""

from __future__ import annotations

from dataclasses import dataclass

from kmspolicy.evaluate.request import PolicySet
from kmspolicy.grants.store import GrantStore
from kmspolicy.operations.authorize import authorize_operation
from kmspolicy.operations.decision import OperationDecision
from kmspolicy.operations.errors import KmsApiError
from kmspolicy.operations.keyring import KeyRing
from kmspolicy.operations.request import OperationRequest


@dataclass(frozen=True, slots=True)
class OperationResult:
    """The decision, and the KMS response of an allowed grant operation.

    ``error`` is set for a DryRun request that would have succeeded
    (DryRunOperationException), as KMS returns it.
    """

    decision: OperationDecision
    response: dict | None = None
    error: KmsApiError | None = None


def perform_operation(
    request: OperationRequest,
    keys: KeyRing,
    policies: PolicySet | None,
    grants: GrantStore,
) -> OperationResult:
    """Authorize ``request``; when allowed, apply a grant operation to ``grants``.

    Raises KmsApiError as ``authorize_operation`` does, and for grant rules that
    KMS checks after authorization (operations the key type does not support).
    """
    decision = authorize_operation(request, keys, policies, grants)
    if not decision.allowed:
        return OperationResult(decision)

    parameters = request.parameters
    if parameters.get("DryRun"):
        message = "The request would have succeeded, but the DryRun flag is set."
        error = KmsApiError("DryRunOperationException", message, "DryRun", True)
        return OperationResult(decision, error=error)

    handler = _HANDLERS.get(request.operation)
    response = handler(request, keys, grants, decision) if handler else None
    return OperationResult(decision, response)


def _create_grant(request, keys, grants, decision) -> dict:
    key = keys.by_arn(decision.steps[0].decision.resource)
    account = decision.steps[0].context.get("kms:CallerAccount", "")
    result = grants.create_grant(key.metadata, request.parameters, account)
    return {"GrantId": result.grant_id, "GrantToken": result.grant_token}


def _list_grants(request, keys, grants, decision) -> dict:
    parameters = request.parameters
    found = grants.list_grants(
        decision.steps[0].decision.resource,
        grant_id=parameters.get("GrantId"),
        grantee_principal=parameters.get("GranteePrincipal"),
        grantee_service_principal=parameters.get("GranteeServicePrincipal"),
    )
    return {"Grants": [_listed(grant) for grant in found], "Truncated": False}


def _list_retirable_grants(request, keys, grants, decision) -> dict:
    parameters = request.parameters
    principal = (
        parameters.get("RetiringPrincipal") or parameters["RetiringServicePrincipal"]
    )
    found = grants.list_retirable_grants(principal)
    return {"Grants": [_listed(grant) for grant in found], "Truncated": False}


def _retire_grant(request, keys, grants, decision) -> dict:
    grants.retire(_grant_record(request, grants))
    return {}


def _revoke_grant(request, keys, grants, decision) -> dict:
    key_arn = decision.steps[0].decision.resource
    grants.revoke(grants.find(key_arn, request.parameters["GrantId"]))
    return {}


def _grant_record(request, grants: GrantStore):
    token = request.parameters.get("GrantToken")
    if token is not None:
        return grants.by_token(token)
    return grants.find(request.parameters["KeyId"], request.parameters["GrantId"])


def _listed(grant) -> dict:
    return grant.model_dump(by_alias=True, exclude_none=True)


_HANDLERS = {
    "CreateGrant": _create_grant,
    "ListGrants": _list_grants,
    "ListRetirableGrants": _list_retirable_grants,
    "RetireGrant": _retire_grant,
    "RevokeGrant": _revoke_grant,
}
