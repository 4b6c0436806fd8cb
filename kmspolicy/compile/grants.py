"""Grants of one key, indexed by grantee so a request checks only its own grants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from kmspolicy.compile.principals import PrincipalKey, aws_value_keys
from kmspolicy.evaluate.grants import grant_applies
from kmspolicy.evaluate.principal import Caller
from kmspolicy.evaluate.request import Grant, Request


@dataclass(frozen=True, slots=True, eq=False)
class CompiledGrants:
    """Grants in their given order, with ``by_key`` mapping a principal key to the
    positions of the grants whose grantee may be that caller."""

    grants: tuple[Grant, ...]
    by_key: Mapping[PrincipalKey, tuple[int, ...]]

    def first_applying(
        self, caller: Caller, keys: Sequence[PrincipalKey], request: Request
    ) -> Grant | None:
        """Return the first grant, in given order, that allows the request."""
        positions: set[int] = set()
        for key in keys:
            positions.update(self.by_key.get(key, ()))

        for position in sorted(positions):
            grant = self.grants[position]
            if grant_applies(grant, caller, request):
                return grant
        return None


def compile_grants(grants: Sequence[Grant]) -> CompiledGrants:
    """Index grants under every key their grantee may match (see ``principals``)."""
    by_key: dict[PrincipalKey, list[int]] = {}
    for position, grant in enumerate(grants):
        keys = []
        if grant.grantee_principal:
            grantee = grant.grantee_principal
            keys.extend([*aws_value_keys(grantee), ("service", grantee.lower())])
        if grant.grantee_service_principal:
            keys.append(("service", grant.grantee_service_principal.lower()))
        for key in dict.fromkeys(keys):
            by_key.setdefault(key, []).append(position)

    frozen = {key: tuple(positions) for key, positions in by_key.items()}
    return CompiledGrants(tuple(grants), MappingProxyType(frozen))


NO_GRANTS = compile_grants(())
