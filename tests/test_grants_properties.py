"""Property: a request allowed only by a grant is allowed exactly when grantee,
operation and constraint all match."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kmspolicy import Grant, PolicySet
from kmspolicy.grants import GrantStore
from kmspolicy.operations import authorize_operation
from operations_support import ACCOUNT, KEY, key_ring, request

PRINCIPALS = [f"arn:aws:iam::{ACCOUNT}:user/{name}" for name in ("ana", "bo", "cy")]
OPERATIONS = ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey", "ReEncryptFrom"]
CONTEXT_KEYS = ["a", "A", "b", "c"]
CONTEXT_VALUES = ["1", "2", "x"]

contexts = st.dictionaries(
    st.sampled_from(CONTEXT_KEYS), st.sampled_from(CONTEXT_VALUES), max_size=3
)


@st.composite
def grants(draw):
    kind = draw(
        st.sampled_from([None, "EncryptionContextEquals", "EncryptionContextSubset"])
    )
    document = {
        "KeyId": KEY,
        "GranteePrincipal": draw(st.sampled_from(PRINCIPALS)),
        "Operations": draw(
            st.lists(st.sampled_from(OPERATIONS), min_size=1, unique=True)
        ),
    }
    if kind is not None:
        document["Constraints"] = {kind: draw(contexts)}
    return Grant.model_validate(document)


def _parameters(operation: str, context: dict) -> dict:
    if operation == "Encrypt":
        return {"KeyId": KEY, "Plaintext": b"p", "EncryptionContext": context}
    if operation == "GenerateDataKey":
        return {"KeyId": KEY, "NumberOfBytes": 32, "EncryptionContext": context}
    if operation == "DescribeKey":
        return {"KeyId": KEY}
    return {"KeyId": KEY, "EncryptionContext": context}


def _folded(pairs: dict) -> dict:
    return {name.lower(): value for name, value in pairs.items()}


def _expected(grant: Grant, principal: str, operation: str, context: dict) -> bool:
    if grant.grantee_principal != principal or operation not in grant.operations:
        return False
    if operation == "DescribeKey" or grant.constraints is None:
        return True
    equals = grant.constraints.encryption_context_equals
    if equals is not None:
        # Two keys of the constraint that differ only by case are two pairs.
        pairs = {(k.lower(), v) for k, v in equals.items()}
        request_pairs = {(k.lower(), v) for k, v in context.items()}
        return pairs == request_pairs and len(equals) == len(context)
    subset = grant.constraints.encryption_context_subset
    request_pairs = _folded(context)
    return all(request_pairs.get(k.lower()) == v for k, v in subset.items())


@settings(max_examples=300, deadline=None)
@given(
    grant=grants(),
    principal=st.sampled_from(PRINCIPALS),
    operation=st.sampled_from(["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"]),
    context=contexts,
)
def test_grant_only_decision(grant, principal, operation, context):
    # Keys in a request context differ by more than case, as KMS's own
    # comparison of grant constraints folds key case.
    assume(len(_folded(context)) == len(context))
    operation_request = request(
        operation, principal=principal, **_parameters(operation, context)
    )
    store = GrantStore([grant])
    decision = authorize_operation(operation_request, key_ring(), PolicySet(), store)

    assert decision.allowed is _expected(grant, principal, operation, context)
    if decision.allowed:
        assert decision.steps[0].decision.grant is not None
