"""The result of a decision, which explains itself in text and in JSON.

The JSON form (``Decision.to_dict``) follows ``DecisionDocument``, whose JSON schema
``decision_schema()`` returns and docs/decision.md documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from pydantic import BaseModel

from kmspolicy.evaluate.request import Grant, Request


class Outcome(str, Enum):
    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


@dataclass(frozen=True, slots=True)
class StatementRef:
    """A statement that took part in a decision; ``line`` is 1-based."""

    policy: str
    kind: str
    index: int
    sid: str | None
    line: int
    effect: str

    def describe(self) -> str:
        sid = f" ({self.sid!r})" if self.sid else ""
        return (
            f"{self.policy}: statement {self.index}{sid}, line {self.line}, "
            f"{self.effect}"
        )

    def to_dict(self) -> dict:
        return {
            "policy": self.policy,
            "kind": self.kind,
            "index": self.index,
            "sid": self.sid,
            "line": self.line,
            "effect": self.effect,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one request and why.

    ``statements`` are the statements that decided it: the denying ones for an
    ExplicitDeny, the allowing ones (key policy and IAM side) for an Allow, and
    none for an ImplicitDeny, whose ``reason`` names what was missing. ``grant`` is
    the grant that allowed the request, if a grant did.
    """

    outcome: Outcome
    reason: str
    principal: str
    action: str
    resource: str
    statements: tuple[StatementRef, ...] = ()
    grant: Grant | None = None
    request_id: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @classmethod
    def for_request(
        cls,
        request: Request,
        outcome: Outcome,
        reason: str,
        statements: Iterable[StatementRef] = (),
        grant: Grant | None = None,
        warnings: Iterable[str] = (),
    ) -> Decision:
        """Build the decision of ``request``, copying its principal, action and ID."""
        return cls(
            outcome=outcome,
            reason=reason,
            principal=request.principal,
            action=request.action,
            resource=request.resource,
            statements=tuple(statements),
            grant=grant,
            request_id=request.request_id,
            warnings=tuple(warnings),
        )

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOW

    def explain(self) -> str:
        """Return a plain-text explanation, one fact per line."""
        lines = [
            f"{self.outcome.value}: {self.principal} -> {self.action} on {self.resource}",
            f"  reason: {self.reason}",
        ]
        for statement in self.statements:
            lines.append(f"  decided by {statement.describe()}")
        if self.grant is not None:
            lines.append(f"  decided by {self.grant.label}")
        for warning in self.warnings:
            lines.append(f"  warning: {warning}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        grant = None
        if self.grant is not None:
            grant = self.grant.model_dump(by_alias=True, exclude_none=True)
        return {
            "decision": self.outcome.value,
            "reason": self.reason,
            "request": {
                "principal": self.principal,
                "action": self.action,
                "resource": self.resource,
                "request_id": self.request_id,
            },
            "statements": [statement.to_dict() for statement in self.statements],
            "grant": grant,
            "warnings": list(self.warnings),
        }


class StatementDocument(BaseModel):
    policy: str
    kind: str
    index: int
    sid: str | None
    line: int
    effect: str


class RequestDocument(BaseModel):
    principal: str
    action: str
    resource: str
    request_id: str | None


class DecisionDocument(BaseModel):
    """Schema of ``Decision.to_dict()``."""

    decision: Outcome
    reason: str
    request: RequestDocument
    statements: list[StatementDocument]
    grant: dict | None
    warnings: list[str]


def decision_schema() -> dict:
    """Return the JSON schema of a decision's JSON form."""
    return DecisionDocument.model_json_schema()
