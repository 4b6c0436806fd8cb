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
    principal_arn_of,
)
from kmspolicy.compile.context import (
    ContextItems,
    key_items,
    principal_items,
    request_context,
)
from kmspolicy.compile.decide import Evaluation, decide_evaluation, invalid_principal
from kmspolicy.compile.grants import NO_GRANTS, CompiledGrants
from kmspolicy.compile.principals import PrincipalKey, caller_keys, role_key
from kmspolicy.evaluate.decision import Decision
from kmspolicy.evaluate.principal import Caller, CallerType, parse_caller
from kmspolicy.evaluate.request import Grant, KeyMetadata, Request
from kmspolicy.policy.model import Policy, PolicyKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _KeyEntry:
    policy: CompiledPolicy | None
    metadata: KeyMetadata | None
    context: ContextItems
    grants: CompiledGrants


@dataclass(frozen=True, slots=True)
class _PrincipalEntry:
    identity_policies: tuple[CompiledPolicy, ...] = ()
    permission_boundary: CompiledPolicy | None = None
    session_policies: tuple[CompiledPolicy, ...] = ()


# Parsed callers kept per engine; the memo is emptied when it reaches this size.
_CALLER_MEMO_SIZE = 65_536

_NO_KEY = _KeyEntry(None, None, (), NO_GRANTS)
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

        compiled = None if key_policy is None else compile_policy(key_policy)
        entry = _KeyEntry(
            compiled, metadata, key_items(metadata), compile_grants(grants)
        )
        self._keys[key_arn] = entry

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

    def set_scps(self, account: str, levels: Sequence[Sequence[Policy]]) -> None:
        """Register the SCP levels, organization root first, of a caller account."""
        self._scps[account] = _compile_levels(levels)

    def set_rcps(self, account: str, levels: Sequence[Sequence[Policy]]) -> None:
        """Register the RCP levels, organization root first, of a key's account."""
        self._rcps[account] = _compile_levels(levels)

    def add_vpce_policy(self, endpoint_id: str, policy: Policy) -> None:
        """Register the policy of a VPC endpoint, matched to ``aws:SourceVpce``."""
        self._vpce[endpoint_id] = compile_policy(policy)

    # -- decisions --------------------------------------------------------------

    def decide(self, request: Request, key: KeyMetadata | None = None) -> Decision:
        """Decide one request; ``key`` overrides the registered key metadata.

        Raises RequestError when the principal is not a recognisable ARN or
        service name.
        """
        first = self._caller(request.principal, None, False)[0]
        key_entry = self._keys.get(request.resource, _NO_KEY)
        extra = key_entry.context if key is None else key_items(key)
        context = request_context(request, principal_items(first), extra)

        policies = self._policy_set(first, request, key_entry, _source_vpce(context))
        has_boundary = policies.permission_boundary is not None
        principal_arn = principal_arn_of(context)
        caller, keys = self._caller(request.principal, principal_arn, has_boundary)
        if caller is None:
            raise invalid_principal(request.principal)
        return decide_evaluation(Evaluation(request, policies, context, caller, keys))

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

        Requests with the same principal and key share the parsed caller, the
        derived context keys, the policies in force and the principal index
        keys. Every request is still decided on its own: identical requests are
        decided again, not looked up. Raises RequestError for the first request
        whose principal is not recognisable.
        """
        groups: dict[tuple[str, str], _Group] = {}
        decisions: list[Decision] = []
        for request in requests:
            group_id = (request.principal, request.resource)
            group = groups.get(group_id)
            if group is None:
                group = self._group(request)
                groups[group_id] = group
            decisions.append(group.decide(request))

        logger.debug("decided %d requests in %d groups", len(requests), len(groups))
        return decisions

    # -- assembling the policies in force -----------------------------------------

    def _group(self, request: Request) -> _Group:
        first = self._caller(request.principal, None, False)[0]
        key_entry = self._keys.get(request.resource, _NO_KEY)
        return _Group(self, request, first, key_entry)

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


class _Group:
    """Work shared by the requests of one principal on one resource in a batch."""

    def __init__(
        self, engine: Engine, request: Request, first: Caller | None, key: _KeyEntry
    ) -> None:
        self.engine = engine
        self.first = first
        self.key = key
        self.principal_items = principal_items(first)
        self.policy_sets: dict[str | None, CompiledPolicySet] = {}

    def decide(self, request: Request) -> Decision:
        context = request_context(request, self.principal_items, self.key.context)
        policies = self._policies(request, _source_vpce(context))
        has_boundary = policies.permission_boundary is not None
        principal_arn = principal_arn_of(context)
        caller, keys = self.engine._caller(
            request.principal, principal_arn, has_boundary
        )
        if caller is None:
            raise invalid_principal(request.principal)
        return decide_evaluation(Evaluation(request, policies, context, caller, keys))

    def _policies(self, request: Request, source_vpce: str | None) -> CompiledPolicySet:
        policies = self.policy_sets.get(source_vpce)
        if policies is None:
            policies = self.engine._policy_set(
                self.first, request, self.key, source_vpce
            )
            self.policy_sets[source_vpce] = policies
        return policies


def _compile_levels(levels: Sequence[Sequence[Policy]]):
    return tuple(tuple(compile_policy(p) for p in level) for level in levels)


def _key_account(resource: str) -> str | None:
    parts = resource.split(":")
    return parts[4] if len(parts) > 5 else None


def _source_vpce(context) -> str | None:
    value = context.lookup("aws:SourceVpce")[1]
    return value if isinstance(value, str) else None
