"""Quads back as claim records, read along the layout table, closed.

:func:`decode_claims` reads every claim of an RDF document (a claim posted as Turtle,
JSON-LD or TriG; a file ``gbkg load`` reads; the quads of a stored claim), whatever
names its nodes: the claim is the subject typed ``gba:Claim``, each part is what the
claim links (``gba:statistics``, ...), each source what it cites. Graph names do not
matter, except that a claim's ``#assertion`` graph says whose entities it describes.

Reading is **closed**, as the JSON record is (``extra="forbid"``): a triple no field of
the layout maps — a misspelt property (``gba:pvalue``), a second subject, a value of
the wrong kind, a statement about something no claim names — becomes a
:class:`~kg.violations.Violation` naming it, never silently dropped. The project's
reference graphs (the ontology, the known entities), which every export holds and
every store has, are skipped.

The result is the record's JSON form (:attr:`Decoded.data`), which the model validates
like a JSON body (:func:`kg.record.form.claim_from_decoded`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import RDF

from gbkg.kg.ids import compress
from gbkg.kg.model import Status
from gbkg.kg.namespaces import ENTITIES_GRAPH, ONTOLOGY_GRAPH
from gbkg.kg.near_miss import did_you_mean
from gbkg.kg.record.layout import (
    CLAIM,
    CURATOR,
    DERIVED_LINKS,
    ENTITY,
    HEAD_LINKS,
    ITEMS,
    NANOPUBLICATION,
    REFERENCES,
    RETRACTION_RECORD,
    RETRACTS,
    SOURCE,
    Field,
    GraphRole,
    Kind,
    Node,
    Record,
    fields_on,
    items_on,
    parts,
)
from gbkg.kg.record.terms import Term, TermError, curator_name, from_term
from gbkg.kg.violations import Violation

#: Graphs every store has and every export holds: not read as claims.
REFERENCE_GRAPHS = frozenset({str(ONTOLOGY_GRAPH), str(ENTITIES_GRAPH)})

_TYPE = str(RDF.type)
_RETRACTS = str(RETRACTS)
_ENTITY_PROPERTIES = {str(f.prop) for f in ENTITY.fields}
Subject = ox.NamedNode | ox.BlankNode
Triple = tuple[Subject, ox.NamedNode, Term]


@dataclass
class Decoded:
    """One claim read from quads."""

    node: Subject
    #: The claim record as JSON has it (``{"statistics": {"p_value": 0.01}, ...}``);
    #: ``id`` is the node's IRI.
    data: dict[str, Any] = field(default_factory=dict)
    #: What could not be read, each naming its field.
    violations: list[Violation] = field(default_factory=list)


class _Triples:
    """A document's triples by subject (graph names dropped), each read at most once."""

    def __init__(self, quads: Iterable[ox.Quad], skip: frozenset[str]) -> None:
        self.about: dict[Subject, list[tuple[ox.NamedNode, Term]]] = {}
        #: Subject → the graphs its triples are in (for entity ownership).
        self.graphs: dict[Subject, set[str]] = {}
        #: Claim → the retractions that name it (``gba:retracts``).
        self.retractions: dict[Term, list[Subject]] = {}
        self.used: set[Triple] = set()
        seen: set[Triple] = set()
        for quad in quads:
            graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
            if graph in skip:
                continue
            s, p, o = quad.subject, quad.predicate, quad.object
            if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
                continue  # RDF 1.2 triple terms: refused before, by the parser's caller
            self.graphs.setdefault(s, set()).add(graph)
            triple = (s, p, o)
            if triple not in seen:
                seen.add(triple)
                self.about.setdefault(s, []).append((p, o))
                if p.value == _RETRACTS:
                    self.retractions.setdefault(o, []).append(s)

    def of(self, subject: Term) -> list[tuple[ox.NamedNode, Term]]:
        if isinstance(subject, ox.Literal):
            return []
        return self.about.get(subject, [])

    def use(self, s: Subject, p: ox.NamedNode, o: Term) -> None:
        self.used.add((s, p, o))

    def unused(self, subject: Subject) -> list[tuple[ox.NamedNode, Term]]:
        return [(p, o) for p, o in self.of(subject) if (subject, p, o) not in self.used]

    def claims(self) -> list[Subject]:
        """Subjects typed ``gba:Claim``, in document order."""
        claim = str(CLAIM.cls)
        return [
            s for s, props in self.about.items()
            if any(p.value == _TYPE and o.value == claim for p, o in props)
        ]  # fmt: skip


