"""Grant rules: constraints, key types, no escalation, idempotency, retire, revoke."""

from __future__ import annotations

import pytest

from kmspolicy import Grant, PolicySet
from kmspolicy.evaluate.decision import Outcome
from kmspolicy.grants import GrantStore
from kmspolicy.operations import KmsApiError, authorize_operation, perform_operation
from operations_support import (
    ACCOUNT,
    ANA,
    BO,
    HMAC_KEY,
    KEY,
    OTHER,
    ROOT,
    SIGN_KEY,
    allow_all,
    identity,
    key_ring,
    request,
)

NO_POLICIES = PolicySet()


def grant(**fields) -> Grant:
    document = {
        "KeyId": KEY,
        "GranteePrincipal": BO,
        "Operations": ["Decrypt"],
        **fields,
    }
    return Grant.model_validate(document)


def decrypt(store, principal=BO, context=None, **parameters):
    operation_request = request(
        "Decrypt",
        principal=principal,
        KeyId=KEY,
        EncryptionContext=context or {},
        **parameters,
    )
    return authorize_operation(operation_request, key_ring(), NO_POLICIES, store)


def create(principal, store, policies=NO_POLICIES, **parameters):
    operation_request = request("CreateGrant", principal=principal, **parameters)
    return perform_operation(operation_request, key_ring(), policies, store)


# -- constraints --------------------------------------------------------------


def test_equals_rejects_one_extra_pair():
    store = GrantStore(
        [grant(Constraints={"EncryptionContextEquals": {"a": "1", "b": "2"}})]
    )
    decision = decrypt(store, context={"a": "1", "b": "2", "c": "3"})
    assert decision.outcome is Outcome.IMPLICIT_DENY


def test_equals_accepts_pairs_in_other_order():
    store = GrantStore(
        [grant(Constraints={"EncryptionContextEquals": {"a": "1", "b": "2"}})]
    )
    decision = decrypt(store, context={"b": "2", "a": "1"})
    assert decision.allowed
    assert decision.steps[0].decision.grant is not None


def test_equals_rejects_missing_pair():
    store = GrantStore(
        [grant(Constraints={"EncryptionContextEquals": {"a": "1", "b": "2"}})]
    )
    assert not decrypt(store, context={"a": "1"}).allowed


def test_equals_keys_ignore_case_values_do_not():
    store = GrantStore(
        [grant(Constraints={"EncryptionContextEquals": {"Tenant": "acme"}})]
    )
    assert decrypt(store, context={"tenant": "acme"}).allowed
    assert not decrypt(store, context={"tenant": "ACME"}).allowed


def test_subset_accepts_extra_pairs():
    store = GrantStore([grant(Constraints={"EncryptionContextSubset": {"a": "1"}})])
    assert decrypt(store, context={"a": "1", "z": "9"}).allowed


def test_subset_rejects_missing_context():
    store = GrantStore([grant(Constraints={"EncryptionContextSubset": {"a": "1"}})])
    assert not decrypt(store).allowed


def test_empty_equals_matches_absent_context():
    store = GrantStore([grant(Constraints={"EncryptionContextEquals": {}})])
    assert decrypt(store).allowed
    assert not decrypt(store, context={"a": "1"}).allowed


def test_constraints_ignored_for_describe_key():
    store = GrantStore(
        [
            grant(
                Operations=["DescribeKey"],
                Constraints={"EncryptionContextEquals": {"a": "1"}},
            )
        ]
    )
    operation_request = request("DescribeKey", principal=BO, KeyId=KEY)
    assert authorize_operation(
        operation_request, key_ring(), NO_POLICIES, store
    ).allowed


def test_source_arn_constraint():
    from kmspolicy.operations import CallerIdentity, OperationRequest

    source = "arn:aws:logs:us-east-1:111122223333:log-group:x"
    store = GrantStore(
        [grant(Operations=["DescribeKey"], Constraints={"SourceArn": source})]
    )

    def describe(context):
        caller = CallerIdentity(principal=BO, context=context)
        operation_request = OperationRequest(
            operation="DescribeKey", parameters={"KeyId": KEY}, caller=caller
        )
        return authorize_operation(operation_request, key_ring(), NO_POLICIES, store)

    assert describe({"aws:SourceArn": source}).allowed
    assert not describe({"aws:SourceArn": source + "y"}).allowed
    assert not describe({}).allowed


# -- grantee ------------------------------------------------------------------


