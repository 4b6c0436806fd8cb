"""A policy compiled for fast decisions: prepared statements and an applicability index.

The index maps ``(effect, action)`` and a principal key to the statements that can
apply to a request with that action and a caller with that key. Actions are the
finite KMS catalogue, expanded at compile time from wildcards and NotAction. The
index only narrows: every candidate is still matched on principal, resource and
conditions before it counts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from types import MappingProxyType

from kmspolicy.catalogue import catalogue
from kmspolicy.compile.principals import ANY_CALLER, PrincipalKey, entry_keys
from kmspolicy.compile.statement import CompiledStatement, compile_statement
from kmspolicy.errors import InvalidPolicyError
from kmspolicy.policy.model import Effect, Policy, PolicyKind

logger = logging.getLogger(__name__)

Bucket = tuple[CompiledStatement, ...]
ActionIndex = Mapping[str, Mapping[PrincipalKey, Bucket]]

_BY_INDEX = attrgetter("index")


@dataclass(frozen=True, slots=True, eq=False)
class CompiledPolicy:
    """An immutable, validated policy ready for ``candidates`` look-ups.

    ``statements`` keeps the statements that can apply, in document order.
    ``index`` maps an effect to ``{action: {principal key: statements}}``, every
    tuple in document order.
    """

    policy: Policy
    statements: tuple[CompiledStatement, ...]
    index: Mapping[Effect, ActionIndex]

    @property
    def name(self) -> str:
        return self.policy.name

    @property
    def kind(self) -> PolicyKind:
        return self.policy.kind

    def candidates(
        self, effect: Effect, action: str, keys: Sequence[PrincipalKey]
    ) -> Sequence[CompiledStatement]:
        """Return, in document order, the statements that may apply.

        ``action`` is lower case and ``keys`` come from ``caller_keys``. For an
        action outside the KMS catalogue every statement of the effect whose
        Action element matches is returned, because the index covers catalogue
        actions only.
        """
        by_key = self.index[effect].get(action)
        if by_key is None:
            return self._scan(effect, action)

        found: Bucket | None = None
        merged = False
        for key in keys:
            bucket = by_key.get(key)
            if not bucket:
                continue
            if found is None:
                found = bucket
            else:
                found = found + bucket
                merged = True

        if found is None:
            return ()
        if merged:
            return sorted(dict.fromkeys(found), key=_BY_INDEX)
        return found

    def _scan(self, effect: Effect, action: str) -> list[CompiledStatement]:
        if action in catalogue().actions:
            return []
        return [
            statement
            for statement in self.statements
            if statement.effect is effect and statement.action_matches(action)
        ]


def compile_policy(policy: Policy) -> CompiledPolicy:
    """Compile a validated policy, or raise InvalidPolicyError if it has errors.

    AWS would not have stored a policy with errors, so none is compiled.
    """
    if not policy.is_valid:
        raise InvalidPolicyError(policy.name, policy.errors)

    compiled = []
    for statement in policy.statements:
        prepared = compile_statement(policy, statement)
        if prepared is not None:
            compiled.append(prepared)

    index = {effect: _build_index(compiled, effect) for effect in Effect}
    logger.debug(
        "compiled %s: %d of %d statements can apply",
        policy.name,
        len(compiled),
        len(policy.statements),
    )
    return CompiledPolicy(policy, tuple(compiled), MappingProxyType(index))


def _build_index(statements: list[CompiledStatement], effect: Effect) -> ActionIndex:
    index: dict[str, dict[PrincipalKey, list[CompiledStatement]]] = {}
    for statement in statements:
        if statement.effect is not effect:
            continue

        keys = _statement_keys(statement)
        for action in statement.actions:
            by_key = index.setdefault(action, {})
            for key in keys:
                by_key.setdefault(key, []).append(statement)

    frozen = {
        action: MappingProxyType({key: tuple(s) for key, s in by_key.items()})
        for action, by_key in index.items()
    }
    for action in catalogue().actions:
        frozen.setdefault(action, MappingProxyType({}))
    return MappingProxyType(frozen)


def _statement_keys(statement: CompiledStatement) -> list[PrincipalKey]:
    """Return the principal keys a statement is filed under, without repeats."""
    spec = statement.statement.principal
    if spec is None:
        # NOTE: identity policies, boundaries, session policies and SCPs have no
        # Principal element and apply to the principal they are attached to, so
        # the index can narrow them by action only.
        return [ANY_CALLER]

    if spec.negated:
        # NOTE: NotPrincipal applies to every caller except those whose whole
        # identity chain it lists, and a caller with a permissions boundary is
        # never exempt. No principal key can rule it out, so such statements
        # sit in the bucket checked for every caller.
        return [ANY_CALLER]

    keys: dict[PrincipalKey, None] = {}
    for entry in spec.entries:
        for key in entry_keys(entry):
            keys[key] = None
    return list(keys)
