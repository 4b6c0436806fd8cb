"""Tests of policy-variable templates, glob helpers and the request context."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kmspolicy.conditions.context import RequestContext
from kmspolicy.conditions.variables import (
    Escape,
    Literal,
    Variable,
    parse_template,
)
from kmspolicy.glob import glob_match, glob_regex

CONTEXT = RequestContext(
    {
        "aws:username": "dana",
        "aws:PrincipalTag/team": "blue",
        "aws:PrincipalTag/cost center": "42",
        "aws:PrincipalTag/wild": "a*b?",
        "aws:TagKeys": ["a", "b"],
        "aws:PrincipalTag/empty": "",
    }
)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", ()),
        ("plain", (Literal("plain"),)),
        ("a$b}", (Literal("a$b}"),)),
        (
            "home/${aws:username}/",
            (Literal("home/"), Variable("aws:username"), Literal("/")),
        ),
        ("${aws:username, 'guest'}", (Variable("aws:username", "guest"),)),
        ("${k, ''}", (Variable("k", ""),)),
        ("${k, 'a}b'}", (Variable("k", "a}b"),)),
        (
            "${aws:PrincipalTag/cost center}",
            (Variable("aws:PrincipalTag/cost center"),),
        ),
        ("${*}${?}${$}", (Escape("*"), Escape("?"), Escape("$"))),
    ],
)
def test_parse_template_parts(text, parts):
    template = parse_template(text)
    assert template.parts == parts
    assert template.malformed is False


@pytest.mark.parametrize(
    "text",
    ["${aws:username", "a ${b} ${c", "${aws:username,'x'}", "${}", "${a, 'x}"],
)
def test_parse_template_malformed(text):
    template = parse_template(text)
    assert template.malformed is True
    assert template.parts == (Literal(text),)
    assert template.has_variables is False
    assert template.render(CONTEXT) == text


@pytest.mark.parametrize(
    ("text", "has_variables"),
    [("plain", False), ("${aws:username}", True), ("${*}", True), ("$ {x}", False)],
)
def test_template_has_variables(text, has_variables):
    assert parse_template(text).has_variables is has_variables


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("home/${aws:username}", "home/dana"),
        ("${AWS:USERNAME}", "dana"),
        ("${aws:principaltag/TEAM}", "blue"),
        ("${aws:PrincipalTag/cost center}", "42"),
        ("${aws:PrincipalTag/missing, 'shared'}", "shared"),
        ("${aws:PrincipalTag/team, 'shared'}", "blue"),
        ("${aws:TagKeys, 'fallback'}", "fallback"),
        ("${aws:PrincipalTag/empty, 'x'}", ""),
        ("${*}${?}${$}", "*?$"),
        ("${aws:PrincipalTag/missing}", None),
        ("${aws:TagKeys}", None),
        ("ok ${aws:username} ${aws:PrincipalTag/missing}", None),
    ],
)
def test_template_render(text, expected):
    assert parse_template(text).render(CONTEXT) == expected


@pytest.mark.parametrize(
    ("text", "case_sensitive", "value", "expected"),
    [
        ("home/${aws:username}/*", True, "home/dana/x/y", True),
        ("home/${aws:username}/*", True, "home/other/x", False),
        ("${aws:PrincipalTag/wild}", True, "a*b?", True),
        ("${aws:PrincipalTag/wild}", True, "axxbz", False),
        ("x${*}", True, "x*", True),
        ("x${*}", True, "xy", False),
        ("x${?}", True, "x?", True),
        ("x${?}", True, "xy", False),
        ("x?", True, "xy", True),
        ("${aws:username}", False, "DANA", True),
        ("${aws:username}", True, "DANA", False),
        ("a.b", True, "a.b", True),
        ("a.b", True, "axb", False),
    ],
)
def test_template_render_glob(text, case_sensitive, value, expected):
    regex = parse_template(text).render_glob(CONTEXT, case_sensitive)
    assert (regex.fullmatch(value) is not None) is expected


def test_render_glob_unresolvable():
    assert (
        parse_template("${aws:PrincipalTag/missing}*").render_glob(CONTEXT, True)
        is None
    )


@pytest.mark.parametrize(
    ("pattern", "value", "case_sensitive", "expected"),
    [
        ("*", "", True, True),
        ("*", "a:b/c\nd", True, True),
        ("a?c", "abc", True, True),
        ("a?c", "ac", True, False),
        ("kms:*", "KMS:Decrypt", False, True),
        ("kms:*", "KMS:Decrypt", True, False),
        ("a+b", "a+b", True, True),
        ("a+b", "aab", True, False),
        ("[ab]", "a", True, False),
        ("abc", "abcd", True, False),
        ("bc", "abc", True, False),
    ],
)
def test_glob_match(pattern, value, case_sensitive, expected):
    assert glob_match(pattern, value, case_sensitive) is expected


def test_glob_regex_cached():
    assert glob_regex("a*", True) is glob_regex("a*", True)


@given(st.text(max_size=12))
def test_glob_literal_text_matches_itself(text):
    escaped = text.replace("*", "").replace("?", "")
    assert glob_match(escaped, escaped) is True


@given(st.text(alphabet="ab${}*?:' ,", max_size=16))
def test_parse_template_never_raises(text):
    template = parse_template(text)
    rendered = template.render(RequestContext({}))
    if not template.has_variables:
        assert rendered == text


# Request context -------------------------------------------------------------


def test_context_lookup_case_insensitive():
    context = RequestContext({"kms:EncryptionContext:Project": "alpha"})
    assert context.lookup("KMS:encryptioncontext:project") == (True, "alpha")
    assert context.lookup("kms:EncryptionContext:other") == (False, None)


def test_context_lists_become_tuples():
    context = RequestContext({"aws:TagKeys": ["a", "b"]})
    assert context.lookup("aws:tagkeys") == (True, ("a", "b"))


def test_context_case_duplicates_first_wins():
    context = RequestContext(
        {"aws:PrincipalTag/Team": "red", "aws:PrincipalTag/team": "blue"}
    )
    assert context.lookup("aws:principaltag/TEAM") == (True, "red")
    assert len(context.warnings) == 1
    assert "'aws:PrincipalTag/team'" in context.warnings[0]


def test_context_no_warnings_without_duplicates():
    assert RequestContext({"a": "1", "b": "2"}).warnings == ()


def test_context_immutable():
    context = RequestContext({"a": "1"})
    with pytest.raises(AttributeError):
        context.warnings = ()


def test_context_rejects_non_string():
    with pytest.raises(TypeError, match="'aws:MultiFactorAuthAge'"):
        RequestContext({"aws:MultiFactorAuthAge": 30})


def test_context_copies_input():
    source = {"a": ["1"]}
    context = RequestContext(source)
    source["a"].append("2")
    source["b"] = "3"
    assert context.lookup("a") == (True, ("1",))
    assert context.lookup("b") == (False, None)