def test_grant_never_helps_another_principal():
    store = GrantStore([grant()])
    assert decrypt(store, principal=BO).allowed
    assert not decrypt(store, principal=ANA).allowed
    assert not decrypt(store, principal=f"arn:aws:iam::{OTHER}:user/bo").allowed


def test_role_grantee_covers_its_sessions():
    role = f"arn:aws:iam::{ACCOUNT}:role/Reader"
    store = GrantStore([grant(GranteePrincipal=role)])
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/s1"
    other = f"arn:aws:sts::{ACCOUNT}:assumed-role/Writer/s1"
    assert decrypt(store, principal=session).allowed
    assert not decrypt(store, principal=other).allowed


def test_grant_does_not_cover_other_operation():
    store = GrantStore([grant()])
    operation_request = request("Encrypt", principal=BO, KeyId=KEY, Plaintext=b"x")
    assert not authorize_operation(
        operation_request, key_ring(), NO_POLICIES, store
    ).allowed


def test_explicit_deny_beats_grant():
    store = GrantStore([grant()])
    policies = PolicySet(identity_policies=[identity("kms:Decrypt", effect="Deny")])
    operation_request = request("Decrypt", principal=BO, KeyId=KEY)
    decision = authorize_operation(operation_request, key_ring(), policies, store)
    assert decision.outcome is Outcome.EXPLICIT_DENY


# -- key types ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "operations"),
    [
        (KEY, ["Sign"]),
        (KEY, ["GenerateMac"]),
        (SIGN_KEY, ["Decrypt"]),
        (SIGN_KEY, ["GenerateDataKey"]),
        (HMAC_KEY, ["Encrypt"]),
        (HMAC_KEY, ["GetPublicKey"]),
    ],
)
def test_operation_invalid_for_key_type(key, operations):
    store = GrantStore()
    with pytest.raises(KmsApiError) as raised:
        create(ROOT, store, KeyId=key, GranteePrincipal=BO, Operations=operations)
    assert raised.value.code == "ValidationException"
    assert raised.value.parameter == "Operations"


@pytest.mark.parametrize(
    ("key", "operations"),
    [
        (KEY, ["Decrypt", "ReEncryptFrom", "GenerateDataKeyPair", "RetireGrant"]),
        (SIGN_KEY, ["Sign", "Verify", "GetPublicKey", "DescribeKey"]),
        (HMAC_KEY, ["GenerateMac", "VerifyMac", "CreateGrant"]),
    ],
)
def test_operation_valid_for_key_type(key, operations):
    store = GrantStore()
    result = create(ROOT, store, KeyId=key, GranteePrincipal=BO, Operations=operations)
    assert result.response["GrantId"]


def test_error_name_is_configurable():
    store = GrantStore(invalid_operation_error="ValidationError")
    with pytest.raises(KmsApiError) as raised:
        create(ROOT, store, KeyId=KEY, GranteePrincipal=BO, Operations=["Sign"])
    assert raised.value.code == "ValidationError"


def test_context_constraint_only_on_symmetric_key():
    store = GrantStore()
    with pytest.raises(KmsApiError) as raised:
        create(
            ROOT,
            store,
            KeyId=SIGN_KEY,
            GranteePrincipal=BO,
            Operations=["Sign"],
            Constraints={"EncryptionContextSubset": {"a": "1"}},
        )
    assert raised.value.parameter == "Constraints"


# -- no escalation ------------------------------------------------------------


def parent_store(**constraints) -> tuple[GrantStore, str]:
    store = GrantStore()
    parameters = {
        "KeyId": KEY,
        "GranteePrincipal": BO,
        "Operations": ["Decrypt", "CreateGrant"],
    }
    if constraints:
        parameters["Constraints"] = constraints
    result = create(ROOT, store, **parameters)
    return store, result.response["GrantToken"]


def child(store, token, operations=("Decrypt",), **constraints):
    parameters = {
        "KeyId": KEY,
        "GranteePrincipal": ANA,
        "Operations": list(operations),
        "GrantTokens": [token],
    }
    if constraints:
        parameters["Constraints"] = constraints
    return create(BO, store, **parameters)


def test_child_operations_must_be_subset():
    store, token = parent_store()
    assert child(store, token).decision.allowed
    denied = child(store, token, operations=("Decrypt", "Encrypt"))
    assert not denied.decision.allowed
    assert "does not list Encrypt" in denied.decision.notes[0]


