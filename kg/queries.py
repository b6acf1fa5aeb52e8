"""The named-query catalog: SPARQL files in ``queries/`` with a grlc-style header.

Each file starts with comment lines that describe it::

    #+ summary: Claims whose subject or object is the given entity
    #+ params: entity (iri)
    #+ columns: claim, statement, finding, subject, subjectLabel

``params`` lists ``name (type)`` pairs, separated by commas; the type is one of
``iri``, ``string``, ``integer``, ``decimal``, ``boolean``, optionally followed by
``optional`` (``source (iri, optional)``). A parameter is bound as an RDF term
through pyoxigraph ``substitutions``, never spliced into the text; Oxigraph binds
only variables of the top-level ``SELECT`` projection, so every parameter must be
projected (a file that does not is refused when it is read). An optional parameter
left out stays unbound; test it with ``COALESCE(?x = ..., true)``, not ``BOUND(?x)``:
for a substituted variable Oxigraph 0.5 evaluates ``BOUND`` to false.

>>> query = NamedQuery.from_text("demo", "#+ summary: Demo\\n#+ params: n (integer)\\n"
...                              "SELECT ?n WHERE {}")
>>> query.params[0].name, str(query.params[0].type)
('n', 'integer')
>>> query.bind({"n": "3"})["n"].value
'3'
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pyoxigraph as ox

from gbkg.kg.errors import CurieError, NotFoundError, ParameterError, QueryError
from gbkg.kg.ids import expand
from gbkg.kg.resources import query_files
from gbkg.kg.store import Backend, QueryAnswer

XSD = "http://www.w3.org/2001/XMLSchema#"

Term = ox.NamedNode | ox.Literal


class ParamType(StrEnum):
    """How a parameter's text value becomes an RDF term."""

    IRI = "iri"  #: a CURIE with a known prefix or an absolute IRI
    STRING = "string"  #: an xsd:string literal
    INTEGER = "integer"  #: an xsd:integer literal
    DECIMAL = "decimal"  #: an xsd:decimal literal
    BOOLEAN = "boolean"  #: an xsd:boolean literal (true/false)


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a named query."""

    name: str
    type: ParamType
    required: bool = True

    def convert(self, value: str) -> Term:
        """The RDF term for ``value``; raises :class:`ParameterError` naming the parameter."""
        try:
            return _CONVERTERS[self.type](value.strip())
        except (CurieError, ValueError) as error:
            raise ParameterError(
                f"parameter {self.name!r} must be {_DESCRIPTIONS[self.type]}; got {value!r}",
                parameter=self.name,
                value=value,
            ) from error


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(str(expand(value)))


def _integer(value: str) -> ox.Literal:
    if not re.fullmatch(r"[+-]?\d+", value):
        raise ValueError(value)
    return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))


def _decimal(value: str) -> ox.Literal:
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
        raise ValueError(value)
    return ox.Literal(value, datatype=ox.NamedNode(XSD + "decimal"))


def _boolean(value: str) -> ox.Literal:
    text = value.lower()
    if text not in ("true", "false"):
        raise ValueError(value)
    return ox.Literal(text, datatype=ox.NamedNode(XSD + "boolean"))


_CONVERTERS: dict[ParamType, Callable[[str], Term]] = {
    ParamType.IRI: _iri,
    ParamType.STRING: ox.Literal,
    ParamType.INTEGER: _integer,
    ParamType.DECIMAL: _decimal,
    ParamType.BOOLEAN: _boolean,
}
_DESCRIPTIONS = {
    ParamType.IRI: "a CURIE with a known prefix (e.g. CHEBI:28790) or an absolute http(s) IRI",
    ParamType.STRING: "text",
    ParamType.INTEGER: "a whole number",
    ParamType.DECIMAL: "a decimal number",
    ParamType.BOOLEAN: "true or false",
}

_HEADER = re.compile(r"^#\+\s*(\w+)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"^(\w+)\s*\(\s*(\w+)\s*(?:,\s*(optional)\s*)?\)$")


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL query with its header: what it answers, its parameters, its columns."""

    name: str
    summary: str
    text: str
    params: tuple[Parameter, ...] = ()
    columns: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_text(cls, name: str, text: str) -> NamedQuery:
        """Parse the ``#+`` header of a query file; raise :class:`QueryError` if malformed."""
        header: dict[str, str] = {}
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped:
                continue
            if not stripped.startswith("#"):
                break
            match = _HEADER.match(stripped)
            if match:
                header[match.group(1).lower()] = match.group(2)
        summary = header.pop("summary", "")
        if not summary:
            raise QueryError(f"query {name!r}: the header has no '#+ summary:' line", query=name)
        params = tuple(_parse_params(name, header.pop("params", "")))
        columns = tuple(c.strip() for c in header.pop("columns", "").split(",") if c.strip())
        query = cls(name=name, summary=summary, text=text, params=params, columns=columns,
                    extra=header)  # fmt: skip
        query._check_projection()
        return query

    def _check_projection(self) -> None:
        projected = projection(self.text)
        if projected is None:
            return
        for param in self.params:
            if param.name not in projected:
                raise QueryError(
                    f"query {self.name!r}: parameter {param.name!r} is not in the SELECT "
                    "projection, so it cannot be bound (project ?{param.name})",
                    query=self.name,
                )

    def bind(self, params: Mapping[str, str]) -> dict[str, Term]:
        """The substitutions for ``params``: each checked, converted to its declared type.

        Raises :class:`ParameterError` for an unknown parameter, a missing required
        one, or a value of the wrong form.
        """
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(declared))
        if unknown:
            known = ", ".join(declared) or "none"
            raise ParameterError(
                f"query {self.name!r} has no parameter {unknown[0]!r} (its parameters: {known})",
                parameter=unknown[0],
            )
        bound: dict[str, Term] = {}
        for param in self.params:
            value = params.get(param.name)
            if value is None or value.strip() == "":
                if param.required:
                    raise ParameterError(
                        f"query {self.name!r} needs parameter {param.name!r} ({param.type})",
                        parameter=param.name,
                    )
                continue
            bound[param.name] = param.convert(value)
        return bound

    def run(self, store: Backend, params: Mapping[str, str] | None = None) -> QueryAnswer:
        """Evaluate on ``store`` (default graph: the union of all graphs)."""
        return store.query(self.text, substitutions=self.bind(params or {}))


