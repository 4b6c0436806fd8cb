"""The request context: condition-key values that conditions are evaluated on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

ContextValue = str | tuple[str, ...]


class RequestContext:
    """Condition-key values of one request, looked up case-insensitively.

    A value is a string (single-valued key) or a tuple of strings (multivalued
    key, given as a list or tuple). Key names compare case-insensitively,
    including free-form suffixes such as ``kms:EncryptionContext:<k>`` and
    ``aws:PrincipalTag/<k>``. When several entries differ only by case, the
    first in insertion order wins and ``warnings`` records the clash.
    Instances are immutable.
    """

    __slots__ = ("_values", "_names", "warnings")

    def __init__(
        self, entries: Mapping[str, str | list[str] | tuple[str, ...]]
    ) -> None:
        values: dict[str, ContextValue] = {}
        names: dict[str, str] = {}
        warnings: list[str] = []

        for name, raw_value in entries.items():
            folded = name.lower()
            value = _normalise_value(name, raw_value)
            if folded in values:
                warnings.append(_duplicate_warning(names[folded], name))
                continue

            values[folded] = value
            names[folded] = name

        object.__setattr__(self, "_values", MappingProxyType(values))
        object.__setattr__(self, "_names", MappingProxyType(names))
        object.__setattr__(self, "warnings", tuple(warnings))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("RequestContext is immutable")

    def lookup(self, key: str) -> tuple[bool, ContextValue | None]:
        """Return ``(present, value)`` for a condition key, with None when absent."""
        value = self._values.get(key.lower())
        return value is not None, value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._values

    def __iter__(self) -> Iterator[str]:
        """Iterate over the key names as first written."""
        return iter(self._names.values())

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        items = {self._names[folded]: value for folded, value in self._values.items()}
        return f"RequestContext({items!r})"


def _normalise_value(name: str, value: object) -> ContextValue:
    if isinstance(value, str):
        return value

    if isinstance(value, (list, tuple)) and all(
        isinstance(item, str) for item in value
    ):
        return tuple(value)

    raise TypeError(
        f"invalid request context value for {name!r}: expected a string or a list "
        f"of strings, got {value!r}; write booleans and numbers as strings"
    )


def _duplicate_warning(first: str, later: str) -> str:
    return (
        f"request context keys {first!r} and {later!r} differ only by case, so "
        f"conditions use the value of {first!r}, which comes first"
    )
