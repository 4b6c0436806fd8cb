"""The reference interpreter: decide one KMS request over a set of policies.

It scans every statement of every policy, plainly, in the order AWS documents:
explicit denies anywhere, then the organization and endpoint guardrails, then the
identity side, then the key policy with its principal rules, then grants. It is the
readable reference that faster engines are tested against.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from kmspolicy.arn import resource_matches
from kmspolicy.catalogue import CROSS_ACCOUNT_ACTIONS
from kmspolicy.conditions.context import RequestContext
from kmspolicy.conditions.evaluate import evaluate_clause
from kmspolicy.errors import InvalidPolicyError, RequestError
from kmspolicy.evaluate.decision import Decision, Outcome, StatementRef
from kmspolicy.evaluate.grants import grant_applies
from kmspolicy.evaluate.principal import (
    Caller,
    CallerType,
    PrincipalMatch,
    exempted_by_not_principal,
    match_principal,
    parse_caller,
)
from kmspolicy.evaluate.request import KeyMetadata, PolicySet, Request
from kmspolicy.glob import glob_regex
from kmspolicy.policy.model import Effect, Policy, PolicyKind, Statement

logger = logging.getLogger(__name__)

# RCPs do not govern kms:RetireGrant, even through kms:* (AWS RCP documentation).
_RCP_EXEMPT_ACTIONS = frozenset({"kms:retiregrant"})


class _Evaluation:
    """State of one decision: the request, its caller and context."""

    def __init__(
        self,
        request: Request,
        policies: PolicySet,
        context: RequestContext,
        iam_only: bool = False,
    ):
        self.request = request
        self.policies = policies
        self.context = context
        self.action = request.action.lower()
        self.key_operation = request.resource != "*" and not iam_only
        principal_arn = context.lookup("aws:PrincipalArn")[1]
        caller = parse_caller(
            request.principal,
            principal_arn if isinstance(principal_arn, str) else None,
            has_boundary=policies.permission_boundary is not None,
        )
        if caller is None:
            raise RequestError(
                "invalid-principal",
                "principal",
                f"principal {request.principal!r} is not an IAM user, role session, "
                "federated user or root ARN, nor a service principal name",
            )
        self.caller: Caller = caller

    # -- statement matching ---------------------------------------------------

    def applies(self, statement: Statement, policy: Policy) -> PrincipalMatch:
        """Return how the statement names the caller, or NONE when it does not apply.

        Statements without a principal element (identity policies, SCPs) return
        WILDCARD when they apply.
        """
        if statement.action is None or statement.resource is None:
            return PrincipalMatch.NONE

        principal = self._principal_match(statement)
        if principal is PrincipalMatch.NONE:
            return principal
        if not self._action_matches(statement):
            return PrincipalMatch.NONE
        if not self._resource_matches(statement, policy):
            return PrincipalMatch.NONE
        if not self._conditions_hold(statement, policy):
            return PrincipalMatch.NONE
        return principal

    def _principal_match(self, statement: Statement) -> PrincipalMatch:
        spec = statement.principal
        if spec is None:
            return PrincipalMatch.WILDCARD
        if spec.negated:
            exempt = exempted_by_not_principal(spec, self.caller)
            return PrincipalMatch.NONE if exempt else PrincipalMatch.WILDCARD
        return match_principal(spec, self.caller)

    def _action_matches(self, statement: Statement) -> bool:
        spec = statement.action
        matched = any(_action_entry_matches(e.value, self.action) for e in spec.entries)
        return matched != spec.negated

    def _resource_matches(self, statement: Statement, policy: Policy) -> bool:
        spec = statement.resource
        # Short ARNs are padded with "*" in policies attached to identities; in
        # resource policies (key, RCP, endpoint) they match only as written.
        pad_short = policy.kind in (PolicyKind.IDENTITY, PolicyKind.SCP)
        matched = any(
            resource_matches(
                entry.value,
                self.request.resource,
                self.context,
                policy.substitutes_variables,
                pad_short,
            )
            for entry in spec.entries
        )
        return matched != spec.negated

    def _conditions_hold(self, statement: Statement, policy: Policy) -> bool:
        substitute = policy.substitutes_variables
        return all(
            evaluate_clause(c.operator, c.key, c.values, self.context, substitute)
            for c in statement.conditions
        )

    def matching(
        self, policy: Policy, effect: Effect
    ) -> list[tuple[Statement, PrincipalMatch]]:
        """Return the statements of one effect that apply, with their principal match."""
        found = []
        for statement in policy.statements:
            if statement.effect is not effect:
                continue
            match = self.applies(statement, policy)
            if match is not PrincipalMatch.NONE:
                found.append((statement, match))
        return found

    def allows(self, policy: Policy) -> list[StatementRef]:
        return [_ref(policy, s) for s, _ in self.matching(policy, Effect.ALLOW)]


def _action_entry_matches(entry: str, action: str) -> bool:
    if entry == "*":
        return True

    prefix, _, name = entry.partition(":")
    action_prefix, _, action_name = action.partition(":")
    if prefix.lower() != action_prefix:
        return False
    return (
        glob_regex(name.lower(), case_sensitive=True).fullmatch(action_name) is not None
    )


def _ref(policy: Policy, statement: Statement) -> StatementRef:
    effect = statement.effect.value if statement.effect else "?"
    return StatementRef(
        policy.name,
        policy.kind.value,
        statement.index,
        statement.sid,
        statement.line,
        effect,
    )


# -- the decision -------------------------------------------------------------


def decide(
    request: Request,
    policies: PolicySet,
    key: KeyMetadata | None = None,
    *,
    context: Mapping[str, str | list[str]] | RequestContext | None = None,
    iam_only: bool = False,
) -> Decision:
    """Decide a request as AWS KMS would, naming the statements or grant that decided.

    ``context``, when given, is the complete set of condition keys and replaces the
    keys derived from the request and ``key``. With ``iam_only`` the resource has
    no resource policy (an alias ARN, for example), so identity-side policies
    decide alone. Raises InvalidPolicyError when any policy has error findings (AWS
    would not have stored it), and RequestError when the principal is not a
    recognisable ARN.
    """
    evaluation = _prepare(request, policies, key, context, iam_only)
    decision = _decide(evaluation)
    logger.debug(
        "request %s: %s %s on %s -> %s",
        request.request_id,
        request.principal,
        request.action,
        request.resource,
        decision.outcome.value,
    )
    return decision


def decide_guardrails(
    request: Request,
    policies: PolicySet,
    key: KeyMetadata | None = None,
    *,
    context: Mapping[str, str | list[str]] | RequestContext | None = None,
    iam_only: bool = False,
) -> Decision | None:
    """Run only the steps that deny whatever else allows, and return their deny.

    These are explicit denies, the SCP and RCP levels and the VPC endpoint
    policy. Returns None when they let the request through. Used where something
    other than policies allows, such as a grant's retiring principal.
    """
    evaluation = _prepare(request, policies, key, context, iam_only)
    for step in (_explicit_deny, _organization_guardrails, _endpoint_guardrail):
        decision = step(evaluation)
        if decision is not None:
            return decision
    return None


def _prepare(request, policies, key, context, iam_only) -> _Evaluation:
    _require_valid(policies)
    require_same_key(request, key)
    if context is None:
        context = build_context(request, key)
    elif not isinstance(context, RequestContext):
        context = RequestContext(context)
    return _Evaluation(request, policies, context, iam_only)


def require_same_key(request: Request, key: KeyMetadata | None) -> None:
    """Reject key metadata that describes another key than the one requested."""
    if key is None or key.arn is None or request.resource == "*":
        return
    if key.arn != request.resource:
        raise RequestError(
            "key-mismatch",
            "key.arn",
            f"key metadata is for {key.arn!r} but the request is on "
            f"{request.resource!r}; a key policy governs only its own key",
        )


def _require_valid(policies: PolicySet) -> None:
    for policy in policies.documents():
        if not policy.is_valid:
            raise InvalidPolicyError(policy.name, policy.errors)


def build_context(
    request: Request, key: KeyMetadata | None, caller: Caller | None = None
) -> RequestContext:
    """Return the request context with the keys AWS derives from the request added.

    Keys the request sets itself always win over derived ones. ``caller`` is the
    request's principal parsed without ``aws:PrincipalArn``, and is parsed here
    when not given.
    """
    if caller is None:
        caller = parse_caller(request.principal)

    derived: dict[str, str | list[str]] = {}
    derived.update(principal_context(caller))
    derived.update(encryption_context_keys(request))
    if key is not None:
        derived.update(key_context(key))

    merged = dict(request.context)
    present = {name.lower() for name in merged}
    for name, value in derived.items():
        if name.lower() not in present:
            merged[name] = value
    return RequestContext(merged)


def principal_context(caller: Caller | None) -> dict[str, str]:
    """Return the condition keys AWS derives from the calling principal.

    For AWS principals: aws:PrincipalArn (the role ARN for role sessions),
    aws:PrincipalAccount, kms:CallerAccount, aws:PrincipalType,
    aws:PrincipalIsAWSService and, for IAM users, aws:username. For service
    principals: aws:PrincipalIsAWSService and aws:PrincipalServiceName.
    """
    if caller is None:
        return {}
    if caller.type is CallerType.SERVICE:
        return {
            "aws:PrincipalIsAWSService": "true",
            "aws:PrincipalServiceName": caller.arn,
        }

    arn = caller.arn
    if caller.type is CallerType.ASSUMED_ROLE:
        arn = caller.role_arn
    derived = {
        "aws:PrincipalArn": arn,
        "aws:PrincipalAccount": caller.account,
        "kms:CallerAccount": caller.account,
        "aws:PrincipalType": caller.type.value,
        "aws:PrincipalIsAWSService": "false",
    }
    if caller.type is CallerType.USER:
        derived["aws:username"] = caller.arn.rsplit("/", 1)[-1]
    return derived


def encryption_context_keys(request: Request) -> dict[str, str | list[str]]:
    """Return ``kms:EncryptionContext:<k>`` per pair, then ``kms:EncryptionContextKeys``.

    Returns an empty mapping when the request has no encryption context.
    """
    encryption_context = request.encryption_context
    if not encryption_context:
        return {}

    derived: dict[str, str | list[str]] = {
        f"kms:EncryptionContext:{name}": value
        for name, value in encryption_context.items()
    }
    derived["kms:EncryptionContextKeys"] = list(encryption_context)
    return derived


def key_context(key: KeyMetadata) -> dict[str, str | list[str]]:
    """Return the condition keys AWS derives from the key's metadata."""
    derived: dict[str, str | list[str]] = {}
    if key.spec:
        derived["kms:KeySpec"] = key.spec
    if key.usage:
        derived["kms:KeyUsage"] = key.usage
    if key.origin:
        derived["kms:KeyOrigin"] = key.origin
    if key.multi_region is not None:
        derived["kms:MultiRegion"] = "true" if key.multi_region else "false"
    if key.aliases:
        derived["kms:ResourceAliases"] = list(key.aliases)
    for name, value in key.tags.items():
        derived[f"aws:ResourceTag/{name}"] = value
    return derived


