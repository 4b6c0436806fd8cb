"""Load grants given in ListGrants form, with the members that name their tokens.

Case files (``grants``) and ``what-if --grants`` share this format: each entry
is a grant as ListGrants returns it, plus two optional members. ``GrantTokens``
is a list of token strings that name the grant, and ``Propagated`` is false for
a grant that works only through one of its tokens (default true).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError

from kmspolicy.errors import RequestError
from kmspolicy.evaluate.request import Grant
from kmspolicy.grants.store import GrantStore


@dataclass(frozen=True, slots=True)
class GrantEntry:
    """One loaded grant with its tokens and whether it works without them."""

    grant: Grant
    tokens: tuple[str, ...]
    propagated: bool


def grant_entries(value: object, field: str = "grants") -> list[GrantEntry]:
    """Validate a list of grant entries; raise RequestError naming the bad member."""
    if not isinstance(value, list):
        message = f"{field} must be a list of grant objects, not {_kind(value)}"
        raise RequestError("invalid-grants", field, message)

    entries = [_entry(item, f"{field}[{index}]") for index, item in enumerate(value)]
    _check_unique_tokens(entries, field)
    return entries


def load_grant_store(
    value: object, in_force: Iterable[Grant] = (), field: str = "grants"
) -> GrantStore:
    """Build an eventually consistent store from grant entries.

    ``in_force`` are further grants without tokens, usable at once.
    """
    store = GrantStore(eventual_consistency=True)
    for grant in in_force:
        store.add(grant).propagated = True
    for entry in grant_entries(value, field):
        record = store.add(entry.grant)
        record.propagated = entry.propagated
        for token in entry.tokens:
            store.register_token(record, token)
    return store


def _entry(item: object, field: str) -> GrantEntry:
    if not isinstance(item, dict):
        message = f"{field} must be a grant object, not {_kind(item)}"
        raise RequestError("invalid-grants", field, message)

    try:
        grant = Grant.model_validate(item)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        message = f"{field}.{location} is invalid: {first['msg']}"
        raise RequestError("invalid-grants", field, message) from error

    propagated = item.get("Propagated", True)
    if not isinstance(propagated, bool):
        message = f"{field}.Propagated must be true or false, not {propagated!r}"
        raise RequestError("invalid-grants", f"{field}.Propagated", message)
    return GrantEntry(grant, _tokens(item.get("GrantTokens"), field), propagated)


def _tokens(value: object, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        message = (
            f"{field}.GrantTokens must be a list of token strings, not "
            f'{_kind(value)}; write ["token"] for one token'
        )
        raise RequestError("invalid-grants", f"{field}.GrantTokens", message)
    for index, token in enumerate(value):
        if not isinstance(token, str) or not token:
            message = (
                f"{field}.GrantTokens[{index}] must be a non-empty string, not "
                f"{token!r}"
            )
            raise RequestError("invalid-grants", f"{field}.GrantTokens", message)
    return tuple(value)


def _check_unique_tokens(entries: list[GrantEntry], field: str) -> None:
    owners: dict[str, int] = {}
    for index, entry in enumerate(entries):
        for token in entry.tokens:
            if token in owners and owners[token] != index:
                message = (
                    f"{field}[{index}] and {field}[{owners[token]}] list the same "
                    f"grant token {token!r}; a token names one grant"
                )
                raise RequestError("invalid-grants", field, message)
            owners[token] = index


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__
