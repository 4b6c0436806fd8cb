"""One statement prepared for evaluation: matchers built once, reference built once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kmspolicy.arn import resource_matches
from kmspolicy.catalogue import catalogue
from kmspolicy.conditions.context import RequestContext
from kmspolicy.conditions.evaluate import (
    PLAIN_OPERATOR_ON_MULTIVALUED_RESULT,
    ValueTest,
    compile_clause,
    value_test_of,
)
from kmspolicy.evaluate.decision import StatementRef
from kmspolicy.evaluate.principal import (
    Caller,
    PrincipalMatch,
    exempted_by_not_principal,
    match_principal,
)
from kmspolicy.glob import glob_regex
from kmspolicy.policy.model import Effect, Policy, PolicyKind, Statement

Condition = Callable[[RequestContext], bool]

# A condition clause ready to run inline: its lower-case key, the result when
# the key is absent, its request-value test and the clause itself. A clause
# without a value test has "" and None in the first and third places, and runs
# as a whole.
ClauseCheck = tuple[str, bool, ValueTest | None, Condition]


@dataclass(frozen=True, slots=True, eq=False)
class CompiledStatement:
    """A statement that can apply: it has an Effect, an Action and a Resource.

    Instances compare and hash by identity, so candidate lists dedupe cheaply.

    ``actions`` is the set of lower-case catalogue actions the Action or
    NotAction element matches. ``resource_entries`` is None when the Resource
    element contains ``"*"``, which matches every request resource.
    ``checks`` contains the ``conditions`` in the same order, as ``ClauseCheck``.
    """

    statement: Statement
    ref: StatementRef
    effect: Effect
    actions: frozenset[str]
    resource_entries: tuple[str, ...] | None
    resource_negated: bool
    conditions: tuple[Condition, ...]
    checks: tuple[ClauseCheck, ...]
    substitute: bool
    pad_short: bool

    @property
    def index(self) -> int:
        return self.statement.index

    def principal_match(self, caller: Caller) -> PrincipalMatch:
        """Classify how the Principal or NotPrincipal element names the caller."""
        spec = self.statement.principal
        if spec is None:
            return PrincipalMatch.WILDCARD

        if spec.negated:
            exempt = exempted_by_not_principal(spec, caller)
            return PrincipalMatch.NONE if exempt else PrincipalMatch.WILDCARD
        return match_principal(spec, caller)

    def action_matches(self, action: str) -> bool:
        """Match a lower-case action of any service, catalogued or not."""
        if action in catalogue().actions:
            return action in self.actions

        spec = self.statement.action
        matched = any(_entry_matches(entry.value, action) for entry in spec.entries)
        return matched != spec.negated

    def resource_matches(self, resource: str, context: RequestContext) -> bool:
        if self.resource_entries is None:
            return True

        matched = any(
            resource_matches(entry, resource, context, self.substitute, self.pad_short)
            for entry in self.resource_entries
        )
        return matched != self.resource_negated

    def conditions_hold(self, context: RequestContext) -> bool:
        for condition in self.conditions:
            if not condition(context):
                return False
        return True

    def applies(self, resource: str, context: RequestContext) -> bool:
        """Tell whether the Resource element and every condition hold.

        Runs value tests inline, with the same result as ``conditions_hold``.
        """
        entries = self.resource_entries
        if entries is not None and not self.resource_matches(resource, context):
            return False

        value_of = context.value_of
        for folded_key, absent, test, clause in self.checks:
            if test is None:
                if not clause(context):
                    return False
                continue

            value = value_of(folded_key)
            if value is None:
                holds = absent
            elif value.__class__ is tuple:
                holds = PLAIN_OPERATOR_ON_MULTIVALUED_RESULT
            else:
                holds = test(value)
            if not holds:
                return False
        return True


def compile_statement(policy: Policy, statement: Statement) -> CompiledStatement | None:
    """Prepare one statement, or return None for one that can never apply.

    A statement without Effect, Action or Resource never applies, as in the
    reference evaluator.
    """
    if statement.effect is None or statement.action is None:
        return None
    if statement.resource is None:
        return None

    substitute = policy.substitutes_variables
    conditions = tuple(
        compile_clause(clause.operator, clause.key, clause.values, substitute)
        for clause in statement.conditions
    )
    entries, negated = _resource_check(statement)
    return CompiledStatement(
        statement=statement,
        ref=statement_ref(policy, statement),
        effect=statement.effect,
        actions=expand_action_spec(statement),
        resource_entries=entries,
        resource_negated=negated,
        conditions=conditions,
        checks=tuple(clause_check(condition) for condition in conditions),
        substitute=substitute,
        pad_short=policy.kind is not PolicyKind.KEY,
    )


def clause_check(clause: Condition) -> ClauseCheck:
    """Return the inline form of a clause from ``compile_clause``."""
    test = value_test_of(clause)
    if test is None:
        return "", False, None, clause
    return clause.folded_key, clause.absent_result, test, clause


def statement_ref(policy: Policy, statement: Statement) -> StatementRef:
    """Build the reference a decision quotes, as the reference evaluator does."""
    effect = statement.effect.value if statement.effect else "?"
    return StatementRef(
        policy.name,
        policy.kind.value,
        statement.index,
        statement.sid,
        statement.line,
        effect,
    )


def expand_action_spec(statement: Statement) -> frozenset[str]:
    """Return the catalogue actions that the Action or NotAction element matches."""
    table = catalogue()
    spec = statement.action
    named: set[str] = set()
    for entry in spec.entries:
        named |= table.expand_actions(entry.value)

    if spec.negated:
        return frozenset(table.actions) - named
    return frozenset(named)


def _resource_check(statement: Statement) -> tuple[tuple[str, ...] | None, bool]:
    """Return the entries to test, or None when ``Resource: "*"`` matches all."""
    spec = statement.resource
    values = tuple(entry.value for entry in spec.entries)
    if not spec.negated and "*" in values:
        return None, False
    return values, spec.negated


def _entry_matches(entry: str, action: str) -> bool:
    """Match one Action entry against a lower-case ``prefix:name`` action."""
    if entry == "*":
        return True

    prefix, _, name = entry.partition(":")
    action_prefix, _, action_name = action.partition(":")
    if prefix.lower() != action_prefix:
        return False
    return (
        glob_regex(name.lower(), case_sensitive=True).fullmatch(action_name) is not None
    )
