"""Authorize a KMS API operation: every check it needs, each decided and explained.

The order follows what KMS is observed to do: validate the parameters, resolve
every key and alias the request names, then decide each check. A request that
fails the first two steps raises KmsApiError; a decided request returns an
OperationDecision, allowed only when every check is allowed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from kmspolicy.errors import RequestError
from kmspolicy.evaluate.decision import Decision, Outcome
from kmspolicy.evaluate.evaluator import decide_guardrails
from kmspolicy.evaluate.principal import Caller, parse_caller
from kmspolicy.evaluate.request import Grant, GrantConstraints, PolicySet, Request
from kmspolicy.grants.rules import escalation, retire_delegation, retire_role
from kmspolicy.grants.store import GrantRecord, GrantStore
from kmspolicy.operations.catalogue import Check, OperationInfo, operation_catalogue
from kmspolicy.operations.context import (
    caller_principal_arn,
    derive_context,
    request_encryption_context,
)
from kmspolicy.operations.decision import AuthorizationStep, OperationDecision
from kmspolicy.operations.engine import decide_in_context
from kmspolicy.operations.errors import KmsApiError
from kmspolicy.operations.keyring import KeyRing, ResolvedKey, alias_arn
from kmspolicy.operations.request import KeyRecord, OperationRequest
from kmspolicy.operations.usage import check_alias_retarget, check_key_usage
from kmspolicy.operations.validate import validate_parameters

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Target:
    """The resolved resource of one check."""

    check: Check
    resource: str
    key: KeyRecord | None = None
    alias: str | None = None
    grant: GrantRecord | None = None


class _Authorization:
    """State of one operation request while its checks are decided."""

    def __init__(self, request, keys, policies, grants) -> None:
        self.request: OperationRequest = request
        self.keys: KeyRing = keys
        self.policies: PolicySet = policies or PolicySet()
        self.grants: GrantStore = grants if grants is not None else GrantStore()
        self.operation: OperationInfo = operation_catalogue().get(request.operation)
        self.parameters: dict = request.parameters
        self.caller: Caller = _parse_caller(request.caller)
        self.notes: list[str] = []
        self.now: datetime = datetime.now(UTC)

    @property
    def account(self) -> str:
        return self.caller.account or ""

    @property
    def tokens(self) -> list[str]:
        return list(self.parameters.get("GrantTokens") or [])


def authorize_operation(
    request: OperationRequest,
    keys: KeyRing,
    policies: PolicySet | None = None,
    grants: GrantStore | None = None,
) -> OperationDecision:
    """Decide every check of a KMS operation request.

    ``keys`` contains the keys the request may name, each with its key policy;
    ``policies`` the caller's identity-side policies (its ``key_policy`` and
    ``grants`` are ignored, as they come from ``keys`` and ``grants``).
    Raises KmsApiError for what KMS rejects before deciding: an unknown
    operation, a parameter of the wrong type or out of range, an unknown key,
    alias, grant ID or grant token.
    """
    state = _Authorization(request, keys, policies, grants)
    validate_parameters(state.operation, state.parameters)
    state.grants.check_tokens(state.tokens)

    _check_retiring_principal_account(state)
    targets = [_resolve(state, check) for check in _checks(state)]
    _check_key_types(state, targets)
    steps = tuple(_decide(state, target, targets) for target in targets)
    decision = OperationDecision(
        state.operation.name, steps, request.request_id, tuple(state.notes)
    )
    logger.info(
        "request %s: %s %s -> %s",
        request.request_id,
        request.caller.principal,
        state.operation.name,
        decision.outcome.value,
    )
    return decision


def _parse_caller(identity) -> Caller:
    principal = identity.principal
    caller = parse_caller(principal, caller_principal_arn(identity.context))
    if caller is None:
        message = (
            f"principal {principal!r} is not an IAM user, role session, federated "
            "user or root ARN, nor a service principal name"
        )
        raise RequestError("invalid-principal", "caller.principal", message)
    return caller


def _check_retiring_principal_account(state: _Authorization) -> None:
    """Reject ListRetirableGrants for a retiring principal of another account.

    NOTE: KMS states that the principal must be in the caller's account but
    names no error; this raises ValidationException, the error for a parameter
    that breaks a rule of the operation.
    """
    if state.operation.name != "ListRetirableGrants":
        return
    principal = state.parameters.get("RetiringPrincipal")
    if principal is None:
        return
    account = _principal_account(principal)
    if account == state.account:
        return
    message = (
        f"RetiringPrincipal {principal!r} is not in the caller's account "
        f"{state.account}; ListRetirableGrants lists only the grants of a "
        "principal in the caller's own account"
    )
    raise KmsApiError("ValidationException", message, "RetiringPrincipal", principal)


def _principal_account(principal: str) -> str | None:
    """Return the account of a principal ARN or a bare account ID, else None."""
    if principal.isdigit() and len(principal) == 12:
        return principal
    parts = principal.split(":")
    if len(parts) >= 6 and parts[0] == "arn":
        return parts[4]
    return None


def _check_key_types(state: _Authorization, targets: list[_Target]) -> None:
    """Apply the key-type rules of the resolved keys (see ``usage``)."""
    for target in targets:
        if target.key is not None:
            check_key_usage(
                state.operation.name, target.check, target.key, state.parameters
            )
    if state.operation.name == "UpdateAlias":
        current = next(t.key for t in targets if t.check.resource == "alias-target")
        new = next(t.key for t in targets if t.check.resource == "key")
        check_alias_retarget(current, new)


def _checks(state: _Authorization) -> list[Check]:
    return [
        check
        for check in state.operation.checks
        if check.when is None or state.parameters.get(check.when) is not None
    ]


# -- resolution ---------------------------------------------------------------


def _resolve(state: _Authorization, check: Check) -> _Target:
    if check.resource == "none":
        return _Target(check, "*")
    if check.resource == "key":
        resolved = _resolve_key(state, check.parameter)
        return _Target(check, resolved.record.arn, resolved.record, resolved.alias)
    if check.resource == "alias":
        return _resolve_alias(state, check)
    if check.resource == "alias-target":
        return _resolve_alias_target(state, check)
    if check.resource == "replica":
        return _resolve_replica(state, check)
    return _resolve_grant(state, check)


def _resolve_key(state: _Authorization, parameter: str) -> ResolvedKey:
    value = state.parameters.get(parameter)
    if value is None:
        # NOTE: KMS reads the key of a symmetric ciphertext from the ciphertext
        # itself when Decrypt has no KeyId (or ReEncrypt no SourceKeyId). This
        # engine does not parse ciphertexts, so it needs the key named.
        message = (
            f"{parameter} is required here: name the key that produced the "
            "ciphertext, as this engine does not read ciphertexts"
        )
        raise KmsApiError("ValidationException", message, parameter, None)

    forms = state.operation.key_id_forms[parameter]
    return state.keys.resolve(
        parameter, value, forms, state.account, state.request.region
    )


def _alias_name(state: _Authorization, parameter: str) -> str:
    name = state.parameters[parameter]
    if not name.startswith("alias/"):
        message = f'{parameter} {name!r}: Alias must start with the prefix "alias/".'
        raise KmsApiError("ValidationException", message, parameter, name)
    if name.startswith("alias/aws/"):
        # NOTE: KMS documents no error name for a reserved alias/aws/ name;
        # NotAuthorizedException is what emulators checked against AWS return.
        message = f"{name}: the alias/aws/ prefix is reserved for AWS managed keys"
        raise KmsApiError("NotAuthorizedException", message, parameter, name)
    if ":" in name:
        message = f"Alias name {name} contains invalid characters for an alias"
        raise KmsApiError("ValidationException", message, parameter, name)
    return name


def _alias_region(state: _Authorization, name: str) -> str:
    """Return the Region of the alias: the endpoint's, else the target key's.

    Aliases are unique per account and Region, and CreateAlias and UpdateAlias
    need the target key in the alias's Region, so a request without a Region
    takes it from TargetKeyId. DeleteAlias looks the name up in every Region.
    """
    if state.request.region is not None:
        return state.request.region
    if state.parameters.get("TargetKeyId"):
        return _resolve_key(state, "TargetKeyId").record.region
    target = state.keys.alias_target(name, state.account, None)
    if target is None:
        message = f"Alias {name} is not found in account {state.account}"
        raise KmsApiError("NotFoundException", message, "AliasName", name)
    return target.region


def _resolve_alias(state: _Authorization, check: Check) -> _Target:
    name = _alias_name(state, check.parameter)
    region = _alias_region(state, name)
    if state.operation.name == "CreateAlias":
        if state.keys.alias_target(name, state.account, region) is not None:
            arn = alias_arn(name, state.account, region, state.caller.partition)
            message = f"An alias with the name {arn} already exists"
            raise KmsApiError("AlreadyExistsException", message, check.parameter, name)
    arn = alias_arn(name, state.account, region, state.caller.partition)
    return _Target(check, arn, alias=name)


def _resolve_alias_target(state: _Authorization, check: Check) -> _Target:
    name = _alias_name(state, check.parameter)
    region = _alias_region(state, name)
    record = state.keys.alias_target(name, state.account, region)
    if record is None:
        arn = alias_arn(name, state.account, region, state.caller.partition)
        raise KmsApiError(
            "NotFoundException", f"Alias {arn} is not found.", check.parameter, name
        )
    return _Target(check, record.arn, record)


def _resolve_replica(state: _Authorization, check: Check) -> _Target:
    primary = _resolve_key(state, check.parameter).record
    region = state.parameters[check.region_parameter]
    replica = state.keys.replica(primary, region)
    if replica is None:
        message = f"{primary.arn} has no replica in {region}"
        raise KmsApiError("NotFoundException", message, check.region_parameter, region)
    return _Target(check, replica.arn, replica)


def _resolve_grant(state: _Authorization, check: Check) -> _Target:
    token = state.parameters.get("GrantToken")
    if token is not None:
        record = state.grants.by_token(token)
    else:
        key_arn = state.parameters["KeyId"]
        if not key_arn.startswith("arn:"):
            message = f"RetireGrant needs the key ARN in KeyId, not {key_arn!r}"
            raise KmsApiError("ValidationException", message, "KeyId", key_arn)
        record = state.grants.find(key_arn, state.parameters["GrantId"])
    key = state.keys.by_arn(record.key_arn)
    return _Target(check, record.key_arn, key, grant=record)


# -- decisions ----------------------------------------------------------------


def _decide(
    state: _Authorization, target: _Target, targets: list[_Target]
) -> AuthorizationStep:
    if target.check.resource == "grant":
        return _decide_retire(state, target)

    context = derive_context(
        state.operation,
        target.check,
        state.request,
        key=_context_key(state, target, targets),
        alias=target.alias if target.check.resource == "key" else None,
        same_key=_same_key(state, targets),
        now=state.now,
        alias_account=state.account,
    )
    request = _request(state, target, context)
    policies = _policies_for(state, target)
    iam_only = target.check.resource in ("alias", "none")
    decision = decide_in_context(request, policies, context, iam_only=iam_only)
    return AuthorizationStep(target.check.label, decision, context)


def _context_key(state, target: _Target, targets: list[_Target]) -> KeyRecord | None:
    """Return the key whose properties fill the check's key condition keys."""
    if target.key is not None:
        return target.key
    if state.operation.name == "ReplicateKey":
        return targets[0].key
    return None