def _decide(evaluation: _Evaluation) -> Decision:
    steps = (
        _explicit_deny,
        _organization_guardrails,
        _endpoint_guardrail,
        _identity_and_key_policy,
        _grants,
    )
    for step in steps:
        decision = step(evaluation)
        if decision is not None:
            return decision
    return _implicit_deny(evaluation, _missing_allow_reason(evaluation))


def _result(
    evaluation: _Evaluation,
    outcome: Outcome,
    reason: str,
    statements: Iterable[StatementRef] = (),
    grant=None,
) -> Decision:
    return Decision.for_request(
        evaluation.request,
        outcome,
        reason,
        statements,
        grant,
        evaluation.context.warnings,
    )


def _implicit_deny(evaluation: _Evaluation, reason: str) -> Decision:
    return _result(evaluation, Outcome.IMPLICIT_DENY, reason)


def _scps_apply(evaluation: _Evaluation) -> bool:
    return evaluation.caller.type is not CallerType.SERVICE


def _rcps_apply(evaluation: _Evaluation) -> bool:
    return evaluation.key_operation and evaluation.action not in _RCP_EXEMPT_ACTIONS


def _deny_sources(evaluation: _Evaluation) -> list[Policy]:
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


def _explicit_deny(evaluation: _Evaluation) -> Decision | None:
    denying = [
        _ref(policy, statement)
        for policy in _deny_sources(evaluation)
        for statement, _ in evaluation.matching(policy, Effect.DENY)
    ]
    if not denying:
        return None

    reason = "an applicable Deny statement overrides every Allow"
    return _result(evaluation, Outcome.EXPLICIT_DENY, reason, denying)


