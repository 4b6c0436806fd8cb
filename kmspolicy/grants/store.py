"""A grant store with the semantics of KMS CreateGrant, ListGrants,
ListRetirableGrants, RetireGrant and RevokeGrant.

The store keeps grants and their tokens but does not authorize. Authorization
of these operations is in ``kmspolicy.operations.authorize``, which reads the
grants usable on a key from the store.

KMS grants are eventually consistent: a new grant may take minutes to work
unless the caller presents its grant token. With ``eventual_consistency=True``
a new grant works only through its token until ``propagate()`` is called; by
default every grant works as soon as it is created.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field

from kmspolicy.evaluate.request import Grant, GrantConstraints, KeyMetadata
from kmspolicy.grants.rules import (
    has_context_constraint,
    key_type,
    unsupported_operations,
)
from kmspolicy.operations.errors import KmsApiError

logger = logging.getLogger(__name__)

MAX_GRANTS_PER_KEY = 50_000


@dataclass
class GrantRecord:
    """A stored grant with its tokens and lifecycle state."""

    grant: Grant
    tokens: set[str] = field(default_factory=set)
    propagated: bool = True
    active: bool = True

    @property
    def key_arn(self) -> str:
        return self.grant.key_id or ""


@dataclass(frozen=True, slots=True)
class CreateGrantResult:
    """The CreateGrant response; ``created`` is False when a named grant existed."""

    grant_id: str
    grant_token: str
    created: bool


class GrantStore:
    """Grants of every key, addressed by key ARN and grant ID.

    ``invalid_operation_error`` is the error code for a grant operation that the
    key type does not support. KMS documents it as ``ValidationError``; the
    default is ``ValidationException``, the name KMS's JSON errors use for every
    other parameter violation.
    """

    def __init__(
        self,
        grants: list[Grant] | None = None,
        eventual_consistency: bool = False,
        invalid_operation_error: str = "ValidationException",
    ) -> None:
        self._records: dict[tuple[str, str], GrantRecord] = {}
        self._tokens: dict[str, GrantRecord] = {}
        self.eventual_consistency = eventual_consistency
        self.invalid_operation_error = invalid_operation_error
        for grant in grants or []:
            self.add(grant)

    def add(self, grant: Grant) -> GrantRecord:
        """Store a grant given in ListGrants form; it needs ``KeyId`` (the key ARN).

        A grant without ``GrantId`` gets one derived from its content, so loading
        the same file twice gives the same IDs.
        """
        if not grant.key_id:
            message = f"{grant.label} has no KeyId; give the key ARN"
            raise KmsApiError("ValidationException", message, "KeyId", None)
        if grant.grant_id is None:
            digest = hashlib.sha256(grant.model_dump_json(by_alias=True).encode())
            grant = grant.model_copy(update={"grant_id": digest.hexdigest()})

        record = GrantRecord(grant)
        self._records[(grant.key_id, grant.grant_id)] = record
        return record

    # -- CreateGrant --------------------------------------------------------

    def create_grant(
        self, key: KeyMetadata, parameters: dict, issuing_account: str
    ) -> CreateGrantResult:
        """Create a grant on ``key`` from CreateGrant parameters (already validated).

        Raises KmsApiError for an operation the key type does not support, an
        encryption-context constraint on a key other than a symmetric encryption
        key, or a key over the grant quota. With ``Name``, a grant equal in key,
        grantee, operations, retiring principal, constraints and name is reused:
        its ID comes back with a new token.
        """
        grant = self._grant_from_parameters(key, parameters, issuing_account)
        self._check_operations(key, grant)
        self._check_constraints(key, grant)

        existing = self._same_named_grant(grant)
        if existing is not None:
            token = self._issue_token(existing)
            return CreateGrantResult(existing.grant.grant_id, token, created=False)

        if len(self.list_grants(key.arn)) >= MAX_GRANTS_PER_KEY:
            message = f"key {key.arn} already has {MAX_GRANTS_PER_KEY} grants"
            raise KmsApiError("LimitExceededException", message, "KeyId", key.arn)

        record = GrantRecord(grant, propagated=not self.eventual_consistency)
        self._records[(key.arn, grant.grant_id)] = record
        token = self._issue_token(record)
        logger.info("created %s on %s", grant.label, key.arn)
        return CreateGrantResult(grant.grant_id, token, created=True)

    def _grant_from_parameters(self, key, parameters, issuing_account) -> Grant:
        service_grantee = parameters.get("GranteeServicePrincipal")
        constraints = parameters.get("Constraints")
        return Grant(
            KeyId=key.arn,
            GrantId=secrets.token_hex(32),
            Name=parameters.get("Name"),
            GranteePrincipal=parameters.get("GranteePrincipal") or service_grantee,
            GranteeServicePrincipal=service_grantee,
            RetiringPrincipal=parameters.get("RetiringPrincipal"),
            RetiringServicePrincipal=parameters.get("RetiringServicePrincipal"),
            Operations=list(parameters["Operations"]),
            Constraints=GrantConstraints.model_validate(constraints)
            if constraints
            else None,
            IssuingAccount=f"arn:aws:iam::{issuing_account}:root",
        )

    def _check_operations(self, key: KeyMetadata, grant: Grant) -> None:
        rejected = unsupported_operations(key, grant.operations)
        if not rejected:
            return
        message = (
            f"grant operations {rejected} are not valid for a "
            f"{key_type(key).lower().replace('_', ' ')} key ({key.spec or 'SYMMETRIC_DEFAULT'})"
        )
        raise KmsApiError(self.invalid_operation_error, message, "Operations", rejected)

    def _check_constraints(self, key: KeyMetadata, grant: Grant) -> None:
        if not has_context_constraint(grant.constraints):
            return
        if key_type(key) == "SYMMETRIC_ENCRYPTION":
            return
        message = (
            "encryption context constraints are valid only on grants for "
            f"symmetric encryption keys; {key.arn} is {key.spec}"
        )
        value = grant.constraints.model_dump(by_alias=True, exclude_none=True)
        raise KmsApiError("ValidationException", message, "Constraints", value)

    def _same_named_grant(self, grant: Grant) -> GrantRecord | None:
        if grant.name is None:
            return None
        for record in self._records.values():
            if record.active and _same_properties(record.grant, grant):
                return record
        return None

    def _issue_token(self, record: GrantRecord) -> str:
        token = secrets.token_urlsafe(96)
        self.register_token(record, token)
        return token

    def register_token(self, record: GrantRecord, token: str) -> None:
        """Make ``token`` name ``record``, as a token CreateGrant returned would."""
        record.tokens.add(token)
        self._tokens[token] = record

    def propagate(self) -> None:
        """Make every grant usable without its token, as KMS does after a delay."""
        for record in self._records.values():
            record.propagated = True

    # -- tokens and lookups -------------------------------------------------

    def check_tokens(self, tokens: list[str]) -> list[GrantRecord]:
        """Return the grants that ``tokens`` name; raise for an unknown token.

        A token of a retired or revoked grant is valid but conveys nothing.
        """
        records = []
        for index, token in enumerate(tokens):
            record = self._tokens.get(token)
            if record is None:
                message = f"grant token {index} is not a token this store issued"
                raise KmsApiError(
                    "InvalidGrantTokenException", message, f"GrantTokens.{index}", token
                )
            records.append(record)
        return records

    def by_token(self, token: str) -> GrantRecord:
        """Return the active grant that ``token`` names; raise InvalidGrantTokenException.

        A token of a retired or revoked grant names no grant any more, so
        RetireGrant with it fails as with an unknown token.
        """
        record = self._tokens.get(token)
        if record is None:
            message = "the grant token is not a token this store issued"
            raise KmsApiError(
                "InvalidGrantTokenException", message, "GrantToken", token
            )
        if not record.active:
            message = (
                f"the grant token names {record.grant.label}, which is already "
                "retired or revoked"
            )
            raise KmsApiError(
                "InvalidGrantTokenException", message, "GrantToken", token
            )
        return record

    def find(self, key_arn: str, grant_id: str) -> GrantRecord:
        """Return an active grant by key ARN and ID; raise InvalidGrantIdException."""
        record = self._records.get((key_arn, grant_id))
        if record is None or not record.active:
            message = f"grant {grant_id} does not exist on {key_arn}"
            raise KmsApiError("InvalidGrantIdException", message, "GrantId", grant_id)
        return record

    def usable_grants(self, key_arn: str, tokens: list[str] = ()) -> list[Grant]:
        """Return the active grants on a key that a request with ``tokens`` can use."""
        presented = {id(record) for record in self.check_tokens(list(tokens))}
        return [
            record.grant
            for (arn, _), record in self._records.items()
            if arn == key_arn
            and record.active
            and (record.propagated or id(record) in presented)
        ]

    # -- listing ------------------------------------------------------------

    def list_grants(
        self,
        key_arn: str,
        grant_id: str | None = None,
        grantee_principal: str | None = None,
        grantee_service_principal: str | None = None,
    ) -> list[Grant]:
        """Return the active grants on a key, filtered as ListGrants filters them.

        An unknown ``grant_id`` filter raises InvalidGrantIdException.
        """
        if grant_id is not None:
            self.find(key_arn, grant_id)

        found = []
        for (arn, identifier), record in self._records.items():
            grant = record.grant
            if arn != key_arn or not record.active:
                continue
            if grant_id is not None and identifier != grant_id:
                continue
            if (
                grantee_principal is not None
                and grant.grantee_principal != grantee_principal
            ):
                continue
            service = grantee_service_principal
            if service is not None and grant.grantee_service_principal != service:
                continue
            found.append(grant)
        return found

    def list_retirable_grants(self, retiring_principal: str) -> list[Grant]:
        """Return the active grants, on any key, whose retiring principal is given."""
        return [
            record.grant
            for record in self._records.values()
            if record.active
            and retiring_principal
            in (
                record.grant.retiring_principal,
                record.grant.retiring_service_principal,
            )
        ]

    # -- retire and revoke --------------------------------------------------

    def retire(self, record: GrantRecord) -> None:
        """Delete a grant as RetireGrant does; its tokens stop conveying anything."""
        record.active = False
        logger.info("retired %s on %s", record.grant.label, record.key_arn)

    def revoke(self, record: GrantRecord) -> None:
        """Delete a grant as RevokeGrant does."""
        record.active = False
        logger.info("revoked %s on %s", record.grant.label, record.key_arn)


def _same_properties(stored: Grant, new: Grant) -> bool:
    fields = (
        "key_id",
        "name",
        "grantee_principal",
        "grantee_service_principal",
        "retiring_principal",
        "retiring_service_principal",
        "constraints",
    )
    same = all(getattr(stored, name) == getattr(new, name) for name in fields)
    return same and set(stored.operations) == set(new.operations)
