"""Grant tokens after retirement, ListRetirableGrants, no escalation, grant files."""

from __future__ import annotations

import pytest

from kmspolicy import Grant, PolicySet
from kmspolicy.errors import RequestError
from kmspolicy.grants import GrantStore
from kmspolicy.grants.load import grant_entries, load_grant_store
from kmspolicy.operations import KmsApiError, authorize_operation, perform_operation
from operations_support import (
    ANA,
    BO,
    KEY,
    OTHER,
    ROOT,
    identity,
    key_ring,
    request,
)

NO_POLICIES = PolicySet()


def create(principal, store, **parameters):
    operation_request = request("CreateGrant", principal=principal, **parameters)
    return perform_operation(operation_request, key_ring(), NO_POLICIES, store)


# -- RetireGrant with a used token --------------------------------------------


def test_retire_twice_with_token_fails():
    store = GrantStore()
    token = create(
        ROOT, store, KeyId=KEY, GranteePrincipal=BO, Operations=["Decrypt"]
    ).response["GrantToken"]
    retire = request("RetireGrant", principal=ROOT, GrantToken=token)
    assert perform_operation(retire, key_ring(), NO_POLICIES, store).decision.allowed

    with pytest.raises(KmsApiError) as raised:
        perform_operation(retire, key_ring(), NO_POLICIES, store)
    assert raised.value.code == "InvalidGrantTokenException"
    assert raised.value.parameter == "GrantToken"


# -- ListRetirableGrants ------------------------------------------------------


def list_retirable(principal: str):
    store = GrantStore(
        [
            Grant.model_validate(
                {
                    "KeyId": KEY,
                    "GranteePrincipal": BO,
                    "Operations": ["Decrypt"],
                    "RetiringPrincipal": principal,
                }
            )
        ]
    )
    policies = PolicySet(identity_policies=[identity("kms:ListRetirableGrants")])
    listing = request("ListRetirableGrants", RetiringPrincipal=principal)
    return perform_operation(listing, key_ring(), policies, store)


def test_list_retirable_other_account_rejected():
    outsider = f"arn:aws:iam::{OTHER}:role/retirer"
    with pytest.raises(KmsApiError) as raised:
        list_retirable(outsider)
    assert raised.value.code == "ValidationException"
    assert raised.value.parameter == "RetiringPrincipal"
    assert raised.value.value == outsider


def test_list_retirable_own_account_listed():
    result = list_retirable(ANA)
    assert [g["RetiringPrincipal"] for g in result.response["Grants"]] == [ANA]


# -- no escalation ------------------------------------------------------------


def parent_token(store: GrantStore, constraints: dict) -> str:
    result = create(
        ROOT,
        store,
        KeyId=KEY,
        GranteePrincipal=BO,
        Operations=["Decrypt", "CreateGrant"],
        Constraints=constraints,
    )
    return result.response["GrantToken"]


def child_allowed(store: GrantStore, token: str, constraints: dict) -> bool:
    child = request(
        "CreateGrant",
        principal=BO,
        KeyId=KEY,
        GranteePrincipal=ANA,
        Operations=["Decrypt"],
        GrantTokens=[token],
        Constraints=constraints,
    )
    return authorize_operation(child, key_ring(), NO_POLICIES, store).allowed


def test_child_with_both_kinds_one_suffices():
    store = GrantStore()
    token = parent_token(store, {"EncryptionContextSubset": {"a": "1"}})
    stricter = {
        "EncryptionContextEquals": {"a": "1", "b": "2"},
        "EncryptionContextSubset": {"c": "3"},
    }
    assert child_allowed(store, token, stricter)


def test_child_with_both_kinds_neither_denied():
    store = GrantStore()
    token = parent_token(store, {"EncryptionContextSubset": {"a": "1"}})
    wider = {
        "EncryptionContextEquals": {"b": "2"},
        "EncryptionContextSubset": {"c": "3"},
    }
    assert not child_allowed(store, token, wider)


def test_child_equals_case_variant_keys_denied():
    store = GrantStore()
    token = parent_token(store, {"EncryptionContextEquals": {"a": "1"}})
    two_pairs = {"EncryptionContextEquals": {"a": "1", "A": "1"}}
    assert not child_allowed(store, token, two_pairs)


def test_child_subset_case_variant_value_denied():
    store = GrantStore()
    token = parent_token(store, {"EncryptionContextSubset": {"a": "1", "A": "2"}})
    assert not child_allowed(store, token, {"EncryptionContextSubset": {"a": "1"}})
    both = {"EncryptionContextSubset": {"a": "1", "A": "2"}}
    assert child_allowed(store, token, both)


# -- grant entries with tokens ------------------------------------------------

GRANT = {"KeyId": KEY, "GranteePrincipal": BO, "Operations": ["Decrypt"]}


@pytest.mark.parametrize("tokens", [[{"t": 1}], [[]], "tok-123", [""], 7], ids=repr)
def test_grant_tokens_must_be_strings(tokens):
    with pytest.raises(RequestError) as raised:
        grant_entries([{**GRANT, "GrantTokens": tokens}])
    assert "GrantTokens" in raised.value.message


@pytest.mark.parametrize("value", [True, 1, "grants", None])
def test_grant_entries_must_be_list(value):
    with pytest.raises(RequestError):
        grant_entries(value)


def test_propagated_must_be_boolean():
    with pytest.raises(RequestError) as raised:
        grant_entries([{**GRANT, "Propagated": "no"}])
    assert "Propagated" in raised.value.message


def test_token_names_one_grant():
    entries = [{**GRANT, "GrantTokens": ["t"]}, {**GRANT, "GrantTokens": ["t"]}]
    with pytest.raises(RequestError) as raised:
        grant_entries(entries)
    assert "'t'" in raised.value.message


def test_unpropagated_grant_needs_token():
    store = load_grant_store([{**GRANT, "GrantTokens": ["t"], "Propagated": False}])
    assert store.usable_grants(KEY) == []
    assert len(store.usable_grants(KEY, ["t"])) == 1