def _parse_params(query: str, text: str) -> list[Parameter]:
    params = []
    for item in _split_params(text):
        match = _PARAM.match(item)
        if not match:
            raise QueryError(
                f"query {query!r}: cannot read parameter {item!r}; write 'name (type)'",
                query=query,
            )
        name, type_name, optional = match.groups()
        try:
            param_type = ParamType(type_name.lower())
        except ValueError:
            types = ", ".join(t.value for t in ParamType)
            raise QueryError(
                f"query {query!r}: parameter {name!r} has unknown type {type_name!r} ({types})",
                query=query,
            ) from None
        params.append(Parameter(name, param_type, required=optional is None))
    return params


def _split_params(text: str) -> list[str]:
    """Split ``a (iri), b (iri, optional)`` at the commas outside parentheses."""
    items, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        items.append(current.strip())
    return items


def projection(text: str) -> set[str] | None:
    """The variables of the top-level SELECT projection; ``None`` for ``SELECT *`` or non-SELECT.

    >>> sorted(projection("SELECT ?a (COUNT(?b) AS ?n) WHERE { ?a ?p ?b }"))
    ['a', 'n']
    """
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    match = re.search(r"\bSELECT\b(.*?)(?:\bWHERE\b|\{)", body, re.I | re.S)
    if not match:
        return None
    clause = match.group(1)
    if "*" in clause:
        return None
    # Drop "(expression AS ?v)" down to "?v", then collect the variables left.
    clause = re.sub(r"\((?:[^()]|\([^()]*\))*\bAS\s+[?$](\w+)\s*\)", r" ?\1 ", clause, flags=re.I)
    return set(re.findall(r"[?$](\w+)", clause))


class QueryCatalog:
    """The named queries shipped in ``queries/`` (found through importlib.resources)."""

    def __init__(self, queries: Mapping[str, NamedQuery] | None = None) -> None:
        if queries is None:
            loaded = {}
            for resource in query_files():
                name = resource.name.removesuffix(".rq")
                loaded[name] = NamedQuery.from_text(name, resource.read_text(encoding="utf-8"))
            queries = loaded
        self._queries = dict(sorted(queries.items()))

    def list(self) -> list[NamedQuery]:
        return list(self._queries.values())

    def names(self) -> builtins.list[str]:
        return list(self._queries)

    def get(self, name: str) -> NamedQuery:
        try:
            return self._queries[name]
        except KeyError:
            known = ", ".join(self._queries)
            raise NotFoundError(f"no named query {name!r}; known: {known}", query=name) from None

    def run(
        self, store: Backend, name: str, params: Mapping[str, str] | None = None
    ) -> QueryAnswer:
        return self.get(name).run(store, params)
