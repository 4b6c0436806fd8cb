"""The compiled engine against the reference interpreter.

Every case file and many generated policy sets must give equal ``Decision``
objects: the same outcome, reason, deciding statements (in order), grant and
warnings. Requests go through ``decide_compiled``, ``Engine.decide`` and
``Engine.decide_batch``.
"""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS, SPEC_CASES
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kmspolicy.cases import load_cases, policy_set_from_case, request_from_case
from kmspolicy.compile import compile_policy, compile_policy_set, decide_compiled
from kmspolicy.compile.principals import caller_keys
from kmspolicy.engine import Engine
from kmspolicy.errors import KmsPolicyError
from kmspolicy.evaluate.evaluator import decide
from kmspolicy.evaluate.principal import parse_caller
from kmspolicy.evaluate.request import Grant, KeyMetadata, PolicySet, Request
from kmspolicy.policy.model import Effect, PolicyKind
from kmspolicy.policy.parse import parse_policy

ACCOUNT = "111122223333"
EXTERNAL = "444455556666"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1a2b3c4d-0000-4000-8000-000000000001"
OTHER_KEY_ARN = (
    f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1a2b3c4d-0000-4000-8000-000000000002"
)
EXTERNAL_KEY_ARN = (
    f"arn:aws:kms:us-east-1:{EXTERNAL}:key/1a2b3c4d-0000-4000-8000-000000000003"
)
SERVICE = "logs.us-east-1.amazonaws.com"

CALLERS = [
    f"arn:aws:iam::{ACCOUNT}:user/alice",
    f"arn:aws:iam::{ACCOUNT}:root",
    f"arn:aws:sts::{ACCOUNT}:assumed-role/AppRole/s1",
    f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/s2",
    f"arn:aws:sts::{ACCOUNT}:federated-user/fed",
    f"arn:aws:iam::{EXTERNAL}:user/bob",
    f"arn:aws:sts::{EXTERNAL}:assumed-role/Partner/p1",
    SERVICE,
    "not-a-principal",
]

PRINCIPAL_VALUES = [
    {"AWS": ACCOUNT},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:role/AppRole"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:role/team/AppRole"},
    {"AWS": f"arn:aws:sts::{ACCOUNT}:assumed-role/AppRole/s1"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Admin"},
    {"AWS": f"arn:aws:sts::{ACCOUNT}:federated-user/fed"},
    {"AWS": EXTERNAL},
    {"AWS": f"arn:aws:iam::{EXTERNAL}:user/bob"},
    {"AWS": f"arn:aws:iam::{EXTERNAL}:role/Partner"},
    {"Service": SERVICE},
    {"Service": "S3.amazonaws.com"},
    {"Federated": "cognito-identity.amazonaws.com"},
]

ACTION_PATTERNS = [
    "*",
    "kms:*",
    "kms:Decrypt",
    "KMS:decrypt",
    "kms:Encrypt*",
    "kms:Generate*",
    "kms:?ecrypt",
    "kms:*Key*",
    "kms:ReEncrypt*",
    "kms:Describe*",
    "kms:CreateGrant",
    "kms:RetireGrant",
    "kms:ListKeys",
    "s3:GetObject",
    "s3:*",
]

REQUEST_ACTIONS = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:DescribeKey",
    "kms:ScheduleKeyDeletion",
    "kms:CreateGrant",
    "kms:RetireGrant",
    "kms:ListKeys",
    "kms:FutureOperation",
    "s3:GetObject",
]

RESOURCES = [
    ["*"],
    [KEY_ARN],
    [OTHER_KEY_ARN],
    ["arn:aws:kms:*:key/*"],
    [f"arn:aws:kms:*-1:{ACCOUNT}:key/*"],
    [f"arn:aws:kms:us-east-1:{ACCOUNT}:key/${{aws:PrincipalTag/key}}"],
    [KEY_ARN, EXTERNAL_KEY_ARN],
]

