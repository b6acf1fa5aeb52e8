"""A write checked before it is written: each claim as it would be stored, its quads, and
what was found (:class:`Prepared`), for one claim or a batch.

:func:`prepare` is the one check of every write (``POST /claims``, ``POST
/claims/validate``, ``gbkg load``, the curation assistant): the write rules claim by
claim (:func:`~kg.integrity.check_write`, against the store and the claims before it),
the claim as stored (:class:`~kg.model.Claim`, the server's fields set), its quads
built once (:func:`~kg.record.writer.claim_quads`), and SHACL on all of them together
(:meth:`~kg.validation.Validator.validate_claims`: one pySHACL run per few hundred
claims, each result attributed to its claim), so checking many claims costs time
linear in their number. The quads checked are the quads :class:`~kg.curation.ClaimService`
writes; the claim it answers with is built from them and from what the checks read
(:func:`as_answered`), never read back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox
from rdflib import RDF, RDFS
from rdflib.namespace import PROV
from rdflib.term import URIRef

from gbkg.kg.errors import TooLargeError
from gbkg.kg.ids import expand
from gbkg.kg.integrity import Recorded, check_write
from gbkg.kg.model import Claim, ClaimIn, NewEntity, Source
from gbkg.kg.namespaces import GBA, SOURCES_GRAPH
from gbkg.kg.record.layout import REFERENCES, GraphRole
from gbkg.kg.record.terms import from_term
from gbkg.kg.record.writer import claim_quads
from gbkg.kg.store import Backend
from gbkg.kg.validation import ClaimData, Validator, touched_iris
from gbkg.kg.violations import ValidationReport, Violation

_LABEL = str(RDFS.label)
_TYPE = str(RDF.type)


@dataclass
class Prepared:
    """One claim of a write, checked: what to store, and what was found."""

    claim: ClaimIn
    #: The claim as it would be stored, and its quads; ``None`` when nothing is written
    #: for it (stored already, or given earlier in the batch).
    record: Claim | None = None
    quads: list[ox.Quad] = field(default_factory=list)
    #: The write rules' violations; SHACL's are added by the batch validation.
    checks: list[Violation] = field(default_factory=list)
    reference: list[ox.Quad] = field(default_factory=list)
    report: ValidationReport = field(default_factory=lambda: ValidationReport(conforms=True))
    #: The earlier item that is this very record (its report is this one's).
    same_as: Prepared | None = None


def prepare(
    store: Backend,
    validator: Validator,
    claims: Sequence[ClaimIn],
    *,
    entity_classes: frozenset[URIRef],
    curator: str,
    now: datetime,
    independent: bool = False,
    max_triples: int | None = None,
    progress: Progress | None = None,
) -> list[Prepared]:
    """Check each claim against the store (and the claims before it); the quads to write.

    A claim already stored (or given earlier in the batch) is not written again, but
    what it describes must still agree with the record (:func:`check_write`); the
    very same record repeated is checked once. A claim that passes the write rules
    is seen by the ones after it, and all are validated by SHACL together.
    ``progress(n)`` is called as ``n`` more claims are checked (a command-line bar).
    """
    shared = Recorded(store)
    items: list[Prepared] = []
    seen: dict[str, ClaimIn] = {}
    first: dict[str, Prepared] = {}
    for index, claim in enumerate(claims):
        item = Prepared(claim)
        items.append(item)
        iri = claim.iri
        if seen.get(iri) == claim:  # the same record again: checked once
            item.same_as = first[iri]
            continue
        first.setdefault(iri, item)
        recorded = Recorded(store) if independent else shared
        check = check_write(claim, recorded, entity_classes=entity_classes)
        item.checks = check.violations
        stored = store.contains_graph(ox.NamedNode(GraphRole.ASSERTION.graph_name(iri)))
        if (iri in seen and not independent) or stored:
            seen.setdefault(iri, claim)
            continue
        seen[iri] = claim
        item.record = as_stored(claim, check.new_entities, curator=curator, now=now)
        item.quads = claim_quads(item.record)
        if max_triples is not None and len(item.quads) > max_triples:
            raise TooLargeError(
                f"a claim body may make at most {max_triples} triples; "
                f"it makes {len(item.quads)}"
            )
        item.reference = reference_for(item.quads, recorded)
        if not item.checks and not independent:
            recorded.add(item.quads, item=index)
    to_validate = [i for i in items if i.record is not None]
    if progress is not None and len(items) > len(to_validate):
        progress(len(items) - len(to_validate))  # already stored, or repeated: checked
    reports = validator.validate_claims(
        [ClaimData(i.record.iri, i.quads, i.reference) for i in to_validate if i.record],
        progress=progress,
    )
    for item, report in zip(to_validate, reports, strict=True):
        item.report = ValidationReport.of(item.checks, report)
    for item in items:
        if item.record is None and item.same_as is None:
            item.report = ValidationReport.of(item.checks)
    for item in items:
        if item.same_as is not None:
            # In a batch the record is reported once; checked alone, it has its report.
            same = item.same_as.report
            item.report = same if independent else ValidationReport(conforms=same.conforms)
    return items



#: Told how many more claims were checked (``gbkg load``'s progress bar).
Progress = Callable[[int], object]


def reference_for(quads: Sequence[ox.Quad], recorded: Recorded) -> list[ox.Quad]:
    """What the shapes read beyond the claim's own quads: the labels and types of
    every entity it touches, and what is recorded of its sources (so a claim may
    refer to a recorded source by its id alone); from the store and, in a batch,
    from the items before it (``recorded``)."""
    found: list[ox.Quad] = []
    for iri in sorted(touched_iris(quads)):
        found += [
            q for q in recorded.entity_description(iri) if q.predicate.value in (_TYPE, _LABEL)
        ]
    sources = ox.NamedNode(SOURCES_GRAPH)
    cited = {
        q.object: {
            p.predicate for p in quads if p.subject == q.object and p.graph_name == sources
        }
        for q in quads
        if q.predicate.value in _SOURCE_LINKS and isinstance(q.object, ox.NamedNode)
    }
    for node, given in cited.items():
        # A field the claim gives itself is checked against the record by
        # check_write; merging both values would report it twice.
        found += [q for q in recorded.source_record(node.value) if q.predicate not in given]
    return found


def labelled(claim: Claim, labels: dict[str, str]) -> Claim:
    """``claim`` with the labels of its subject and object, from ``labels`` and from
    the entities it describes itself."""
    known = {str(expand(e.id)): e.label for e in claim.entities if e.label}
    known = {**labels, **known}
    update = {
        f"{name}_label": known[iri]
        for name, iri in named_entities(claim).items()
        if iri in known and getattr(claim, f"{name}_label") is None
    }
    return claim.model_copy(update=update) if update else claim


_SOURCE_LINKS = frozenset({str(PROV.wasDerivedFrom), str(GBA.primarySource)})


def as_stored(claim: ClaimIn, entities: list[NewEntity], *, curator: str, now: datetime) -> Claim:
    """The claim as it will be stored: the server's fields set, and of its entities only
    ``entities`` (the new ones, :attr:`~kg.integrity.WriteCheck.new_entities`).

    A :class:`~kg.model.Claim` that carries a curator (exported data, ``gbkg load``)
    keeps its curator, creation time, status and retraction.
    """
    if isinstance(claim, Claim) and claim.curator is not None:
        return Claim.stored(
            claim,
            curator=claim.curator,
            created=claim.created or now,
            entities=entities,
            status=claim.status,
            retraction=claim.retraction,
        )
    return Claim.stored(claim, curator=curator, created=now, entities=entities)


def as_answered(item: Prepared) -> Claim:
    """The claim just written, as :meth:`ClaimService.get` would read it, from what was
    written and what its validation read: the labels of its entities, and the recorded
    fields of a source it referred to by its id."""
    assert item.record is not None
    record = item.record
    update: dict[str, Source] = {}
    for ref in REFERENCES:
        source = getattr(record, ref.path)
        if source is None:
            continue
        node = ox.NamedNode(source.iri)
        recorded = [q for q in item.reference if q.subject == node]
        fields = {
            f.path: from_term(f.kind, q.object, f.terms)
            for q in recorded
            if (f := ref.record.field(q.predicate.value)) is not None
            and getattr(source, f.path) is None
        }
        if fields:
            update[ref.path] = source.model_copy(update=fields)
    if update:
        record = record.model_copy(update=update)
    return labelled(record, _labels(item.reference))


def named_entities(claim: ClaimIn) -> dict[str, str]:
    """``subject`` / ``object`` → the IRI it names."""
    return {f: str(expand(v)) for f in ("subject", "object") if (v := getattr(claim, f))}


def _labels(quads: Iterable[ox.Quad]) -> dict[str, str]:
    return {
        q.subject.value: q.object.value
        for q in quads
        if q.predicate.value == _LABEL
        and isinstance(q.object, ox.Literal)
        and isinstance(q.subject, ox.NamedNode)
    }
