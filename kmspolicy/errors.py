"""Exceptions raised by kmspolicy.

    KmsPolicyError                 root; carries a stable ``code`` and a message
    ├── DocumentError              text that is not a readable JSON policy (one finding)
    ├── InvalidPolicyError         a policy with error findings, asked to decide
    └── RequestError               a request or case with a missing or malformed field

Lint reports findings instead of raising; these exceptions are for calls that cannot
go on, such as deciding over a policy that AWS would have rejected.
"""

from __future__ import annotations

from kmspolicy.findings import Finding


class KmsPolicyError(Exception):
    """Root of kmspolicy's errors; ``code`` is stable across releases."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class DocumentError(KmsPolicyError):
    """The input cannot be read as a JSON policy document."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.code, finding.message)
        self.finding = finding


class InvalidPolicyError(KmsPolicyError):
    """A policy has error findings, so it cannot take part in a decision."""

    def __init__(self, name: str, findings: list[Finding]) -> None:
        first = findings[0]
        message = (
            f"{name} is invalid ({len(findings)} error(s)); first: "
            f"{first.line}:{first.column}: [{first.code}] {first.message}"
        )
        super().__init__(first.code, message)
        self.name = name
        self.findings = findings


class RequestError(KmsPolicyError):
    """A request, key or case field is missing or malformed; ``field`` names it."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(code, message)
        self.field = field
