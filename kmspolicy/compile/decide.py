"""Decide one request over compiled policies, step for step as the reference does.

The order of steps, the reasons and the statements quoted are those of
``kmspolicy.evaluate.evaluator``: explicit denies, organization guardrails, the
VPC endpoint policy, the identity side with the key policy, then grants. Only the
way statements are found differs: each policy's index yields the candidates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from kmspolicy.catalogue import CROSS_ACCOUNT_ACTIONS
from kmspolicy.compile.policy import CompiledPolicy
from kmspolicy.compile.policy_set import CompiledPolicySet
from kmspolicy.compile.principals import PrincipalKey, caller_keys
from kmspolicy.compile.statement import CompiledStatement
from kmspolicy.conditions.context import RequestContext
from kmspolicy.errors import RequestError
from kmspolicy.evaluate.decision import Decision, Outcome, StatementRef
from kmspolicy.evaluate.principal import Caller, CallerType, PrincipalMatch
from kmspolicy.evaluate.request import Grant, Request
from kmspolicy.policy.model import Effect

# RCPs do not govern kms:RetireGrant, even through kms:* (AWS RCP documentation).
_RCP_EXEMPT_ACTIONS = frozenset({"kms:retiregrant"})

_DIRECT = (PrincipalMatch.EXACT, PrincipalMatch.WILDCARD, PrincipalMatch.SERVICE)

Match = tuple[CompiledStatement, PrincipalMatch]


def invalid_principal(principal: str) -> RequestError:
    """Build the error the reference raises for an unrecognisable principal."""
    return RequestError(
        "invalid-principal",
        "principal",
        f"principal {principal!r} is not an IAM user, role session, "
        "federated user or root ARN, nor a service principal name",
    )


class Plan:
    """The part of a decision that requests can share: the caller, the policies in
    force, the action and, per policy and effect, the statements that may apply.

    Depends only on the arguments given, so one Plan serves every request with
    the same caller, policies, action and resource. ``candidates`` fills its
    table on first use. Each entry already passed the index, the Action element
    and the Principal element, leaving resource and conditions per request.
    ``denying`` lists the Deny candidates of every policy that can deny, in the
    order the reference reports them. ``steps`` are the decision steps, in
    order, without those that return None for every request of this Plan.
    """

    __slots__ = (
        "_allows",
        "_denies",
        "_identity",
        "action",
        "caller",
        "cross_account",
        "cross_partition",
        "denying",
        "key_operation",
        "key_owner",
        "keys",
        "policies",
        "request_action",
        "resource",
        "shared",
        "steps",
    )

    def __init__(
        self,
        policies: CompiledPolicySet,
        caller: Caller,
        action: str,
        resource: str,
        keys: tuple[PrincipalKey, ...] | None = None,
    ) -> None:
        self.policies = policies
        self.caller = caller
        self.keys = caller_keys(caller) if keys is None else keys
        self.action = action.lower()
        self.request_action = action
        self.resource = resource
        self.key_operation = resource != "*"
        self.key_owner = _partition_and_account(resource)
        self.cross_account = _crosses_account(caller, self.key_owner)
        self.cross_partition = caller.partition != self.key_owner[0]
        # Further work derived from this Plan alone, filled by its users.
        self.shared: dict[str, object] = {}
        self._allows: dict[CompiledPolicy, tuple[Match, ...]] = {}
        self._denies: dict[CompiledPolicy, tuple[Match, ...]] = {}
        self.denying = tuple(
            entry
            for policy in _deny_sources(self)
            for entry in self.candidates(policy, Effect.DENY)
        )
        self.steps = _steps_that_can_decide(self)
        self._identity: _IdentitySide | None = None

    def candidates(self, policy: CompiledPolicy, effect: Effect) -> tuple[Match, ...]:
        """Return the statements of one effect that name the caller, with the match."""
        by_policy = self._allows if effect is Effect.ALLOW else self._denies
        found = by_policy.get(policy)
        if found is None:
            found = by_policy[policy] = self._naming_caller(policy, effect)
        return found

    def _naming_caller(
        self, policy: CompiledPolicy, effect: Effect
    ) -> tuple[Match, ...]:
        found = []
        for statement in policy.candidates(effect, self.action, self.keys):
            match = statement.principal_match(self.caller)
            if match is not PrincipalMatch.NONE:
                found.append((statement, match))
        return tuple(found)


class Evaluation:
    """State of one decision: the request, its context and the shared Plan."""

    __slots__ = (
        "action",
        "caller",
        "context",
        "key_operation",
        "keys",
        "plan",
        "policies",
        "request",
        "resource",
    )

    def __init__(self, request: Request, plan: Plan, context: RequestContext) -> None:
        self.request = request
        self.plan = plan
        self.context = context
        self.policies = plan.policies
        self.caller = plan.caller
        self.keys = plan.keys
        self.action = plan.action
        self.resource = plan.resource
        self.key_operation = plan.key_operation

    def matching(self, policy: CompiledPolicy, effect: Effect) -> list[Match]:
        """Return the statements of one effect that apply, with their principal match."""
        found = []
        resource = self.resource
        context = self.context
        for entry in self.plan.candidates(policy, effect):
            if entry[0].applies(resource, context):
                found.append(entry)
        return found

    def allows(self, policy: CompiledPolicy) -> list[StatementRef]:
        return [statement.ref for statement, _ in self.matching(policy, Effect.ALLOW)]


def decide_evaluation(evaluation: Evaluation) -> Decision:
    """Run the decision steps in the reference's order."""
    for step in evaluation.plan.steps:
        decision = step(evaluation)
        if decision is not None:
            return decision
    return _implicit_deny(evaluation, _missing_allow_reason(evaluation))