def test_child_may_delegate_create_grant_only_if_parent_does():
    store = GrantStore(
        [
            grant(Operations=["CreateGrant"]),
        ]
    )
    operation_request = request(
        "CreateGrant",
        principal=BO,
        KeyId=KEY,
        GranteePrincipal=ANA,
        Operations=["CreateGrant"],
    )
    assert authorize_operation(
        operation_request, key_ring(), NO_POLICIES, store
    ).allowed


def test_parent_subset_child_must_contain_pairs():
    store, token = parent_store(EncryptionContextSubset={"a": "1"})
    assert not child(store, token).decision.allowed
    assert child(
        store, token, EncryptionContextSubset={"a": "1", "b": "2"}
    ).decision.allowed
    assert child(store, token, EncryptionContextEquals={"a": "1"}).decision.allowed
    assert not child(store, token, EncryptionContextSubset={"b": "2"}).decision.allowed


def test_parent_equals_child_must_equal():
    store, token = parent_store(EncryptionContextEquals={"a": "1"})
    assert child(store, token, EncryptionContextEquals={"a": "1"}).decision.allowed
    assert not child(store, token, EncryptionContextSubset={"a": "1"}).decision.allowed
    assert not child(
        store, token, EncryptionContextEquals={"a": "1", "b": "2"}
    ).decision.allowed


def test_policy_create_grant_is_not_limited():
    store, _ = parent_store()
    policies = PolicySet(identity_policies=[identity("kms:CreateGrant")])
    result = create(
        BO, store, policies, KeyId=KEY, GranteePrincipal=ANA, Operations=["Encrypt"]
    )
    assert result.decision.allowed
    assert result.decision.steps[0].decision.grant is None


# -- idempotency and tokens ---------------------------------------------------


def test_named_grant_is_idempotent():
    store = GrantStore()
    parameters = {
        "KeyId": KEY,
        "GranteePrincipal": BO,
        "Operations": ["Decrypt"],
        "Name": "n1",
    }
    first = create(ROOT, store, **parameters).response
    second = create(ROOT, store, **parameters).response
    assert first["GrantId"] == second["GrantId"]
    assert first["GrantToken"] != second["GrantToken"]
    assert len(store.list_grants(KEY)) == 1


def test_unnamed_grants_are_distinct():
    store = GrantStore()
    parameters = {"KeyId": KEY, "GranteePrincipal": BO, "Operations": ["Decrypt"]}
    first = create(ROOT, store, **parameters).response
    second = create(ROOT, store, **parameters).response
    assert first["GrantId"] != second["GrantId"]


def test_same_name_different_operations_creates_new_grant():
    store = GrantStore()
    base = {"KeyId": KEY, "GranteePrincipal": BO, "Name": "n1"}
    first = create(ROOT, store, Operations=["Decrypt"], **base).response
    second = create(ROOT, store, Operations=["Encrypt"], **base).response
    assert first["GrantId"] != second["GrantId"]


def test_token_makes_new_grant_usable_at_once():
    store = GrantStore(eventual_consistency=True)
    token = create(
        ROOT, store, KeyId=KEY, GranteePrincipal=BO, Operations=["Decrypt"]
    ).response["GrantToken"]
    assert not decrypt(store).allowed
    assert decrypt(store, GrantTokens=[token]).allowed
    store.propagate()
    assert decrypt(store).allowed


def test_token_of_retired_grant_conveys_nothing():
    store = GrantStore()
    result = create(
        ROOT,
        store,
        KeyId=KEY,
        GranteePrincipal=BO,
        Operations=["Decrypt", "RetireGrant"],
    ).response
    retire = request("RetireGrant", principal=BO, GrantToken=result["GrantToken"])
    assert perform_operation(retire, key_ring(), NO_POLICIES, store).decision.allowed
    assert not decrypt(store, GrantTokens=[result["GrantToken"]]).allowed


# -- retire and revoke --------------------------------------------------------


def retire_decision(store, principal, grant_id, policies=NO_POLICIES):
    operation_request = request(
        "RetireGrant", principal=principal, KeyId=KEY, GrantId=grant_id
    )
    return authorize_operation(operation_request, key_ring(), policies, store)


def test_retiring_principal_may_retire():
    record = (store := GrantStore()).add(grant(RetiringPrincipal=ANA))
    assert retire_decision(store, ANA, record.grant.grant_id).allowed


