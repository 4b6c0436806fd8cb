"""Decision case files: load them, run each case, report what differs.

The format is documented in docs/cases.md: a JSON array of cases, or an object with a
``cases`` array. Each case gives the policies in force, the request, and the expected
decision (or ``expected_validation: "invalid"`` for a key policy AWS would reject).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from kmspolicy.errors import DocumentError, KmsPolicyError, RequestError
from kmspolicy.evaluate.evaluator import decide
from kmspolicy.evaluate.request import Grant, KeyMetadata, PolicySet, Request
from kmspolicy.policy.document import decode_text, load_json, read_limited
from kmspolicy.policy.model import Policy, PolicyKind
from kmspolicy.policy.parse import parse_policy

_OUTCOMES = ("Allow", "ExplicitDeny", "ImplicitDeny")

# A case file carries many policies, so it may be larger than one policy document.
MAX_CASE_FILE_BYTES = 16 * 1024 * 1024


@dataclass
class CaseResult:
    """The outcome of one case; ``detail`` names what decided it or why it failed."""

    case_id: str
    passed: bool
    expected: str
    actual: str
    detail: str
    warnings: list[str] = field(default_factory=list)


def load_cases(path: Path) -> list[dict]:
    """Read a case file; raise RequestError when it is not a list of case objects."""
    try:
        document = load_json(
            read_limited(path, MAX_CASE_FILE_BYTES), MAX_CASE_FILE_BYTES
        )
    except DocumentError as error:
        f = error.finding
        message = f"{path}:{f.line}:{f.column}: {f.message}"
        raise RequestError("unreadable-case-file", str(path), message) from error

    cases = document.get("cases") if isinstance(document, dict) else document
    if not isinstance(cases, list) or not all(isinstance(c, dict) for c in cases):
        message = f'{path}: expected a list of case objects or {{"cases": [...]}}'
        raise RequestError("unreadable-case-file", str(path), message)
    return cases


def run_case(case: dict, base: Path) -> CaseResult:
    """Run one case; malformed case fields fail the case, naming the field."""
    case_id = str(case.get("id", "?"))
    expected = (
        case.get("expected_validation")
        or case.get("expected")
        or case.get("expected_error")
    )
    try:
        return _run_case(case_id, case, base)
    except (RequestError, ValidationError, KmsPolicyError) as error:
        return CaseResult(case_id, False, str(expected), "error", _error_text(error))


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        return f"invalid case field {location}: {first['msg']}"
    return str(error)


def _run_case(case_id: str, case: dict, base: Path) -> CaseResult:
    policies_field = _require(case, "policies", dict)
    warnings: list[str] = []

    if case.get("expected_validation") == "invalid":
        return _run_validation_case(case_id, policies_field, base)
    if "operation" in case:
        return _run_operation_case(case_id, case, policies_field, base)

    expected = _expected_outcome(case, allow_error=False)
    policies = _case_policies(case_id, expected, policies_field, base, warnings)
    if isinstance(policies, CaseResult):
        return policies
    request = request_from_case(_require(case, "request", dict))
    key = KeyMetadata.model_validate(case["key"]) if case.get("key") else None

    decision = decide(request, policies, key)
    deciders = [ref.describe() for ref in decision.statements]
    if decision.grant is not None:
        deciders.append(decision.grant.label)
    detail = "; ".join(deciders) or decision.reason
    passed = decision.outcome.value == expected
    return CaseResult(
        case_id, passed, expected, decision.outcome.value, detail, warnings
    )


def _run_operation_case(case_id: str, case: dict, policies_field: dict, base: Path):
    """Run a case of the operation-level extension (``operation`` instead of ``request``)."""
    from kmspolicy.operations.cases import run_operation_case

    warnings: list[str] = []
    expected = _expected_outcome(case, allow_error=True)
    policies = _case_policies(case_id, expected, policies_field, base, warnings)
    if isinstance(policies, CaseResult):
        return policies

    def load_text(value, label):
        return _document_text(value, base, label)

    actual, detail = run_operation_case(case, policies, load_text)
    return CaseResult(case_id, actual == expected, expected, actual, detail, warnings)


def _expected_outcome(case: dict, allow_error: bool) -> str:
    """Return the case's expected decision, or its ``expected_error`` if allowed."""
    if allow_error and case.get("expected_error"):
        return case["expected_error"]

    expected = _require(case, "expected", str)
    if expected not in _OUTCOMES:
        message = f"expected {expected!r} is not one of {_OUTCOMES}"
        raise RequestError("invalid-case", "expected", message)
    return expected


def _case_policies(case_id, expected, policies_field, base, warnings):
    """Return the case's PolicySet, or its failed result when the key policy is invalid."""
    policies = policy_set_from_case(policies_field, base, warnings)
    if isinstance(policies, CaseResult):
        policies.case_id = case_id
        policies.expected = expected
    return policies


def _run_validation_case(case_id: str, policies_field: dict, base: Path) -> CaseResult:
    try:
        policy = _key_policy(policies_field, base)
    except DocumentError as error:
        return CaseResult(case_id, True, "invalid", "invalid", error.message)

    if policy is None or policy.is_valid:
        detail = "the key policy has no error finding"
        return CaseResult(case_id, False, "invalid", "valid", detail)

    first = policy.errors[0]
    detail = f"[{first.code}] {first.message}"
    return CaseResult(case_id, True, "invalid", "invalid", detail)


def _require(container: dict, name: str, kind: type):
    value = container.get(name)
    if not isinstance(value, kind):
        message = f"case field {name!r} is missing or not a {kind.__name__}"
        raise RequestError("invalid-case", name, message)
    return value


