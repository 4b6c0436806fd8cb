"""Condition operator names and the policy values each operator accepts.

An operator name has the form ``[ForAllValues:|ForAnyValue:]BaseOperator[IfExists]``
and is case sensitive, because IAM rejects ``stringEquals`` as an invalid
condition type. ``NullIfExists`` is invalid.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import ipaddress
import re
from dataclasses import dataclass
from functools import cache

from lark.exceptions import LarkError

from kmspolicy.conditions.dates import parse_date
from kmspolicy.conditions.variables import parse_template
from kmspolicy.grammars import lalr_parser

QUALIFIERS = ("ForAllValues", "ForAnyValue")

BASE_OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
)

# Negated operator -> the positive operator it complements (NOR over the values).
POSITIVE_COUNTERPART = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}

_FAMILY_PREFIXES = (
    ("String", "String"),
    ("Numeric", "Numeric"),
    ("Date", "Date"),
    ("Bool", "Bool"),
    ("Binary", "Binary"),
    ("IpAddress", "IpAddress"),
    ("NotIpAddress", "IpAddress"),
    ("Arn", "Arn"),
    ("Null", "Null"),
)

# Bool takes variables by engine convention: AWS's condition-operator page
# allows them, its policy-variables page does not.
_VARIABLE_FAMILIES = frozenset({"String", "Arn", "Bool"})

NUMBER_PATTERN = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


class OperatorError(ValueError):
    """An invalid condition operator name.

    ``code`` is one of ``operator-case``, ``null-ifexists``, ``unknown-qualifier``
    and ``unknown-operator``. ``message`` names the value and the fix.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Operator:
    """A parsed condition operator name.

    ``raw`` is the name as written, ``qualifier`` is ``"ForAllValues"``,
    ``"ForAnyValue"`` or None, and ``base`` is the operator without qualifier
    or ``IfExists`` suffix.
    """

    raw: str
    qualifier: str | None
    base: str
    if_exists: bool

    @property
    def negated(self) -> bool:
        """Whether the base operator is a negated one, combined as NOR."""
        return self.base in POSITIVE_COUNTERPART

    @property
    def positive_base(self) -> str:
        """The base operator itself, or its positive counterpart when negated."""
        return POSITIVE_COUNTERPART.get(self.base, self.base)

    @property
    def family(self) -> str:
        """The operator family: String, Numeric, Date, Bool, Binary, IpAddress,
        Arn or Null."""
        return operator_family(self.base)

    @property
    def takes_variables(self) -> bool:
        """Whether policy variables in this operator's values are substituted."""
        return self.family in _VARIABLE_FAMILIES


def operator_family(base: str) -> str:
    """Return the family of a base operator name such as ``NumericLessThan``."""
    for prefix, family in _FAMILY_PREFIXES:
        if base.startswith(prefix):
            return family

    raise ValueError(f"unknown base operator {base!r}")


def _all_operator_names() -> tuple[str, ...]:
    names = []
    for qualifier in ("", *(f"{q}:" for q in QUALIFIERS)):
        for base in BASE_OPERATORS:
            names.append(f"{qualifier}{base}")
            if base != "Null":
                names.append(f"{qualifier}{base}IfExists")

    return tuple(names)


_VALID_NAMES = _all_operator_names()
_VALID_BY_LOWER = {name.lower(): name for name in _VALID_NAMES}


@cache
def parse_operator(name: str) -> Operator:
    """Parse a condition operator name, raising OperatorError when it is invalid.

    A name that differs from a valid one only by case fails with
    ``operator-case``, including a mis-cased qualifier such as
    ``forallvalues:StringEquals``.
    """
    try:
        tree = lalr_parser("condition_operator").parse(name)
    except LarkError:
        raise _classify_invalid(name) from None

    parts = {child.data: "".join(child.children) for child in tree.children}
    qualifier = parts.get("qualifier", "").removesuffix(":") or None
    base = parts["base"]
    if_exists = "if_exists" in parts

    if base == "Null" and if_exists:
        raise OperatorError(
            "null-ifexists",
            f"invalid condition operator {name!r}: IfExists cannot be appended "
            "to Null; use Null alone, which is already true when the key is absent",
        )

    return Operator(raw=name, qualifier=qualifier, base=base, if_exists=if_exists)


def _classify_invalid(name: str) -> OperatorError:
    """Build the error for a name that the grammar rejects."""
    right_spelling = _VALID_BY_LOWER.get(name.lower())
    if right_spelling is not None:
        return OperatorError(
            "operator-case",
            f"invalid condition operator {name!r}: operator names are case "
            f"sensitive; write {right_spelling!r}",
        )

    qualifier, separator, rest = name.rpartition(":")
    if rest.lower() == "nullifexists":
        return OperatorError(
            "null-ifexists",
            f"invalid condition operator {name!r}: IfExists cannot be appended "
            "to Null; use Null alone, which is already true when the key is absent",
        )

    if separator and qualifier not in QUALIFIERS:
        return OperatorError(
            "unknown-qualifier",
            f"unknown set qualifier {qualifier!r} in condition operator {name!r}; "
            "use 'ForAllValues' or 'ForAnyValue'",
        )

    return OperatorError("unknown-operator", _unknown_operator_message(name))


def _unknown_operator_message(name: str) -> str:
    message = f"unknown condition operator {name!r}"
    close = difflib.get_close_matches(name, _VALID_NAMES, n=1)
    if close:
        return f"{message}; did you mean {close[0]!r}?"

    return f"{message}; see the IAM condition operator list"


def check_value(operator: Operator, value: str) -> str | None:
    """Return an error message if ``operator`` cannot take the policy ``value``.

    Returns None for a valid value. String and Arn operators take any string.
    A Bool value that contains a policy variable is not checked, because its
    type is only known after substitution.
    """
    family = operator.family
    if family in ("String", "Arn"):
        return None

    if family == "Bool" and parse_template(value).has_variables:
        return None

    checker = _VALUE_CHECKERS[family]
    expected = checker(value)
    if expected is None:
        return None

    return f"invalid value {value!r} for condition operator {operator.raw}: {expected}"


def _check_number(value: str) -> str | None:
    if NUMBER_PATTERN.fullmatch(value):
        return None

    return "expected an integer or decimal number such as 10 or 1.2"


def _check_date(value: str) -> str | None:
    if parse_date(value) is not None:
        return None

    return (
        "expected an ISO 8601 date such as 2026-03-15, 2026-03-15T12:00:00Z or "
        "2026-03-15T12:00:00+01:00, or epoch seconds such as 1773576000; "
        "a time needs a zone designator"
    )


def _check_bool(value: str) -> str | None:
    if value.lower() in ("true", "false"):
        return None

    return "expected true or false"


def _check_ip(value: str) -> str | None:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return "expected an IPv4 or IPv6 address or CIDR block such as 203.0.113.0/24"

    return None


def _check_base64(value: str) -> str | None:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "expected base64-encoded bytes"

    return None


_VALUE_CHECKERS = {
    "Numeric": _check_number,
    "Date": _check_date,
    "Bool": _check_bool,
    "Null": _check_bool,
    "IpAddress": _check_ip,
    "Binary": _check_base64,
}
