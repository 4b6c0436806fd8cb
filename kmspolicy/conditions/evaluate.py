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
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import cache, lru_cache, partial

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

# Whether one clause holds for a request context.
CompiledClause = Callable[[RequestContext], bool]

# Whether one request value passes a clause whose outcome depends on nothing else.
ValueTest = Callable[[str], bool]

# Parsed request values kept per process. Only parses are memoised, and a full
# cache is emptied least recently used first.
_PARSE_CACHE_SIZE = 4096

# A dotted-quad IPv4 address exactly as ``ipaddress`` accepts it: four decimal
# octets from 0 to 255 without leading zeros.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4_ADDRESS = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")

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
) -> CompiledClause:
    """Prepare a clause once; the result evaluates it like ``evaluate_clause``.

    A clause without a set qualifier, whose outcome depends only on its key's
    value, gets a specialised test with ``folded_key`` and ``test_value``
    attributes. Callers may memoise ``test_value`` by request value (see
    ``value_test_of``). Every other clause runs the general evaluation.
    """
    test = _value_test(operator, tuple(values), substitute)
    if test is None:
        matchers = _build_matchers(operator, values, substitute)
        return partial(_evaluate, operator, key, tuple(values), matchers)

    folded_key = key.lower()
    absent = _absent_result(operator)

    def clause(context: RequestContext) -> bool:
        value = context.value_of(folded_key)
        if value is None:
            return absent
        if value.__class__ is tuple:
            return PLAIN_OPERATOR_ON_MULTIVALUED_RESULT
        return test(value)

    clause.folded_key = folded_key
    clause.test_value = test
    clause.absent_result = absent
    return clause


def value_test_of(clause: CompiledClause) -> ValueTest | None:
    """Return the request-value test of a specialised clause, else None."""
    return getattr(clause, "test_value", None)


def _value_test(
    operator: Operator, values: tuple[str, ...], substitute: bool
) -> ValueTest | None:
    """Build a test of one string value for a clause that needs nothing else.

    Returns None for Null, set qualifiers and values with policy variables.
    """
    if operator.base == "Null" or operator.qualifier is not None:
        return None
    uses_variables = substitute and operator.takes_variables
    if uses_variables and any(parse_template(v).has_variables for v in values):
        return None

    base = operator.positive_base
    family = operator_family(base)
    if base == "StringEquals" and len(set(values)) == 1:
        test = values[0].__eq__
    elif base == "StringEquals":
        test = frozenset(values).__contains__
    elif base == "StringEqualsIgnoreCase":
        test = _folded_membership(frozenset(value.lower() for value in values))
    elif family == "IpAddress":
        test = _in_networks(values)
    else:
        matchers = tuple(build_matcher(base, value, False) for value in values)
        test = _any_matcher(matchers)

    if operator.negated:
        return _negation(test)
    return test


def _folded_membership(folded_values: frozenset[str]) -> ValueTest:
    def test(value: str) -> bool:
        return value.lower() in folded_values

    return test


def _any_matcher(matchers: tuple[Matcher, ...]) -> ValueTest:
    """OR the matchers, which ignore the context when no variable is involved."""
    if len(matchers) == 1:
        (matcher,) = matchers

        def test_one(value: str) -> bool:
            return matcher(value, None)

        return test_one

    def test_any(value: str) -> bool:
        for matcher in matchers:
            if matcher(value, None):
                return True
        return False

    return test_any


def _negation(test: ValueTest) -> ValueTest:
    def negated(value: str) -> bool:
        return not test(value)

    return negated


def evaluate_block(
    clauses: Iterable[Clause], context: RequestContext, substitute: bool
) -> bool:
    """Return whether every clause is true (AND). An empty block is true."""
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


@lru_cache(maxsize=_PARSE_CACHE_SIZE)
def _parse_number(text: str) -> Decimal | None:
    return Decimal(text) if NUMBER_PATTERN.fullmatch(text) else None


_parse_date = lru_cache(maxsize=_PARSE_CACHE_SIZE)(parse_date)


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
    return _ordered_matcher(_parse_date, base, policy_value)


def _ip_matcher(base: str, policy_value: str, substitute: bool) -> Matcher:
    """Test request addresses for membership in one CIDR block.

    A bare address is a /32 (IPv4) or /128 (IPv6) block. IPv4 blocks never
    contain IPv6 addresses, nor the reverse.
    """
    test = _in_networks((policy_value,))

    def match(request_value: str, context: RequestContext) -> bool:
        return test(request_value)

    return match


def _in_networks(policy_values: Sequence[str]) -> ValueTest:
    """Build a test of whether an address lies in any of the CIDR blocks given.

    Policy values that are not blocks match nothing. IPv4 blocks whose prefix
    ends at an octet boundary are tested with one regex on the text, and the
    others by comparing the parsed address under the block's mask.
    """
    patterns = []
    blocks = []
    for policy_value in policy_values:
        try:
            network = ipaddress.ip_network(policy_value, strict=False)
        except ValueError:
            continue
        if network.version == 4 and network.prefixlen % 8 == 0:
            patterns.append(_ipv4_block_pattern(network))
        else:
            mask = int(network.netmask)
            blocks.append((network.version, int(network.network_address), mask))

    def test(request_value: str) -> bool:
        for pattern in patterns:
            if pattern.fullmatch(request_value) is not None:
                return True
        if not blocks:
            return False

        address = _parse_address(request_value)
        if address is None:
            return False
        version, number = address
        for block_version, network_number, mask in blocks:
            if version == block_version and number & mask == network_number:
                return True
        return False

    return test


def _ipv4_block_pattern(network: ipaddress.IPv4Network) -> re.Pattern[str]:
    """Match the dotted quads that ``ipaddress`` reads as addresses in ``network``.

    The prefix length must be a multiple of 8, so the block fixes whole octets.
    Those are written without leading zeros, the only form ``ipaddress`` takes.
    """
    fixed = network.prefixlen // 8
    octets = str(network.network_address).split(".")[:fixed]
    parts = [re.escape(octet) for octet in octets] + [_OCTET] * (4 - fixed)
    return re.compile(r"\.".join(parts))


@lru_cache(maxsize=_PARSE_CACHE_SIZE)
def _parse_address(text: str) -> tuple[int, int] | None:
    """Return (IP version, address as an integer), or None if ``text`` is invalid.

    Dotted quads are parsed here and everything else by ``ipaddress``, which
    accepts the same IPv4 forms.
    """
    if _IPV4_ADDRESS.fullmatch(text):
        first, second, third, fourth = text.split(".")
        number = (int(first) << 24) | (int(second) << 16) | (int(third) << 8)
        return 4, number | int(fourth)

    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.version, int(address)


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