def _steps_that_can_decide(plan: Plan) -> tuple[Callable, ...]:
    """Return the steps in order, leaving out those with nothing to check.

    The guardrail step needs applying SCP or RCP levels, the endpoint step a VPC
    endpoint policy and the grant step grants. Without them each returns None.
    """
    policies = plan.policies
    steps: list[Callable] = [_explicit_deny]
    scps = policies.scps and _scps_apply(plan)
    rcps = policies.rcps and _rcps_apply(plan)
    if scps or rcps:
        steps.append(_organization_guardrails)
    if policies.vpce_policy is not None:
        steps.append(_endpoint_guardrail)
    steps.append(_identity_and_key_policy)
    if policies.grants.grants:
        steps.append(_grants)
    return tuple(steps)


def _result(
    evaluation: Evaluation,
    outcome: Outcome,
    reason: str,
    statements: Iterable[StatementRef] = (),
    grant=None,
) -> Decision:
    request = evaluation.request
    return make_decision(
        outcome,
        reason,
        request.principal,
        request.action,
        request.resource,
        tuple(statements),
        grant,
        request.request_id,
        evaluation.context.warnings,
    )


_DECISION_FIELDS = (
    "outcome",
    "reason",
    "principal",
    "action",
    "resource",
    "statements",
    "grant",
    "request_id",
    "warnings",
)
_fields = tuple(field.name for field in dataclasses.fields(Decision))
if _fields != _DECISION_FIELDS:
    # make_decision sets each field itself, so a new field must be added there.
    raise ImportError(
        f"Decision has the fields {_fields}, but make_decision sets "
        f"{_DECISION_FIELDS}; update make_decision in kmspolicy.compile.decide"
    )

_new_decision = Decision.__new__
_set_outcome = Decision.outcome.__set__
_set_reason = Decision.reason.__set__
_set_principal = Decision.principal.__set__
_set_action = Decision.action.__set__
_set_resource = Decision.resource.__set__
_set_statements = Decision.statements.__set__
_set_grant = Decision.grant.__set__
_set_request_id = Decision.request_id.__set__
_set_warnings = Decision.warnings.__set__


def make_decision(
    outcome: Outcome,
    reason: str,
    principal: str,
    action: str,
    resource: str,
    statements: tuple[StatementRef, ...],
    grant: Grant | None,
    request_id: str | None,
    warnings: tuple[str, ...],
) -> Decision:
    """Build a Decision equal to ``Decision(...)`` with the same fields.

    Sets the slots directly, because the frozen dataclass's ``__init__`` costs
    about twice as much and does nothing more.
    """
    decision = _new_decision(Decision)
    _set_outcome(decision, outcome)
    _set_reason(decision, reason)
    _set_principal(decision, principal)
    _set_action(decision, action)
    _set_resource(decision, resource)
    _set_statements(decision, statements)
    _set_grant(decision, grant)
    _set_request_id(decision, request_id)
    _set_warnings(decision, warnings)
    return decision


def _implicit_deny(evaluation: Evaluation, reason: str) -> Decision:
    return _result(evaluation, Outcome.IMPLICIT_DENY, reason)