class _ClaimReader:
    """Reads one claim: its node, its parts, its sources and curators."""

    def __init__(self, triples: _Triples, claim: Subject) -> None:
        self.triples = triples
        self.claim = claim
        self.decoded = Decoded(claim)
        if isinstance(claim, ox.NamedNode):
            self.decoded.data["id"] = claim.value
        #: Node name or reference path → the node read for it.
        self.nodes: dict[str, Subject] = {CLAIM.name: claim}
        #: Every subject this claim read, with the field path its unread triples are on.
        self.roles: dict[Subject, str] = {claim: ""}
        #: The triples this claim's derived links read (not fields of the records).
        self.derived: set[Triple] = set()

    # Values ------------------------------------------------------------------------

    def violation(self, where: str, message: str, *, constraint: str, **extra: Any) -> None:
        self.decoded.violations.append(
            Violation.of(where or None, message, constraint=f"form:{constraint}", **extra)
        )

    def set_value(self, data: dict[str, Any], key: str, f: Field, term: Term, where: str) -> None:
        """Record ``term`` as the value of ``f`` at ``data[key]`` (``where`` for messages)."""
        try:
            value = from_term(f.kind, term, f.terms)
        except TermError as error:
            self.violation(where, f"{where}: {error}", constraint="rdf-value", value=term.value)
            return
        if f.match is not None:
            data.setdefault(key, []).append({"id": value, "match": f.match.value})
        elif f.many:
            data.setdefault(key, []).append(value)
        elif key in data:
            self.violation(
                where,
                f"{where} has two values ({_shown(data[key])}, {_shown(value)}); it has one",
                constraint="rdf-cardinality",
                value=_shown(value),
            )
        else:
            data[key] = value

    def container(self, path: str) -> tuple[dict[str, Any], str]:
        """The dict that holds ``path`` in the record (made as needed), and its last key."""
        *steps, key = path.split(".")
        data = self.decoded.data
        for step in steps:
            data = data.setdefault(step, {})
        return data, key

    # Nodes ---------------------------------------------------------------------------

    def read(self) -> Decoded:
        links = {str(p.link): p for p in parts()}
        refs = {str(r.link): r for r in REFERENCES}
        head = {str(link) for link in HEAD_LINKS.values()}
        classes = {str(CLAIM.cls), str(NANOPUBLICATION)}
        for p, o in self.triples.of(self.claim):
            prop = p.value
            if (prop == _TYPE and o.value in classes) or prop in head:
                self.triples.use(self.claim, p, o)
            elif prop in links:
                self.triples.use(self.claim, p, o)
                self.link(links[prop].name, o)
            elif prop in refs:
                self.triples.use(self.claim, p, o)
                self.link(refs[prop].path, o)
        self.fields(CLAIM, self.claim)
        for part in parts():
            if part.name in self.nodes:
                self.part(part)
        self.derived_links()
        for ref in REFERENCES:
            if ref.path in self.nodes:
                self.source(ref.path, ref.record)
        self.retraction()
        return self.decoded

    def retraction(self) -> None:
        """The claim's retraction, a record of its own that names the claim: the claim's
        status is derived from it (``superseded`` when it names the claim that
        supersedes this one)."""
        found = self.triples.retractions.get(self.claim, [])
        data: dict[str, Any] = self.decoded.data.get("retraction", {})
        for node in found:
            self.triples.use(node, ox.NamedNode(_RETRACTS), self.claim)
            self.roles.setdefault(node, "retraction")
            self.record(RETRACTION_RECORD, node, data, "retraction")
            agents = {str(f.prop) for f in RETRACTION_RECORD.fields if f.kind is Kind.CURATOR}
            for p, o in self.triples.of(node):
                if p.value in agents and isinstance(o, ox.NamedNode):
                    self.curator(o)
        if found or data:
            self.decoded.data["retraction"] = data
            superseded = data.get("superseded_by") is not None
            status = Status.SUPERSEDED if superseded else Status.RETRACTED
            self.decoded.data["status"] = status.value

    def link(self, name: str, target: Term) -> None:
        """The claim links its part or source ``name`` to ``target``."""
        if isinstance(target, ox.Literal):
            self.violation(
                name,
                f"{name} must be a node (an IRI or a blank node), not the text {target.value!r}",
                constraint="rdf-node",
                value=target.value,
            )
        elif name in self.nodes:
            self.violation(
                name,
                f"the claim has two {name} ({_shown(self.nodes[name])}, {_shown(target)}); "
                "it has one",
                constraint="rdf-cardinality",
                value=_shown(target),
            )
        else:
            self.nodes[name] = target
            self.roles.setdefault(target, name)

    def fields(self, n: Node, subject: Subject) -> None:
        by_prop = {str(f.prop): f for f in fields_on(n.name)}
        for p, o in self.triples.of(subject):
            f = by_prop.get(p.value)
            if f is None:
                continue
            self.triples.use(subject, p, o)
            data, key = self.container(f.path)
            self.set_value(data, key, f, o, f.path)
            if f.kind is Kind.CURATOR and isinstance(o, ox.NamedNode):
                self.curator(o)

    def part(self, n: Node) -> None:
        subject = self.nodes[n.name]
        owner = n.owners[0]
        if all(f.path.startswith(owner + ".") for f in fields_on(n.name)):
            self.decoded.data.setdefault(owner, {})  # the part is given, even with no field
        classes = {str(c) for c in n.classes}
        for p, o in self.triples.of(subject):
            if p.value == _TYPE and o.value in classes:
                self.triples.use(subject, p, o)
        self.fields(n, subject)
        for items in items_on(n.name):
            for p, o in self.triples.of(subject):
                if p.value == str(items.link):
                    self.triples.use(subject, p, o)
                    self.item(items.path, items.record, o)

    def item(self, path: str, record: Record, target: Term) -> None:
        """``target`` as one more item of the list at ``path`` (an arm of the evidence)."""
        container, key = self.container(path)
        found: list[dict[str, Any]] = container.setdefault(key, [])
        where = f"{path}.{len(found)}"
        if isinstance(target, ox.Literal):
            self.violation(
                where,
                f"{where} must be a node with its fields, not the text {target.value!r}",
                constraint="rdf-node",
                value=target.value,
            )
            return
        data: dict[str, Any] = {}
        found.append(data)
        self.roles.setdefault(target, where)
        assert record.cls is not None
        for p, o in self.triples.of(target):
            if p.value == _TYPE and o.value == str(record.cls):
                self.triples.use(target, p, o)
        self.record(record, target, data, where)

    def source(self, path: str, record: Record) -> None:
        subject = self.nodes[path]
        data: dict[str, Any] = self.decoded.data.setdefault(path, {})
        if isinstance(subject, ox.NamedNode):
            data["id"] = compress(subject.value)
        self.record(record, subject, data, path)

    def record(self, record: Record, subject: Subject, data: dict[str, Any], where: str) -> None:
        """Read ``subject`` as a ``record`` (a source, an entity, a retraction) into ``data``;
        the items of a sub-record field (a study's arms) from their own nodes."""
        for p, o in self.triples.of(subject):
            if (subject, p, o) in self.derived:
                continue  # a link the record derives (the source reports the primary source)
            if record.cls is not None and p.value == _TYPE and o.value == str(record.cls):
                self.triples.use(subject, p, o)
                continue
            f = record.field(p.value)
            if f is None:
                continue
            self.triples.use(subject, p, o)
            if f.kind is Kind.RECORD:
                assert f.record is not None
                items: list[dict[str, Any]] = data.setdefault(f.path, [])
                part = f"{where}.{f.path}.{len(items)}"
                if isinstance(o, ox.Literal):
                    self.violation(part, f"{part} must be a node, not the text {o.value!r}",
                                   constraint="rdf-node", value=o.value)  # fmt: skip
                    continue
                item: dict[str, Any] = {}
                items.append(item)
                self.roles.setdefault(o, f"{where}.{f.path}")
                self.record(f.record, o, item, part)
                continue
            *steps, key = f.path.split(".")
            container = data
            for step in steps:
                container = container.setdefault(step, {})
            self.set_value(container, key, f, o, f"{where}.{f.path}")

    def curator(self, agent: ox.NamedNode) -> None:
        """A curator's description, as the writer makes it, is part of the claim."""
        assert CURATOR.cls is not None
        expected = {(_TYPE, str(CURATOR.cls))}
        name = curator_name(agent.value)
        expected |= {(str(f.prop), name) for f in CURATOR.fields}
        for p, o in self.triples.of(agent):
            if (p.value, o.value) in expected:
                self.triples.use(agent, p, o)
        self.roles.setdefault(agent, "curator")

    def derived_links(self) -> None:
        for derived in DERIVED_LINKS:
            subject = self.nodes.get(derived.subject)
            target = self.nodes.get(derived.object)
            if subject is None or target is None or isinstance(subject, ox.Literal):
                continue
            for p, o in self.triples.of(subject):
                if p.value == str(derived.prop) and o == target:
                    self.triples.use(subject, p, o)
                    self.derived.add((subject, p, o))

    def entity(self, subject: Subject) -> None:
        """Read ``subject`` as one of the new entities the claim describes."""
        entities: list[dict[str, Any]] = self.decoded.data.setdefault("entities", [])
        where = f"{ENTITY.name}.{len(entities)}"
        if not isinstance(subject, ox.NamedNode):
            self.violation(
                where,
                f"{where}: a new entity needs an IRI (a CURIE such as gbkg:my-strain), "
                "not a blank node",
                constraint="rdf-node",
            )
            return
        data: dict[str, Any] = {"id": compress(subject.value)}
        entities.append(data)
        self.roles.setdefault(subject, where)
        self.record(ENTITY, subject, data, where)

    def leftovers(self) -> None:
        """Every unread triple about a node of this claim, as a violation naming it."""
        for subject, role in self.roles.items():
            known = _known_properties(role)
            for p, o in self.triples.unused(subject):
                self.triples.use(subject, p, o)
                self.decoded.violations.append(unmapped(role, p, o, known))


