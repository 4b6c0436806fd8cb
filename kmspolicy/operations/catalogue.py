"""The KMS operation catalogue: what each API operation asks to be authorized.

``data/operations.json`` holds, for each of the 54 operations in botocore 1.43.67's
KMS model, its input parameters with their shapes (copied from that model, which
``tests/test_operations_catalogue.py`` checks against the installed botocore) and
the authorization checks the operation makes. Each check names an IAM action and
the resource it is asked on:

``key``
    the key named by ``parameter`` (key ID, key ARN, alias name or alias ARN, as
    ``key_id_forms`` allows);
``alias``
    the alias ARN of the alias named by ``parameter`` (IAM policies only);
``alias-target``
    the key the alias named by ``parameter`` points to now;
``replica``
    the replica of the key named by ``parameter`` in the Region given by
    ``region_parameter`` (UpdatePrimaryRegion);
``grant``
    the grant named by the request (RetireGrant, authorized by the grant itself);
``none``
    no resource (``"*"``): only IAM policies decide.

A check with ``when`` applies only when that parameter is present.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from kmspolicy.operations.errors import KmsApiError


@dataclass(frozen=True, slots=True)
class Check:
    """One authorization an operation needs: ``action`` on one resource."""

    action: str
    resource: str
    parameter: str | None = None
    encryption_context: str | None = None
    encryption_algorithm: str | None = None
    region_parameter: str | None = None
    when: str | None = None

    @property
    def label(self) -> str:
        """Return a short name of the resource for explanations."""
        if self.resource == "key":
            names = {
                "SourceKeyId": "source key",
                "DestinationKeyId": "destination key",
                "TargetKeyId": "target key",
            }
            return names.get(self.parameter, "key")
        labels = {
            "alias": "alias",
            "alias-target": "current alias target",
            "replica": "replica key",
            "grant": "grant",
            "none": "account",
        }
        return labels[self.resource]


@dataclass(frozen=True, slots=True)
class OperationInfo:
    """One KMS API operation: parameters, checks and grant properties."""

    name: str
    checks: tuple[Check, ...]
    key_id_forms: dict[str, str]
    cross_account: bool
    grant_operations: tuple[str, ...]
    accepts_grant_tokens: bool
    parameters: dict[str, dict]
    required: tuple[str, ...]

    def default(self, parameter: str) -> Any:
        """Return the value KMS uses when ``parameter`` is omitted, or None."""
        return operation_catalogue().defaults.get(f"{self.name}.{parameter}")


class OperationCatalogue:
    """Lookups over ``data/operations.json``; build one with ``operation_catalogue()``."""

    def __init__(self, data: dict) -> None:
        self.source = data["source"]
        self.server_limits: dict[str, dict] = data["server_limits"]
        self.defaults: dict[str, Any] = data["defaults"]
        self.operations = {
            name: _operation(name, info) for name, info in data["operations"].items()
        }
        self._folded = {name.lower(): name for name in self.operations}

    def get(self, name: str) -> OperationInfo:
        """Return an operation by its exact API name; raise UnknownOperationException."""
        found = self.operations.get(name) if isinstance(name, str) else None
        if found is not None:
            return found

        message = f"unknown KMS operation {name!r}"
        canonical = self._folded.get(name.lower()) if isinstance(name, str) else None
        if canonical is not None:
            message += (
                f"; operation names are case-sensitive: did you mean {canonical}?"
            )
        else:
            message += "; give an API operation name such as Decrypt or ReEncrypt"
        raise KmsApiError("UnknownOperationException", message, "operation", name)


def _operation(name: str, info: dict) -> OperationInfo:
    return OperationInfo(
        name=name,
        checks=tuple(Check(**check) for check in info["checks"]),
        key_id_forms=dict(info["key_id_forms"]),
        cross_account=info["cross_account"],
        grant_operations=tuple(info["grant_operations"]),
        accepts_grant_tokens=info["accepts_grant_tokens"],
        parameters=info["parameters"],
        required=tuple(info["required"]),
    )


@cache
def operation_catalogue() -> OperationCatalogue:
    """Load the operation catalogue shipped in ``kmspolicy/data`` (once per process)."""
    text = (
        resources.files("kmspolicy").joinpath("data/operations.json").read_text("utf-8")
    )
    return OperationCatalogue(json.loads(text))
