"""Decide the requests of a batch column by column, sharing work across them.

A batch groups requests whose Plans have the same signature (policies in
force, candidate statements with their principal match, the caller's type,
account and partition, action and resource) and whose own and
encryption-context key names are the same. Within a group the source of every
condition key and the context's warnings are the same, so they are worked out
once. Each condition clause then runs over the group's column of request
values, testing each distinct value once per batch. The clause results give
each request a pattern of applying statements. A decision depends on the
request only through its signature, that pattern, its principal, its request
ID and its warnings. So the decision steps run once per signature and pattern,
and the other requests with both get a copy with their own fields.

Every request's values are still read and tested, and two equal requests are
decided like two different ones: nothing is cached by request.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from operator import itemgetter

from kmspolicy.compile.decide import Plan, make_decision
from kmspolicy.compile.policy import CompiledPolicy
from kmspolicy.compile.statement import ClauseCheck, CompiledStatement
from kmspolicy.conditions.context import ContextLayer, RequestContext
from kmspolicy.conditions.evaluate import (
    PLAIN_OPERATOR_ON_MULTIVALUED_RESULT,
    CompiledClause,
    ValueTest,
)
from kmspolicy.evaluate.decision import Decision
from kmspolicy.evaluate.request import Request
from kmspolicy.policy.model import Effect

StatementCheck = tuple[CompiledStatement, tuple[ClauseCheck, ...]]

# Keys whose request values choose the Plan, so requests that set them
# themselves are decided one by one.
_PLAN_KEYS = frozenset({"aws:principalarn", "aws:sourcevpce"})

_ENCRYPTION_CONTEXT_PREFIX = "kms:encryptioncontext:"

# Numbers for stored signatures, never reused, so that a batch that outlives
# a reset of the Engine's signatures cannot mix two groups.
_SIGNATURE_NUMBERS = itertools.count()


class BatchMemo:
    """Memos that the groups of one batch share; discard it after the batch.

    Keeps each clause's result per distinct request value, each decision per
    signature and pattern of applying statements, and whether each set of own
    context key names chooses the Plan.
    """

    def __init__(self) -> None:
        self._clause_results: dict[CompiledClause, dict[str, bool]] = {}
        self._decisions: dict[PlanSignature, dict[int, Decision]] = {}
        self._own_layouts: dict[tuple[str, ...], bool] = {}

    def chooses_plan(self, names: tuple[str, ...]) -> bool:
        """Tell whether own key names include ``aws:PrincipalArn`` or
        ``aws:SourceVpce`` (any case), which choose the Plan, so the request
        must be decided alone."""
        chooses = self._own_layouts.get(names)
        if chooses is None:
            folded = {name.lower() for name in names}
            chooses = self._own_layouts[names] = not _PLAN_KEYS.isdisjoint(folded)
        return chooses

    def decide_group(
        self,
        group: BatchGroup,
        context: RequestContext,
        decide_one: Callable[[Request], Decision],
    ) -> list[Decision] | None:
        """Decide a group whose Plans share its signature and whose requests have
        the same context key names.

        ``context`` is the first request's context. ``decide_one`` decides a
        request alone, and runs once per new pattern. Returns None when an own
        key is multivalued, and the caller then decides the requests alone.
        """
        signature = group.signature
        sources = _KeySources(group, context)
        patterns = self._patterns(len(group.requests), signature.checks, sources)
        if patterns is None:
            return None

        by_pattern = self._decisions.get(signature)
        if by_pattern is None:
            by_pattern = self._decisions[signature] = {}
        first = group.requests[0]
        shared = (first.action, first.resource, context.warnings)
        decisions = []
        for position, pattern in enumerate(patterns):
            decided = by_pattern.get(pattern)
            if decided is None:
                request = group.requests[position]
                decided = by_pattern[pattern] = decide_one(request)
                decisions.append(decided)
            else:
                principal = group.principals[position]
                request_id = group.request_ids[position]
                decisions.append(_copy_decision(decided, principal, request_id, shared))
        return decisions

    def _patterns(
        self, count: int, checks: tuple[StatementCheck, ...], sources: _KeySources
    ) -> list[int] | None:
        """Return per request an integer with a bit per statement that applies."""
        patterns = [0] * count
        for _, clauses in checks:
            applies: list[bool] | bool = True
            for clause_check in clauses:
                column = self._clause_column(clause_check, sources)
                if column is None:
                    return None
                applies = _and(applies, column)

            if applies is True or applies is False:
                bit = int(applies)
                patterns = [pattern * 2 + bit for pattern in patterns]
            else:
                patterns = [p * 2 + a for p, a in zip(patterns, applies, strict=True)]
        return patterns

    def _clause_column(
        self, clause_check: ClauseCheck, sources: _KeySources
    ) -> list[bool] | bool | None:
        """Return the clause's result per request, one result for them all, or None
        when a value is multivalued."""
        folded_key, absent, test, clause = clause_check
        results = self._clause_results.get(clause)
        if results is None:
            results = self._clause_results[clause] = {}

        values = sources.column(folded_key)
        if values is None:
            return _constant_result(sources.constant(folded_key), absent, test, results)
        if not set(map(type, values)) <= {str}:
            return None

        for value in set(values).difference(results):
            results[value] = test(value)
        return list(map(results.__getitem__, values))


class BatchGroup:
    """Requests of a batch decided together, with their fields in parallel lists.

    The fields are copied while each request is read for grouping, so later
    passes read these lists and not the requests.
    """

    __slots__ = (
        "own",
        "pairs",
        "positions",
        "principal_values",
        "principals",
        "request_ids",
        "requests",
        "signature",
    )

    def __init__(self, signature: PlanSignature) -> None:
        self.signature = signature
        self.positions: list[int] = []
        self.requests: list[Request] = []
        self.principals: list[str] = []
        self.request_ids: list[str | None] = []
        self.own: list[dict] = []
        self.pairs: list[dict] = []
        self.principal_values: list[dict] = []

    def add(
        self, position: int, request: Request, principal_keys: ContextLayer
    ) -> None:
        """Add the request at ``position`` of the batch and its principal layer."""
        self.positions.append(position)
        self.requests.append(request)
        self.principals.append(request.principal)
        self.request_ids.append(request.request_id)
        self.own.append(request.context)
        self.pairs.append(request.encryption_context)
        self.principal_values.append(principal_keys.values)


class _KeySources:
    """The source of each condition key of a group's requests.

    Keys that a request sets itself, derives from its encryption context or
    derives from its principal vary per request, and ``column`` reads them from
    each request. The rest come from the key's metadata or the encryption
    context's key names, the same within the group, so ``constant`` reads them
    from the first request's context.
    """

    def __init__(self, group: BatchGroup, context: RequestContext) -> None:
        self.group = group
        self.context = context
        self.own = _first_spellings(group.own[0], "")
        self.encryption_context = _first_spellings(
            group.pairs[0], _ENCRYPTION_CONTEXT_PREFIX
        )
        self.principal_keys = group.principal_values[0].keys()

    def column(self, folded_key: str) -> list | None:
        name = self.own.get(folded_key)
        if name is not None:
            return list(map(itemgetter(name), self.group.own))

        name = self.encryption_context.get(folded_key)
        if name is not None:
            return list(map(itemgetter(name), self.group.pairs))

        if folded_key in self.principal_keys:
            return list(map(itemgetter(folded_key), self.group.principal_values))
        return None

    def constant(self, folded_key: str):
        return self.context.value_of(folded_key)


def _copy_decision(
    decided: Decision,
    principal: str,
    request_id: str | None,
    shared: tuple[str, str, tuple[str, ...]],
) -> Decision:
    """Return ``decided`` with a request's own fields; ``shared`` is the group's
    (action, resource, warnings)."""
    action, resource, warnings = shared
    return make_decision(
        decided.outcome,
        decided.reason,
        principal,
        action,
        resource,
        decided.statements,
        decided.grant,
        request_id,
        warnings,
    )


class PlanSignature:
    """What a decision takes from a Plan, so Plans with equal signatures decide
    alike for equal patterns of applying statements.

    ``key`` contains the policies in force, the candidates with their
    principal match, the caller's type, account and partition, the action as
    the request spells it and the resource. ``checks`` lists the statements the decision steps may test, in
    pattern bit order. ``number`` is unique in the process once the signature
    is stored by ``plan_signature``. The hash is computed once.
    """

    __slots__ = ("_hash", "checks", "key", "number")

    def __init__(self, key: tuple, checks: tuple[StatementCheck, ...]) -> None:
        self.key = key
        self.checks = checks
        self._hash = hash(key)
        self.number = 0

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlanSignature) and self.key == other.key


def plan_signature(
    plan: Plan, known: dict[PlanSignature, PlanSignature]
) -> PlanSignature | None:
    """Return the signature of ``plan``, kept in ``plan.shared``.

    Equal signatures are returned as the one first stored in ``known``, so
    groups can be keyed by its ``number``, which no other signature of this
    process has. Returns None when column
    evaluation does not apply: a Plan with grants, a statement with a Resource
    element other than ``"*"``, or a clause that needs the whole context.
    """
    if "batch_signature" not in plan.shared:
        signature = _build_signature(plan)
        if signature is not None and signature not in known:
            signature.number = next(_SIGNATURE_NUMBERS)
            known[signature] = signature
        elif signature is not None:
            signature = known[signature]
        plan.shared["batch_signature"] = signature
    return plan.shared["batch_signature"]


def _build_signature(plan: Plan) -> PlanSignature | None:
    policies = plan.policies
    if policies.grants.grants:
        # Whether a grant applies depends on the whole request.
        return None

    consulted = _policies_of(plan)
    checks = _statement_checks(plan, consulted)
    if checks is None:
        return None

    candidates = tuple(
        plan.candidates(policy, effect)
        for policy in consulted
        for effect in (Effect.ALLOW, Effect.DENY)
    )
    caller = plan.caller
    key = (
        tuple(consulted),
        policies.key_policy,
        policies.permission_boundary,
        policies.vpce_policy,
        caller.type,
        caller.account,
        caller.partition,
        plan.request_action,
        plan.resource,
        candidates,
    )
    return PlanSignature(key, checks)


def _first_spellings(entries: Iterable[str], prefix: str) -> dict[str, str]:
    """Map ``prefix`` plus each lower-case name to the first name that folds to it."""
    spellings: dict[str, str] = {}
    for name in entries:
        spellings.setdefault(prefix + name.lower(), name)
    return spellings


def _constant_result(
    value, absent: bool, test: ValueTest, results: dict[str, bool]
) -> bool:
    if value is None:
        return absent
    if value.__class__ is tuple:
        return PLAIN_OPERATOR_ON_MULTIVALUED_RESULT

    holds = results.get(value)
    if holds is None:
        holds = results[value] = test(value)
    return holds


def _and(left: list[bool] | bool, right: list[bool] | bool) -> list[bool] | bool:
    """AND two columns, where a bare bool stands for a whole column of it."""
    if left is True or right is False:
        return right
    if right is True or left is False:
        return left
    return [a and b for a, b in zip(left, right, strict=True)]


def _statement_checks(
    plan: Plan, consulted: list[CompiledPolicy]
) -> tuple[StatementCheck, ...] | None:
    """List every statement the decision steps may test, with its clause checks."""
    statements = [statement for statement, _ in plan.denying]
    for policy in consulted:
        statements.extend(s for s, _ in plan.candidates(policy, Effect.ALLOW))

    checks = []
    for statement in statements:
        if statement.resource_entries is not None:
            return None
        if any(test is None for _, _, test, _ in statement.checks):
            return None
        checks.append((statement, statement.checks))
    return tuple(checks)


def _policies_of(plan: Plan) -> list[CompiledPolicy]:
    """Return every policy of the Plan's set, so no consulted statement is missed."""
    policies = plan.policies
    found = [*policies.identity_policies, *policies.session_policies]
    for single in (
        policies.key_policy,
        policies.permission_boundary,
        policies.vpce_policy,
    ):
        if single is not None:
            found.append(single)
    for level in (*policies.scps, *policies.rcps):
        found.extend(level)
    return found