def test_grantee_needs_retire_grant_operation():
    store = GrantStore()
    plain = store.add(grant())
    listing = store.add(grant(Operations=["Decrypt", "RetireGrant"]))
    assert not retire_decision(store, BO, plain.grant.grant_id).allowed
    decision = retire_decision(store, BO, listing.grant.grant_id)
    assert decision.allowed
    assert decision.steps[0].decision.grant is not None


def test_issuing_account_root_may_retire():
    record = (store := GrantStore()).add(grant())
    assert retire_decision(store, ROOT, record.grant.grant_id).allowed


def test_issuing_account_principal_needs_iam():
    record = (store := GrantStore()).add(grant())
    grant_id = record.grant.grant_id
    assert not retire_decision(store, ANA, grant_id).allowed
    policies = PolicySet(identity_policies=[identity("kms:RetireGrant")])
    assert retire_decision(store, ANA, grant_id, policies).allowed


def test_key_policy_does_not_authorize_retire():
    outsider = f"arn:aws:iam::{OTHER}:user/eve"
    record = (store := GrantStore()).add(grant())
    policies = PolicySet(identity_policies=[identity("kms:RetireGrant")])
    assert not retire_decision(store, outsider, record.grant.grant_id, policies).allowed


def test_iam_deny_blocks_retire():
    record = (store := GrantStore()).add(grant(RetiringPrincipal=ANA))
    policies = PolicySet(identity_policies=[identity("kms:RetireGrant", effect="Deny")])
    decision = retire_decision(store, ANA, record.grant.grant_id, policies)
    assert decision.outcome is Outcome.EXPLICIT_DENY


def test_retiring_account_principal_with_iam():
    outsider = f"arn:aws:iam::{OTHER}:user/eve"
    record = (store := GrantStore()).add(
        grant(RetiringPrincipal=f"arn:aws:iam::{OTHER}:root")
    )
    policies = PolicySet(identity_policies=[identity("kms:RetireGrant")])
    assert retire_decision(store, outsider, record.grant.grant_id, policies).allowed
    assert not retire_decision(store, outsider, record.grant.grant_id).allowed


def test_revoke_is_policy_authorized():
    store = GrantStore()
    record = store.add(grant(RetiringPrincipal=ANA))
    revoke = request(
        "RevokeGrant", principal=BO, KeyId=KEY, GrantId=record.grant.grant_id
    )
    assert not perform_operation(
        revoke, key_ring(), NO_POLICIES, store
    ).decision.allowed
    policies = PolicySet(identity_policies=[identity("kms:RevokeGrant")])
    assert perform_operation(revoke, key_ring(), policies, store).decision.allowed
    assert store.list_grants(KEY) == []


def test_revoke_takes_no_token():
    store = GrantStore()
    revoke = request("RevokeGrant", KeyId=KEY, GrantId="0" * 64, GrantTokens=["t"])
    with pytest.raises(KmsApiError) as raised:
        authorize_operation(revoke, key_ring(), NO_POLICIES, store)
    assert raised.value.parameter == "GrantTokens"


# -- listing ------------------------------------------------------------------


def test_list_grants_filters():
    store = GrantStore([grant(), grant(GranteePrincipal=ANA, RetiringPrincipal=BO)])
    policies = PolicySet(identity_policies=[identity(["kms:ListGrants"])])
    listing = request("ListGrants", KeyId=KEY, GranteePrincipal=ANA)
    result = perform_operation(listing, key_ring(), policies, store)
    assert [g["GranteePrincipal"] for g in result.response["Grants"]] == [ANA]
    assert all("GrantToken" not in g for g in result.response["Grants"])


def test_list_grants_unknown_id():
    store = GrantStore([grant()])
    listing = request("ListGrants", KeyId=KEY, GrantId="f" * 64)
    with pytest.raises(KmsApiError) as raised:
        perform_operation(listing, key_ring(), allow_all(), store)
    assert raised.value.code == "InvalidGrantIdException"


def test_list_retirable_grants():
    store = GrantStore([grant(), grant(RetiringPrincipal=ANA)])
    policies = PolicySet(identity_policies=[identity("kms:ListRetirableGrants")])
    listing = request("ListRetirableGrants", RetiringPrincipal=ANA)
    result = perform_operation(listing, key_ring(), policies, store)
    assert [g.get("RetiringPrincipal") for g in result.response["Grants"]] == [ANA]