def _scps_apply(evaluation: Evaluation | Plan) -> bool:
    return evaluation.caller.type is not CallerType.SERVICE


def _rcps_apply(evaluation: Evaluation | Plan) -> bool:
    return evaluation.key_operation and evaluation.action not in _RCP_EXEMPT_ACTIONS


def _deny_sources(evaluation: Evaluation | Plan) -> list[CompiledPolicy]:
    policies = evaluation.policies
    sources = [*policies.identity_policies, *policies.session_policies]
    if evaluation.key_operation and policies.key_policy is not None:
        sources.insert(0, policies.key_policy)
    if policies.permission_boundary is not None:
        sources.append(policies.permission_boundary)
    if _scps_apply(evaluation):
        sources.extend(policy for level in policies.scps for policy in level)
    if _rcps_apply(evaluation):
        sources.extend(policy for level in policies.rcps for policy in level)
    if policies.vpce_policy is not None:
        sources.append(policies.vpce_policy)
    return sources


def _explicit_deny(evaluation: Evaluation) -> Decision | None:
    resource = evaluation.resource
    context = evaluation.context
    denying = [
        statement.ref
        for statement, _ in evaluation.plan.denying
        if statement.applies(resource, context)
    ]
    if not denying:
        return None

    reason = "an applicable Deny statement overrides every Allow"
    return _result(evaluation, Outcome.EXPLICIT_DENY, reason, denying)


def _organization_guardrails(evaluation: Evaluation) -> Decision | None:
    policies = evaluation.policies
    if policies.scps and _scps_apply(evaluation):
        for depth, level in enumerate(policies.scps):
            if not any(evaluation.allows(policy) for policy in level):
                reason = f"no SCP at organization level {depth} allows the action"
                return _implicit_deny(evaluation, reason)

    if policies.rcps and _rcps_apply(evaluation):
        for depth, level in enumerate(policies.rcps):
            if not any(evaluation.allows(policy) for policy in level):
                reason = f"no RCP at organization level {depth} allows the action"
                return _implicit_deny(evaluation, reason)
    return None


def _endpoint_guardrail(evaluation: Evaluation) -> Decision | None:
    policy = evaluation.policies.vpce_policy
    if policy is None or evaluation.allows(policy):
        return None
    return _implicit_deny(
        evaluation, "the VPC endpoint policy does not allow the request"
    )


def _identity_side(evaluation: Evaluation) -> _IdentitySide:
    """Return the identity side, shared by the Plan's requests when the Plan has
    no identity, boundary or session policy to test."""
    plan = evaluation.plan
    if plan._identity is not None:
        return plan._identity

    identity = _IdentitySide(evaluation)
    policies = plan.policies
    has_policies = policies.identity_policies or policies.session_policies
    if not has_policies and policies.permission_boundary is None:
        plan._identity = identity
    return identity


class _IdentitySide:
    """The permissions of the caller's own account: identity Allows, cut by the
    boundary and session policies. Callers never change its lists."""

    def __init__(self, evaluation: Evaluation) -> None:
        policies = evaluation.policies
        self.allows = []
        for policy in policies.identity_policies:
            self.allows.extend(evaluation.allows(policy))
        self.is_root = evaluation.caller.type is CallerType.ROOT
        boundary = policies.permission_boundary
        self.boundary_ok = boundary is None or bool(evaluation.allows(boundary))
        self.session_ok = True
        for policy in policies.session_policies:
            if not evaluation.allows(policy):
                self.session_ok = False
                break

    @property
    def limits_ok(self) -> bool:
        return self.boundary_ok and self.session_ok

    @property
    def allowed(self) -> bool:
        # The root user has every permission of its own account implicitly.
        return (self.is_root or bool(self.allows)) and self.limits_ok

    def shortfall(self) -> str:
        if not self.boundary_ok:
            return "the permissions boundary does not allow the action"
        if not self.session_ok:
            return "a session policy does not allow the action"
        return "no identity policy allows the action"