def _known_properties(role: str) -> list[str]:
    """The properties a node of ``role`` may have (for "did you mean")."""
    if role in ("", CLAIM.name):
        found = [str(f.prop) for f in fields_on(CLAIM.name)]
        found += [str(p.link) for p in parts()] + [str(r.link) for r in REFERENCES]
        return found
    for items in ITEMS:
        if role.startswith(items.path + "."):
            return [str(f.prop) for f in items.record.fields]
    name = role.split(".", 1)[0]
    if name == RETRACTION_RECORD.name:
        return [str(f.prop) for f in RETRACTION_RECORD.fields]
    if name in {r.path for r in REFERENCES} and role.count(".") == 1:
        sub = next((f.record for f in REFERENCES[0].record.fields
                    if f.record is not None and role.endswith("." + f.path)), None)  # fmt: skip
        if sub is not None:
            return [str(f.prop) for f in sub.fields]
    if name in {r.path for r in REFERENCES}:
        return [str(f.prop) for f in REFERENCES[0].record.fields] + [
            str(d.prop) for d in DERIVED_LINKS if d.subject == "source"
        ]
    if name == ENTITY.name:
        return [str(f.prop) for f in ENTITY.fields]
    if name == "curator":
        return [str(f.prop) for f in CURATOR.fields]
    return (
        [str(f.prop) for f in fields_on(name)]
        + [str(i.link) for i in items_on(name)]
        + [str(d.prop) for d in DERIVED_LINKS if d.subject == name]
    )


