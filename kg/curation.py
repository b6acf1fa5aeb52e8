"""Curating claims in a store: parse, validate incrementally, add atomically, retract, read.

:class:`ClaimService` is what the API and the CLI call; it knows a store
(:class:`~kg.store.Backend`) and a :class:`~kg.validation.Validator`.

A write validates only the new claim's own graphs, plus the ontology and the labels
and types of the entities it touches, so its cost does not grow with the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox
from pydantic import ValidationError
from rdflib import RDF, RDFS, Dataset, Graph, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from gbkg.kg.claim_rdf import (
    ClaimGraphs,
    claim_from_dataset,
    claim_iris,
    claim_to_dataset,
    new_dataset,
    write_pubinfo,
)
from gbkg.kg.errors import (
    ConflictError,
    CurieError,
    NotFoundError,
    ParameterError,
    ValidationFailed,
)
from gbkg.kg.ids import expand
from gbkg.kg.integrity import Recorded, check_write, entity_classes
from gbkg.kg.model import Claim, Finding, NewEntity, Retraction, Status
from gbkg.kg.namespaces import CLAIM, CURATORS_GRAPH, GBA, SOURCES_GRAPH
from gbkg.kg.store import Backend
from gbkg.kg.terms import dataset_quads, from_ox, quads_dataset, to_ox
from gbkg.kg.validation import ValidationReport, Validator, Violation, touched_entities

#: Called after every write with the IRIs of the claims it changed.
ChangeListener = Callable[[list[str]], None]


def parse_claim(data: Any) -> Claim:
    """A :class:`Claim` from decoded JSON; form errors become violations naming the field."""
    if not isinstance(data, dict):
        raise ValidationFailed(
            "a claim must be a JSON object",
            [_violation(None, "a claim must be a JSON object", "type", type(data).__name__)],
        )
    try:
        return Claim.model_validate(data)
    except ValidationError as error:
        violations = [
            _violation(
                ".".join(str(p) for p in e["loc"]) or None,
                _form_message(e),
                e["type"],
                e.get("input"),
            )
            for e in error.errors()
        ]
        raise ValidationFailed(
            f"the claim has {len(violations)} malformed field(s): "
            + ", ".join(v.field or "claim" for v in violations),
            violations,
        ) from None


def _form_message(error: Mapping[str, Any]) -> str:
    field = ".".join(str(p) for p in error["loc"]) or "claim"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return f"{field} is not a field of a claim; check its spelling"
    return f"{field}: {message}"


def _violation(field: str | None, message: str, constraint: str, value: Any) -> Violation:
    shown = None if value is None or isinstance(value, dict | list) else str(value)
    return Violation(
        field=field,
        path=None,
        constraint=f"form:{constraint}",
        message=message,
        severity="violation",
        value=shown,
        focus=None,
    )


@dataclass(frozen=True)
class ClaimPage:
    claims: list[Claim]
    count: int


@dataclass
class _Batch:
    """Claims checked for a write: one report per claim given, and what to store."""

    reports: list[ValidationReport] = field(default_factory=list)
    stored: list[Claim] = field(default_factory=list)
    #: The quads of each claim to store, by claim IRI.
    claim_quads: dict[str, list[ox.Quad]] = field(default_factory=dict)


def _report(*parts: list[Violation] | ValidationReport) -> ValidationReport:
    """One report from the rules of this module and the shapes' report; the write rules
    come first (a source that contradicts its record explains the shapes' results)."""
    violations: list[Violation] = []
    for part in parts:
        violations.extend(part.violations if isinstance(part, ValidationReport) else part)
    conforms = not any(v.severity == "violation" for v in violations)
    return ValidationReport(conforms=conforms, violations=violations)


def _cited_sources(dataset: Dataset) -> set[URIRef]:
    """The sources and primary sources a claim's dataset cites."""
    found: set[URIRef] = set()
    for link in (PROV.wasDerivedFrom, GBA.primarySource):
        found.update(
            o for _, _, o, _ in dataset.quads((None, link, None, None)) if isinstance(o, URIRef)
        )
    return found


class ClaimService:
    """Claims in one store."""

    def __init__(self, store: Backend, validator: Validator | None = None) -> None:
        self.store = store
        self.validator = validator or Validator()
        #: The types a new entity may have (gba:Entity and its subclasses).
        self.entity_classes = entity_classes(self.validator.ontology)
        self.listeners: list[ChangeListener] = []

    # Reading ---------------------------------------------------------------------

    def exists(self, iri: str) -> bool:
        return self.store.contains_graph(ox.NamedNode(ClaimGraphs(iri).assertion))

    def dataset(self, iri: str) -> Dataset:
        """The claim's four named graphs, with the descriptions of its sources and curators
        (from the shared sources and curators graphs): everything needed to read it."""
        quads: list[ox.Quad] = []
        for name in ClaimGraphs(iri).names:
            quads.extend(self.store.quads(ox.NamedNode(name)))
        if not quads:
            raise NotFoundError(f"no claim {iri}", value=iri)
        quads.extend(self._shared_descriptions(quads))
        return quads_dataset(quads, new_dataset())

    def _shared_descriptions(self, quads: list[ox.Quad]) -> list[ox.Quad]:
        """What the shared graphs say of the sources and curators these quads name."""
        wanted = {
            str(PROV.wasDerivedFrom): ox.NamedNode(SOURCES_GRAPH),
            str(GBA.primarySource): ox.NamedNode(SOURCES_GRAPH),
            str(PROV.wasAttributedTo): ox.NamedNode(CURATORS_GRAPH),
        }
        found: list[ox.Quad] = []
        for quad in quads:
            graph = wanted.get(quad.predicate.value)
            if graph is not None and isinstance(quad.object, ox.NamedNode):
                about = self.store.quads_about(quad.object)
                found.extend(q for q in about if q.graph_name == graph)
        return found

    def get(self, identifier: str) -> Claim:
        """One claim by IRI (or ``claim:`` CURIE), with labels."""
        iri = claim_iri(identifier)
        ds = self.dataset(iri)
        claim = claim_from_dataset(ds, iri)
        return self._labelled(claim)

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        """IRI → label for the entities known to the store (any graph)."""
        found: dict[str, str] = {}
        for iri in set(iris):
            for quad in self.store.quads_about(ox.NamedNode(iri)):
                if quad.predicate.value == str(RDFS.label) and isinstance(quad.object, ox.Literal):
                    found.setdefault(iri, quad.object.value)
        return found

    def _labelled(self, claim: Claim) -> Claim:
        wanted = {f: str(expand(v)) for f in ("subject", "object") if (v := getattr(claim, f))}
        labels = self.labels(wanted.values())
        update = {
            f"{f}_label": labels[i]
            for f, i in wanted.items()
            if i in labels and getattr(claim, f"{f}_label") is None
        }
        return claim.model_copy(update=update) if update else claim

    def find(
        self,
        *,
        entity: str | None = None,
        subject: str | None = None,
        object: str | None = None,
        predicate: str | None = None,
        finding: Finding | None = None,
        source: str | None = None,
        include_retracted: bool = False,
        limit: int = 50,
        offset: int = 0,
    ) -> ClaimPage:
        """Claims matching every given filter, ordered by IRI; ``count`` is before paging.

        Each filter is one index look-up (the claims whose ``rdf:subject``, say, is
        the given entity), and the filters intersect as sets of IRIs: no query scans
        every claim, so a filtered listing costs what its matches cost.
        """
        from gbkg.kg.claim_rdf import FINDINGS

        def having(prop: URIRef, value: Node) -> set[str]:
            found = self.store.subjects_with(to_ox(prop), to_ox(value))  # type: ignore[arg-type]
            return {n.value for n in found}

        def named(parameter: str, value: str) -> URIRef:
            return URIRef(_parameter_iri(parameter, value))

        sets: list[set[str]] = []
        if entity is not None:
            e = named("entity", entity)
            sets.append(having(RDF.subject, e) | having(RDF.object, e))
        for parameter, value, prop in (
            ("subject", subject, RDF.subject),
            ("object", object, RDF.object),
            ("predicate", predicate, RDF.predicate),
            ("source", source, PROV.wasDerivedFrom),
        ):
            if value is not None:
                sets.append(having(prop, named(parameter, value)))
        if finding is not None:
            sets.append(having(GBA.finding, FINDINGS[finding]))
        if not sets:
            sets.append(having(RDF.type, GBA.Claim))
        matching = set.intersection(*sorted(sets, key=len))
        if not include_retracted:
            matching -= having(GBA.status, GBA.Retracted)
        iris = sorted(matching)
        page = iris[offset : offset + limit]
        return ClaimPage(claims=[self.get(iri) for iri in page], count=len(iris))

    # Validating ------------------------------------------------------------------

    def reference_for(self, dataset: Dataset, recorded: Recorded | None = None) -> Graph:
        """What the shapes read beyond the claim's own graphs: the labels and types of
        every entity it touches, and what is recorded of its sources (so a claim may
        refer to a recorded source by its id alone); from the store and, in a batch,
        from the items before it (``recorded``)."""
        recorded = recorded if recorded is not None else Recorded(self.store)
        graph = Graph()

        def add(quad: ox.Quad) -> None:
            triple = (quad.subject, quad.predicate, quad.object)
            graph.add(tuple(from_ox(t) for t in triple))  # type: ignore[arg-type]

        for iri in touched_entities(dataset):
            for quad in recorded.entity_description(str(iri)):
                if quad.predicate.value in (str(RDF.type), str(RDFS.label)):
                    add(quad)
        sources = dataset.graph(SOURCES_GRAPH)
        for iri in _cited_sources(dataset):
            given = set(sources.predicates(iri, None))
            for quad in recorded.source_record(str(iri)):
                # A field the claim gives itself is checked against the record by
                # check_write; merging both values would report it twice.
                if URIRef(quad.predicate.value) not in given:
                    add(quad)
        return graph

    def validate(self, claim: Claim) -> ValidationReport:
        """The checks of :meth:`add` on the claim as it would be stored; nothing is written."""
        return self._prepare([claim], curator="validator", now=_now(), preserve=False).reports[0]

    def validate_many(
        self,
        claims: Iterable[Claim],
        *,
        curator: str = "validator",
        progress: Progress | None = None,
    ) -> list[ValidationReport]:
        """The checks of :meth:`add_many`, one report per claim; nothing is written."""
        batch = self._prepare(
            list(claims), curator=curator, now=_now(), preserve=True, progress=progress
        )
        return batch.reports

    def _prepare(
        self,
        claims: list[Claim],
        *,
        curator: str,
        now: datetime,
        preserve: bool,
        progress: Progress | None = None,
    ) -> _Batch:
        """Check each claim against the store and the claims before it; the quads to write.

        A claim already stored (or given earlier in the batch) is not written again, but
        what it describes must still agree with the record (:func:`check_write`);
        the very same record repeated is checked once. Only a claim that conforms is
        seen by the ones after it.
        """
        recorded = Recorded(self.store)
        batch = _Batch()
        seen: dict[str, Claim] = {}
        for index, claim in enumerate(_counted(claims, progress)):
            iri = claim.iri
            if seen.get(iri) == claim:  # the same record again: checked (and reported) once
                batch.reports.append(ValidationReport(conforms=True))
                continue
            check = check_write(claim, recorded, entity_classes=self.entity_classes)
            if iri in seen or self.exists(iri):
                batch.reports.append(_report(check.violations))
                seen.setdefault(iri, claim)
                continue
            seen[iri] = claim
            stored = self._as_stored(
                claim, check.new_entities, curator=curator, now=now, preserve=preserve
            )
            dataset = claim_to_dataset(stored)
            reference = self.reference_for(dataset, recorded)
            shapes = self.validator.validate_claim(dataset, entity_graph=reference)
            report = _report(check.violations, shapes)
            batch.reports.append(report)
            if report.conforms:
                quads = list(dataset_quads(dataset))
                recorded.add(quads, item=index)
                batch.claim_quads[stored.iri] = quads
                batch.stored.append(stored)
        return batch

    # Writing ---------------------------------------------------------------------

    def add(self, claim: Claim, *, curator: str, now: datetime | None = None) -> tuple[Claim, bool]:
        """Validate and store ``claim``; ``(stored claim, created)``.

        The same content gives the same IRI: when it is already stored, nothing is
        written and the stored claim comes back with ``created`` false (what the claim
        describes must still agree with the record).
        """
        with self.store.write_lock:
            batch = self._prepare([claim], curator=curator, now=now or _now(), preserve=False)
            report = batch.reports[0]
            if not report.conforms:
                raise ValidationFailed(
                    f"the claim breaks {len(report.errors)} rule(s)", report.violations
                )
            # Stored unless another process stored it meanwhile (a remote store).
            created = bool(batch.stored) and bool(self.store.store_claims(batch.claim_quads))
        if created:
            self._notify([claim.iri])
        return self.get(claim.iri), created

    def retract(
        self, identifier: str, *, reason: str, curator: str, now: datetime | None = None
    ) -> Claim:
        """Mark a claim retracted (who, when, why); the claim itself stays."""
        if not reason or not reason.strip():
            raise ParameterError("a retraction needs a reason", parameter="reason")
        iri = claim_iri(identifier)
        with self.store.write_lock:
            claim = self.get(iri)
            if claim.status is Status.RETRACTED:
                raise ConflictError(f"claim {iri} is already retracted", value=iri)
            retracted = claim.model_copy(
                update={
                    "status": Status.RETRACTED,
                    "retraction": Retraction(reason=reason.strip(), by=curator, at=now or _now()),
                }
            )
            graphs = ClaimGraphs(iri)
            pubinfo = ox.NamedNode(graphs.pubinfo)
            old = self.store.quads(pubinfo)
            new_graph, agents = Graph(), Graph()
            write_pubinfo(new_graph, retracted, agents=agents)
            curators = ox.NamedNode(CURATORS_GRAPH)
            new = [
                ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)  # type: ignore[arg-type]
                for triples, graph in ((new_graph, pubinfo), (agents, curators))
                for s, p, o in triples
            ]
            if not self.store.retract_claim(iri, remove=old, add=new):
                raise ConflictError(f"claim {iri} is already retracted", value=iri)
        self._notify([iri])
        return self.get(iri)

    def add_many(
        self, claims: Iterable[Claim], *, curator: str, progress: Progress | None = None
    ) -> list[tuple[Claim, bool]]:
        """Validate every claim, then store all of them in one transaction, or none.

        Each claim is checked against the store and the claims before it in the batch:
        a file may describe a new entity or source in one claim and use it in the next.
        Claims that carry their own curator (exported data) keep it, with their
        creation time, status and retraction; the others are attributed to ``curator``.
        ``progress(1)`` is called as each claim has been checked (the CLI's bar).
        """
        claims = list(claims)
        with self.store.write_lock:
            batch = self._prepare(
                claims, curator=curator, now=_now(), preserve=True, progress=progress
            )
            violations = [
                v.for_item(index)
                for index, report in enumerate(batch.reports)
                for v in report.errors
            ]
            if violations:
                raise ValidationFailed(
                    f"{len(violations)} violation(s); nothing was stored", violations
                )
            # Stored unless another process stored them meanwhile (a remote store).
            created = self.store.store_claims(batch.claim_quads) if batch.stored else set()
        self._notify(sorted(created))
        iris = [c.iri for c in claims]
        read = {iri: self.get(iri) for iri in set(iris)}
        return [(read[iri], iri in created) for iri in iris]

    @staticmethod
    def _as_stored(
        claim: Claim,
        entities: list[NewEntity],
        *,
        curator: str,
        now: datetime,
        preserve: bool = False,
    ) -> Claim:
        """The claim as it will be stored: server fields set, and of its entities only
        ``entities`` (the new ones, :attr:`~kg.integrity.WriteCheck.new_entities`).

        With ``preserve`` (bulk import of exported data), a curator, creation time,
        status and retraction the claim already carries are kept.
        """
        keep = preserve and claim.curator is not None
        return claim.model_copy(
            update={
                "curator": claim.curator if keep else curator,
                "created": claim.created if keep and claim.created else now,
                "status": claim.status if keep else Status.ACTIVE,
                "retraction": claim.retraction if keep else None,
                "subject_label": None,
                "object_label": None,
                "entities": entities,
            }
        ).with_id()

    def _notify(self, iris: list[str]) -> None:
        for listener in self.listeners:
            listener(iris)


