"""The result of an operation-level decision: one Decision per check, and the total."""

from __future__ import annotations

from dataclasses import dataclass, field

from kmspolicy.evaluate.decision import Decision, Outcome


@dataclass(frozen=True, slots=True)
class AuthorizationStep:
    """One check of an operation: which resource it was asked on, and its decision.

    ``context`` contains the condition keys KMS supplied for the check.
    """

    label: str
    decision: Decision
    context: dict[str, str | list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"label": self.label, "context": self.context, **self.decision.to_dict()}


@dataclass(frozen=True, slots=True)
class OperationDecision:
    """Every decision an operation needed and the overall outcome.

    The outcome is ExplicitDeny when any check was explicitly denied, ImplicitDeny
    when any other check was not allowed, and Allow when every check was allowed.
    ``notes`` explain facts outside the single decisions, such as a grant that
    could not authorize a CreateGrant because the new grant would exceed it.
    """

    operation: str
    steps: tuple[AuthorizationStep, ...]
    request_id: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def decisions(self) -> tuple[Decision, ...]:
        return tuple(step.decision for step in self.steps)

    @property
    def outcome(self) -> Outcome:
        outcomes = {step.decision.outcome for step in self.steps}
        if Outcome.EXPLICIT_DENY in outcomes:
            return Outcome.EXPLICIT_DENY
        if Outcome.IMPLICIT_DENY in outcomes:
            return Outcome.IMPLICIT_DENY
        return Outcome.ALLOW

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOW

    def explain(self) -> str:
        """Return a plain-text explanation: the total, then each check indented."""
        lines = [f"{self.outcome.value}: {self.operation} ({len(self.steps)} check(s))"]
        for step in self.steps:
            lines.append(f"- {step.label}:")
            lines.extend(f"  {line}" for line in step.decision.explain().splitlines())
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "operation": self.operation,
            "decision": self.outcome.value,
            "request_id": self.request_id,
            "checks": [step.to_dict() for step in self.steps],
            "notes": list(self.notes),
        }
