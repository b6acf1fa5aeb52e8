"""What a SPARQL request asks for, found before anything is evaluated.

Two steps, both before the store sees the query:

1. :func:`classify` reads the prologue (comments, ``BASE``, ``PREFIX``) with a
   small lexer and returns the query form (SELECT, ASK, CONSTRUCT, DESCRIBE).
   The prologue grammar is regular, so this is exact; an update operation
   (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ...) is refused here with
   :class:`~kg.errors.ForbiddenQueryError`. The form decides content negotiation
   before any work is done.
2. :func:`inspect_query` finds ``SERVICE`` and the ``FROM`` / ``FROM NAMED``
   clause with rdflib's SPARQL grammar (``parseQuery``). A query without the
   letters "service" or "from" (after ``\\u`` escapes are expanded) cannot
   contain either, so only queries that mention them pay for the rdflib parse.

Validity is decided by Oxigraph when the query runs (a syntax error is a
:class:`~kg.errors.QueryError`, HTTP 400): rdflib accepts some invalid queries
and rejects a few valid ones. When rdflib cannot parse a query that mentions
"service", the query is refused, because Oxigraph *does* send ``SERVICE``
requests over HTTP (measured here with a loopback listener) and the endpoint
must never reach the network. ``FROM`` never reaches the network in Oxigraph (it
only selects graphs of the store), so an unparsable ``FROM`` is left to Oxigraph.

The two parsers do not agree on everything: rdflib ends a ``#`` comment only at
a line feed, Oxigraph at a carriage return too, so ``# x<CR>SERVICE <...>`` once
hid a SERVICE from this check. Line breaks are normalized to line feeds before
rdflib reads the text. This check exists to give a clear error; it is not what
keeps the service off the network: the worker processes that evaluate queries
cannot open sockets at all (:mod:`kg.query_sandbox`).

Before both, :func:`check_shape` refuses a query longer than the service's limit
or nested deeper than :data:`MAX_NESTING` (brackets ``{ ( [`` and ``<< >>``),
with a linear scan that skips strings, IRIs and comments. Oxigraph's parser and
evaluator recurse once per level: a deep enough query overflows the stack of the
thread that evaluates it and kills the process (about 2,200 ``{`` on an 8 MB
stack). Queries are evaluated on threads with a much larger stack, sized so
that no query within the length limit can overflow it (:mod:`kg.query_worker`);
this check turns hostile nesting into a clear 400 before anything runs.

>>> classify("# find things\\nprefix ex: <http://example.org/>\\nselect * { ?s ?p ?o }").form
<QueryForm.SELECT: 'SELECT'>
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from gbkg.kg.errors import ForbiddenQueryError, QueryError
from gbkg.kg.sparql_errors import SyntaxProblem, position


class QueryForm(StrEnum):
    """The four SPARQL query forms; SELECT and ASK give results, the others RDF."""

    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def returns_graph(self) -> bool:
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

READ_ONLY_MESSAGE = (
    "this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, "
    "COPY, MOVE, ADD) are not accepted; curators add claims through POST /claims"
)

_WS_OR_COMMENT = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*")
_IRIREF = re.compile(r"<([^<>\"{}|^`\\\x00-\x20]*)>")
# A superset of PNAME_NS: Oxigraph rejects what the grammar does not allow.
_PNAME_NS = re.compile(r"([^\s#<>:]*):")
_KEYWORD = re.compile(r"[A-Za-z]+")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


#: The deepest nesting of brackets a query may have; real queries stay far below it.
MAX_NESTING = 256

# A bracket, or what is skipped whole: an IRI reference, a string (long forms
# first), a comment. An unterminated string runs to the end of the text (Oxigraph
# refuses it anyway).
_TOKEN = re.compile(
    r"[{}()\[\]]|<<|>>"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)"
    r'|"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)'
    r"|'(?:[^'\\\r\n]|\\.)*(?:'|$)"
    r'|"(?:[^"\\\r\n]|\\.)*(?:"|$)'
    r"|#[^\r\n]*",
    re.DOTALL,
)
_OPENING = frozenset({"{", "(", "[", "<<"})
_CLOSING = frozenset({"}", ")", "]", ">>"})


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{ ( [`` and ``<< >>`` outside strings, IRIs and comments.

    Linear in the length of ``text``: one regular expression finds the tokens.

    >>> nesting_depth('SELECT * { ?s ?p ?o FILTER(?o = "{{{") }')
    2
    """
    depth = deepest = 0
    for token in _TOKEN.findall(text):
        if token in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif token in _CLOSING:
            depth = max(0, depth - 1)
    return deepest