def _same_key(state: _Authorization, targets: list[_Target]) -> bool | None:
    if state.operation.name != "ReEncrypt":
        return None
    return targets[0].resource == targets[1].resource


def _request(state: _Authorization, target: _Target, context: dict) -> Request:
    context_pairs = request_encryption_context(
        state.operation, target.check, state.parameters
    )
    return Request(
        principal=state.request.caller.principal,
        action=target.check.action,
        resource=target.resource,
        context=context,
        encryption_context=context_pairs,
        request_id=state.request.request_id,
    )


def _policies_for(state: _Authorization, target: _Target) -> PolicySet:
    """Return the policies in force for one check: the caller's, plus the key's."""
    if target.key is None or target.check.resource not in (
        "key",
        "alias-target",
        "replica",
    ):
        return state.policies.model_copy(update={"key_policy": None, "grants": []})

    grants = state.grants.usable_grants(target.key.arn, state.tokens)
    if state.operation.name == "CreateGrant":
        grants = _grants_within_limits(state, grants)
    update = {"key_policy": target.key.key_policy, "grants": grants}
    return state.policies.model_copy(update=update)


def _grants_within_limits(state: _Authorization, grants: list[Grant]) -> list[Grant]:
    """Keep the grants that may authorize this CreateGrant under the no-escalation rule."""
    operations = list(state.parameters.get("Operations") or [])
    raw = state.parameters.get("Constraints")
    constraints = GrantConstraints.model_validate(raw) if raw else None

    kept = []
    for grant in grants:
        reason = escalation(grant, operations, constraints)
        if reason is None:
            kept.append(grant)
        elif "CreateGrant" in grant.operations:
            state.notes.append(
                f"{grant.label} cannot authorize this CreateGrant: {reason}"
            )
    return kept