def unmapped(role: str, p: ox.NamedNode, o: Term, known: Sequence[str] = ()) -> Violation:
    """A triple no field of the record maps: named, with the closest known property."""
    prop = compress(p.value)
    local = p.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    where = f"{role}.{local}" if role else local
    owner = f"the claim's {role}" if role else "the claim"
    hint = ""
    close = did_you_mean(prop, [compress(k) for k in known])
    if p.value in known:
        hint = " (here it links a node the claim does not have)"
    elif close:
        hint = f" (did you mean {close}?)"
    elif p.value == _TYPE:
        hint = " (a class the record does not give this node)"
    return Violation.of(
        where,
        f"{prop} {_shown(o)} on {owner} is not part of the claim record; check its spelling{hint}",
        constraint="form:unknown-property",
        value=_shown(o),
        path=p.value,
    )


def decode_claims(
    quads: Iterable[ox.Quad], *, skip: frozenset[str] = REFERENCE_GRAPHS
) -> tuple[list[Decoded], list[Violation]]:
    """Every claim of a document, in document order, and what belongs to none of them.

    A node the claims do not name (a new entity) belongs to the claim whose
    ``#assertion`` graph describes it, else to the first claim that names it (as
    subject, object, context value or cross-reference), else to the only claim.
    """
    triples = _Triples(quads, skip)
    readers = [_ClaimReader(triples, claim) for claim in triples.claims()]
    for reader in readers:
        reader.read()
    stray: list[Violation] = []
    by_assertion = {
        GraphRole.ASSERTION.graph_name(r.claim.value): r
        for r in readers
        if isinstance(r.claim, ox.NamedNode)
    }
    read = {subject for r in readers for subject in r.roles}
    named_by: dict[Term, _ClaimReader] = {}
    for reader in readers:
        for node in (reader.claim, reader.nodes.get("context"), reader.nodes.get("outcome")):
            for _, o in triples.of(node) if node is not None else ():
                named_by.setdefault(o, reader)
    for subject in list(triples.about):
        unread = triples.unused(subject)
        if not unread or subject in read:
            continue
        if not any(p.value in _ENTITY_PROPERTIES for p, _ in unread):
            for p, o in unread:
                stray.append(_stray(subject, p, o))
                triples.use(subject, p, o)
            continue
        owner = _entity_owner(subject, readers, by_assertion, named_by, triples)
        if owner is None:
            for p, o in unread:
                stray.append(_stray(subject, p, o))
                triples.use(subject, p, o)
        else:
            owner.entity(subject)
    for reader in readers:
        reader.leftovers()
    return [r.decoded for r in readers], stray