def _organization_guardrails(evaluation: _Evaluation) -> Decision | None:
    policies = evaluation.policies
    if _scps_apply(evaluation):
        for depth, level in enumerate(policies.scps):
            if not any(evaluation.allows(policy) for policy in level):
                reason = f"no SCP at organization level {depth} allows the action"
                return _implicit_deny(evaluation, reason)

    if _rcps_apply(evaluation):
        for depth, level in enumerate(policies.rcps):
            if not any(evaluation.allows(policy) for policy in level):
                reason = f"no RCP at organization level {depth} allows the action"
                return _implicit_deny(evaluation, reason)
    return None


def _endpoint_guardrail(evaluation: _Evaluation) -> Decision | None:
    policy = evaluation.policies.vpce_policy
    if policy is None or evaluation.allows(policy):
        return None
    return _implicit_deny(
        evaluation, "the VPC endpoint policy does not allow the request"
    )


class _IdentitySide:
    """The caller's own account side: identity Allows, cut by boundary and session."""

    def __init__(self, evaluation: _Evaluation) -> None:
        policies = evaluation.policies
        self.allows = [
            ref
            for policy in policies.identity_policies
            for ref in evaluation.allows(policy)
        ]
        self.is_root = evaluation.caller.type is CallerType.ROOT
        boundary = policies.permission_boundary
        self.boundary_ok = boundary is None or bool(evaluation.allows(boundary))
        self.session_ok = all(evaluation.allows(p) for p in policies.session_policies)

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


