"""Curating claims in a store: validate, add atomically, retract, read.

:class:`ClaimService` is what the API and the CLI call; it knows a store
(:class:`~kg.store.Backend`) and a :class:`~kg.validation.Validator`.

A write goes one way, without round trips (``docs/rdf-model.md``, "The write path"):
the claim as sent (:class:`~kg.model.ClaimIn`, its IRI hashed once) → the write rules
(:func:`~kg.integrity.check_write`) → the claim as stored (:class:`~kg.model.Claim`,
the server's fields set) → its quads, built once (:func:`~kg.record.writer.claim_quads`)
→ those quads validated (the claim's own graphs, the part of the ontology the shapes
read, and the labels and types of the entities it touches: a cost that does not grow
with the store) → the same quads written in one transaction → the answer built from
what was written (never read back).

Many claims (``gbkg load``, the curation assistant) are validated together, one
pySHACL run per few hundred claims, each violation attributed to its claim
(:meth:`~kg.validation.Validator.validate_claims`): the cost is linear. The checks of
a write, for one claim or many, are :func:`kg.write_check.prepare`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import PROV

from gbkg.kg.errors import (
    ConflictError,
    CurieError,
    NotFoundError,
    ParameterError,
    ValidationFailed,
)
from gbkg.kg.ids import expand
from gbkg.kg.integrity import entity_classes
from gbkg.kg.model import Claim, ClaimIn, Finding, Retraction, Status
from gbkg.kg.namespaces import CLAIM, CURATORS_GRAPH, GBA, SOURCES_GRAPH
from gbkg.kg.record.layout import FINDINGS, OWN_GRAPHS, SOURCE, GraphRole, Kind
from gbkg.kg.record.reader import decode_claim
from gbkg.kg.record.writer import retraction_quads
from gbkg.kg.store import Backend
from gbkg.kg.validation import Validator
from gbkg.kg.violations import ValidationReport
from gbkg.kg.write_check import (
    Prepared,
    Progress,
    as_answered,
    labelled,
    named_entities,
    prepare,
)

#: Called after every write with the IRIs of the claims it changed.
ChangeListener = Callable[[list[str]], None]

_LABEL = str(RDFS.label)
#: The links from a study to its parts (arms, population shares), nodes of their own.
_PART_LINKS = frozenset(str(f.prop) for f in SOURCE.fields if f.kind is Kind.RECORD)


@dataclass(frozen=True)
class ClaimPage:
    claims: list[Claim]
    count: int


class ClaimService:
    """Claims in one store.

    ``max_triples`` bounds the quads one claim of :meth:`add` may write (the service's
    ``GBKG_MAX_CLAIM_TRIPLES``); ``None``: no bound (``gbkg load``).
    """

    def __init__(
        self,
        store: Backend,
        validator: Validator | None = None,
        *,
        max_triples: int | None = None,
    ) -> None:
        self.store = store
        self.validator = validator or Validator()
        self.max_triples = max_triples
        #: The types a new entity may have (gba:Entity and its subclasses).
        self.entity_classes = entity_classes(self.validator.ontology)
        self.listeners: list[ChangeListener] = []

    # Reading ---------------------------------------------------------------------

    def exists(self, iri: str) -> bool:
        return self.store.contains_graph(ox.NamedNode(GraphRole.ASSERTION.graph_name(iri)))

    def quads_of(self, iri: str) -> list[ox.Quad]:
        """The claim's four named graphs, with what the shared graphs say of its sources
        and curators: everything needed to read it, or to serve it as RDF."""
        quads: list[ox.Quad] = []
        for role in OWN_GRAPHS:
            quads.extend(self.store.quads(ox.NamedNode(role.graph_name(iri))))
        if not quads:
            raise NotFoundError(f"no claim {iri}", value=iri)
        quads.extend(self._shared_descriptions(iri, quads))
        return list(dict.fromkeys(quads))

    def _shared_descriptions(self, iri: str, quads: list[ox.Quad]) -> list[ox.Quad]:
        """What the shared graphs say of the sources and curators these quads name: what
        the claim wrote there, as the writer writes it (a source that reports other
        claims' primary sources links only this claim's here)."""
        wanted = {
            str(PROV.wasDerivedFrom): ox.NamedNode(SOURCES_GRAPH),
            str(GBA.primarySource): ox.NamedNode(SOURCES_GRAPH),
            str(PROV.wasAttributedTo): ox.NamedNode(CURATORS_GRAPH),
        }
        primary = {q.object for q in quads if q.predicate.value == str(GBA.primarySource)}
        cited = {q.object for q in quads if q.predicate.value == str(PROV.wasDerivedFrom)}
        reports = ox.NamedNode(str(GBA.reports))
        text = ox.NamedNode(str(GBA.fullText))
        found: list[ox.Quad] = []
        done: set[ox.NamedNode] = set()
        pending = [q.object for q in quads if q.predicate.value in wanted]
        graphs = {q.object: wanted[q.predicate.value] for q in quads if q.predicate.value in wanted}
        while pending:
            node = pending.pop()
            if not isinstance(node, ox.NamedNode) or node in done:
                continue
            done.add(node)
            graph = graphs.get(node, ox.NamedNode(SOURCES_GRAPH))
            for q in self.store.quads_about(node):
                if q.graph_name != graph or q.predicate == text:
                    continue  # a source's full text is not part of a claim read
                source_only = node in cited and node not in primary
                if q.predicate == reports and source_only and q.object not in primary:
                    continue  # the claim's source: only its link to this claim's study
                found.append(q)
                if q.predicate.value in _PART_LINKS:
                    pending.append(q.object)  # a study's arms and population shares
        retraction = ox.NamedNode(GraphRole.RETRACTION.graph_name(iri))
        found.extend(self.store.quads(retraction))
        for q in list(found):
            if q.graph_name == retraction and q.predicate.value == str(PROV.wasAttributedTo):
                found.extend(
                    c for c in self.store.quads_about(q.object)  # type: ignore[arg-type]
                    if c.graph_name == ox.NamedNode(CURATORS_GRAPH)
                )
        return found

    def get(self, identifier: str) -> Claim:
        """One claim by IRI (or ``claim:`` CURIE), with labels."""
        iri = claim_iri(identifier)
        quads = self.quads_of(iri)
        decoded = decode_claim(quads, iri)
        if decoded is None:
            raise NotFoundError(f"no claim {iri}", value=iri)
        claim = Claim.model_validate(decoded.data)
        return labelled(claim, self.labels(named_entities(claim).values()))

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        """IRI → label for the entities known to the store (any graph)."""
        found: dict[str, str] = {}
        for iri in set(iris):
            for quad in self.store.quads_about(ox.NamedNode(iri)):
                if quad.predicate.value == _LABEL and isinstance(quad.object, ox.Literal):
                    found.setdefault(iri, quad.object.value)
        return found

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
        """Claims matching every given filter; ``count`` is before paging.

        Without a filter the store pages (:meth:`~kg.store.Backend.claim_page`, in its
        own order, stable between writes): a page costs what its offset and limit cost,
        not what the store holds. With filters, each is one index look-up (the claims
        whose ``rdf:subject``, say, is the given entity), and the filters intersect as
        sets of IRIs, ordered by IRI: a filtered listing costs what its matches cost.
        """

        def having(prop: URIRef, value: str) -> set[str]:
            found = self.store.subjects_with(ox.NamedNode(str(prop)), ox.NamedNode(value))
            return {n.value for n in found}

        sets: list[set[str]] = []
        if entity is not None:
            e = _parameter_iri("entity", entity)
            sets.append(having(RDF.subject, e) | having(RDF.object, e))
        for parameter, value, prop in (
            ("subject", subject, RDF.subject),
            ("object", object, RDF.object),
            ("predicate", predicate, RDF.predicate),
            ("source", source, PROV.wasDerivedFrom),
        ):
            if value is not None:
                sets.append(having(prop, _parameter_iri(parameter, value)))
        if finding is not None:
            sets.append(having(GBA.finding, str(FINDINGS[finding])))
        if not sets:
            page, count = self.store.claim_page(
                offset=offset, limit=limit, include_retracted=include_retracted
            )
            return ClaimPage(claims=[self.get(iri) for iri in page], count=count)
        matching = set.intersection(*sorted(sets, key=len))
        if not include_retracted:
            matching -= self.store.retracted(matching)
        iris = sorted(matching)
        page = iris[offset : offset + limit]
        return ClaimPage(claims=[self.get(iri) for iri in page], count=len(iris))

    # Checking --------------------------------------------------------------------

    def validate(self, claim: ClaimIn) -> ValidationReport:
        """The checks of :meth:`add` on the claim as it would be stored; nothing is written."""
        return self.validate_many([claim], independent=True)[0]

    def validate_many(
        self,
        claims: Sequence[ClaimIn],
        *,
        curator: str = "validator",
        independent: bool = False,
        progress: Progress | None = None,
    ) -> list[ValidationReport]:
        """The checks of :meth:`add_many`, one report per claim; nothing is written.

        ``independent``: each claim is checked against the store alone, as if it were
        the only one sent (candidate claims are alternatives, not a batch).
        """
        items = self._prepare(
            claims, curator=curator, now=_now(), independent=independent, progress=progress
        )
        return [item.report for item in items]

    def _prepare(
        self,
        claims: Sequence[ClaimIn],
        *,
        curator: str,
        now: datetime,
        independent: bool = False,
        progress: Progress | None = None,
    ) -> list[Prepared]:
        return prepare(
            self.store,
            self.validator,
            claims,
            entity_classes=self.entity_classes,
            curator=curator,
            now=now,
            independent=independent,
            max_triples=self.max_triples,
            progress=progress,
        )

    # Writing ---------------------------------------------------------------------

    def add(
        self, claim: ClaimIn, *, curator: str, now: datetime | None = None
    ) -> tuple[Claim, bool]:
        """Validate and store ``claim``; ``(stored claim, created)``.

        The same content gives the same IRI: when it is already stored, nothing is
        written and the stored claim comes back with ``created`` false (what the claim
        describes must still agree with the record).
        """
        stored, created, _ = self.add_reported(claim, curator=curator, now=now)
        return stored, created

    def add_reported(
        self, claim: ClaimIn, *, curator: str, now: datetime | None = None
    ) -> tuple[Claim, bool, ValidationReport]:
        """:meth:`add`, and the report of its checks: a claim that is stored may still
        have warnings (``POST /claims`` returns them)."""
        with self.store.write_lock:
            item = self._prepare([claim], curator=curator, now=now or _now())[0]
            if not item.report.conforms:
                raise ValidationFailed(
                    f"the claim breaks {len(item.report.errors)} rule(s)", item.report.violations
                )
            created = False
            if item.supersession is not None:
                # The new claim and the old one's retraction, in one transaction.
                old, retraction = item.supersession
                claims = {item.record.iri: item.quads} if item.record is not None else {}
                if not self.store.store_retraction(old, retraction, claims=claims):
                    raise ConflictError(f"claim {old} is already retracted", value=old)
                created = item.record is not None
            elif item.record is not None:
                # Stored unless another process stored it meanwhile (a remote store).
                created = bool(self.store.store_claims({item.record.iri: item.quads}))
        changed = [claim.iri] if created else []
        if item.supersession is not None:
            changed.append(item.supersession[0])
        if changed:
            self._notify(changed)
        if created:
            assert item.record is not None
            return as_answered(item), True, item.report
        return self.get(claim.iri), False, item.report

    def form_and_shape_errors(self, error: ValidationFailed) -> ValidationFailed:
        """``error`` (a claim's form errors) with what :meth:`validate` finds in the claim
        its well-formed fields make (:attr:`~kg.errors.ValidationFailed.partial`), so that
        one 422 lists both. A result on a field the form refused (or a part of one, or
        the part that holds it) is left out: the form error already names it.
        """
        partial = error.partial
        if not isinstance(partial, ClaimIn):
            return error
        refused = [_unindexed(v.field) for v in error.violations if v.field]
        found = [
            v for v in self.validate(partial).violations
            if not any(_overlaps(_unindexed(v.field), f) for f in refused)
        ]  # fmt: skip
        if not found:
            return error
        broken = sum(1 for v in found if v.severity == "violation")
        return ValidationFailed(
            f"{error}; the rest of the claim breaks {broken} rule(s)",
            [*error.violations, *found],
        )

    def add_many(
        self, claims: Sequence[ClaimIn], *, curator: str, progress: Progress | None = None
    ) -> list[tuple[Claim, bool]]:
        """Validate every claim, then store all of them in one transaction, or none.

        Each claim is checked against the store and the claims before it in the batch:
        a file may describe a new entity or source in one claim and use it in the next.
        Claims that carry their own curator (exported :class:`~kg.model.Claim` records)
        keep it, with their creation time, status and retraction; the others are
        attributed to ``curator``. ``progress(n)`` is told as claims are checked.
        """
        with self.store.write_lock:
            items = self._prepare(claims, curator=curator, now=_now(), progress=progress)
            violations = [
                v.for_item(index) for index, item in enumerate(items) for v in item.report.errors
            ]
            if violations:
                raise ValidationFailed(
                    f"{len(violations)} violation(s); nothing was stored", violations
                )
            new = {i.record.iri: i.quads for i in items if i.record is not None}
            retractions = dict(i.supersession for i in items if i.supersession is not None)
            # Stored unless another process stored them meanwhile (a remote store).
            created = (
                self.store.store_claims(new, retractions=retractions)
                if new or retractions
                else set()
            )
        self._notify(sorted(created | set(retractions)))
        written = {
            i.record.iri: as_answered(i)
            for i in items
            if i.record is not None and i.record.iri in created
        }
        others = {c.iri for c in claims} - set(written)
        read = {iri: self.get(iri) for iri in sorted(others)}
        return [(written.get(c.iri) or read[c.iri], c.iri in written) for c in claims]

    def retract(
        self, identifier: str, *, reason: str, curator: str, now: datetime | None = None
    ) -> Claim:
        """Retract a claim: a retraction record (who, when, why, what) in its own named
        graph; the claim's graphs are not touched, and its status is derived from the
        record wherever it is read. A claim is retracted once: retracting it again is a
        :class:`~kg.errors.ConflictError` (409), and nothing is written."""
        if not reason or not reason.strip():
            raise ParameterError("a retraction needs a reason", parameter="reason")
        iri = claim_iri(identifier)
        with self.store.write_lock:
            claim = self.get(iri)
            if claim.status is not Status.ACTIVE:
                raise _already_retracted(claim)
            retraction = Retraction(reason=reason.strip(), by=curator, at=now or _now())
            if not self.store.store_retraction(iri, retraction_quads(iri, retraction)):
                raise ConflictError(f"claim {iri} is already retracted", value=iri)
        self._notify([iri])
        return claim.model_copy(update={"status": Status.RETRACTED, "retraction": retraction})

    def _notify(self, iris: list[str]) -> None:
        for listener in self.listeners:
            listener(iris)


def _unindexed(field: str | None) -> str:
    """A field without list indexes (``entities.0.type`` → ``entities.type``)."""
    return ".".join(step for step in (field or "").split(".") if not step.isdigit())


def _overlaps(a: str, b: str) -> bool:
    """Whether one field is the other or a part of it."""
    return bool(a) and (a == b or a.startswith(b + ".") or b.startswith(a + "."))


CLAIM_IRI = re.compile(re.escape(str(CLAIM)) + r"[0-9a-f]{32}")


def _already_retracted(claim: Claim) -> ConflictError:
    retraction = claim.retraction
    by = f" by {retraction.superseded_by}" if retraction and retraction.superseded_by else ""
    return ConflictError(
        f"claim {claim.iri} is already {claim.status.value}{by}; a claim is retracted once",
        value=claim.iri,
    )


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


__all__ = ["ClaimPage", "ClaimService", "claim_iri"]