#: Told how many more claims have been checked (e.g. ``tqdm.update``).
Progress = Callable[[int], object]


def _counted(claims: list[Claim], progress: Progress | None) -> Iterator[Claim]:
    """``claims``, calling ``progress(1)`` as the loop over them asks for the next one."""
    for claim in claims:
        yield claim
        if progress is not None:
            progress(1)


CLAIM_IRI = re.compile(re.escape(str(CLAIM)) + r"[0-9a-f]{32}")


def claim_iri(identifier: str) -> str:
    """A claim IRI from an IRI, a ``claim:`` CURIE or a bare hash.

    Raises :class:`~kg.errors.ParameterError` for anything that cannot be a claim id.
    """
    text = identifier.strip()
    if "/" not in text and ":" not in text:
        text = f"claim:{text}"
    try:
        iri = str(expand(text))
    except CurieError:
        iri = ""
    if not CLAIM_IRI.fullmatch(iri):
        raise ParameterError(
            f"{identifier!r} is not a claim id (32 hex digits, claim:<hash>, or the claim's IRI)",
            parameter="claim_id",
            value=identifier,
        )
    return iri


def _parameter_iri(name: str, value: str) -> str:
    try:
        return str(expand(value))
    except ValueError as error:
        raise ParameterError(f"{name}: {error}", parameter=name, value=value) from None


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def dataset_claims(dataset: Dataset) -> list[Claim]:
    """Every claim in a parsed dataset (e.g. a TriG file)."""
    return [claim_from_dataset(dataset, iri) for iri in claim_iris(dataset)]


def claims_to_quads(claims: Iterable[Claim]) -> list[ox.Quad]:
    dataset = new_dataset()
    for claim in claims:
        claim_to_dataset(claim, dataset)
    return list(dataset_quads(dataset))


__all__ = [
    "ClaimPage",
    "ClaimService",
    "claim_iri",
    "claims_to_quads",
    "dataset_claims",
    "parse_claim",
    "quads_dataset",
]