def _identity_and_key_policy(evaluation: Evaluation) -> Decision | None:
    identity = _identity_side(evaluation)
    if not evaluation.key_operation:
        if identity.allowed:
            reason = "identity policies allow an action that targets no key"
            return _result(evaluation, Outcome.ALLOW, reason, identity.allows)
        return None

    key_policy = evaluation.policies.key_policy
    if key_policy is None:
        return None

    matches = evaluation.matching(key_policy, Effect.ALLOW)
    if evaluation.caller.type is CallerType.SERVICE:
        return _service_allow(evaluation, matches)

    if _is_cross_partition(evaluation):
        return None
    cross_account = _is_cross_account(evaluation)
    if cross_account and evaluation.action not in CROSS_ACCOUNT_ACTIONS:
        return None
    if cross_account:
        return _cross_account_allow(evaluation, matches, identity)
    return _same_account_allow(evaluation, matches, identity)


def _key_owner(evaluation: Evaluation) -> tuple[str | None, str | None]:
    """Return the (partition, account) of the requested key ARN."""
    return evaluation.plan.key_owner


def _partition_and_account(resource: str) -> tuple[str | None, str | None]:
    parts = resource.split(":")
    if len(parts) < 6:
        return None, None
    return parts[1], parts[4]


def _is_cross_account(evaluation: Evaluation) -> bool:
    return evaluation.plan.cross_account


def _crosses_account(caller: Caller, key_owner: tuple[str | None, str | None]) -> bool:
    return (caller.partition, caller.account) != key_owner


def _partition_reason(evaluation: Evaluation) -> str:
    partition = _key_owner(evaluation)[0]
    return (
        f"the key is in partition {partition!r} and the caller in "
        f"{evaluation.caller.partition!r}; partitions never share keys"
    )


def _is_cross_partition(evaluation: Evaluation) -> bool:
    """Tell whether caller and key are in different partitions, which never share."""
    return evaluation.plan.cross_partition


def _service_allow(evaluation: Evaluation, matches: list[Match]) -> Decision | None:
    direct = [
        statement.ref
        for statement, match in matches
        if match in (PrincipalMatch.SERVICE, PrincipalMatch.WILDCARD)
    ]
    if not direct:
        return None
    reason = "the key policy allows the calling service principal"
    return _result(evaluation, Outcome.ALLOW, reason, direct)


def _same_account_allow(
    evaluation: Evaluation, matches: list[Match], identity: _IdentitySide
) -> Decision | None:
    for statement, match in matches:
        if match in _DIRECT:
            reason = "the key policy names the caller directly"
            return _result(evaluation, Outcome.ALLOW, reason, [statement.ref])

    for statement, match in matches:
        if match is PrincipalMatch.ROLE_OF_SESSION and identity.limits_ok:
            reason = "the key policy names the caller's role"
            return _result(evaluation, Outcome.ALLOW, reason, [statement.ref])

    delegating = [s.ref for s, m in matches if m is PrincipalMatch.ACCOUNT]
    if delegating and identity.allowed:
        reason = "the key policy delegates to the account and the identity side allows"
        return _result(
            evaluation, Outcome.ALLOW, reason, [*delegating, *identity.allows]
        )
    return None


def _cross_account_allow(
    evaluation: Evaluation, matches: list[Match], identity: _IdentitySide
) -> Decision | None:
    covering = [statement.ref for statement, _ in matches]
    if covering and identity.allowed:
        reason = (
            "cross-account: the key policy covers the caller and the caller's "
            "account allows the action"
        )
        return _result(evaluation, Outcome.ALLOW, reason, [*covering, *identity.allows])
    return None


def _grants(evaluation: Evaluation) -> Decision | None:
    grant = evaluation.policies.grants.first_applying(
        evaluation.caller, evaluation.keys, evaluation.request
    )
    if grant is None:
        return None
    reason = "a grant allows the operation for this grantee"
    return _result(evaluation, Outcome.ALLOW, reason, grant=grant)


def _missing_allow_reason(evaluation: Evaluation) -> str:
    if not evaluation.key_operation:
        return _identity_side(evaluation).shortfall()
    if evaluation.policies.key_policy is None:
        return "the request targets a key but no key policy was given"

    if evaluation.caller.type is CallerType.SERVICE:
        return "no key-policy statement allows this service principal"
    if _is_cross_partition(evaluation):
        return _partition_reason(evaluation)
    if _is_cross_account(evaluation):
        if evaluation.action not in CROSS_ACCOUNT_ACTIONS:
            return f"{evaluation.request.action} cannot be used on a key in another account"
        return (
            "cross-account access needs both a key-policy statement covering the "
            "caller and an IAM policy in the caller's account"
        )
    return "no key-policy statement names the caller, and no delegation plus IAM Allow"
