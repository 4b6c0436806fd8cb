"""kmspolicy: decide, explain and lint access to AWS KMS keys, offline.

policy = parse_policy(text, kind=PolicyKind.KEY)
decision = decide(Request(...), PolicySet(key_policy=policy))
"""

from kmspolicy.errors import (
    DocumentError,
    InvalidPolicyError,
    KmsPolicyError,
    RequestError,
)
from kmspolicy.evaluate.decision import Decision, Outcome, StatementRef, decision_schema
from kmspolicy.evaluate.evaluator import decide
from kmspolicy.evaluate.request import Grant, KeyMetadata, PolicySet, Request
from kmspolicy.findings import Finding, Severity
from kmspolicy.policy.model import Policy, PolicyKind
from kmspolicy.policy.parse import parse_policy, read_policy_bytes

__version__ = "0.1.0"

__all__ = [
    "Decision",
    "DocumentError",
    "Finding",
    "Grant",
    "InvalidPolicyError",
    "KeyMetadata",
    "KmsPolicyError",
    "Outcome",
    "Policy",
    "PolicyKind",
    "PolicySet",
    "Request",
    "RequestError",
    "Severity",
    "StatementRef",
    "decide",
    "decision_schema",
    "parse_policy",
    "read_policy_bytes",
]