def _entity_owner(
    subject: Subject,
    readers: list[_ClaimReader],
    by_assertion: dict[str, _ClaimReader],
    named_by: dict[Term, _ClaimReader],
    triples: _Triples,
) -> _ClaimReader | None:
    for graph in sorted(triples.graphs.get(subject, ())):
        if graph in by_assertion:
            return by_assertion[graph]
    if subject in named_by:
        return named_by[subject]
    return readers[0] if len(readers) == 1 else None


def _stray(subject: Subject, p: ox.NamedNode, o: Term) -> Violation:
    return Violation.of(
        None,
        f"{_shown(subject)} {compress(p.value)} {_shown(o)} is about something no claim of "
        "the document names: it is not part of any claim record",
        constraint="form:unknown-property",
        value=_shown(o),
        path=p.value,
        focus=subject.value,
    )


def read_source(quads: Iterable[ox.Quad], iri: str) -> dict[str, Any]:
    """What ``quads`` record of the source ``iri`` (its fields, its study's parts), as the
    record's JSON has it: the answer to a write that referred to a recorded source by id.

    >>> read_source([], "https://doi.org/10.1/x")
    {}
    """
    node = ox.NamedNode(iri)
    reader = _ClaimReader(_Triples(quads, frozenset()), node)
    data: dict[str, Any] = {}
    reader.record(SOURCE, node, data, "source")
    return data


def decode_claim(quads: Iterable[ox.Quad], iri: str) -> Decoded | None:
    """The claim ``iri`` from quads (a stored claim's graphs and shared descriptions)."""
    node = ox.NamedNode(iri)
    for decoded in decode_claims(quads)[0]:
        if decoded.node == node:
            return decoded
    return None


def _shown(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return compress(term.value)
    if isinstance(term, ox.BlankNode):
        return "a blank node"
    if isinstance(term, ox.Literal):
        return repr(term.value)
    return repr(term)


__all__ = [
    "REFERENCE_GRAPHS",
    "Decoded",
    "decode_claim",
    "decode_claims",
    "read_source",
    "unmapped",
]
