"""Findings: the problems that parsing and validation report about a policy.

Every finding carries a stable code from ``CODES``, a severity, the JSON path of the
offending element, its line and column (1-based), and a message naming the value.
Codes never change meaning once published; new problems get new codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


# code -> (default severity, one-line description). The description is the
# documentation of the code (docs/findings.md is generated from this table).
CODES: dict[str, tuple[Severity, str]] = {
    # Input and JSON level.
    "empty-document": (Severity.ERROR, "the input is empty or only whitespace"),
    "invalid-encoding": (Severity.ERROR, "the input is not valid UTF-8"),
    "document-too-large": (Severity.ERROR, "the input exceeds the parser's size limit"),
    "nesting-too-deep": (Severity.ERROR, "arrays and objects nest deeper than allowed"),
    "json-syntax": (Severity.ERROR, "the input is not valid JSON"),
    "duplicate-key": (Severity.ERROR, "an object names the same member twice"),
    "not-an-object": (Severity.ERROR, "the policy document is not a JSON object"),
    # Document level.
    "unknown-element": (
        Severity.ERROR,
        "a member that the policy grammar does not define",
    ),
    "invalid-type": (Severity.ERROR, "an element has the wrong JSON type"),
    "missing-version": (
        Severity.WARNING,
        "no Version: policy variables are literal text",
    ),
    "invalid-version": (Severity.ERROR, "Version is not 2012-10-17 or 2008-10-17"),
    "id-not-allowed": (Severity.ERROR, "Id appears in a policy kind that forbids it"),
    "missing-statement": (Severity.ERROR, "the policy has no Statement"),
    "bare-statement": (
        Severity.ERROR,
        "the document is one statement, not a policy with a Statement list",
    ),
    "empty-statement": (Severity.ERROR, "Statement is an empty array"),
    "policy-too-large": (Severity.ERROR, "a key policy longer than 32,768 bytes"),
    "invalid-character": (Severity.ERROR, "a character outside the key-policy set"),
    # Statement level.
    "invalid-sid": (Severity.ERROR, "a Sid with characters its policy kind forbids"),
    "duplicate-sid": (Severity.WARNING, "two statements share one Sid"),
    "missing-effect": (Severity.ERROR, "a statement without Effect"),
    "invalid-effect": (Severity.ERROR, "Effect is not exactly Allow or Deny"),
    "conflicting-elements": (
        Severity.ERROR,
        "an element and its Not form appear together (Action and NotAction, ...)",
    ),
    "missing-action": (Severity.ERROR, "a statement with neither Action nor NotAction"),
    "missing-resource": (
        Severity.ERROR,
        "a statement with neither Resource nor NotResource",
    ),
    "inert-statement": (
        Severity.WARNING,
        (
            "a key-policy statement without Action or Resource, which KMS accepts "
            "but never applies"
        ),
    ),
    "missing-principal": (
        Severity.ERROR,
        "a key-policy or RCP statement with neither Principal nor NotPrincipal",
    ),
    "principal-not-allowed": (
        Severity.ERROR,
        "Principal or NotPrincipal in a policy kind that forbids it",
    ),
    "notprincipal-with-allow": (Severity.ERROR, "NotPrincipal used with Effect Allow"),
    "rcp-principal-not-star": (
        Severity.ERROR,
        "an RCP statement whose Principal is not *",
    ),
    "rcp-allow": (
        Severity.ERROR,
        "an RCP Allow other than the full-access policy (custom RCPs may only deny)",
    ),
    "unknown-principal-type": (
        Severity.ERROR,
        "a principal map key other than AWS, Service, Federated, CanonicalUser",
    ),
    "invalid-principal": (Severity.ERROR, "a principal entry that is not a valid form"),
    "principal-wildcard": (
        Severity.ERROR,
        "a partial wildcard in a principal (only a standalone * is allowed)",
    ),
    "invalid-action": (Severity.ERROR, "an action not of the form service:Action"),
    "unknown-action": (Severity.WARNING, "a kms: action that KMS does not define"),
    "action-matches-nothing": (
        Severity.WARNING,
        "an action with whitespace or a comma inside, which matches no action",
    ),
    "invalid-resource": (Severity.ERROR, "a resource that is not * or a valid ARN"),
    "resource-too-few-segments": (
        Severity.WARNING,
        "a resource ARN with fewer than six colon-separated parts",
    ),
    # Conditions.
    "unknown-operator": (
        Severity.ERROR,
        "a condition operator that IAM does not define",
    ),
    "operator-case": (
        Severity.ERROR,
        "a condition operator written in the wrong case (operators are case sensitive)",
    ),
    "null-ifexists": (Severity.ERROR, "NullIfExists, which IAM does not accept"),
    "unknown-qualifier": (
        Severity.ERROR,
        "a set qualifier other than ForAllValues or ForAnyValue",
    ),
    "invalid-condition-key": (Severity.ERROR, "a condition key name that is empty"),
    "invalid-condition-value": (
        Severity.ERROR,
        "a condition value that is not a string, number, boolean or non-empty list",
    ),
    "operator-value-type": (
        Severity.ERROR,
        "a condition value that its operator cannot take (bad number, date, CIDR, ...)",
    ),
    "overly-permissive-condition": (
        Severity.ERROR,
        (
            "ForAllValues on kms:EncryptionContext:<k> or aws:RequestTag/<k>, "
            "which KMS rejects"
        ),
    ),
    "key-not-permitted": (
        Severity.ERROR,
        "a condition key that KMS does not permit in a key policy",
    ),
    "unknown-condition-key": (
        Severity.WARNING,
        "a kms: or aws: key that is not defined",
    ),
    "condition-key-not-supplied": (
        Severity.WARNING,
        "a condition key that no action of the statement supplies",
    ),
    "single-valued-set-qualifier": (
        Severity.WARNING,
        "ForAllValues or ForAnyValue on a single-valued key",
    ),
    "multivalued-plain-operator": (
        Severity.WARNING,
        "a plain operator on a multivalued key, which is false for any set",
    ),
    "malformed-variable": (
        Severity.WARNING,
        "a ${ without a closing }, kept as literal text",
    ),
    "variable-not-substituted": (
        Severity.WARNING,
        (
            "a policy variable that IAM does not substitute here (old Version, "
            "or an operator without variables)"
        ),
    ),
    "unknown-kind": (Severity.ERROR, "a policy kind that kmspolicy does not know"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a policy; ``line`` and ``column`` are 1-based."""

    code: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


def make_finding(
    code: str,
    path: str,
    line: int,
    column: int,
    message: str,
    severity: Severity | None = None,
) -> Finding:
    """Build a finding, taking the severity from ``CODES`` unless one is given."""
    default_severity, _ = CODES[code]
    return Finding(code, severity or default_severity, path, line, column, message)


def has_errors(findings: list[Finding] | tuple[Finding, ...]) -> bool:
    return any(finding.severity is Severity.ERROR for finding in findings)
