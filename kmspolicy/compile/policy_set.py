"""Every compiled policy in force for one request, mirroring ``PolicySet``."""

from __future__ import annotations

from dataclasses import dataclass

from kmspolicy.compile.grants import NO_GRANTS, CompiledGrants, compile_grants
from kmspolicy.compile.policy import CompiledPolicy, compile_policy
from kmspolicy.evaluate.request import PolicySet


@dataclass(frozen=True, slots=True, eq=False)
class CompiledPolicySet:
    """Compiled counterpart of ``PolicySet``; field meanings are the same.

    ``scps`` and ``rcps`` are levels from the organization root down to the
    account, each level a tuple of policies.
    """

    key_policy: CompiledPolicy | None = None
    identity_policies: tuple[CompiledPolicy, ...] = ()
    permission_boundary: CompiledPolicy | None = None
    session_policies: tuple[CompiledPolicy, ...] = ()
    scps: tuple[tuple[CompiledPolicy, ...], ...] = ()
    rcps: tuple[tuple[CompiledPolicy, ...], ...] = ()
    vpce_policy: CompiledPolicy | None = None
    grants: CompiledGrants = NO_GRANTS


def compile_policy_set(policies: PolicySet) -> CompiledPolicySet:
    """Compile every policy of a set; raise InvalidPolicyError on an invalid one."""
    return CompiledPolicySet(
        key_policy=_optional(policies.key_policy),
        identity_policies=tuple(compile_policy(p) for p in policies.identity_policies),
        permission_boundary=_optional(policies.permission_boundary),
        session_policies=tuple(compile_policy(p) for p in policies.session_policies),
        scps=_levels(policies.scps),
        rcps=_levels(policies.rcps),
        vpce_policy=_optional(policies.vpce_policy),
        grants=compile_grants(policies.grants),
    )


def _optional(policy) -> CompiledPolicy | None:
    return None if policy is None else compile_policy(policy)


def _levels(levels) -> tuple[tuple[CompiledPolicy, ...], ...]:
    return tuple(tuple(compile_policy(p) for p in level) for level in levels)
