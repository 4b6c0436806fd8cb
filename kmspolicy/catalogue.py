"""The KMS catalogue: every kms: action and condition key, kept as package data.

``data/catalogue.json`` is built from the project's KMS reference (the Service
Authorization Reference and botocore's KMS model; its ``source`` member records the
versions). Names are matched without regard to case, as IAM does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kmspolicy.glob import glob_regex

# Actions that work on a key in another account. Any other action against a foreign
# key fails whatever the policies allow. AWS lists these in the KMS guide's page on
# cross-account access; kms:DeriveSharedSecret is a later cryptographic operation.
CROSS_ACCOUNT_ACTIONS = frozenset(
    name.lower()
    for name in (
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:Sign",
        "kms:Verify",
        "kms:GenerateMac",
        "kms:VerifyMac",
        "kms:DeriveSharedSecret",
        "kms:CreateGrant",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
        "kms:GetPublicKey",
        "kms:ListGrants",
        "kms:RetireGrant",
        "kms:RevokeGrant",
    )
)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A condition key of the catalogue; ``name`` keeps AWS's spelling."""

    name: str
    type: str
    multi_valued: bool
    is_global: bool
    template_prefix: str | None


@dataclass(frozen=True, slots=True)
class ActionInfo:
    name: str
    operation: str | None
    grantable: bool
    resource_types: tuple[str, ...]
    condition_keys: tuple[str, ...]


class Catalogue:
    """Lookups over the catalogue data; build one with ``catalogue()``."""

    def __init__(self, data: dict) -> None:
        self.source = data["source"]
        self.actions = {
            name.lower(): ActionInfo(
                name=name,
                operation=info["operation"],
                grantable=info["grantable"],
                resource_types=tuple(info["resource_types"]),
                condition_keys=tuple(info["condition_keys"]),
            )
            for name, info in data["actions"].items()
        }
        self.operations = {
            name: tuple(acts) for name, acts in data["operations"].items()
        }
        self._keys: dict[str, KeyInfo] = {}
        self._templates: list[KeyInfo] = []
        self._load_keys(data["condition_keys"], is_global=False)
        self._load_keys(data["global_condition_keys"], is_global=True)

    def _load_keys(self, keys: dict, is_global: bool) -> None:
        for name, info in keys.items():
            prefix = info.get("template_prefix")
            if prefix is None and "${" in name:
                prefix = name.split("${", 1)[0]

            key = KeyInfo(
                name=name,
                type=info["type"],
                multi_valued=info["multi_valued"],
                is_global=is_global,
                template_prefix=prefix,
            )
            if prefix:
                self._templates.append(key)
            else:
                self._keys.setdefault(name.lower(), key)

    def key(self, name: str) -> KeyInfo | None:
        """Return the catalogue entry for a condition key name, templates included."""
        lowered = name.lower()
        found = self._keys.get(lowered)
        if found is not None:
            return found

        for template in self._templates:
            prefix = template.template_prefix.lower()
            if lowered.startswith(prefix) and len(lowered) > len(prefix):
                return template
        return None

    def all_keys(self) -> list[KeyInfo]:
        return [*self._keys.values(), *self._templates]

    def is_multi_valued(self, name: str) -> bool:
        info = self.key(name)
        return info is not None and info.multi_valued

    def expand_actions(self, pattern: str) -> frozenset[str]:
        """Return the lower-case kms: action names that an Action entry matches."""
        if pattern == "*":
            return frozenset(self.actions)

        prefix, _, name = pattern.partition(":")
        if prefix.lower() != "kms":
            return frozenset()

        regex = glob_regex(name.lower(), case_sensitive=True)
        return frozenset(
            action for action in self.actions if regex.fullmatch(action[4:])
        )

    def supplies_key(self, action: str, key_name: str) -> bool:
        """Tell whether ``action`` (a catalogued kms: action) supplies ``key_name``."""
        info = self.actions.get(action.lower())
        if info is None:
            return True

        requested = self.key(key_name)
        if requested is None or requested.is_global:
            return True
        return requested.name in info.condition_keys


@cache
def grant_operation_names() -> frozenset[str]:
    """Return the operations a grant may list, as the KMS API spells them."""
    return frozenset(
        info.name.partition(":")[2]
        for info in catalogue().actions.values()
        if info.grantable
    )


@cache
def catalogue() -> Catalogue:
    """Load the catalogue shipped in ``kmspolicy/data`` (once per process)."""
    text = (
        resources.files("kmspolicy").joinpath("data/catalogue.json").read_text("utf-8")
    )
    return Catalogue(json.loads(text))