def _document_text(value, base: Path, field_name: str) -> tuple[str, str]:
    """Return (text, label) of a policy given inline or as a path beside the file."""
    if isinstance(value, str):
        return _read_policy_file(value, base, field_name)
    if isinstance(value, dict):
        return json.dumps(value, indent=2, ensure_ascii=False), field_name
    message = (
        f"{field_name} must be a policy object or a path, not {type(value).__name__}"
    )
    raise RequestError("invalid-case", field_name, message)


def _read_policy_file(value: str, base: Path, field_name: str) -> tuple[str, str]:
    """Read a policy named by a path relative to the case file."""
    if Path(value).is_absolute():
        message = (
            f"{field_name}: policy path {value!r} must be relative to the case file"
        )
        raise RequestError("invalid-case", field_name, message)

    path = base / value
    try:
        return decode_text(read_limited(path)), str(path)
    except OSError as error:
        message = f"{field_name}: cannot read policy file {path}: {error.strerror}"
        raise RequestError("unreadable-policy", field_name, message) from error


def _key_policy(policies: dict, base: Path) -> Policy | None:
    if "key_policy_raw" in policies:
        raw = _require(policies, "key_policy_raw", str)
        return parse_policy(raw, kind=PolicyKind.KEY, name="key policy")

    value = policies.get("key_policy")
    if value is None:
        return None
    text, label = _document_text(value, base, "key policy")

    # An inline policy's text is rebuilt here with indentation; the size KMS
    # would measure is that of the compact document as a client sends it.
    size = None
    if isinstance(value, dict):
        compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        size = len(compact.encode("utf-8", errors="surrogatepass"))
    return parse_policy(text, kind=PolicyKind.KEY, name=label, submitted_bytes=size)


def _optional_policy(value, base, name, kind, warnings) -> Policy | None:
    """Parse a non-key policy; an invalid one counts as absent, with a warning."""
    text, label = _document_text(value, base, name)
    try:
        policy = parse_policy(text, kind=kind, name=label)
    except DocumentError as error:
        warnings.append(f"{name} ignored: {error.message}")
        return None

    if not policy.is_valid:
        first = policy.errors[0]
        warnings.append(
            f"{name} ignored as AWS would not store it: [{first.code}] {first.message}"
        )
        return None
    return policy


def _policy_list(policies, field_name, base, kind, warnings) -> list[Policy]:
    values = policies.get(field_name) or []
    if not isinstance(values, list):
        raise RequestError("invalid-case", field_name, f"{field_name} must be a list")

    parsed = []
    for index, value in enumerate(values):
        name = f"{field_name}[{index}]"
        policy = _optional_policy(value, base, name, kind, warnings)
        if policy is not None:
            parsed.append(policy)
    return parsed


def _levels(policies, field_name, base, kind, warnings) -> list[list[Policy]]:
    levels = policies.get(field_name) or []
    if not isinstance(levels, list) or not all(isinstance(lv, list) for lv in levels):
        message = f"{field_name} must be a list of levels, each a list of policies"
        raise RequestError("invalid-case", field_name, message)

    parsed = []
    for depth, level in enumerate(levels):
        documents = [
            _optional_policy(value, base, f"{field_name}[{depth}][{i}]", kind, warnings)
            for i, value in enumerate(level)
        ]
        parsed.append([d for d in documents if d is not None])
    return parsed


def policy_set_from_case(
    policies: dict, base: Path, warnings: list[str]
) -> PolicySet | CaseResult:
    """Build the PolicySet of a case's ``policies`` field; paths resolve from ``base``.

    Returns a failed CaseResult when the key policy is invalid. Warnings about
    other invalid policies, which are left out, are appended to ``warnings``.
    """
    key_policy = _key_policy(policies, base)
    if key_policy is not None and not key_policy.is_valid:
        first = key_policy.errors[0]
        detail = f"key policy is invalid: [{first.code}] {first.message}"
        return CaseResult("?", False, "decision", "invalid", detail)

    single = {}
    for name, kind in (
        ("permission_boundary", PolicyKind.IDENTITY),
        ("vpce_policy", PolicyKind.VPCE),
    ):
        value = policies.get(name)
        single[name] = (
            None
            if value is None
            else _optional_policy(value, base, name, kind, warnings)
        )

    return PolicySet(
        key_policy=key_policy,
        identity_policies=_policy_list(
            policies, "identity_policies", base, PolicyKind.IDENTITY, warnings
        ),
        session_policies=_policy_list(
            policies, "session_policies", base, PolicyKind.IDENTITY, warnings
        ),
        scps=_levels(policies, "scps", base, PolicyKind.SCP, warnings),
        rcps=_levels(policies, "rcps", base, PolicyKind.RCP, warnings),
        grants=_grants(policies.get("grants")),
        **single,
    )


def _grants(value) -> list[Grant]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(g, dict) for g in value):
        message = "grants must be a list of grant objects in ListGrants form"
        raise RequestError("invalid-case", "grants", message)
    return [Grant.model_validate(grant) for grant in value]


def request_from_case(fields: dict) -> Request:
    """Build the Request of a case's ``request`` field.

    Raises RequestError when a context value is not a string, number, boolean
    or list of strings.
    """
    raw_context = fields.get("context") or {}
    if not isinstance(raw_context, dict):
        message = "request.context must be an object of condition keys"
        raise RequestError("invalid-case", "request.context", message)

    context = {}
    for name, value in raw_context.items():
        context[name] = _context_value(name, value)
    return Request(
        principal=_require(fields, "principal", str),
        action=_require(fields, "action", str),
        resource=fields.get("resource", "*"),
        context=context,
        encryption_context=fields.get("encryption_context") or {},
    )


def _context_value(name: str, value) -> str | list[str]:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    message = (
        f"context key {name!r} must be a string or a list of strings, not {value!r}"
    )
    raise RequestError("invalid-case", f"context.{name}", message)