# One clause per operator family and form, including variables, IfExists, set
# qualifiers and values of the wrong type.
CONDITIONS = [
    {"StringEquals": {"kms:EncryptionContext:tenant": ["acme", "globex"]}},
    {"StringNotEquals": {"kms:EncryptionContext:tenant": "acme"}},
    {"StringEqualsIgnoreCase": {"kms:EncryptionContext:tenant": "ACME"}},
    {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "BLUE"}},
    {"StringLike": {"kms:EncryptionContext:project": ["blue-*", "gr?en"]}},
    {"StringNotLike": {"kms:ViaService": "s3.*"}},
    {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    {"StringEquals": {"kms:CallerAccount": ACCOUNT}},
    {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/owner}"}},
    {"StringLike": {"kms:EncryptionContext:tenant": "${aws:PrincipalTag/team}*"}},
    {"StringEquals": {"aws:PrincipalAccount": "${aws:ResourceAccount, '1'}"}},
    {"StringEqualsIfExists": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": ["60", "3600"]}},
    {"NumericNotEquals": {"aws:MultiFactorAuthAge": "60"}},
    {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
    {"DateLessThanEquals": {"aws:EpochTime": "1773576000"}},
    {"DateNotEquals": {"aws:CurrentTime": "2026-03-15T12:00:00Z"}},
    {"Bool": {"aws:SecureTransport": "false"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
    {"BinaryEquals": {"aws:PrincipalTag/blob": "YWJj"}},
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
    {"NotIpAddress": {"aws:SourceIp": "198.51.100.0/24"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}},
    {"ArnNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/alice"}},
    {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:*"}},
    {"Null": {"kms:EncryptionContextKeys": "true"}},
    {"Null": {"aws:PrincipalTag/team": "false"}},
    {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["tenant", "project"]}},
    {"ForAnyValue:StringLike": {"kms:EncryptionContextKeys": "ten*"}},
    {"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT"}},
]

# KMS rejects aws:ResourceTag keys and kms:ResourceAliases in key policies, so
# only IAM policies get these.
IDENTITY_CONDITIONS = [
    *CONDITIONS,
    {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/app"}},
    {"StringEquals": {"aws:ResourceTag/env": "prod"}},
    {"StringNotEquals": {"aws:ResourceTag/env": ["dev", "x"]}},
]

ALLOW_ALL = {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"}

# Statements that open most generated key policies, as real key policies do.
KEY_POLICY_OPENINGS = [
    [],
    [
        {
            "Sid": "Delegate",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
    [
        {
            "Sid": "Use",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:role/AppRole", EXTERNAL]},
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
        }
    ],
]

CONTEXT_CHOICES = {
    "aws:SourceIp": ["203.0.113.9", "198.51.100.4", "2001:db8::5", "not-an-ip"],
    "kms:ViaService": ["s3.us-east-1.amazonaws.com", "ec2.us-east-1.amazonaws.com"],
    "aws:SecureTransport": ["true", "false"],
    "aws:PrincipalTag/team": ["blue", "acme", ["blue", "red"]],
    "aws:PrincipalTag/owner": ["blue", "green"],
    "aws:PrincipalTag/key": ["1a2b3c4d-0000-4000-8000-000000000001", "other"],
    "aws:PrincipalTag/blob": ["YWJj", "eHl6", "%%"],
    "aws:MultiFactorAuthAge": ["60", "7200", "n/a"],
    "aws:MultiFactorAuthPresent": ["true", "false"],
    "aws:CurrentTime": ["2026-03-15T12:00:00Z", "2025-06-01T00:00:00Z"],
    "aws:EpochTime": ["1773576000", "1700000000"],
    "aws:PrincipalArn": [
        f"arn:aws:iam::{ACCOUNT}:role/team/AppRole",
        f"arn:aws:iam::{ACCOUNT}:user/alice",
    ],
    "kms:callerAccount": [EXTERNAL],
    "aws:SourceVpce": ["vpce-1"],
    "kms:encryptionContextKeys": [["tenant"], []],
    "kms:EncryptionContext:TENANT": ["globex"],
}

ENCRYPTION_CONTEXTS = [
    {},
    {"tenant": "acme"},
    {"tenant": "globex", "project": "blue-1"},
    {"Tenant": "acme", "tenant": "globex"},
    {"project": "green"},
]

KEYS = [
    None,
    {"spec": "SYMMETRIC_DEFAULT", "aliases": ["alias/app"], "tags": {"env": "prod"}},
    {"usage": "SIGN_VERIFY", "multi_region": True, "tags": {"Env": "dev", "env": "x"}},
]


@st.composite
def statements(draw, with_principal: bool | str, effects=("Allow", "Allow", "Deny")):
    statement: dict = {"Effect": draw(st.sampled_from(effects))}
    if with_principal == "*":
        statement["Principal"] = "*"
    elif with_principal:
        statement.update(draw(principal_elements(statement["Effect"])))

    actions = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3))
    statement["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = actions

    resources = draw(st.sampled_from(RESOURCES))
    statement["NotResource" if draw(st.integers(0, 7)) == 0 else "Resource"] = resources

    condition: dict = {}
    choices = CONDITIONS if with_principal else IDENTITY_CONDITIONS
    for block in draw(st.lists(st.sampled_from(choices), max_size=2)):
        for operator, keys in block.items():
            condition.setdefault(operator, {}).update(keys)
    if condition:
        statement["Condition"] = condition
    return statement


@st.composite
def principal_elements(draw, effect: str):
    if draw(st.integers(0, 5)) == 0:
        return {"Principal": "*"}

    merged: dict[str, list[str]] = {}
    for value in draw(
        st.lists(st.sampled_from(PRINCIPAL_VALUES), min_size=1, max_size=3)
    ):
        for kind, entry in value.items():
            merged.setdefault(kind, []).append(entry)

    negated = effect == "Deny" and draw(st.integers(0, 3)) == 0
    if negated:
        merged.pop("Service", None)
        merged.pop("Federated", None)
        merged.setdefault("AWS", [ACCOUNT])
    return {"NotPrincipal" if negated else "Principal": merged}


def documents(
    with_principal: bool | str,
    max_statements: int = 4,
    effects=("Allow", "Allow", "Deny"),
    allow_all: bool = False,
):
    """Policies of 1 to ``max_statements`` statements. ``with_principal`` is
    ``"*"`` for RCPs, whose statements must name every principal. ``allow_all``
    sometimes puts an Allow of everything first, as guardrail policies have."""
    body = st.lists(
        statements(with_principal, effects), min_size=1, max_size=max_statements
    )
    version = st.sampled_from(["2012-10-17", "2012-10-17", "2008-10-17"])
    opening = ALLOW_ALL
    if with_principal:
        opening = {**ALLOW_ALL, "Principal": "*"}
    first = st.sampled_from([[opening], [opening], []] if allow_all else [[]])
    return st.builds(
        lambda first, statements, version: {
            "Version": version,
            "Statement": [
                *first,
                *({"Sid": f"S{i}", **s} for i, s in enumerate(statements)),
            ],
        },
        first,
        body,
        version,
    )


def rarely(strategy, otherwise):
    """Draw from ``strategy`` one time in four, else return ``otherwise``."""
    return st.sampled_from([True, False, False, False]).flatmap(
        lambda chosen: strategy if chosen else st.just(otherwise)
    )


@st.composite
def grants(draw):
    grant = {
        "GranteePrincipal": draw(
            st.sampled_from([*CALLERS[:4], f"arn:aws:iam::{ACCOUNT}:role/AppRole"])
        ),
        "Operations": draw(
            st.lists(
                st.sampled_from(["Decrypt", "Encrypt", "DescribeKey", "RetireGrant"]),
                min_size=1,
                max_size=3,
            )
        ),
        "GrantId": f"g{draw(st.integers(0, 99))}",
    }
    constraint = draw(
        st.sampled_from([None, "EncryptionContextEquals", "EncryptionContextSubset"])
    )
    if constraint is not None:
        grant["Constraints"] = {constraint: draw(st.sampled_from(ENCRYPTION_CONTEXTS))}
    return grant


def levels(policies):
    return st.lists(st.lists(policies, min_size=1, max_size=2), min_size=1, max_size=2)


@st.composite
def scenarios(draw):
    """Return (policy documents by role, grants, request fields, key fields)."""
    key_policy = draw(documents(True, max_statements=5))
    key_policy["Statement"][:0] = draw(st.sampled_from(KEY_POLICY_OPENINGS))
    documents_by_role = {
        "key_policy": key_policy,
        "identity_policies": draw(st.lists(documents(False), max_size=2)),
        "permission_boundary": draw(rarely(documents(False, 2, allow_all=True), None)),
        "session_policies": draw(
            rarely(st.lists(documents(False, 2, allow_all=True), max_size=1), [])
        ),
        "scps": draw(rarely(levels(documents(False, 2, allow_all=True)), [])),
        "rcps": draw(rarely(levels(documents("*", 2, ("Deny",), True)), [])),
        "vpce_policy": draw(rarely(documents(True, 2, allow_all=True), None)),
    }

    context = {}
    for name, values in CONTEXT_CHOICES.items():
        if draw(st.integers(0, 2)) == 0:
            context[name] = draw(st.sampled_from(values))
    request = {
        "principal": draw(st.sampled_from(CALLERS)),
        "action": draw(st.sampled_from(REQUEST_ACTIONS)),
        "resource": draw(st.sampled_from([KEY_ARN] * 3 + [EXTERNAL_KEY_ARN, "*"])),
        "context": context,
        "encryption_context": draw(st.sampled_from(ENCRYPTION_CONTEXTS)),
    }
    grant_list = draw(st.lists(grants(), max_size=3))
    return documents_by_role, grant_list, request, draw(st.sampled_from(KEYS))


_KINDS = {
    "key_policy": PolicyKind.KEY,
    "identity_policies": PolicyKind.IDENTITY,
    "permission_boundary": PolicyKind.IDENTITY,
    "session_policies": PolicyKind.IDENTITY,
    "scps": PolicyKind.SCP,
    "rcps": PolicyKind.RCP,
    "vpce_policy": PolicyKind.VPCE,
}


def _parse(document: dict, role: str):
    policy = parse_policy(json.dumps(document, indent=2), kind=_KINDS[role], name=role)
    return policy if policy.is_valid else None


def _build_policy_set(documents_by_role: dict, grant_list: list) -> PolicySet | None:
    """Parse every document; return None when one is invalid (AWS would reject it)."""
    fields: dict = {"grants": [Grant.model_validate(g) for g in grant_list]}
    for role, value in documents_by_role.items():
        if value is None:
            continue
        if isinstance(value, dict):
            fields[role] = _parse(value, role)
            if fields[role] is None:
                return None
        elif role in ("scps", "rcps"):
            fields[role] = [[_parse(d, role) for d in level] for level in value]
            if any(p is None for level in fields[role] for p in level):
                return None
        else:
            fields[role] = [_parse(d, role) for d in value]
            if any(p is None for p in fields[role]):
                return None
    return PolicySet(**fields)


def _outcome(function, *arguments):
    """Return the decision, or the error type and code when the call raises."""
    try:
        return function(*arguments)
    except KmsPolicyError as error:
        return (type(error).__name__, error.code)


def _engine_for(policies: PolicySet, request: Request) -> Engine | None:
    """Register a policy set in an Engine so that it is in force for ``request``.

    Returns None when the Engine cannot express the set for this request: a VPC
    endpoint policy without ``aws:SourceVpce``, or grants on a request for ``*``.
    """
    source_vpce = request.context.get("aws:SourceVpce")
    if policies.vpce_policy is not None and not isinstance(source_vpce, str):
        return None
    if policies.grants and request.resource == "*":
        return None

    engine = Engine()
    engine.add_key(request.resource, policies.key_policy, grants=policies.grants)
    engine.add_principal(
        request.principal,
        policies.identity_policies,
        policies.permission_boundary,
        policies.session_policies,
    )
    caller = parse_caller(request.principal)
    if caller is not None and caller.account is not None:
        engine.set_scps(caller.account, policies.scps)
    parts = request.resource.split(":")
    if len(parts) > 5:
        engine.set_rcps(parts[4], policies.rcps)
    if policies.vpce_policy is not None:
        engine.add_vpce_policy(source_vpce, policies.vpce_policy)
    return engine


def _check_all_paths(request: Request, policies: PolicySet, key: KeyMetadata | None):
    expected = _outcome(decide, request, policies, key)

    compiled = _outcome(compile_policy_set, policies)
    if isinstance(compiled, tuple):
        assert compiled == expected
        return
    assert _outcome(decide_compiled, request, compiled, key) == expected

    engine = _engine_for(policies, request)
    if engine is None:
        return
    assert _outcome(engine.decide, request, key) == expected
    if key is None:
        assert _outcome(engine.decide_batch, [request, request]) in (
            [expected, expected],
            expected,
        )


# -- every case file ---------------------------------------------------------------


def _case_files():
    files = sorted((CORPUS / "cases").glob("*.json"))
    if SPEC_CASES.is_dir():
        files.extend(sorted(SPEC_CASES.glob("*.json")))
    return files


def _decision_cases():
    params = []
    for path in _case_files():
        for case in load_cases(path):
            # Validation cases decide nothing, and operation cases authorize
            # several requests through kmspolicy.operations.
            if case.get("expected_validation") == "invalid" or "request" not in case:
                continue
            params.append(pytest.param(path, case, id=f"{path.stem}:{case.get('id')}"))
    return params


@pytest.mark.parametrize("path,case", _decision_cases())
def test_case_file_same_decision(path, case):
    policies = policy_set_from_case(case["policies"], path.parent, [])
    assert isinstance(policies, PolicySet), "the case's key policy is invalid"
    request = request_from_case(case["request"])
    key = KeyMetadata.model_validate(case["key"]) if case.get("key") else None

    _check_all_paths(request, policies, key)


def test_case_files_found():
    assert len(_decision_cases()) >= 101


# -- generated policy sets ---------------------------------------------------------


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(scenarios())
def test_generated_same_decision(scenario):
    documents_by_role, grant_list, request_fields, key_fields = scenario
    policies = _build_policy_set(documents_by_role, grant_list)
    assume(policies is not None)
    request = Request(**request_fields)
    key = None if key_fields is None else KeyMetadata(**key_fields)

    _check_all_paths(request, policies, key)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(documents(True, max_statements=6), min_size=2, max_size=2),
    st.lists(st.tuples(st.sampled_from(CALLERS[:8]), st.sampled_from(REQUEST_ACTIONS))),
    st.sampled_from(ENCRYPTION_CONTEXTS),
)
def test_batch_many_keys_same_decisions(key_documents, calls, encryption_context):
    key_policies = [_parse(document, "key_policy") for document in key_documents]
    assume(all(policy is not None for policy in key_policies))
    engine = Engine()
    for arn, policy in zip((KEY_ARN, OTHER_KEY_ARN), key_policies, strict=True):
        engine.add_key(arn, policy)

    requests = [
        Request(
            principal=principal,
            action=action,
            resource=(KEY_ARN, OTHER_KEY_ARN)[position % 2],
            encryption_context=encryption_context,
            request_id=str(position),
        )
        for position, (principal, action) in enumerate(calls)
    ]
    expected = [
        decide(request, PolicySet(key_policy=key_policies[position % 2]))
        for position, request in enumerate(requests)
    ]

    assert engine.decide_batch(requests) == expected


# -- the index -------------------------------------------------------------------


def test_index_narrows_to_named_principal():
    statements = [
        {
            "Sid": f"User{n}",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/u{n}"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
        for n in range(50)
    ]
    document = {"Version": "2012-10-17", "Statement": statements}
    compiled = compile_policy(_parse(document, "key_policy"))
    caller = parse_caller(f"arn:aws:iam::{ACCOUNT}:user/u7")

    found = compiled.candidates(Effect.ALLOW, "kms:decrypt", caller_keys(caller))

    assert [statement.ref.sid for statement in found] == ["User7"]
    assert compiled.candidates(Effect.ALLOW, "kms:encrypt", caller_keys(caller)) == ()


def test_index_expands_not_action():
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllButDelete",
                "Effect": "Allow",
                "Principal": "*",
                "NotAction": ["kms:ScheduleKey*", "s3:*"],
                "Resource": "*",
            }
        ],
    }
    compiled = compile_policy(_parse(document, "key_policy"))
    (statement,) = compiled.statements

    assert "kms:decrypt" in statement.actions
    assert "kms:schedulekeydeletion" not in statement.actions
    assert statement.action_matches("kms:futureoperation")
    assert not statement.action_matches("s3:getobject")
    assert statement.action_matches("iam:createuser")


def test_compile_rejects_invalid_policy():
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}
    policy = parse_policy(json.dumps(document), kind=PolicyKind.KEY, name="bad")
    assert not policy.is_valid

    with pytest.raises(KmsPolicyError):
        compile_policy(policy)
