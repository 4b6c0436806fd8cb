"""The caller's identity, and how a policy's principal entries match it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from kmspolicy.policy.model import PrincipalEntry, PrincipalSpec

_ARN = re.compile(
    r"arn:(?P<partition>[^:]+):(?P<service>iam|sts)::(?P<account>[0-9]{12}):(?P<rest>.+)"
)
_ACCOUNT_ID = re.compile(r"[0-9]{12}")


class CallerType(str, Enum):
    USER = "User"
    ASSUMED_ROLE = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    ROOT = "Account"
    SERVICE = "Service"


class PrincipalMatch(int, Enum):
    """The strength with which a principal entry names the caller, weakest first."""

    NONE = 0
    ACCOUNT = 1
    ROLE_OF_SESSION = 2
    WILDCARD = 3
    SERVICE = 4
    EXACT = 5

    @property
    def is_direct(self) -> bool:
        """Tell whether the entry names the caller itself, not only its account."""
        return self not in (PrincipalMatch.NONE, PrincipalMatch.ACCOUNT)


@dataclass(frozen=True, slots=True)
class Caller:
    """The calling principal; ``role_arn`` is set for role sessions only.

    ``role_path_known`` is True when ``role_arn`` carries the role's real path
    (from ``aws:PrincipalArn``), and False when it was rebuilt from the session
    ARN, which has no path.
    """

    arn: str
    type: CallerType
    account: str | None
    partition: str
    role_arn: str | None = None
    has_boundary: bool = False
    role_path_known: bool = False

    def is_role(self, arn: str) -> bool:
        """Tell whether ``arn`` names the role behind this role session.

        With the role's path known the ARN must match exactly. Otherwise any path
        matches, because the session ARN does not show the role's path.
        """
        if self.role_arn is None:
            return False
        if self.role_path_known:
            return arn == self.role_arn
        return _same_role(arn, self.role_arn)

    @property
    def root_arn(self) -> str | None:
        if self.account is None:
            return None
        return f"arn:{self.partition}:iam::{self.account}:root"

    def identity_chain(self) -> tuple[str, ...]:
        """Return the identities AWS checks one by one against NotPrincipal."""
        if self.type is CallerType.SERVICE:
            return (self.arn,)
        if self.type is CallerType.ROOT:
            return (self.root_arn,)
        if self.type is CallerType.ASSUMED_ROLE:
            return (self.root_arn, self.role_arn, self.arn)
        return (self.root_arn, self.arn)


def parse_caller(
    principal: str, principal_arn: str | None = None, has_boundary: bool = False
) -> Caller | None:
    """Return the caller for a principal ARN or service name, or None if malformed.

    ``principal_arn`` is the request's ``aws:PrincipalArn``; for role sessions it
    gives the role ARN with its path, which the session ARN lacks.
    """
    match = _ARN.fullmatch(principal)
    if match is None:
        if "." in principal and ":" not in principal and "/" not in principal:
            return Caller(principal, CallerType.SERVICE, None, "aws")
        return None

    partition, service, account, rest = match.group(
        "partition", "service", "account", "rest"
    )
    kind, role_arn = _caller_type(service, rest, partition, account, principal_arn)
    if kind is None:
        return None
    # NOTE: a role ARN without a path may be rebuilt from the session ARN rather
    # than known, so only an ARN that shows a path is compared exactly.
    path_known = role_arn is not None and role_arn == principal_arn
    path_known = path_known and role_arn.count("/") > 1
    return Caller(
        principal, kind, account, partition, role_arn, has_boundary, path_known
    )


def _caller_type(service, rest, partition, account, principal_arn):
    if service == "iam" and rest == "root":
        return CallerType.ROOT, None
    if service == "iam" and rest.startswith("user/"):
        return CallerType.USER, None
    if service == "sts" and rest.startswith("federated-user/"):
        return CallerType.FEDERATED_USER, None
    if service == "sts" and rest.startswith("assumed-role/") and rest.count("/") >= 2:
        role_name = rest.split("/")[1]
        role_arn = f"arn:{partition}:iam::{account}:role/{role_name}"
        if principal_arn and _same_role(principal_arn, role_arn):
            role_arn = principal_arn
        return CallerType.ASSUMED_ROLE, role_arn
    return None, None


def _same_role(candidate: str, role_arn: str) -> bool:
    """Tell whether two role ARNs name one role: same account and name, any path."""
    if ":role/" not in candidate or ":role/" not in role_arn:
        return False

    candidate_head, candidate_path = candidate.split(":role/", 1)
    head, path = role_arn.split(":role/", 1)
    return (
        candidate_head == head
        and candidate_path.rsplit("/", 1)[-1] == path.rsplit("/", 1)[-1]
    )


def normalise_aws_entry(value: str, partition: str) -> str:
    """Expand a 12-digit account ID to its account-principal ARN."""
    if _ACCOUNT_ID.fullmatch(value):
        return f"arn:{partition}:iam::{value}:root"
    return value


def match_entry(entry: PrincipalEntry, caller: Caller) -> PrincipalMatch:
    """Classify how one principal entry names the caller."""
    if entry.type == "*":
        return PrincipalMatch.WILDCARD

    if entry.type == "Service":
        is_service = caller.type is CallerType.SERVICE
        if is_service and entry.value.lower() == caller.arn.lower():
            return PrincipalMatch.SERVICE
        return PrincipalMatch.NONE

    if caller.type is CallerType.SERVICE:
        return PrincipalMatch.NONE

    if entry.type != "AWS":
        # Federated and CanonicalUser entries never name a KMS caller.
        return PrincipalMatch.NONE

    value = normalise_aws_entry(entry.value, caller.partition)
    if value == caller.arn:
        return PrincipalMatch.EXACT
    if caller.is_role(value):
        return PrincipalMatch.ROLE_OF_SESSION
    if value == caller.root_arn:
        return PrincipalMatch.ACCOUNT
    return PrincipalMatch.NONE


def match_principal(spec: PrincipalSpec, caller: Caller) -> PrincipalMatch:
    """Return the strongest match among a Principal element's entries."""
    best = PrincipalMatch.NONE
    for entry in spec.entries:
        best = max(best, match_entry(entry, caller))
    return best


def exempted_by_not_principal(spec: PrincipalSpec, caller: Caller) -> bool:
    """Tell whether NotPrincipal lists the caller's whole identity chain.

    AWS checks account, role and session (or account and user) one by one, so every
    link must be listed. A caller with a permissions boundary is never exempt.
    """
    if caller.has_boundary:
        return False

    if any(entry.type == "*" for entry in spec.entries):
        return True

    if caller.type is CallerType.SERVICE:
        services = {e.value.lower() for e in spec.entries if e.type == "Service"}
        return caller.arn.lower() in services

    listed = [
        normalise_aws_entry(e.value, caller.partition)
        for e in spec.entries
        if e.type == "AWS"
    ]
    return all(_listed(link, listed, caller) for link in caller.identity_chain())


def _listed(link: str | None, listed: list[str], caller: Caller) -> bool:
    if link is None:
        return False
    if link in listed:
        return True
    return link == caller.role_arn and any(caller.is_role(entry) for entry in listed)
