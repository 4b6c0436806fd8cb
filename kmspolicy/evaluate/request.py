"""Typed inputs of a decision: the request, the key's metadata, policies and grants.

These are pydantic models, so malformed input fails at construction with the field
named. Policies are ``Policy`` objects from ``kmspolicy.parse_policy``, never raw
dictionaries, so every document has been through the grammar and validation.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kmspolicy.catalogue import grant_operation_names
from kmspolicy.policy.model import Policy, PolicyKind


class Request(BaseModel):
    """One authorization question: may ``principal`` do ``action`` on ``resource``?

    ``resource`` is the key ARN, or ``"*"`` for actions that target no key.
    ``context`` contains request condition keys (a string, or a list for multivalued
    keys); ``encryption_context`` supplies ``kms:EncryptionContext:<k>`` and
    ``kms:EncryptionContextKeys`` unless ``context`` sets them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    principal: str = Field(min_length=1)
    action: str = Field(pattern=r"^[A-Za-z0-9-]+:[A-Za-z0-9]+$")
    resource: str = "*"
    context: dict[str, str | list[str]] = Field(default_factory=dict)
    encryption_context: dict[str, str] = Field(default_factory=dict)
    request_id: str | None = None


class KeyMetadata(BaseModel):
    """Facts about the key that supply key condition keys when the context lacks them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    arn: str | None = None
    spec: str | None = None
    usage: str | None = None
    origin: str | None = None
    multi_region: bool | None = None
    state: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)
    multi_region_key_type: str | None = None
    trailing_days_without_key_usage: int | None = Field(default=None, ge=0)


class GrantConstraints(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    encryption_context_equals: dict[str, str] | None = Field(
        default=None, alias="EncryptionContextEquals"
    )
    encryption_context_subset: dict[str, str] | None = Field(
        default=None, alias="EncryptionContextSubset"
    )
    source_arn: str | None = Field(default=None, alias="SourceArn")


class Grant(BaseModel):
    """A grant in the shape KMS ListGrants returns (field names as in the API)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    grantee_principal: str | None = Field(
        default=None, alias="GranteePrincipal", min_length=1
    )
    operations: list[str] = Field(alias="Operations", min_length=1)
    constraints: GrantConstraints | None = Field(default=None, alias="Constraints")
    retiring_principal: str | None = Field(default=None, alias="RetiringPrincipal")
    grant_id: str | None = Field(default=None, alias="GrantId")
    name: str | None = Field(default=None, alias="Name")
    key_id: str | None = Field(default=None, alias="KeyId")
    grantee_service_principal: str | None = Field(
        default=None, alias="GranteeServicePrincipal"
    )
    retiring_service_principal: str | None = Field(
        default=None, alias="RetiringServicePrincipal"
    )
    issuing_account: str | None = Field(default=None, alias="IssuingAccount")

    @field_validator("operations")
    @classmethod
    def _grant_operations(cls, operations: list[str]) -> list[str]:
        allowed = grant_operation_names()
        for operation in operations:
            if operation not in allowed:
                raise ValueError(
                    f"{operation!r} is not a grant operation; a grant may list only "
                    f"{', '.join(sorted(allowed))}"
                )
        return operations

    @model_validator(mode="after")
    def _one_grantee(self) -> Grant:
        if not self.grantee_principal and not self.grantee_service_principal:
            raise ValueError(
                "a grant needs GranteePrincipal or GranteeServicePrincipal"
            )
        return self

    @property
    def grantee(self) -> str:
        """Return the grantee: the principal ARN, or the service principal name."""
        return self.grantee_principal or self.grantee_service_principal

    @property
    def label(self) -> str:
        return f"grant {self.grant_id or self.name or self.grantee}"


class PolicySet(BaseModel):
    """Every policy in force for one request.

    ``scps`` and ``rcps`` are lists of levels from the organization root down to
    the account, each level a list of policies. ``vpce_policy`` is absent when the
    request came through no endpoint or through one with the default policy.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    key_policy: Policy | None = None
    identity_policies: list[Policy] = Field(default_factory=list)
    permission_boundary: Policy | None = None
    session_policies: list[Policy] = Field(default_factory=list)
    scps: list[list[Policy]] = Field(default_factory=list)
    rcps: list[list[Policy]] = Field(default_factory=list)
    vpce_policy: Policy | None = None
    grants: list[Grant] = Field(default_factory=list)

    @field_validator("key_policy")
    @classmethod
    def _key_policy_kind(cls, policy: Policy | None) -> Policy | None:
        if policy is not None and policy.kind is not PolicyKind.KEY:
            raise ValueError(
                f"key_policy {policy.name!r} was parsed as a {policy.kind.value} "
                "policy; parse it with kind=PolicyKind.KEY"
            )
        return policy

    def documents(self) -> list[Policy]:
        """Return every policy of the set (grants excluded)."""
        documents = [*self.identity_policies, *self.session_policies]
        for single in (self.key_policy, self.permission_boundary, self.vpce_policy):
            if single is not None:
                documents.append(single)
        for level in (*self.scps, *self.rcps):
            documents.extend(level)
        return documents
