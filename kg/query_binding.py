"""Bound values for a server that has no ``substitutions``: a ``VALUES`` block.

pyoxigraph binds a query's parameters as terms (``substitutions``); the SPARQL 1.1
Protocol has no such thing. For a remote triplestore the same bindings are written
as one ``VALUES`` block at the start of the query's ``WHERE`` group::

    SELECT ?claim WHERE { ?claim rdf:subject ?e }
    -> SELECT ?claim WHERE { VALUES (?e) { (<https://...>) } ?claim rdf:subject ?e }

Only terms serialized by pyoxigraph go into the text (``str(ox.NamedNode(...))``,
``str(ox.Literal(...))``): a term object is already validated, and its N-Triples
form escapes every quote, brace and newline, so no value can end the block or add
an operation. The query text itself is the project's own (``queries/``), trusted.
User queries from ``/sparql`` are never bound this way (they have no parameters).

The start of the ``WHERE`` group is found by a small lexer that skips strings,
IRIs and comments: for SELECT, ASK and DESCRIBE, the first ``{`` outside
parentheses (a projection expression such as ``(EXISTS { ... } AS ?x)`` is inside
them); for CONSTRUCT, the ``{`` after the ``WHERE`` keyword (the first group is the
template), unless the short form ``CONSTRUCT WHERE { ... }`` is used.

A ``VALUES`` block at the start of the group joins with the whole group, as
Oxigraph's substitutions do for the projected variables the named queries bind.

>>> bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"o": ox.Literal("a } b")})
'SELECT ?s WHERE { VALUES (?o) { ("a } b") } ?s ?p ?o }'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from gbkg.kg.errors import QueryError

BoundTerm = ox.NamedNode | ox.Literal

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<open>\{) | (?P<close>\}) | (?P<lparen>\() | (?P<rparen>\))
    """,
    re.VERBOSE | re.DOTALL,
)


def where_group_start(text: str) -> int:
    """The offset just after the ``{`` that opens the query's ``WHERE`` group.

    Raises :class:`~kg.errors.QueryError` when the query has no such group
    (``DESCRIBE <iri>`` alone).
    """
    form: str | None = None
    parens = 0
    after_where = False
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("comment", "string", "iri"):
            continue
        if kind == "word":
            word = match.group().upper()
            if form is None and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = word
            elif word == "WHERE" and parens == 0:
                after_where = True
        elif kind == "lparen":
            parens += 1
        elif kind == "rparen":
            parens -= 1
        elif kind == "open" and parens == 0 and form is not None:
            if form != "CONSTRUCT" or after_where:
                return match.end()
            # CONSTRUCT's template: skip to its end, then look for WHERE.
            depth = 1
            for inner in _TOKEN.finditer(text, match.end()):
                if inner.lastgroup == "open":
                    depth += 1
                elif inner.lastgroup == "close":
                    depth -= 1
                    if depth == 0:
                        return _after_template(text, inner.end())
            break
    raise QueryError("the query has no WHERE group to bind parameters in")


def _after_template(text: str, position: int) -> int:
    for match in _TOKEN.finditer(text, position):
        if match.lastgroup == "open":
            return match.end()
    raise QueryError("the CONSTRUCT query has no WHERE group to bind parameters in")


def values_block(bindings: Mapping[str, BoundTerm]) -> str:
    """``VALUES (?a ?b) { (<x> "y") }``, each term serialized by pyoxigraph."""
    names = []
    terms = []
    for name, term in bindings.items():
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise TypeError(f"{name}: only IRIs and literals can be bound, not {type(term)}")
        names.append(str(ox.Variable(name)))
        terms.append(str(term))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def bind_values(text: str, bindings: Mapping[str, BoundTerm] | None) -> str:
    """``text`` with ``bindings`` as a ``VALUES`` block at the start of its WHERE group."""
    if not bindings:
        return text
    start = where_group_start(text)
    return f"{text[:start]} {values_block(bindings)}{text[start:]}"