# -- RetireGrant --------------------------------------------------------------


def _decide_retire(state: _Authorization, target: _Target) -> AuthorizationStep:
    """Decide RetireGrant from the grant's own roles, IAM Allow and IAM Deny.

    A key policy has no effect on RetireGrant. An explicit Deny in an IAM policy,
    boundary, session policy, SCP or endpoint policy still blocks it, and so does
    an SCP level or endpoint policy that does not allow it.
    """
    grant = target.grant.grant
    context = derive_context(
        state.operation,
        target.check,
        state.request,
        key=target.key,
        grant=grant,
        now=state.now,
    )
    request = _request(state, target, context)
    policies = state.policies.model_copy(update={"key_policy": None, "grants": []})

    # Explicit denies, SCP levels and the endpoint policy still apply: only the
    # key policy has no effect on RetireGrant.
    blocked = decide_guardrails(request, policies, context=context, iam_only=True)
    if blocked is not None:
        return AuthorizationStep("grant", blocked, context)

    iam = decide_in_context(request, policies, context, iam_only=True)

    decision = _retire_decision(state, request, grant, iam)
    return AuthorizationStep("grant", decision, context)


def _retire_decision(state, request: Request, grant: Grant, iam: Decision) -> Decision:
    role = retire_role(grant, state.caller)
    if role is not None:
        return _decision(request, Outcome.ALLOW, role, iam, grant=grant)

    delegation = retire_delegation(grant, state.caller)
    if delegation is not None and iam.allowed:
        reason = f"{delegation}, and its IAM policies allow kms:RetireGrant"
        return _decision(request, Outcome.ALLOW, reason, iam, iam.statements, grant)

    reason = (
        "the caller is not the retiring principal, not a grantee of a grant that "
        "lists RetireGrant, and not a principal of the issuing or retiring account "
        "with IAM permission for kms:RetireGrant"
    )
    return _decision(request, Outcome.IMPLICIT_DENY, reason, iam)


def _decision(request, outcome, reason, iam, statements=(), grant=None) -> Decision:
    return Decision.for_request(
        request, outcome, reason, statements, grant, iam.warnings
    )
