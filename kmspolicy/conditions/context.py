"""The request context: condition-key values that conditions are evaluated on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

ContextValue = str | tuple[str, ...]

RawValue = str | list[str] | tuple[str, ...]


class ContextLayer:
    """Context entries folded once, so that many request contexts can share them.

    ``values`` maps each lower-case key to its value. ``clashes`` lists
    ``(folded key, warning)`` for later entries that differ from an earlier one
    only by case. Those entries are dropped, as ``RequestContext`` drops them.
    ``entries`` is the mapping given. Treat instances and that mapping as
    immutable.
    """

    __slots__ = ("_entries", "clashes", "values")

    def __init__(self, entries: Mapping[str, RawValue]) -> None:
        self._entries = entries
        self.clashes: tuple[tuple[str, str], ...] = ()
        values = fold_entries(entries)
        if len(values) != len(entries):
            values, self.clashes = _keep_first(entries)
        self.values: dict[str, ContextValue] = values

    @property
    def entries(self) -> Mapping[str, RawValue]:
        """The entries as given, in order, clashing ones included."""
        return self._entries


def _keep_first(
    entries: Mapping[str, RawValue],
) -> tuple[dict[str, ContextValue], tuple[tuple[str, str], ...]]:
    """Fold entry by entry, keeping the first of each clash and a warning per drop."""
    values: dict[str, ContextValue] = {}
    first_names: dict[str, str] = {}
    clashes = []
    for name, raw_value in entries.items():
        key = name.lower()
        if key in values:
            clashes.append((key, _duplicate_warning(first_names[key], name)))
            continue

        values[key] = _normalise_value(name, raw_value)
        first_names[key] = name
    return values, tuple(clashes)


class RequestContext:
    """Condition-key values of one request, looked up case-insensitively.

    A value is a string (single-valued key) or a tuple of strings (multivalued
    key, given as a list or tuple). Key names compare case-insensitively,
    including free-form suffixes such as ``kms:EncryptionContext:<k>`` and
    ``aws:PrincipalTag/<k>``. When several entries differ only by case, the
    first in insertion order wins and ``warnings`` records the clash.
    Instances are immutable.
    """

    __slots__ = ("_layers", "_names", "_values", "warnings")

    def __init__(self, entries: Mapping[str, RawValue]) -> None:
        layer = ContextLayer(entries)
        object.__setattr__(self, "_values", layer.values)
        object.__setattr__(self, "_layers", (layer,))
        object.__setattr__(self, "_names", None)
        object.__setattr__(self, "warnings", tuple(m for _, m in layer.clashes))

    @classmethod
    def from_layers(
        cls,
        own: Mapping[str, RawValue],
        derived: Sequence[ContextLayer | Mapping[str, RawValue]],
    ) -> RequestContext:
        """Build the context of a request's own keys followed by derived layers.

        The result equals ``RequestContext`` of one mapping holding ``own``, then
        every entry of ``derived`` in order whose key ``own`` does not set (any
        case). Such shadowed entries are dropped without a warning. A derived
        layer is a prepared ``ContextLayer`` or a mapping folded here. When no
        two entries differ only by case, building costs one fold of ``own`` and
        of each mapping plus a merge of dictionaries.
        """
        values: dict[str, ContextValue] = {}
        entry_count = 0
        for layer in derived:
            if isinstance(layer, ContextLayer):
                folded = layer.values
                clean = not layer.clashes
            else:
                folded = fold_entries(layer)
                clean = len(folded) == len(layer)
            if not clean:
                return cls(_single_mapping(own, derived))
            values.update(folded)
            entry_count += len(folded)

        own_values = fold_entries(own)
        if len(values) != entry_count or len(own_values) != len(own):
            return cls(_single_mapping(own, derived))
        values.update(own_values)

        # The slot setters skip the __setattr__ that keeps instances immutable.
        context = object.__new__(cls)
        _set_values(context, values)
        _set_layers(context, (own, *derived))
        _set_names(context, None)
        _set_warnings(context, ())
        return context

    @classmethod
    def prepared(
        cls,
        values: dict[str, ContextValue],
        layers: Callable[[], Sequence[ContextLayer | Mapping[str, RawValue]]],
    ) -> RequestContext:
        """Wrap values that the caller folded, normalised and merged itself.

        The caller guarantees that no two entries differed only by case, so
        the context has no warnings, and that ``values`` equals what
        ``from_layers`` would build from the layers that ``layers`` returns.
        ``layers`` runs only when the context is iterated or printed.
        """
        context = object.__new__(cls)
        _set_values(context, values)
        _set_layers(context, layers)
        _set_names(context, None)
        _set_warnings(context, ())
        return context

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("RequestContext is immutable")

    def lookup(self, key: str) -> tuple[bool, ContextValue | None]:
        """Return ``(present, value)`` for a condition key, with None when absent."""
        value = self._values.get(key.lower())
        return value is not None, value

    def value_of(self, folded_key: str) -> ContextValue | None:
        """Return the value of a key given in lower case, or None when absent."""
        return self._values.get(folded_key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._values

    def __iter__(self) -> Iterator[str]:
        """Iterate over the key names as first written, in insertion order."""
        return iter(self._first_names().values())

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        names = self._first_names()
        items = {names[folded]: self._values[folded] for folded in names}
        return f"RequestContext({items!r})"

    def _first_names(self) -> Mapping[str, str]:
        """Return folded key -> name as first written, merging layers on first use."""
        if self._names is None:
            names: dict[str, str] = {}
            layers = self._layers
            for layer in layers() if callable(layers) else layers:
                entries = layer.entries if isinstance(layer, ContextLayer) else layer
                for name in entries:
                    names.setdefault(name.lower(), name)
            object.__setattr__(self, "_names", MappingProxyType(names))
        return self._names


_set_values = RequestContext._values.__set__
_set_layers = RequestContext._layers.__set__
_set_names = RequestContext._names.__set__
_set_warnings = RequestContext.warnings.__set__


def fold_entries(entries: Mapping[str, RawValue]) -> dict[str, ContextValue]:
    """Map lower-case keys to normalised values; on a case clash the last one wins.

    Raises TypeError for a value that is not a string or a list of strings.
    """
    return {
        name.lower(): value if value.__class__ is str else _normalise_value(name, value)
        for name, value in entries.items()
    }


def _single_mapping(
    own: Mapping[str, RawValue],
    derived: Iterable[ContextLayer | Mapping[str, RawValue]],
) -> dict[str, RawValue]:
    """Return the one mapping that ``from_layers`` stands for."""
    merged = dict(own)
    present = {name.lower() for name in merged}
    for layer in derived:
        entries = layer.entries if isinstance(layer, ContextLayer) else layer
        for name, value in entries.items():
            if name.lower() not in present:
                merged[name] = value
    return merged


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


EMPTY_LAYER = ContextLayer({})
