"""The policy model: immutable, and every node records where its text lies.

A ``Policy`` is only ever built by ``kmspolicy.policy.parse`` from text that went
through the Lark JSON grammar. Nodes keep the ``Span`` of their JSON value and the JSON
path that findings and decisions quote. Elements that were malformed are absent from
the model (``None`` or left out of a tuple); the policy's findings say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kmspolicy.conditions.operators import Operator
from kmspolicy.findings import Finding, Severity
from kmspolicy.policy.document import Span

CURRENT_VERSION = "2012-10-17"
OLD_VERSION = "2008-10-17"


class PolicyKind(str, Enum):
    """The kinds of policy document that take part in a KMS decision."""

    KEY = "key"
    IDENTITY = "identity"
    SCP = "scp"
    RCP = "rcp"
    VPCE = "vpce"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    PolicyKind.KEY: "key policy",
    PolicyKind.IDENTITY: "identity policy",
    PolicyKind.SCP: "service control policy",
    PolicyKind.RCP: "resource control policy",
    PolicyKind.VPCE: "VPC endpoint policy",
}


class Effect(str, Enum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class Entry:
    """One string of an Action, Resource or Principal list, with its location."""

    value: str
    span: Span
    path: str


@dataclass(frozen=True, slots=True)
class PrincipalEntry:
    """A principal entry; ``type`` is AWS, Service, Federated, CanonicalUser or *."""

    type: str
    value: str
    span: Span
    path: str


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """The Principal or NotPrincipal element (``negated`` for NotPrincipal)."""

    negated: bool
    entries: tuple[PrincipalEntry, ...]
    span: Span
    path: str


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """An Action or Resource element, or its Not form (``negated``)."""

    negated: bool
    entries: tuple[Entry, ...]
    span: Span
    path: str


ActionSpec = ElementSpec
ResourceSpec = ElementSpec


@dataclass(frozen=True, slots=True)
class ConditionClause:
    """One condition key under one operator, with its values as strings.

    JSON booleans and numbers are normalised to text (``true`` → ``"true"``), which is
    how IAM compares them. ``span`` is the key name's location; ``value_spans`` and
    ``value_paths`` locate each value.
    """

    operator: Operator
    key: str
    values: tuple[str, ...]
    span: Span
    path: str
    value_spans: tuple[Span, ...]
    value_paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement; ``index`` is its 0-based place in the policy's Statement list."""

    index: int
    sid: str | None
    effect: Effect | None
    principal: PrincipalSpec | None
    action: ActionSpec | None
    resource: ResourceSpec | None
    conditions: tuple[ConditionClause, ...]
    span: Span
    path: str

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def label(self) -> str:
        """Name the statement for people: its Sid when it has one, else its index."""
        if self.sid:
            return f"statement {self.index} ({self.sid!r})"
        return f"statement {self.index}"


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed policy document with every finding that parsing and validation made.

    ``name`` labels the policy in findings and decisions (a file name, or a role such
    as ``key policy``). ``source`` is the text the spans point into.
    """

    name: str
    kind: PolicyKind
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]
    findings: tuple[Finding, ...]
    source: str
    span: Span

    @property
    def is_valid(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def substitutes_variables(self) -> bool:
        """Tell whether ``${...}`` is a policy variable here (Version 2012-10-17 only)."""
        return self.version == CURRENT_VERSION