def check_shape(text: str, *, max_bytes: int) -> None:
    """Refuse a query longer than ``max_bytes`` (in UTF-8) or nested deeper than
    :data:`MAX_NESTING`; the :class:`QueryError` names the size or depth and the limit.

    ``\\u`` escapes are expanded for the depth too (Oxigraph reads ``\\u007B`` as ``{``).

    >>> check_shape("SELECT * WHERE " + "{" * 300 + "}" * 300, max_bytes=1000)
    Traceback (most recent call last):
    ...
    gbkg.kg.errors.QueryError: the query nests brackets 300 levels deep; the limit is 256
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise QueryError(
            f"the query is {size:,} bytes long; the limit is {max_bytes:,} bytes "
            "(GBKG_QUERY_MAX_BYTES)",
            size=size,
            limit=max_bytes,
        )
    readings = [text, expand_escapes(text)] if "\\" in text else [text]
    depth = 0
    for reading in readings:
        brackets = sum(map(reading.count, "{([")) + reading.count("<<")
        depth = max(depth, nesting_depth(reading) if brackets > MAX_NESTING else brackets)
    if depth > MAX_NESTING:
        raise QueryError(
            f"the query nests brackets {depth} levels deep; the limit is {MAX_NESTING}",
            depth=depth,
            limit=MAX_NESTING,
        )


@dataclass(frozen=True)
class Classified:
    """The query form and the prologue of a query text."""

    form: QueryForm
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None


def expand_escapes(text: str) -> str:
    """Expand SPARQL ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes (SPARQL 1.1 Query, 19.2)."""

    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(one, text)


def classify(text: str) -> Classified:
    """The query form after the prologue; refuse updates.

    Raises :class:`ForbiddenQueryError` for an update operation and
    :class:`QueryError` when no query form follows the prologue.
    """
    prefixes: dict[str, str] = {}
    base: str | None = None
    pos = 0
    while True:
        pos = _WS_OR_COMMENT.match(text, pos).end()  # type: ignore[union-attr]
        word = _KEYWORD.match(text, pos)
        if word is None:
            break
        keyword = word.group(0).upper()
        if keyword == "BASE":
            pos = _WS_OR_COMMENT.match(text, word.end()).end()  # type: ignore[union-attr]
            iri = _IRIREF.match(text, pos)
            if iri is None:
                break
            base = iri.group(1)
            pos = iri.end()
        elif keyword == "PREFIX":
            pos = _WS_OR_COMMENT.match(text, word.end()).end()  # type: ignore[union-attr]
            name = _PNAME_NS.match(text, pos)
            if name is None:
                break
            pos = _WS_OR_COMMENT.match(text, name.end()).end()  # type: ignore[union-attr]
            iri = _IRIREF.match(text, pos)
            if iri is None:
                break
            prefixes[name.group(1)] = iri.group(1)
            pos = iri.end()
        elif keyword in QueryForm.__members__:
            return Classified(QueryForm(keyword), prefixes, base)
        elif keyword in UPDATE_KEYWORDS:
            raise ForbiddenQueryError(READ_ONLY_MESSAGE, operation=keyword)
        else:
            break
    if not text[pos:].strip():
        raise QueryError("the query is empty: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    line, column = position(text, pos)
    found = text[pos : pos + 20].split()[0]
    forms = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
    reason = f"found {found!r}, expected one of {', '.join(forms)}"
    problem = SyntaxProblem(line, column, reason, forms)
    raise QueryError(
        f"the SPARQL query does not parse: {problem.message}",
        line=line,
        column=column,
        expected=forms,
    )


@dataclass(frozen=True)
class QueryInspection:
    """What the query's own text asks of the dataset.

    ``from_graphs`` / ``from_named`` are the absolute IRIs of its ``FROM`` and
    ``FROM NAMED`` clauses; ``has_dataset`` says whether it has such a clause.
    """

    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    parsed: bool = True

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)


_RDFLIB_LOCK = threading.Lock()


def inspect_query(text: str, *, base_iri: str | None = None) -> QueryInspection:
    """Refuse ``SERVICE``; return the ``FROM`` / ``FROM NAMED`` IRIs.

    Raises :class:`ForbiddenQueryError` when the query has a ``SERVICE`` clause,
    or mentions "service" in a way rdflib's grammar cannot check.
    """
    lowered = (text + "\n" + expand_escapes(text)).lower()
    service = "service" in lowered
    if not service and not _FROM_WORD.search(lowered):
        return QueryInspection()
    return _inspect_parsed(text, base_iri, service)


#: "from" where the FROM keyword could stand: not inside a name (``prov:wasDerivedFrom``,
#: ``ex:from``, ``?fromDate``). Any other "from" (in an IRI, a string, a comment) still
#: sends the query to the parser, which decides; only SERVICE is looked for in any form.
_FROM_WORD = re.compile(r"(?<![\w\-:.?$])from(?![\w\-])")


def mentions_service(text: str) -> bool:
    """Whether the letters "service" occur in ``text`` (any case, escapes expanded):
    a query without them cannot have a SERVICE clause."""
    return "service" in (text + "\n" + expand_escapes(text)).lower()


@lru_cache(maxsize=512)
def _inspect_parsed(text: str, base_iri: str | None, mentions_service: bool) -> QueryInspection:
    from rdflib.plugins.sparql.algebra import translatePrologue
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        with _RDFLIB_LOCK:
            # Oxigraph ends a comment at a carriage return too; rdflib only at "\n".
            tree = parseQuery(text.replace("\r", "\n"))
    except Exception as error:  # pyparsing raises its own errors and some others
        if mentions_service:
            raise ForbiddenQueryError(
                "the query mentions SERVICE in a form the endpoint cannot verify; federated "
                "queries (SERVICE) are not allowed: the endpoint never contacts other services",
            ) from error
        return QueryInspection(parsed=False)
    prologue_tree, query_tree = tree[0], tree[1]
    if _has_service(query_tree):
        raise ForbiddenQueryError(
            "federated queries (SERVICE) are not allowed: the endpoint never contacts other "
            "services; query the local graph only"
        )
    clauses = query_tree.get("datasetClause") or []
    if not clauses:
        return QueryInspection()
    try:
        prologue = translatePrologue(prologue_tree, base_iri)
        default = tuple(str(prologue.absolutize(c["default"])) for c in clauses if "default" in c)
        named = tuple(str(prologue.absolutize(c["named"])) for c in clauses if "named" in c)
    except Exception as error:
        raise QueryError(f"the FROM clause cannot be resolved: {error}") from error
    return QueryInspection(from_graphs=default, from_named=named)


def _has_service(node: Any) -> bool:
    """Whether a ``ServiceGraphPattern`` occurs anywhere in an rdflib parse tree."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                return True
            stack.extend(item.values())
        elif isinstance(item, ParseResults | list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return False
