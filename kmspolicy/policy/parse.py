"""Policy text to the ``Policy`` model, with every structural problem as a finding.

``parse_policy`` is the only way text becomes a model: it runs the Lark JSON grammar,
detects (or takes) the policy kind, builds the model and collects all findings of the
document, statement and element rules at once. Semantic rules that need the catalogue
(condition keys, actions, operator values) run in ``kmspolicy.policy.validate``.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal

from kmspolicy.conditions.operators import OperatorError, parse_operator
from kmspolicy.findings import Finding, Severity, make_finding
from kmspolicy.policy.document import (
    JsonArray,
    JsonBool,
    JsonMember,
    JsonNode,
    JsonNumber,
    JsonObject,
    JsonString,
    Span,
    decode_text,
    parse_json,
)
from kmspolicy.policy.kind import detect_kind
from kmspolicy.policy.model import (
    CURRENT_VERSION,
    OLD_VERSION,
    ActionSpec,
    ConditionClause,
    Effect,
    Entry,
    Policy,
    PolicyKind,
    PrincipalEntry,
    PrincipalSpec,
    ResourceSpec,
    Statement,
)

TOP_LEVEL_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")

# A key policy is at most 32 KB, counted as UTF-8 bytes of the text as submitted,
# whitespace included (KMS does not say it strips whitespace, so we count it).
KEY_POLICY_MAX_BYTES = 32_768

_IDENTITY_SID = re.compile(r"[A-Za-z0-9]*")
_KEY_POLICY_CHARACTERS = re.compile(r"[^\t\n\r\x20-\x7e\xa0-\xff]")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_PARTITION = r"aws(?:-[a-z]+)*"
_IAM_PRINCIPAL = re.compile(
    rf"arn:{_PARTITION}:iam::[0-9]{{12}}:(?:root|user/.+|role/.+)"
)
_STS_PRINCIPAL = re.compile(
    rf"arn:{_PARTITION}:sts::[0-9]{{12}}:(?:assumed-role/[^/]+/.+|federated-user/.+)"
)
_UNIQUE_ID = re.compile(r"A[A-Z]{3}[A-Z0-9]{12,}")
_SERVICE_PRINCIPAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9.-]+")
_ACTION = re.compile(r"[A-Za-z0-9-]+:[^:]*")


def read_policy_bytes(
    data: bytes, kind: PolicyKind | None = None, name: str = "policy"
) -> Policy:
    """Decode UTF-8 bytes and parse them as ``parse_policy`` does."""
    return parse_policy(decode_text(data), kind=kind, name=name)


def parse_policy(
    text: str,
    kind: PolicyKind | None = None,
    name: str = "policy",
    submitted_bytes: int | None = None,
) -> Policy:
    """Parse and validate policy text; ``kind`` is detected when not given.

    ``submitted_bytes`` is the size a client would send, for text that was
    rebuilt from a JSON value; by default the key-policy size limit applies to
    ``text`` itself.

    Raises DocumentError when the text is not a JSON document at all; every other
    problem is a finding on the returned policy (``Policy.is_valid`` tells).
    """
    from kmspolicy.policy.validate import validate_semantics

    tree = parse_json(text)
    if kind is None:
        kind = detect_kind(tree)

    builder = _Builder(text, kind, submitted_bytes)
    policy = builder.build(tree, name)
    extra = validate_semantics(policy)
    findings = sorted(
        (*policy.findings, *extra), key=lambda f: (f.line, f.column, f.code)
    )
    return _replace_findings(policy, tuple(findings))


def _replace_findings(policy: Policy, findings: tuple[Finding, ...]) -> Policy:
    return Policy(
        name=policy.name,
        kind=policy.kind,
        version=policy.version,
        id=policy.id,
        statements=policy.statements,
        findings=findings,
        source=policy.source,
        span=policy.span,
    )


_PLAIN_NAME = re.compile(r"[^.\[\]'\"\s\\]+")


def child_path(parent: str, name: str) -> str:
    """Return the JSON path of member ``name`` of the object at ``parent``.

    Names are written ``.name``, colons and slashes included. A name holding a
    dot, bracket, quote, backslash or whitespace, or an empty name, is written
    ``['name']`` with quotes and backslashes escaped.
    """
    if _PLAIN_NAME.fullmatch(name):
        return f"{parent}.{name}"
    escaped = name.replace("\\", "\\\\").replace("'", "\\'")
    return f"{parent}['{escaped}']"


def _suggest(name: str, choices: tuple[str, ...]) -> str:
    for choice in choices:
        if choice.lower() == name.lower():
            return f"; did you mean {choice!r}? (element names are case sensitive)"

    close = difflib.get_close_matches(name, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _type_name(node: JsonNode) -> str:
    names = {
        JsonString: "a string",
        JsonNumber: "a number",
        JsonBool: "a boolean",
        JsonArray: "an array",
        JsonObject: "an object",
    }
    return names.get(type(node), "null")


class _Builder:
    """Builds one policy model and collects its structural findings."""

    def __init__(
        self, source: str, kind: PolicyKind, submitted_bytes: int | None = None
    ) -> None:
        self.source = source
        self.kind = kind
        self.submitted_bytes = submitted_bytes
        self.version: str | None = None
        self.findings: list[Finding] = []
        self._sid_spans: dict[str, Span] = {}
        self._effect_spans: dict[str, Span] = {}

    def report(
        self,
        code: str,
        path: str,
        span: Span,
        message: str,
        severity: Severity | None = None,
    ) -> None:
        finding = make_finding(code, path, span.line, span.column, message, severity)
        self.findings.append(finding)

    # -- document -----------------------------------------------------------

    def build(self, tree: JsonNode, name: str) -> Policy:
        self._check_every_object(tree)

        if not isinstance(tree, JsonObject):
            message = (
                f"policy document is {_type_name(tree)}; "
                "it must be a JSON object with a Statement"
            )
            self.report("not-an-object", "$", tree.span, message)
            return self._policy(name, None, None, (), tree.span)

        if self.kind is PolicyKind.KEY:
            self._check_key_policy_size(tree)

        if tree.get("Statement") is None and _looks_like_statement(tree):
            return self._bare_statement(tree, name)

        for member in tree.members:
            if member.name not in TOP_LEVEL_ELEMENTS:
                hint = _suggest(member.name, TOP_LEVEL_ELEMENTS)
                message = f"unknown top-level element {member.name!r}{hint}"
                self.report(
                    "unknown-element",
                    child_path("$", member.name),
                    member.name_span,
                    message,
                )

        version = self._version(tree)
        self.version = version
        policy_id = self._id(tree)
        statements = self._statements(tree)
        return self._policy(name, version, policy_id, statements, tree.span)

    def _bare_statement(self, tree: JsonObject, name: str) -> Policy:
        """Report a lone statement and still check it, at path ``$``."""
        message = (
            "document is a single statement, not a policy; wrap it as "
            '{"Version": "2012-10-17", "Statement": [ ... ]}'
        )
        self.report("bare-statement", "$", tree.span, message)
        statement = self._statement(tree, 0, "$")
        return self._policy(name, None, None, [statement], tree.span)

    def _policy(self, name, version, policy_id, statements, span) -> Policy:
        return Policy(
            name=name,
            kind=self.kind,
            version=version,
            id=policy_id,
            statements=tuple(statements),
            findings=tuple(self.findings),
            source=self.source,
            span=span,
        )

    def _check_key_policy_size(self, tree: JsonObject) -> None:
        size = self.submitted_bytes
        if size is None:
            size = len(self.source.encode("utf-8", errors="surrogatepass"))
        if size > KEY_POLICY_MAX_BYTES:
            message = (
                f"key policy is {size:,} bytes; KMS accepts at most "
                f"{KEY_POLICY_MAX_BYTES:,} bytes (whitespace counts)"
            )
            self.report("policy-too-large", "$", Span(1, 1, 0, 0), message)

    def _check_every_object(self, tree: JsonNode) -> None:
        """Report duplicate member names anywhere, and key-policy characters."""
        pending: list[tuple[JsonNode, str]] = [(tree, "$")]
        while pending:
            node, path = pending.pop()
            if isinstance(node, JsonObject):
                seen: set[str] = set()
                for member in node.members:
                    member_path = child_path(path, member.name)
                    if member.name in seen:
                        message = (
                            f"member {member.name!r} appears twice in one object; "
                            "JSON readers keep only the last, so merge the two"
                        )
                        self.report(
                            "duplicate-key", member_path, member.name_span, message
                        )
                    seen.add(member.name)
                    self._check_characters(member.name, member.name_span, member_path)
                    pending.append((member.value, member_path))
            elif isinstance(node, JsonArray):
                for index, item in enumerate(node.items):
                    pending.append((item, f"{path}[{index}]"))
            elif isinstance(node, JsonString):
                self._check_characters(node.value, node.span, path)

    def _check_characters(self, text: str, span: Span, path: str) -> None:
        if self.kind is not PolicyKind.KEY:
            return

        match = _KEY_POLICY_CHARACTERS.search(text)
        if match:
            character = match.group()
            message = (
                f"character {character!r} (U+{ord(character):04X}) in {text[:60]!r} is "
                "outside the key-policy character set (printable ASCII and Latin-1, "
                "tab, LF, CR)"
            )
            self.report("invalid-character", path, span, message)

    def _version(self, tree: JsonObject) -> str | None:
        member = tree.get("Version")
        if member is None:
            message = (
                "policy has no Version, so IAM reads it as 2008-10-17 and treats "
                '${...} as literal text; add "Version": "2012-10-17"'
            )
            self.report("missing-version", "$", tree.span, message)
            return None

        node = member.value
        if isinstance(node, JsonString) and node.value in (
            CURRENT_VERSION,
            OLD_VERSION,
        ):
            return node.value

        if not isinstance(node, JsonString):
            self._wrong_type("$.Version", node, 'the string "2012-10-17"')
            return None

        message = (
            f'Version {node.value!r} is invalid; use "2012-10-17" (or "2008-10-17")'
        )
        self.report("invalid-version", "$.Version", node.span, message)
        return None

    def _id(self, tree: JsonObject) -> str | None:
        member = tree.get("Id")
        if member is None:
            return None

        if self.kind is PolicyKind.IDENTITY:
            message = "Id is not allowed in an identity policy; remove it"
            self.report("id-not-allowed", "$.Id", member.name_span, message)
        if not isinstance(member.value, JsonString):
            self._wrong_type("$.Id", member.value, "a string")
            return None
        return member.value.value

    def _text(self, node: JsonNode) -> str:
        return self.source[node.span.offset : node.span.end_offset][:60]

    def _wrong_type(self, path: str, node: JsonNode, expected: str) -> None:
        element = path.rsplit(".", 1)[-1]
        message = f"{element} is {_type_name(node)} ({self._text(node)}); it must be {expected}"
        self.report("invalid-type", path, node.span, message)

    # -- statements ---------------------------------------------------------

    def _statements(self, tree: JsonObject) -> list[Statement]:
        member = tree.get("Statement")
        if member is None:
            message = "policy has no Statement; add a list of statements"
            self.report("missing-statement", "$", tree.span, message)
            return []

        node = member.value
        if isinstance(node, JsonObject):
            items = [(node, "$.Statement")]
        elif isinstance(node, JsonArray):
            items = [(item, f"$.Statement[{i}]") for i, item in enumerate(node.items)]
            if not items:
                message = "Statement is an empty list; a policy needs at least one"
                self.report("empty-statement", "$.Statement", node.span, message)
        else:
            self._wrong_type("$.Statement", node, "an object or a list of objects")
            return []

        statements = []
        for index, (item, path) in enumerate(items):
            statement = self._statement(item, index, path)
            if statement is not None:
                statements.append(statement)
        self._check_sids(statements)
        return statements

    def _statement(self, node: JsonNode, index: int, path: str) -> Statement | None:
        if not isinstance(node, JsonObject):
            self._wrong_type(path, node, "a statement object")
            return None

        for member in node.members:
            if member.name not in STATEMENT_ELEMENTS:
                hint = _suggest(member.name, STATEMENT_ELEMENTS)
                message = f"unknown statement element {member.name!r}{hint}"
                self.report(
                    "unknown-element",
                    child_path(path, member.name),
                    member.name_span,
                    message,
                )

        effect = self._effect(node, path)
        principal = self._principal(node, path, effect)
        action = self._pair(node, path, "Action", "NotAction")
        resource = self._pair(node, path, "Resource", "NotResource")
        self._check_required(node, path, action, resource)

        statement = Statement(
            index=index,
            sid=self._sid(node, path),
            effect=effect,
            principal=principal,
            action=self._action_spec(action, path) if action else None,
            resource=self._resource_spec(resource, path) if resource else None,
            conditions=self._conditions(node, path),
            span=node.span,
            path=path,
        )
        self._check_rcp_allow(statement)
        return statement

    def _check_rcp_allow(self, statement: Statement) -> None:
        if self.kind is not PolicyKind.RCP or statement.effect is not Effect.ALLOW:
            return
        if _is_full_access(statement):
            return

        message = (
            "custom RCP statements may only Deny; the only Allow is the full-access "
            'statement (Principal, Action and Resource "*", no Condition)'
        )
        span = self._effect_spans[statement.path]
        self.report("rcp-allow", f"{statement.path}.Effect", span, message)

    def _sid(self, node: JsonObject, path: str) -> str | None:
        member = node.get("Sid")
        if member is None:
            return None
        if not isinstance(member.value, JsonString):
            self._wrong_type(f"{path}.Sid", member.value, "a string")
            return None

        sid = member.value.value
        self._sid_spans[path] = member.value.span
        if self.kind is PolicyKind.IDENTITY and not _IDENTITY_SID.fullmatch(sid):
            message = (
                f"Sid {sid!r} is invalid in an identity policy; "
                "use only ASCII letters and digits"
            )
            self.report("invalid-sid", f"{path}.Sid", member.value.span, message)
        return sid

    def _check_sids(self, statements: list[Statement]) -> None:
        severity = Severity.ERROR if self.kind is PolicyKind.IDENTITY else None
        seen: set[str] = set()
        for statement in statements:
            if statement.sid is None:
                continue
            if statement.sid in seen:
                # The Sid value's span is not in the model, so find it through the text.
                span = self._sid_span(statement)
                message = f"Sid {statement.sid!r} is used by more than one statement"
                self.report(
                    "duplicate-sid", f"{statement.path}.Sid", span, message, severity
                )
            seen.add(statement.sid)

    def _sid_span(self, statement: Statement) -> Span:
        return self._sid_spans.get(statement.path, statement.span)

    def _effect(self, node: JsonObject, path: str) -> Effect | None:
        member = node.get("Effect")
        if member is None:
            message = 'statement has no Effect; add "Effect": "Allow" or "Deny"'
            self.report("missing-effect", path, node.span, message)
            return None

        value = member.value
        if isinstance(value, JsonString) and value.value in ("Allow", "Deny"):
            self._effect_spans[path] = value.span
            return Effect(value.value)

        shown = value.value if isinstance(value, JsonString) else self._text(value)
        hint = ""
        if isinstance(value, JsonString) and value.value.lower() in ("allow", "deny"):
            hint = f"; write {value.value.capitalize()!r} (Effect is case sensitive)"
        message = f'Effect {shown!r} is invalid; it must be "Allow" or "Deny"{hint}'
        self.report("invalid-effect", f"{path}.Effect", value.span, message)
        return None

    def _pair(self, node: JsonObject, path: str, name: str, not_name: str):
        """Return (member, negated) for an element and its Not form, if either is set."""
        plain = node.get(name)
        negated = node.get(not_name)
        if plain and negated:
            second = max(plain, negated, key=lambda m: m.name_span.offset)
            message = f"statement has both {name} and {not_name}; keep only one"
            self.report(
                "conflicting-elements",
                child_path(path, second.name),
                second.name_span,
                message,
            )
        if plain:
            return plain, False
        if negated:
            return negated, True
        return None

    def _check_required(self, node: JsonObject, path: str, action, resource) -> None:
        if self.kind is PolicyKind.KEY:
            missing = [
                name
                for name, got in (("Action", action), ("Resource", resource))
                if not got
            ]
            if missing:
                message = (
                    f"statement has no {' or '.join(missing)}; KMS accepts it but "
                    "never applies it, even as a Deny"
                )
                self.report("inert-statement", path, node.span, message)
            return

        if action is None:
            message = "statement has neither Action nor NotAction; add one"
            self.report("missing-action", path, node.span, message)
        if resource is None:
            message = "statement has neither Resource nor NotResource; add one"
            self.report("missing-resource", path, node.span, message)

    # -- principals -----------------------------------------------------------

    def _principal(
        self, node: JsonObject, path: str, effect: Effect | None
    ) -> PrincipalSpec | None:
        pair = self._pair(node, path, "Principal", "NotPrincipal")
        if pair is None:
            if self.kind is PolicyKind.KEY:
                message = (
                    "key-policy statement names no principal; "
                    "add Principal (KMS requires one in every statement)"
                )
                self.report("missing-principal", path, node.span, message)
            elif self.kind is PolicyKind.RCP:
                message = 'RCP statement names no principal; add "Principal": "*"'
                self.report("missing-principal", path, node.span, message)
            return None

        member, negated = pair
        member_path = child_path(path, member.name)
        if not self._principal_allowed(member, member_path, negated):
            return None

        if negated and effect is Effect.ALLOW:
            message = (
                "NotPrincipal is only supported with Effect Deny; use Principal with "
                "an aws:PrincipalArn condition instead"
            )
            self.report(
                "notprincipal-with-allow", member_path, member.name_span, message
            )

        entries = self._principal_entries(member.value, member_path)
        if entries is None:
            return None

        spec = PrincipalSpec(negated, tuple(entries), member.value.span, member_path)
        if self.kind is PolicyKind.RCP and not _is_everyone(spec):
            message = 'an RCP statement must use "Principal": "*"'
            self.report(
                "rcp-principal-not-star", member_path, member.value.span, message
            )
        return spec

    def _principal_allowed(self, member: JsonMember, path: str, negated: bool) -> bool:
        forbidden = self.kind in (PolicyKind.IDENTITY, PolicyKind.SCP) or (
            negated and self.kind is PolicyKind.RCP
        )
        if forbidden:
            label = self.kind.label
            article = "an" if label[0] in "aeiou" else "a"
            message = f"{member.name} is not allowed in {article} {label}; remove it"
            self.report("principal-not-allowed", path, member.name_span, message)
        return not forbidden

    def _principal_entries(
        self, node: JsonNode, path: str
    ) -> list[PrincipalEntry] | None:
        if isinstance(node, JsonString):
            if node.value == "*":
                return [PrincipalEntry("*", "*", node.span, path)]
            message = (
                f"principal {node.value!r} is invalid; a bare string principal must be "
                f'"*"; write {{"AWS": {node.value!r}}} for an AWS principal'
            )
            self.report("invalid-principal", path, node.span, message)
            return None

        if not isinstance(node, JsonObject):
            self._wrong_type(path, node, '"*" or an object such as {"AWS": [...]}')
            return None

        if not node.members:
            message = (
                "Principal is an empty object; name at least one principal, "
                'for example {"AWS": "arn:aws:iam::111122223333:root"}'
            )
            self.report("invalid-principal", path, node.span, message)
            return None

        entries = []
        for member in node.members:
            member_path = child_path(path, member.name)
            if member.name not in PRINCIPAL_TYPES:
                hint = _suggest(member.name, PRINCIPAL_TYPES)
                message = f"unknown principal type {member.name!r}{hint}"
                self.report(
                    "unknown-principal-type", member_path, member.name_span, message
                )
                continue
            for value, span, value_path in self._string_list(member.value, member_path):
                if self._check_principal(member.name, value, span, value_path):
                    entry_type = (
                        "*" if member.name == "AWS" and value == "*" else member.name
                    )
                    entries.append(PrincipalEntry(entry_type, value, span, value_path))
        return entries

    def _check_principal(
        self, principal_type: str, value: str, span: Span, path: str
    ) -> bool:
        if value != "*" and ("*" in value or "?" in value):
            message = (
                f'principal {value!r} has a partial wildcard; only a standalone "*" '
                "is allowed (use aws:PrincipalArn with ArnLike for patterns)"
            )
            self.report("principal-wildcard", path, span, message)
            return False

        problem = _principal_problem(principal_type, value)
        if problem:
            self.report(
                "invalid-principal", path, span, f"principal {value!r} {problem}"
            )
            return False
        return True

    # -- actions and resources ------------------------------------------------

    def _string_list(self, node: JsonNode, path: str) -> list[tuple[str, Span, str]]:
        """Return (value, span, path) for a string or a non-empty list of strings."""
        if isinstance(node, JsonString):
            return [(node.value, node.span, path)]

        if not isinstance(node, JsonArray):
            self._wrong_type(path, node, "a string or a list of strings")
            return []

        if not node.items:
            element = path.rsplit(".", 1)[-1]
            message = f"{element} is an empty list; give at least one value"
            self.report("invalid-type", path, node.span, message)

        values = []
        for index, item in enumerate(node.items):
            item_path = f"{path}[{index}]"
            if isinstance(item, JsonString):
                values.append((item.value, item.span, item_path))
            else:
                self._wrong_type(item_path, item, "a string")
        return values

    def _action_spec(self, pair, path: str) -> ActionSpec:
        member, negated = pair
        member_path = child_path(path, member.name)
        entries = []
        for value, span, value_path in self._string_list(member.value, member_path):
            if value == "*" or _ACTION.fullmatch(value):
                self._check_action_text(value, span, value_path)
                entries.append(Entry(value, span, value_path))
            else:
                message = (
                    f"action {value!r} is invalid; write service:ActionName, "
                    'for example "kms:Decrypt", or "*"'
                )
                self.report("invalid-action", value_path, span, message)
        return ActionSpec(negated, tuple(entries), member.value.span, member_path)

    def _check_action_text(self, value: str, span: Span, path: str) -> None:
        if any(character.isspace() or character == "," for character in value):
            message = (
                f"action {value!r} contains whitespace or a comma, so it matches no "
                "action; list each action as its own string"
            )
            self.report("action-matches-nothing", path, span, message)

    def _resource_spec(self, pair, path: str) -> ResourceSpec:
        member, negated = pair
        member_path = child_path(path, member.name)
        entries = []
        for value, span, value_path in self._string_list(member.value, member_path):
            if value != "*" and not value.startswith("arn:"):
                message = (
                    f"resource {value!r} is not an ARN; name KMS keys by key ARN "
                    '(arn:aws:kms:REGION:ACCOUNT:key/KEY-ID) or use "*"'
                )
                self.report("invalid-resource", value_path, span, message)
                continue

            parts = _split_arn_text(value)
            if value != "*" and len(parts) < 6:
                message = (
                    f"resource {value!r} has {len(parts)} colon-separated parts, "
                    "not 6 (arn:partition:service:region:account:resource)"
                )
                self.report("resource-too-few-segments", value_path, span, message)
            elif value != "*" and ("*" in parts[2] or "?" in parts[2]):
                message = f"resource {value!r} has a wildcard in its service; name the service"
                self.report("invalid-resource", value_path, span, message)
                continue
            elif value != "*" and _bad_kms_resource(parts):
                message = (
                    f"resource {value!r} is not a KMS key or alias ARN; its resource "
                    "part must be key/KEY-ID, alias/NAME or *, with no wildcard in "
                    "the resource type"
                )
                self.report("invalid-resource", value_path, span, message)
                continue
            self._check_resource_variables(value, parts, span, value_path)
            entries.append(Entry(value, span, value_path))
        return ResourceSpec(negated, tuple(entries), member.value.span, member_path)

    def _check_resource_variables(
        self, value: str, parts: list[str], span: Span, path: str
    ) -> None:
        if "${" not in value:
            return

        if self.version != CURRENT_VERSION:
            message = (
                f"resource {value!r} holds a policy variable, but without Version "
                "2012-10-17 it is literal text"
            )
            self.report("variable-not-substituted", path, span, message)
        elif len(parts) == 6 and "${" in ":".join(parts[:5]):
            message = (
                f"resource {value!r} has a policy variable before the fifth colon; "
                "IAM substitutes variables only in the resource part"
            )
            self.report("variable-not-substituted", path, span, message)

    # -- conditions -----------------------------------------------------------

    def _conditions(self, node: JsonObject, path: str) -> tuple[ConditionClause, ...]:
        member = node.get("Condition")
        if member is None:
            return ()

        condition_path = f"{path}.Condition"
        block = member.value
        if not isinstance(block, JsonObject):
            self._wrong_type(condition_path, block, "an object of operators")
            return ()

        clauses = []
        for operator_member in block.members:
            clauses.extend(self._operator_clauses(operator_member, condition_path))
        return tuple(clauses)

    def _operator_clauses(self, member: JsonMember, path: str) -> list[ConditionClause]:
        operator_path = child_path(path, member.name)
        try:
            operator = parse_operator(member.name)
        except OperatorError as error:
            self.report(error.code, operator_path, member.name_span, error.message)
            return []

        if not isinstance(member.value, JsonObject):
            self._wrong_type(operator_path, member.value, "an object of condition keys")
            return []

        clauses = []
        for key_member in member.value.members:
            key_path = child_path(operator_path, key_member.name)
            if not key_member.name.strip():
                message = "condition key name is empty; name a key such as aws:SourceIp"
                self.report(
                    "invalid-condition-key", key_path, key_member.name_span, message
                )
                continue

            located = self._condition_values(key_member.value, key_path)
            if located is None:
                continue

            clause = ConditionClause(
                operator=operator,
                key=key_member.name,
                values=tuple(value for value, _, _ in located),
                span=key_member.name_span,
                path=key_path,
                value_spans=tuple(span for _, span, _ in located),
                value_paths=tuple(value_path for _, _, value_path in located),
            )
            clauses.append(clause)
        return clauses

    def _condition_values(
        self, node: JsonNode, path: str
    ) -> list[tuple[str, Span, str]] | None:
        if isinstance(node, JsonArray):
            if not node.items:
                message = "condition value is an empty list; give at least one value"
                self.report("invalid-condition-value", path, node.span, message)
                return None
            items = [(item, f"{path}[{i}]") for i, item in enumerate(node.items)]
        else:
            items = [(node, path)]

        values = []
        for item, item_path in items:
            value = _condition_scalar(item)
            if value is None:
                message = (
                    f"condition value {self._text(item)} is {_type_name(item)}; "
                    "use a string, number, boolean or a list of them"
                )
                self.report("invalid-condition-value", item_path, item.span, message)
                return None
            values.append((value, item.span, item_path))
        return values


_ARN_PART = re.compile(r"(?:\$\{[^}]*\}|[^:])*")


def _split_arn_text(value: str) -> list[str]:
    """Split an ARN into at most six parts, ignoring colons inside ``${...}``."""
    parts = []
    position = 0
    while len(parts) < 5:
        match = _ARN_PART.match(value, position)
        end = match.end()
        if end >= len(value):
            break
        parts.append(value[position:end])
        position = end + 1
    parts.append(value[position:])
    return parts


def _bad_kms_resource(parts: list[str]) -> bool:
    """Tell whether a six-part kms ARN has a resource part KMS cannot name."""
    if len(parts) < 6 or parts[2].lower() != "kms":
        return False

    resource = parts[5]
    if resource == "*":
        return False
    resource_type = resource.split("/", 1)[0]
    return resource_type not in ("key", "alias") or "/" not in resource


def _looks_like_statement(tree: JsonObject) -> bool:
    names = {member.name for member in tree.members}
    return bool(names & {"Effect", "Action", "NotAction"})


def _condition_scalar(node: JsonNode) -> str | None:
    if isinstance(node, JsonString):
        return node.value
    if isinstance(node, JsonBool):
        return "true" if node.value else "false"
    if isinstance(node, JsonNumber):
        return _canonical_number(node.text)
    return None


def _canonical_number(text: str) -> str:
    """Write a JSON number as a plain decimal string (``3.6e3`` → ``3600``).

    Numbers without an exponent keep their text. An exponent beyond ±100 is kept
    as written, so the operator check reports it instead of expanding it.
    """
    if "e" not in text and "E" not in text:
        return text

    number = Decimal(text)
    if abs(number.as_tuple().exponent) > 100:
        return text
    return format(number.normalize(), "f")


def _is_full_access(statement: Statement) -> bool:
    def only_star(spec) -> bool:
        return (
            spec is not None
            and not spec.negated
            and [entry.value for entry in spec.entries] == ["*"]
        )

    return (
        only_star(statement.principal)
        and only_star(statement.action)
        and only_star(statement.resource)
        and not statement.conditions
    )


def _is_everyone(spec: PrincipalSpec) -> bool:
    return len(spec.entries) == 1 and spec.entries[0].type == "*"


def _principal_problem(principal_type: str, value: str) -> str | None:
    """Return why a principal entry is malformed, or None when it is well formed."""
    if principal_type == "AWS":
        well_formed = (
            value == "*"
            or _ACCOUNT_ID.fullmatch(value)
            or _IAM_PRINCIPAL.fullmatch(value)
            or _STS_PRINCIPAL.fullmatch(value)
            or _UNIQUE_ID.fullmatch(value)
        )
        if not well_formed:
            return (
                "is not an account ID, an IAM user, role or root ARN, or an STS "
                "session ARN"
            )
    elif principal_type == "Service":
        if value == "*" or not _SERVICE_PRINCIPAL.fullmatch(value):
            return 'is not a service principal name such as "logs.amazonaws.com"'
    elif not value:
        return "is empty"
    return None
