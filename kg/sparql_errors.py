"""SPARQL syntax errors, reduced to where they are and what was expected.

Oxigraph's parser (rust-peg) reports a syntax error as ``error at LINE:COLUMN:
expected one of ...`` followed by every alternative of the grammar at that point,
character classes included (``['A' ..= 'Z' | 'a' ..= 'z' | '\\u{00C0}'..=...``):
hundreds of characters that bury the one fact a user needs. Its semantic checks
arrive in the same list as pseudo-alternatives ("Prefix not found", "Duplicated
variable name in SELECT"). :func:`query_syntax_error` turns that into one line:

    line 2, column 12: unknown prefix rdf (declare it: PREFIX rdf: <...>)
    line 1, column 29: found 'x', expected one of HAVING, OFFSET, OPTIONAL, VALUES, a digit

with ``line``, ``column`` and ``expected`` as the error's details (fields of the
``400`` problem body of ``/sparql``). It is the one translation of a query's
``SyntaxError``: :meth:`kg.store.OxigraphStore.query` raises it for the CLI, the
in-process runner and the query workers alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gbkg.kg.errors import QueryError

#: The head of Oxigraph's message: ``error at 3:17: <rest>``.
_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
#: A prefixed name (or a bare prefix) ending where the parser stopped.
_PNAME_BEFORE = re.compile(r"([A-Za-z][\w.-]*)?:[\w.%:-]*$")
#: Alternatives listed at most, before an ellipsis.
MOST_EXPECTED = 8
#: What the parser says for a prefix no PREFIX declares.
_PREFIX_NOT_FOUND = "Prefix not found"


@dataclass(frozen=True)
class SyntaxProblem:
    """Where a query stopped parsing (1-based line and column, in characters) and why."""

    line: int
    column: int
    reason: str
    expected: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return f"line {self.line}, column {self.column}: {self.reason}"


def query_syntax_error(error: SyntaxError | str, text: str) -> QueryError:
    """The :class:`~kg.errors.QueryError` for Oxigraph's ``error`` parsing ``text``.

    >>> import pyoxigraph as ox
    >>> query = "SELECT ?s\\nWHERE { ?s rdf:type ?o }"
    >>> try:
    ...     ox.Store().query(query)
    ... except SyntaxError as error:
    ...     print(query_syntax_error(error, query).message)  # doctest: +ELLIPSIS
    the SPARQL query does not parse: line 2, column 12: unknown prefix rdf (declare it: ...)
    """
    problem = describe(str(error), text)
    if problem is None:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return QueryError(f"the SPARQL query does not parse: {first}")
    return QueryError(
        f"the SPARQL query does not parse: {problem.message}",
        line=problem.line,
        column=problem.column,
        expected=problem.expected or None,
    )


def describe(message: str, text: str) -> SyntaxProblem | None:
    """Oxigraph's ``message`` about ``text``, reduced; ``None`` when it has no position.

    >>> oxigraph = "error at 1:19: expected one of HAVING, OFFSET, ['0'..='9']"
    >>> describe(oxigraph, "SELECT * {} LIMIT x").message
    "line 1, column 19: found 'x', expected one of HAVING, OFFSET, a digit"
    """
    match = _AT.match(message.strip())
    if match is None:
        return None
    line, column = int(match.group(1)), int(match.group(2))
    rest = " ".join(match.group(3).split())
    alternatives = _alternatives(rest.removeprefix("expected one of ").removeprefix("expected "))
    sentences = [a for a in alternatives if _is_sentence(a)]
    here = _line(text, line)
    if _PREFIX_NOT_FOUND in sentences:
        name = _PNAME_BEFORE.search(here[: column - 1])
        if name is not None:
            prefix = name.group(1) or ""
            start = name.start() + 1
            return SyntaxProblem(
                line, start, f"unknown prefix {prefix or ':'} (declare it: PREFIX {prefix}: <...>)"
            )
    if sentences:
        return SyntaxProblem(line, column, "; ".join(map(_lower_first, sentences)))
    expected = _readable(alternatives)
    found = _found(here, column, last_line=line >= text.count("\n") + 1)
    if not expected:
        return SyntaxProblem(line, column, f"unexpected {found}")
    shown = expected[:MOST_EXPECTED] + (["…"] if len(expected) > MOST_EXPECTED else [])
    one_of = "one of " if len(expected) > 1 else ""
    return SyntaxProblem(
        line, column, f"found {found}, expected {one_of}{', '.join(shown)}", expected
    )


def _alternatives(listing: str) -> list[str]:
    """The comma-separated alternatives, commas inside quotes and brackets kept."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    quote = ""
    for char in listing:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
            current.append(char)
        elif char == "[":
            depth += 1
            current.append(char)
        elif char == "]":
            depth -= 1
            current.append(char)
        elif char == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def _lower_first(sentence: str) -> str:
    """ "Duplicated variable" → "duplicated variable"; "IRI parsing failed" stays."""
    if sentence[1:2].islower():
        return sentence[0].lower() + sentence[1:]
    return sentence


def _is_sentence(item: str) -> bool:
    """A semantic check's message ("Prefix not found"), not a token of the grammar."""
    return " " in item and not item.startswith(("[", '"', "'"))


def _readable(alternatives: list[str]) -> list[str]:
    """Tokens as written; character classes as what they stand for; "any character"
    (``[_]``, rust-peg's whitespace and comment rules) dropped."""
    readable: list[str] = []
    for item in alternatives:
        if item.startswith("["):
            if "'A'" in item or "'a'" in item:
                item = "a name"
            elif "'0'" in item:
                item = "a digit"
            else:
                continue
        elif item.startswith('"') and item.endswith('"') and len(item) > 2:
            item = f"'{item[1:-1]}'"
        if item not in readable:
            readable.append(item)
    return readable


def _line(text: str, number: int) -> str:
    lines = text.split("\n")
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _found(line_text: str, column: int, *, last_line: bool) -> str:
    """What stands at the error: the next word or character, or the end."""
    rest = line_text[column - 1 :].strip()
    if not rest:
        return "end of the query" if last_line else "end of the line"
    word = re.match(r"[\w:?$.-]+|\S", rest)
    assert word is not None
    return repr(word.group(0)[:20])


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of ``offset`` in ``text``.

    >>> position("SELECT\\n  x", 9)
    (2, 3)
    """
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
