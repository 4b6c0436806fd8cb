"""An engine that stores the compiled policies of many keys and principals.

Register key policies (with key metadata and grants) by key ARN, identity
policies, boundaries and session policies by principal ARN, SCPs by the caller's
account, RCPs by the key's account and VPC endpoint policies by endpoint ID. Each
request is then decided over the policies in force for it, with the same
``Decision`` as ``evaluate.evaluator.decide`` gives for that ``PolicySet``.

Which policies are in force for a request:

* key policy, key metadata and grants: those registered for ``request.resource``;
* identity side: the record of the caller's ARN, merged for a role session with
  the record of its role (matched by account and role name, any path);
* SCPs: those of the caller's account (none for service principals);
* RCPs: those of the account in the key ARN;
* VPC endpoint policy: the one registered for the request's ``aws:SourceVpce``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kmspolicy.compile import (
    CompiledPolicy,
    CompiledPolicySet,
    compile_grants,
    compile_policy,
)
from kmspolicy.compile.batch import (
    BatchGroup,
    BatchMemo,
    PlanSignature,
    plan_signature,
)
from kmspolicy.compile.context import key_layer, principal_layer, request_context
from kmspolicy.compile.decide import (
    Evaluation,
    Plan,
    decide_evaluation,
    invalid_principal,
)
from kmspolicy.compile.grants import NO_GRANTS, CompiledGrants
from kmspolicy.compile.principals import PrincipalKey, caller_keys, role_key
from kmspolicy.conditions.context import EMPTY_LAYER, ContextLayer, RequestContext
from kmspolicy.errors import RequestError
from kmspolicy.evaluate.decision import Decision
from kmspolicy.evaluate.evaluator import require_same_key
from kmspolicy.evaluate.principal import Caller, CallerType, parse_caller
from kmspolicy.evaluate.request import Grant, KeyMetadata, Request
from kmspolicy.policy.model import Policy, PolicyKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _KeyEntry:
    policy: CompiledPolicy | None
    metadata: KeyMetadata | None
    context: ContextLayer
    grants: CompiledGrants


@dataclass(frozen=True, slots=True)
class _PrincipalEntry:
    identity_policies: tuple[CompiledPolicy, ...] = ()
    permission_boundary: CompiledPolicy | None = None
    session_policies: tuple[CompiledPolicy, ...] = ()


# Parsed callers kept per engine; the memo is emptied when it reaches this size.
_CALLER_MEMO_SIZE = 65_536

# Plans kept per engine, emptied at this size and whenever a policy is registered.
# A Plan contains the policy set in force and, per policy, the statements naming
# its caller, so its size grows with the statements that name that caller.
_PLAN_MEMO_SIZE = 65_536

# Marks a batch route not worked out yet, because a route of None means that
# the requests are decided one by one.
_UNROUTED = object()

# Smaller groups are decided request by request, which costs less than setting
# up the columns.
_MIN_GROUP_SIZE = 2

# A principal's caller parsed without aws:PrincipalArn, its context layer and
# its Plans by (aws:PrincipalArn, resource, endpoint, action).
_PrincipalState = tuple[Caller | None, ContextLayer, dict[tuple, Plan]]

_NO_KEY = _KeyEntry(None, None, EMPTY_LAYER, NO_GRANTS)
_NO_PRINCIPAL = _PrincipalEntry()


class Engine:
    """Compiled policies of many keys and principals, and decisions over them.

    Registration compiles each policy once and raises InvalidPolicyError for a
    policy with error findings. Registering again under the same ARN or ID
    replaces the earlier entry. Not safe for concurrent registration and decisions.
    """

    def __init__(self) -> None:
        self._keys: dict[str, _KeyEntry] = {}
        self._principals: dict[PrincipalKey, _PrincipalEntry] = {}
        self._scps: dict[str, tuple[tuple[CompiledPolicy, ...], ...]] = {}
        self._rcps: dict[str, tuple[tuple[CompiledPolicy, ...], ...]] = {}
        self._vpce: dict[str, CompiledPolicy] = {}
        self._callers: dict[tuple, tuple[Caller | None, tuple[PrincipalKey, ...]]] = {}
        self._principals_seen: dict[str, _PrincipalState] = {}
        self._plan_count = 0
        # One object per distinct Plan signature, dropped with the Plans.
        self._signatures: dict[PlanSignature, PlanSignature] = {}

    # -- registration -----------------------------------------------------------

    def add_key(
        self,
        key_arn: str,
        key_policy: Policy | None,
        metadata: KeyMetadata | None = None,
        grants: Sequence[Grant] = (),
    ) -> None:
        """Register a key's policy (parsed as a key policy), metadata and grants."""
        if key_policy is not None and key_policy.kind is not PolicyKind.KEY:
            raise ValueError(
                f"key policy {key_policy.name!r} was parsed as a "
                f"{key_policy.kind.value} policy; parse it with kind=PolicyKind.KEY"
            )

        if metadata is not None and metadata.arn not in (None, key_arn):
            raise RequestError(
                "key-mismatch",
                "metadata.arn",
                f"metadata is for {metadata.arn!r} but the key registered is "
                f"{key_arn!r}; give the metadata of that key",
            )

        compiled = None if key_policy is None else compile_policy(key_policy)
        entry = _KeyEntry(
            compiled, metadata, key_layer(metadata), compile_grants(grants)
        )
        self._keys[key_arn] = entry
        self._forget_plans()

    def add_principal(
        self,
        principal_arn: str,
        identity_policies: Iterable[Policy] = (),
        permission_boundary: Policy | None = None,
        session_policies: Iterable[Policy] = (),
    ) -> None:
        """Register the identity-side policies of a user, role, session or root ARN.

        Policies of a role ARN apply to every session of that role, and those of
        a session ARN are added to them.
        """
        entry = _PrincipalEntry(
            tuple(compile_policy(p) for p in identity_policies),
            None
            if permission_boundary is None
            else compile_policy(permission_boundary),
            tuple(compile_policy(p) for p in session_policies),
        )
        self._principals[("arn", principal_arn)] = entry
        role = role_key(principal_arn)
        if role is not None:
            self._principals[role] = entry
        self._forget_plans()

    def set_scps(self, account: str, levels: Sequence[Sequence[Policy]]) -> None:
        """Register the SCP levels, organization root first, of a caller account."""
        self._scps[account] = _compile_levels(levels)
        self._forget_plans()

    def set_rcps(self, account: str, levels: Sequence[Sequence[Policy]]) -> None:
        """Register the RCP levels, organization root first, of a key's account."""
        self._rcps[account] = _compile_levels(levels)
        self._forget_plans()

    def add_vpce_policy(self, endpoint_id: str, policy: Policy) -> None:
        """Register the policy of a VPC endpoint, matched to ``aws:SourceVpce``."""
        self._vpce[endpoint_id] = compile_policy(policy)
        self._forget_plans()

    def _forget_plans(self) -> None:
        self._principals_seen.clear()
        self._plan_count = 0
        self._signatures.clear()

    # -- decisions --------------------------------------------------------------

    def decide(self, request: Request, key: KeyMetadata | None = None) -> Decision:
        """Decide one request; ``key`` overrides the registered key metadata.

        Raises RequestError when the principal is not a recognisable ARN or
        service name.
        """
        require_same_key(request, key)
        state = self._principals_seen.get(request.principal)
        if state is None:
            state = self._principal(request.principal)
        key_entry = self._keys.get(request.resource, _NO_KEY)
        key_keys = key_entry.context if key is None else key_layer(key)
        context = request_context(request, state[1], key_keys)
        plan = self._plan(request, state, key_entry, context)
        return decide_evaluation(Evaluation(request, plan, context))

    def _principal(self, principal: str) -> _PrincipalState:
        """Parse a principal without ``aws:PrincipalArn`` and fold its context keys.

        Done once per distinct principal. The state is dropped with the Plans.
        """
        state = self._principals_seen.get(principal)
        if state is None:
            first = self._caller(principal, None, False)[0]
            if len(self._principals_seen) >= _CALLER_MEMO_SIZE:
                self._forget_plans()
            state = (first, principal_layer(first), {})
            self._principals_seen[principal] = state
        return state

    def _plan(
        self,
        request: Request,
        state: _PrincipalState,
        key_entry: _KeyEntry,
        context: RequestContext,
    ) -> Plan:
        """Return the Plan of a request, made once per caller, resource, action and
        endpoint.

        Plans are dropped whenever a policy is registered. Raises RequestError
        when the principal is not recognisable.
        """
        source_vpce = context.value_of("aws:sourcevpce")
        if not isinstance(source_vpce, str):
            source_vpce = None
        principal_arn = context.value_of("aws:principalarn")
        if not isinstance(principal_arn, str):
            principal_arn = None
        plans = state[2]
        memo_key = (principal_arn, request.resource, source_vpce, request.action)
        plan = plans.get(memo_key)
        if plan is not None:
            return plan

        policies = self._policy_set(state[0], request, key_entry, source_vpce)
        has_boundary = policies.permission_boundary is not None
        caller, keys = self._caller(request.principal, principal_arn, has_boundary)
        if caller is None:
            raise invalid_principal(request.principal)

        plan = Plan(policies, caller, request.action, request.resource, keys)
        if self._plan_count >= _PLAN_MEMO_SIZE:
            self._forget_plans()
        self._plan_count += 1
        plans[memo_key] = plan
        return plan

    def _caller(
        self, principal: str, principal_arn: str | None, has_boundary: bool
    ) -> tuple[Caller | None, tuple[PrincipalKey, ...]]:
        """Parse a caller once per distinct principal, ARN and boundary flag."""
        memo_key = (principal, principal_arn, has_boundary)
        found = self._callers.get(memo_key)
        if found is None:
            caller = parse_caller(principal, principal_arn, has_boundary)
            keys = () if caller is None else caller_keys(caller)
            if len(self._callers) >= _CALLER_MEMO_SIZE:
                self._callers.clear()
            found = self._callers[memo_key] = (caller, keys)
        return found

    def decide_batch(self, requests: Sequence[Request]) -> list[Decision]:
        """Decide many requests, in order, sharing work across them.

        Requests whose Plans have the same signature and whose context key
        names are the same are decided together by ``BatchMemo.decide_group``.
        A group works out its context layout once, tests each condition once per
        distinct value in the batch and runs the decision steps once per
        pattern of applying statements. Other requests are decided one by one.
        Every request's own values are still read and tested. Raises
        RequestError for the first request whose principal is not recognisable.
        """
        memo = BatchMemo()
        decisions: list[Decision | None] = [None] * len(requests)
        routes: dict[tuple[str, str, str], tuple | None] = {}
        groups: dict[tuple, BatchGroup] = {}
        for position, request in enumerate(requests):
            route_key = (request.principal, request.resource, request.action)
            route = routes.get(route_key, _UNROUTED)
            if route is _UNROUTED:
                route = routes[route_key] = self._route(request)

            own_names = tuple(request.context)
            if route is None or memo.chooses_plan(own_names):
                decisions[position] = self.decide(request)
                continue

            signature, principal_keys = route
            group_key = (signature.number, own_names, tuple(request.encryption_context))
            group = groups.get(group_key)
            if group is None:
                group = groups[group_key] = BatchGroup(signature)
            group.add(position, request, principal_keys)

        for group in groups.values():
            decided = self._decide_group(group, memo)
            for position, decision in zip(group.positions, decided, strict=True):
                decisions[position] = decision

        logger.debug("decided %d requests in %d groups", len(requests), len(groups))
        return decisions

    def _route(self, request: Request) -> tuple[PlanSignature, ContextLayer] | None:
        """Return the Plan signature and principal layer of requests with this
        principal, resource and action that set neither ``aws:PrincipalArn`` nor
        ``aws:SourceVpce``, or None to decide them alone.

        Raises RequestError when the principal is not recognisable.
        """
        state = self._principal(request.principal)
        principal_keys = state[1]
        principal_arn = principal_keys.values.get("aws:principalarn")
        plan = state[2].get((principal_arn, request.resource, None, request.action))
        if plan is None:
            key_entry = self._keys.get(request.resource, _NO_KEY)
            context = request_context(request, principal_keys, key_entry.context)
            plan = self._plan(request, state, key_entry, context)

        signature = plan_signature(plan, self._signatures)
        if signature is None:
            return None
        return signature, principal_keys

    def _decide_group(self, group: BatchGroup, memo: BatchMemo) -> list[Decision]:
        """Decide requests that share a Plan signature and context key names."""
        requests = group.requests
        if len(requests) < _MIN_GROUP_SIZE:
            return [self.decide(request) for request in requests]

        request = requests[0]
        key_entry = self._keys.get(request.resource, _NO_KEY)
        principal_keys = self._principal(request.principal)[1]
        context = request_context(request, principal_keys, key_entry.context)
        decided = memo.decide_group(group, context, self.decide)
        if decided is None:
            return [self.decide(request) for request in requests]
        return decided

    # -- assembling the policies in force -----------------------------------------

    def _policy_set(
        self,
        first: Caller | None,
        request: Request,
        key_entry: _KeyEntry,
        source_vpce: str | None,
    ) -> CompiledPolicySet:
        identity = self._identity(first)
        account = None if first is None else first.account
        scps = ()
        if first is not None and first.type is not CallerType.SERVICE:
            scps = self._scps.get(account, ())

        vpce = None if source_vpce is None else self._vpce.get(source_vpce)
        return CompiledPolicySet(
            key_policy=key_entry.policy,
            identity_policies=identity.identity_policies,
            permission_boundary=identity.permission_boundary,
            session_policies=identity.session_policies,
            scps=scps,
            rcps=self._rcps.get(_key_account(request.resource), ()),
            vpce_policy=vpce,
            grants=key_entry.grants,
        )

    def _identity(self, caller: Caller | None) -> _PrincipalEntry:
        if caller is None:
            return _NO_PRINCIPAL

        exact = self._principals.get(("arn", caller.arn))
        role = None
        if caller.role_arn is not None:
            role = self._principals.get(role_key(caller.role_arn))
        if role is None or role is exact:
            return exact or _NO_PRINCIPAL
        if exact is None:
            return role

        boundary = exact.permission_boundary or role.permission_boundary
        return _PrincipalEntry(
            (*role.identity_policies, *exact.identity_policies),
            boundary,
            (*role.session_policies, *exact.session_policies),
        )


def _compile_levels(levels: Sequence[Sequence[Policy]]):
    return tuple(tuple(compile_policy(p) for p in level) for level in levels)


def _key_account(resource: str) -> str | None:
    parts = resource.split(":")
    return parts[4] if len(parts) > 5 else None
