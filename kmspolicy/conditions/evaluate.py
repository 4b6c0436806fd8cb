"""Evaluation of condition clauses against a request context.

A clause is one operator, one condition key and that key's policy values. Rules:

* Several policy values are OR-ed for a positive operator. A negated operator is
  the complement of its positive counterpart over all values (NOR), so
  ``StringNotEquals`` is true only when the request value equals none of them.
* Key absent: positive operators are false, negated ones true, any ``IfExists``
  form true, ``ForAllValues`` true (vacuously) and ``ForAnyValue`` false.
* ``ForAllValues``/``ForAnyValue`` treat the request value as a set; a scalar is
  a one-element set and ``""`` or ``[]`` is the empty set.
* ``Null`` is true for ``"true"`` when the key is absent or empty, and for
  ``"false"`` otherwise.
* A request value of the wrong type (``"n/a"`` for a number) matches no policy
  value, so a positive operator is false and a negated one true.
* A policy value that an operator cannot take (checked by
  ``operators.check_value``) matches no request value here.
* A policy variable that cannot be resolved makes its policy value match
  nothing, so a positive operator ignores that value and a negated one counts
  it as not equal.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import operator as python_operator
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import cache, partial

from kmspolicy.arn import arn_like
from kmspolicy.conditions.context import ContextValue, RequestContext
from kmspolicy.conditions.dates import parse_date
from kmspolicy.conditions.operators import NUMBER_PATTERN, Operator, operator_family
from kmspolicy.conditions.variables import Template, parse_template
from kmspolicy.glob import glob_regex

# NOTE: AWS documents no outcome for a plain operator (no ForAllValues or
# ForAnyValue) whose request value is multivalued. It only recommends a set
# qualifier. iam-simulate returns False for positive and negated operators alike,
# and so does this engine. Change this constant to choose another outcome.
PLAIN_OPERATOR_ON_MULTIVALUED_RESULT = False

# Whether one request value matches one policy value under a positive operator.
Matcher = Callable[[str, RequestContext], bool]

Clause = tuple[Operator, str, Sequence[str]]

_COMPARISONS = {
    "Equals": python_operator.eq,
    "LessThan": python_operator.lt,
    "LessThanEquals": python_operator.le,
    "GreaterThan": python_operator.gt,
    "GreaterThanEquals": python_operator.ge,
}


def evaluate_clause(
    operator: Operator,
    key: str,
    values: Sequence[str],
    context: RequestContext,
    substitute: bool,
) -> bool:
    """Return whether one condition clause holds for the request.

    ``values`` are the policy values as strings (JSON ``true`` as ``"true"``,
    numbers as their text). ``substitute`` enables policy variables and must be
    True only for policies with Version ``2012-10-17``.
    """
    matchers = _build_matchers(operator, values, substitute)
    return _evaluate(operator, key, tuple(values), matchers, context)


def compile_clause(
    operator: Operator, key: str, values: Sequence[str], substitute: bool
) -> Callable[[RequestContext], bool]:
    """Prepare a clause once; the result evaluates it like ``evaluate_clause``."""
    matchers = _build_matchers(operator, values, substitute)
    return partial(_evaluate, operator, key, tuple(values), matchers)


def evaluate_block(
    clauses: Iterable[Clause], context: RequestContext, substitute: bool
) -> bool:
    """Return whether every clause holds (AND). An empty block holds."""
    return all(
        evaluate_clause(operator, key, values, context, substitute)
        for operator, key, values in clauses
    )


def _build_matchers(
    operator: Operator, values: Sequence[str], substitute: bool
) -> tuple[Matcher, ...]:
    if operator.base == "Null":
        return ()

    use_variables = substitute and operator.takes_variables
    return tuple(
        build_matcher(operator.positive_base, value, use_variables) for value in values
    )


def _evaluate(
    operator: Operator,
    key: str,
    values: tuple[str, ...],
    matchers: tuple[Matcher, ...],
    context: RequestContext,
) -> bool:
    present, request_value = context.lookup(key)

    if operator.base == "Null":
        return _evaluate_null(values, present, request_value)

    if not present:
        return _absent_result(operator)

    if operator.qualifier is None:
        if isinstance(request_value, tuple):
            return PLAIN_OPERATOR_ON_MULTIVALUED_RESULT
        return _test_value(operator, request_value, matchers, context)

    members = _as_set(request_value)
    results = (_test_value(operator, member, matchers, context) for member in members)
    if operator.qualifier == "ForAllValues":
        return all(results)

    return any(results)


def _absent_result(operator: Operator) -> bool:
    """Return the outcome of a non-Null clause whose key is not in the context."""
    if operator.if_exists:
        return True

    if operator.qualifier == "ForAllValues":
        return True

    if operator.qualifier == "ForAnyValue":
        return False

    return operator.negated


def _as_set(value: ContextValue | None) -> tuple[str, ...]:
    if isinstance(value, tuple):
        return value

    if value:
        return (value,)

    return ()


def _test_value(
    operator: Operator,
    request_value: str,
    matchers: tuple[Matcher, ...],
    context: RequestContext,
) -> bool:
    """Apply the operator to one request value: OR over matchers, negated as NOR."""
    matched = any(matcher(request_value, context) for matcher in matchers)
    return not matched if operator.negated else matched


def _evaluate_null(
    values: tuple[str, ...], present: bool, request_value: ContextValue | None
) -> bool:
    """Evaluate Null, counting an empty string or list as absent.

    Values other than true/false (any case) match nothing.
    """
    is_null = not present or request_value in ("", ())
    for value in values:
        folded = value.lower()
        if folded in ("true", "false") and (folded == "true") == is_null:
            return True

    return False


@cache
def build_matcher(positive_base: str, policy_value: str, substitute: bool) -> Matcher:
    """Build the test of one request value against one policy value.

    ``positive_base`` is a positive base operator such as ``StringLike``.
    ``substitute`` enables policy variables. Pass True only for the String, Arn
    and Bool families.
    """
    family = operator_family(positive_base)
    builder = _MATCHER_BUILDERS[family]
    return builder(positive_base, policy_value, substitute)


def _never(request_value: str, context: RequestContext) -> bool:
    return False


def _string_matcher(base: str, policy_value: str, substitute: bool) -> Matcher:
    template = parse_template(policy_value) if substitute else None
    if template is None or not template.has_variables:
        return _literal_string_matcher(base, policy_value)

    if base == "StringLike":
        return partial(_match_like_template, template)

    ignore_case = base == "StringEqualsIgnoreCase"
    return partial(_match_equals_template, template, ignore_case)


def _literal_string_matcher(base: str, policy_value: str) -> Matcher:
    if base == "StringLike":
        regex = glob_regex(policy_value, True)
        return lambda request_value, context: regex.fullmatch(request_value) is not None

    if base == "StringEqualsIgnoreCase":
        folded = policy_value.lower()
        return lambda request_value, context: request_value.lower() == folded

    return lambda request_value, context: request_value == policy_value


def _match_like_template(
    template: Template, request_value: str, context: RequestContext
) -> bool:
    regex = template.render_glob(context, case_sensitive=True)
    return regex is not None and regex.fullmatch(request_value) is not None


def _match_equals_template(
    template: Template, ignore_case: bool, request_value: str, context: RequestContext
) -> bool:
    rendered = template.render(context)
    if rendered is None:
        return False

    if ignore_case:
        return rendered.lower() == request_value.lower()

    return rendered == request_value


def _arn_matcher(base: str, policy_value: str, substitute: bool) -> Matcher:
    """ArnEquals and ArnLike behave identically, wildcards included."""

    def match(request_value: str, context: RequestContext) -> bool:
        return arn_like(policy_value, request_value, context, substitute)

    return match


def _bool_matcher(base: str, policy_value: str, substitute: bool) -> Matcher:
    template = parse_template(policy_value) if substitute else None

    def match(request_value: str, context: RequestContext) -> bool:
        rendered = template.render(context) if template is not None else policy_value
        if rendered is None:
            return False

        folded = rendered.lower()
        return folded in ("true", "false") and folded == request_value.lower()

    return match


def _parse_number(text: str) -> Decimal | None:
    return Decimal(text) if NUMBER_PATTERN.fullmatch(text) else None


def _ordered_matcher(
    parse: Callable[[str], Decimal | None], base: str, policy_value: str
) -> Matcher:
    """Compare request and policy values as Decimals, request on the left."""
    expected = parse(policy_value)
    if expected is None:
        return _never

    family = operator_family(base)
    compare = _COMPARISONS[base.removeprefix(family)]

    def match(request_value: str, context: RequestContext) -> bool:
        actual = parse(request_value)
        return actual is not None and compare(actual, expected)

    return match


def _numeric_matcher(base: str, policy_value: str, substitute: bool) -> Matcher:
    return _ordered_matcher(_parse_number, base, policy_value)


def _date_matcher(base: str, policy_value: str, substitute: bool) -> Matcher:
    """Compare instants as UTC epoch seconds."""
    return _ordered_matcher(parse_date, base, policy_value)


def _ip_matcher(base: str, policy_value: str, substitute: bool) -> Matcher:
    """Test request addresses for membership in one CIDR block.

    A bare address is a /32 (IPv4) or /128 (IPv6) block. IPv4 blocks never
    contain IPv6 addresses, nor the reverse.
    """
    try:
        network = ipaddress.ip_network(policy_value, strict=False)
    except ValueError:
        return _never

    def match(request_value: str, context: RequestContext) -> bool:
        try:
            address = ipaddress.ip_address(request_value)
        except ValueError:
            return False

        return address in network

    return match


def _decode_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _binary_matcher(base: str, policy_value: str, substitute: bool) -> Matcher:
    """Compare decoded bytes; the request value is base64 too."""
    expected = _decode_base64(policy_value)
    if expected is None:
        return _never

    def match(request_value: str, context: RequestContext) -> bool:
        return _decode_base64(request_value) == expected

    return match


_MATCHER_BUILDERS: dict[str, Callable[[str, str, bool], Matcher]] = {
    "String": _string_matcher,
    "Arn": _arn_matcher,
    "Bool": _bool_matcher,
    "Numeric": _numeric_matcher,
    "Date": _date_matcher,
    "IpAddress": _ip_matcher,
    "Binary": _binary_matcher,
}