def _identity_and_key_policy(evaluation: _Evaluation) -> Decision | None:
    identity = _IdentitySide(evaluation)
    if not evaluation.key_operation:
        if identity.allowed:
            reason = "identity policies allow an action that targets no key"
            return _result(evaluation, Outcome.ALLOW, reason, identity.allows)
        return None

    key_policy = evaluation.policies.key_policy
    if key_policy is None:
        return None

    caller = evaluation.caller
    matches = evaluation.matching(key_policy, Effect.ALLOW)
    if caller.type is CallerType.SERVICE:
        return _service_allow(evaluation, key_policy, matches)

    if _is_cross_partition(evaluation):
        return None
    if _is_cross_account(evaluation) and evaluation.action not in CROSS_ACCOUNT_ACTIONS:
        return None
    if _is_cross_account(evaluation):
        return _cross_account_allow(evaluation, key_policy, matches, identity)
    return _same_account_allow(evaluation, key_policy, matches, identity)


def _key_owner(evaluation: _Evaluation) -> tuple[str | None, str | None]:
    """Return the (partition, account) of the requested key ARN."""
    parts = evaluation.request.resource.split(":")
    if len(parts) < 6:
        return None, None
    return parts[1], parts[4]


def _is_cross_account(evaluation: _Evaluation) -> bool:
    caller = evaluation.caller
    return (caller.partition, caller.account) != _key_owner(evaluation)


def _partition_reason(evaluation: _Evaluation) -> str:
    partition = _key_owner(evaluation)[0]
    return (
        f"the key is in partition {partition!r} and the caller in "
        f"{evaluation.caller.partition!r}; partitions never share keys"
    )


def _is_cross_partition(evaluation: _Evaluation) -> bool:
    """Tell whether caller and key are in different partitions, which never share."""
    return evaluation.caller.partition != _key_owner(evaluation)[0]


def _service_allow(evaluation, key_policy, matches) -> Decision | None:
    direct = [
        s for s, m in matches if m in (PrincipalMatch.SERVICE, PrincipalMatch.WILDCARD)
    ]
    if not direct:
        return None
    reason = "the key policy allows the calling service principal"
    refs = [_ref(key_policy, s) for s in direct]
    return _result(evaluation, Outcome.ALLOW, reason, refs)


def _same_account_allow(evaluation, key_policy, matches, identity) -> Decision | None:
    for statement, match in matches:
        if match in (
            PrincipalMatch.EXACT,
            PrincipalMatch.WILDCARD,
            PrincipalMatch.SERVICE,
        ):
            reason = "the key policy names the caller directly"
            return _result(
                evaluation, Outcome.ALLOW, reason, [_ref(key_policy, statement)]
            )

    for statement, match in matches:
        if match is PrincipalMatch.ROLE_OF_SESSION and identity.limits_ok:
            reason = "the key policy names the caller's role"
            return _result(
                evaluation, Outcome.ALLOW, reason, [_ref(key_policy, statement)]
            )

    delegating = [
        _ref(key_policy, s) for s, m in matches if m is PrincipalMatch.ACCOUNT
    ]
    if delegating and identity.allowed:
        reason = "the key policy delegates to the account and the identity side allows"
        return _result(
            evaluation, Outcome.ALLOW, reason, [*delegating, *identity.allows]
        )
    return None


def _cross_account_allow(evaluation, key_policy, matches, identity) -> Decision | None:
    covering = [_ref(key_policy, s) for s, _ in matches]
    if covering and identity.allowed:
        reason = (
            "cross-account: the key policy covers the caller and the caller's "
            "account allows the action"
        )
        return _result(evaluation, Outcome.ALLOW, reason, [*covering, *identity.allows])
    return None


def _grants(evaluation: _Evaluation) -> Decision | None:
    for grant in evaluation.policies.grants:
        if grant_applies(grant, evaluation.caller, evaluation.request):
            reason = "a grant allows the operation for this grantee"
            return _result(evaluation, Outcome.ALLOW, reason, grant=grant)
    return None


def _missing_allow_reason(evaluation: _Evaluation) -> str:
    if not evaluation.key_operation:
        return _IdentitySide(evaluation).shortfall()
    if evaluation.policies.key_policy is None:
        return "the request targets a key but no key policy was given"

    caller = evaluation.caller
    if caller.type is CallerType.SERVICE:
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
