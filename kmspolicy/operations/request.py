"""Inputs of an operation-level decision: the caller, the request and the keys.

Parameters keep the member names and shapes of the KMS API as botocore sends them
(``KeyId``, ``EncryptionContext``, ``GrantTokens``, ...), so a boto3 call's
keyword arguments can be used as they are.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kmspolicy.evaluate.request import KeyMetadata
from kmspolicy.policy.model import Policy, PolicyKind

# A key ARN: partition, Region, 12-digit account and a key ID without wildcards.
KEY_ARN = re.compile(r"arn:[a-z][a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+")


class CallerIdentity(BaseModel):
    """Who calls KMS, and from where.

    ``via_service`` is the integrated service that calls on the principal's
    behalf (``s3.us-east-1.amazonaws.com``), absent for direct calls.
    ``context`` contains any further global condition keys the request carries
    (``aws:SourceArn``, ``aws:CurrentTime``, ``aws:PrincipalOrgID``, ...). Keys
    that KMS derives itself are ignored there, in any spelling: ``kms:`` keys,
    the principal keys, ``aws:ResourceAccount``, ``aws:ResourceTag/*``,
    ``aws:RequestTag/*`` and ``aws:TagKeys``. ``aws:PrincipalArn`` is kept only
    as the role ARN with its path for a session of that role.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    principal: str = Field(min_length=1)
    principal_tags: dict[str, str] = Field(default_factory=dict)
    source_ip: str | None = None
    vpc_endpoint: str | None = None
    source_vpc: str | None = None
    via_service: str | None = None
    secure_transport: bool = True
    context: dict[str, str | list[str]] = Field(default_factory=dict)


class OperationRequest(BaseModel):
    """One KMS API call: operation name, its parameters, the caller.

    ``region`` is the Region of the KMS endpoint called; key IDs and alias names
    resolve in the caller's account and this Region. When it is None, a bare key
    ID or alias name matches the caller's account in any Region.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    operation: str = Field(min_length=1)
    parameters: dict[str, Any] = Field(default_factory=dict)
    caller: CallerIdentity
    region: str | None = None
    request_id: str | None = None


class KeyRecord(BaseModel):
    """A KMS key known to the engine: its metadata (``arn`` required) and policy."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    metadata: KeyMetadata
    key_policy: Policy | None = None

    @field_validator("metadata")
    @classmethod
    def _arn_required(cls, metadata: KeyMetadata) -> KeyMetadata:
        if not metadata.arn:
            raise ValueError("key metadata needs the key ARN in 'arn'")
        if KEY_ARN.fullmatch(metadata.arn) is None:
            raise ValueError(
                f"{metadata.arn!r} is not a key ARN; give "
                "arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID, for example "
                "arn:aws:kms:us-east-1:111122223333:key/"
                "1234abcd-12ab-34cd-56ef-1234567890ab"
            )
        return metadata

    @field_validator("key_policy")
    @classmethod
    def _key_policy_kind(cls, policy: Policy | None) -> Policy | None:
        if policy is not None and policy.kind is not PolicyKind.KEY:
            raise ValueError(
                f"key policy {policy.name!r} must be parsed as a key policy"
            )
        return policy

    @property
    def arn(self) -> str:
        return self.metadata.arn

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def region(self) -> str:
        return self.arn.split(":")[3]

    @property
    def key_id(self) -> str:
        return self.arn.split("/", 1)[1]

    @property
    def partition(self) -> str:
        return self.arn.split(":")[1]
