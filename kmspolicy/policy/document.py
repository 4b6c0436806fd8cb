"""JSON text to a positioned JSON tree: the first stage of reading a policy.

The tree keeps every member of every object, duplicates included (the model stage
reports them), and a ``Span`` on every node. Bad input never raises anything but
``DocumentError``, whose finding names the problem and where it is.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Union

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from kmspolicy.errors import DocumentError
from kmspolicy.findings import make_finding
from kmspolicy.grammars import grammar_text

# The largest policy AWS stores is a 32 KB key policy. A JSON template that embeds
# policies may be larger, so the parser accepts up to 1 MiB before giving up.
MAX_DOCUMENT_BYTES = 1024 * 1024

# Policies nest about five levels deep; anything past this limit is not a policy and
# would only cost time and stack.
MAX_NESTING = 64


@dataclass(frozen=True, slots=True)
class Span:
    """The location of a node's text: 1-based line and column, 0-based offsets."""

    line: int
    column: int
    offset: int
    end_offset: int


@dataclass(frozen=True, slots=True)
class JsonString:
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class JsonNumber:
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class JsonBool:
    value: bool
    span: Span


@dataclass(frozen=True, slots=True)
class JsonNull:
    span: Span


@dataclass(frozen=True, slots=True)
class JsonArray:
    items: tuple[JsonNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class JsonMember:
    name: str
    name_span: Span
    value: JsonNode


@dataclass(frozen=True, slots=True)
class JsonObject:
    """A JSON object with its members in text order, duplicate names included."""

    members: tuple[JsonMember, ...]
    span: Span

    def get(self, name: str) -> JsonMember | None:
        """Return the last member called ``name`` (what a plain JSON parser keeps)."""
        found = None
        for member in self.members:
            if member.name == name:
                found = member
        return found


JsonNode = Union[JsonString, JsonNumber, JsonBool, JsonNull, JsonArray, JsonObject]


def _token_span(token: Token) -> Span:
    return Span(token.line, token.column, token.start_pos, token.end_pos)


def _joined_span(first: Token, last: Token) -> Span:
    return Span(first.line, first.column, first.start_pos, last.end_pos)


class _TreeBuilder(Transformer):
    """Parse callbacks, run by the LALR parser as it reduces (no recursion)."""

    def start(self, children):
        return children[0]

    def string(self, children):
        token = children[0]
        return JsonString(json.loads(token), _token_span(token))

    def number(self, children):
        token = children[0]
        return JsonNumber(str(token), _token_span(token))

    def true(self, children):
        return JsonBool(True, _token_span(children[0]))

    def false(self, children):
        return JsonBool(False, _token_span(children[0]))

    def null(self, children):
        return JsonNull(_token_span(children[0]))

    @v_args(inline=True)
    def member(self, name: Token, value: JsonNode):
        return JsonMember(json.loads(name), _token_span(name), value)

    def object(self, children):
        members = tuple(children[1:-1])
        return JsonObject(members, _joined_span(children[0], children[-1]))

    def array(self, children):
        items = tuple(children[1:-1])
        return JsonArray(items, _joined_span(children[0], children[-1]))


@cache
def _parser() -> Lark:
    return Lark(
        grammar_text("policy_json"),
        parser="lalr",
        transformer=_TreeBuilder(),
    )


def decode_text(data: bytes) -> str:
    """Decode UTF-8 input, dropping one leading byte-order mark.

    Raises DocumentError naming the line and column of the first invalid byte.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        bad = data[error.start : error.start + 1].hex()
        message = (
            f"input is not valid UTF-8: byte 0x{bad} at offset {error.start}; "
            "save the file as UTF-8"
        )
        raise DocumentError(
            make_finding("invalid-encoding", "$", line, column, message)
        )

    return text.removeprefix("\ufeff")


_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _check_limits(text: str, max_bytes: int) -> None:
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        message = (
            f"document is {size:,} bytes; kmspolicy reads at most {max_bytes:,} "
            "bytes (an AWS key policy is at most 32,768)"
        )
        raise DocumentError(make_finding("document-too-large", "$", 1, 1, message))

    if not text.strip():
        message = (
            'document is empty; a policy is a JSON object such as {"Statement": []}'
        )
        raise DocumentError(make_finding("empty-document", "$", 1, 1, message))

    depth = 0
    for match in _STRUCTURE.finditer(text):
        symbol = match.group()
        if symbol in "[{":
            depth += 1
            if depth > MAX_NESTING:
                line, column = _line_column(text, match.start())
                message = (
                    f"arrays and objects nest more than {MAX_NESTING} levels deep; "
                    "a policy document nests at most five"
                )
                raise DocumentError(
                    make_finding("nesting-too-deep", "$", line, column, message)
                )
        elif symbol in "]}":
            depth -= 1


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _syntax_message(text: str, error: UnexpectedInput) -> str:
    if isinstance(error, UnexpectedEOF):
        return "invalid JSON: the document ends before its last value is complete"

    if isinstance(error, UnexpectedCharacters):
        character = text[error.pos_in_stream] if error.pos_in_stream < len(text) else ""
        hint = ""
        if character == "'":
            hint = "; JSON strings take double quotes"
        elif character < " ":
            hint = "; control characters must be escaped inside strings"
        return f"invalid JSON: unexpected character {character!r}{hint}"

    token = getattr(error, "token", None)
    if token is None or token.type == "$END":
        return "invalid JSON: the document ends before its last value is complete"

    before = text[: token.start_pos].rstrip()
    if token in ("}", "]") and before.endswith(","):
        return f"invalid JSON: trailing comma before {str(token)!r}; remove the comma"
    if before.endswith(("}", "]", '"')) and token.type in ("STRING", "LBRACE"):
        return f"invalid JSON: unexpected {str(token)[:40]!r}; a comma is missing before it"
    return f"invalid JSON: unexpected {str(token)[:40]!r}"


_LONE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")


def parse_json(text: str, max_bytes: int = MAX_DOCUMENT_BYTES) -> JsonNode:
    """Parse JSON text into a positioned tree.

    A lone carriage return counts as a line break (as editors show it), without
    changing any offset. Raises DocumentError (never anything else) for empty,
    oversized, too deeply nested or syntactically invalid input.
    """
    _check_limits(text, max_bytes)
    text = _LONE_CARRIAGE_RETURN.sub("\n", text)

    try:
        return _parser().parse(text)
    except UnexpectedInput as error:
        line, column = _error_position(text, error)
        message = _syntax_message(text, error)
        raise DocumentError(make_finding("json-syntax", "$", line, column, message))


def _error_position(text: str, error: UnexpectedInput) -> tuple[int, int]:
    token = getattr(error, "token", None)
    if token is not None and token.type != "$END" and token.line is not None:
        return token.line, token.column
    if isinstance(error, UnexpectedCharacters):
        return error.line, error.column
    return _line_column(text, len(text.rstrip()))


def read_limited(path: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> bytes:
    """Read a regular file, refusing to read more than ``max_bytes`` of it.

    Raises OSError when the file cannot be opened or is not a regular file (a
    FIFO or a device would block or never end), and DocumentError when it is
    larger than the limit, without reading the rest.
    """
    # Check before opening: opening a FIFO for reading blocks until a writer comes.
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(errno.EINVAL, "not a regular file", str(path))

    with open(path, "rb") as stream:
        data = stream.read(max_bytes + 1)

    if len(data) > max_bytes:
        message = (
            f"{path} is larger than {max_bytes:,} bytes, the most kmspolicy reads "
            "(an AWS key policy is at most 32,768)"
        )
        raise DocumentError(make_finding("document-too-large", "$", 1, 1, message))
    return data


def load_json(data: bytes, max_bytes: int = MAX_DOCUMENT_BYTES) -> object:
    """Decode and load a JSON document of plain values (case files, grants).

    Applies the same encoding, size and nesting limits as policy text, so input
    of any shape ends in DocumentError, never a recursion or memory error.
    """
    text = decode_text(data)
    _check_limits(text, max_bytes)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        message = f"invalid JSON: {error.msg}"
        finding = make_finding("json-syntax", "$", error.lineno, error.colno, message)
        raise DocumentError(finding) from error


def to_python(node: JsonNode) -> object:
    """Convert a tree to plain Python values (last duplicate member wins)."""
    if isinstance(node, JsonObject):
        return {member.name: to_python(member.value) for member in node.members}
    if isinstance(node, JsonArray):
        return [to_python(item) for item in node.items]
    if isinstance(node, JsonNumber):
        return json.loads(node.text)
    if isinstance(node, JsonNull):
        return None
    return node.value
