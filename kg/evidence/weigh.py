"""``evidence(graph, subject, object)``: every line about two entities, weighed.

1. The entities asked about and, unless ``exact``, every narrower entity
   (:mod:`kg.evidence.rollup`); the claims linking them, in either direction, from the
   claim graph in memory (retracted ones too with ``include_retracted``, read from the
   store).
2. Each claim read as a proposition (:mod:`kg.evidence.proposition`). The claims are
   grouped by the relation they bear on (a relation and its opposite together; null
   claims on a broader relation — ``affects`` for ``improves`` — join the narrower one),
   and by the direction they read in. The group weighed is the one with the most
   supporting lines, then the most counted lines, then the question's own direction; its
   relation is shown the way most lines support it (improves rather than worsens).
3. The group's claims make lines (:mod:`kg.evidence.lines`) on the question's
   proposition, one per study; the lines make a verdict (:mod:`kg.evidence.verdict`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.errors import NotFoundError, ParameterError
from gbkg.kg.evidence.index import EvidenceIndex, evidence_index
from gbkg.kg.evidence.lines import Item, Line, build_lines
from gbkg.kg.evidence.proposition import (
    COUNTED,
    Direction,
    Reading,
    canonical_relation,
    proposition_iri,
    read,
)
from gbkg.kg.evidence.rollup import Link
from gbkg.kg.evidence.verdict import Verdict, weigh_lines
from gbkg.kg.ids import compress
from gbkg.kg.projection import (
    ClaimRecord,
    EntityName,
    Relation,
    Vocabulary,
    entity_iri,
    read_pair,
)

_SWAP = {Direction.SUPPORTS: Direction.DISPUTES, Direction.DISPUTES: Direction.SUPPORTS}


@dataclass
class PropositionSummary:
    """One proposition with its own lines and verdict."""

    iri: str
    subject: str
    relation: Relation
    object: str
    qualifiers: dict[str, Any]
    lines: list[Line]
    verdict: Verdict
    claims: list[ClaimRecord] = field(default_factory=list)

    @property
    def counted(self) -> int:
        return sum(1 for ln in self.lines if ln.counted)


@dataclass
class EvidenceSummary:
    subject: EntityName
    object: EntityName
    relation: Relation | None
    forward: bool
    exact: bool
    proposition: str | None
    lines: list[Line]
    verdict: Verdict
    propositions: list[PropositionSummary]
    assertions: list[ClaimRecord]
    claims: list[ClaimRecord]
    #: claim IRI → the proposition it is about.
    proposition_of: dict[str, str] = field(default_factory=dict)

    def count(self, direction: Direction) -> int:
        return sum(1 for ln in self.lines if ln.direction is direction)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "lines": sum(1 for ln in self.lines if ln.counted),
            "supports": self.count(Direction.SUPPORTS),
            "no_effect": self.count(Direction.NO_EFFECT),
            "disputes": self.count(Direction.DISPUTES),
            "undetermined": self.count(Direction.UNDETERMINED),
            "claims": sum(len(ln.items) for ln in self.lines)
            + sum(len(i.items) for ln in self.lines for i in ln.includes),
            "assertions": len(self.assertions),
        }


def _name(graph: ClaimGraph, iri: str, parameter: str) -> EntityName:
    if iri in graph.entities:
        return graph.entities[iri]
    if iri in graph.graph:
        return EntityName(iri)
    raise NotFoundError(
        f"{parameter}: no entity {compress(iri)} in the graph", parameter=parameter,
        value=compress(iri),
    )  # fmt: skip


def orient(readings: list[Reading], vocabulary: Vocabulary) -> tuple[list[Reading], bool]:
    """Readings shown the way most of their lines support: flipped to the opposite relation
    when disputing studies outnumber supporting ones, or, with no effect either way, when
    most claims state the opposite (an assertion that garlic *promotes* growth stays so)."""
    studies: dict[Direction, set[str]] = {Direction.SUPPORTS: set(), Direction.DISPUTES: set()}
    for r in readings:
        if r.direction in studies:
            source = r.record.primary_source or r.record.source
            studies[r.direction].add(source.iri if source else r.record.iri)
    supports, disputes = len(studies[Direction.SUPPORTS]), len(studies[Direction.DISPUTES])
    stated = sum(1 if r.opposite else -1 for r in readings)
    if disputes < supports or (disputes == supports and stated <= 0):
        return readings, False
    opposite = vocabulary.get(readings[0].predicate).opposite
    if opposite is None:
        return readings, False
    return [
        replace(
            r,
            predicate=opposite,
            direction=_SWAP.get(r.direction, r.direction),
            opposite=not r.opposite,
        )
        for r in readings
    ], True


def proposition_summary(
    index: EvidenceIndex,
    readings: list[Reading],
    *,
    claims: list[ClaimRecord] | None = None,
    iri: str | None = None,
) -> PropositionSummary:
    """The verdict of one proposition from the readings of its claims (exact, no roll-up
    along the hierarchy). ``iri``: the proposition, when it is the core proposition of
    qualified claims (then it has no qualifiers); the first claim's otherwise."""
    first = readings[0]
    iri = iri or first.proposition
    vocabulary = index.graph.vocabulary
    shown, _ = orient(readings, vocabulary)
    active = [r for r in shown if r.record.active]
    lines = build_lines(iri, [Item(r) for r in active], index.reports)
    assertions = sum(1 for r in active if r.direction is Direction.ASSERTION)
    subject, relation, object = first.subject, shown[0].predicate, first.object
    turned = vocabulary.reverse(relation)
    if turned is not None and all(r.turned for r in readings):
        # every claim states it the other way round: shown as they state it
        subject, relation, object = object, turned, subject
    return PropositionSummary(
        iri=iri,
        subject=subject,
        relation=vocabulary.get(relation),
        object=object,
        qualifiers=dict(first.qualifiers) if iri == first.proposition else {},
        lines=lines,
        verdict=weigh_lines(lines, assertions),
        claims=sorted((r.record for r in readings), key=lambda c: c.iri),
    )


def evidence(
    graph: ClaimGraph,
    subject: str,
    object: str,
    *,
    exact: bool = False,
    include_retracted: bool = False,
) -> EvidenceSummary:
    """What the claims say about ``subject`` and ``object`` (CURIEs or IRIs): see the module.

    Unknown entities raise :class:`~kg.errors.NotFoundError`, malformed identifiers
    :class:`~kg.errors.CurieError`, both naming the parameter.
    """
    s_iri = entity_iri(subject, parameter="subject")
    o_iri = entity_iri(object, parameter="object")
    if s_iri == o_iri:
        raise ParameterError("subject and object are the same entity", parameter="object")
    s_name, o_name = _name(graph, s_iri, "subject"), _name(graph, o_iri, "object")
    if include_retracted and graph.store is None:
        raise ParameterError("retracted claims need a store", parameter="include_retracted")
    index = evidence_index(graph)
    below_s = {s_iri: ()} if exact else index.hierarchy.narrower(s_iri)
    below_o = {o_iri: ()} if exact else index.hierarchy.narrower(o_iri)
    records: dict[str, ClaimRecord] = {}
    for a in below_s:
        for b in below_o:
            if a == b:
                continue
            found = (
                read_pair(graph.store, a, b)  # type: ignore[arg-type]
                if include_retracted
                else graph.records_between(a, b)
            )
            for record in found:
                records.setdefault(record.iri, record)
    vocabulary = graph.vocabulary
    # Group the readings by (forward?, canonical relation).
    groups: dict[tuple[bool, str], list[Item]] = {}
    assertions: list[ClaimRecord] = []
    proposition_of: dict[str, str] = {}
    for record in sorted(records.values(), key=lambda r: r.iri):
        reading = read(record, vocabulary)
        proposition_of[record.iri] = reading.proposition
        if reading.subject in below_s and reading.object in below_o:
            forward, via = True, (*below_s[reading.subject], *below_o[reading.object])
        elif reading.subject in below_o and reading.object in below_s:
            forward, via = False, (*below_o[reading.subject], *below_s[reading.object])
        else:
            continue
        if reading.direction is Direction.ASSERTION:
            assertions.append(record)
        groups.setdefault((forward, reading.predicate), []).append(Item(reading, via))
    # Null claims on a broader relation join every narrower relation's group.
    for (forward, predicate), items in list(groups.items()):
        for parent in vocabulary.get(predicate).parents:
            canonical, _ = canonical_relation(parent, vocabulary)
            for item in groups.get((forward, canonical), []):
                if item.reading.direction is Direction.NO_EFFECT:
                    items.append(item)
    best: tuple[tuple[int, int, int, int], tuple[bool, str], list[Line], list[Reading]] | None
    best = None
    for (forward, predicate), items in sorted(groups.items()):
        shown, _ = orient([i.reading for i in items], vocabulary)
        rolled = [Item(r, i.via) for r, i in zip(shown, items, strict=True)]
        q = proposition_iri(*((s_iri, predicate, o_iri) if forward else (o_iri, predicate, s_iri)))
        lines = build_lines(q, rolled, index.reports)
        supports = sum(1 for ln in lines if ln.direction is Direction.SUPPORTS)
        counted = sum(1 for ln in lines if ln.direction in COUNTED)
        key = (supports, counted, len(items), int(forward))
        if best is None or key > best[0]:
            best = (key, (forward, predicate), lines, shown)
    if best is None:
        return EvidenceSummary(
            s_name, o_name, None, True, exact, None, [], weigh_lines([], len(assertions)), [],
            assertions, sorted(records.values(), key=lambda r: r.iri), proposition_of,
        )  # fmt: skip
    _, (forward, predicate), lines, shown = best
    # The propositions involved, each weighed on its own claims; the pair's core
    # proposition (no qualifiers) on every claim about exactly these two entities, as
    # ``/propositions/{id}`` weighs it.
    by_prop: dict[str, list[Reading]] = {}
    q_iri = proposition_iri(*((s_iri, predicate, o_iri) if forward else (o_iri, predicate, s_iri)))
    for item_reading in shown:
        by_prop.setdefault(item_reading.proposition, []).append(item_reading)
        if item_reading.core == q_iri != item_reading.proposition:
            by_prop.setdefault(q_iri, []).append(item_reading)
    propositions = [
        proposition_summary(index, [read(r.record, vocabulary) for r in rs], iri=iri)
        for iri, rs in sorted(by_prop.items(), key=lambda kv: (kv[0] != q_iri, kv[0]))
    ]
    # Every assertion listed with the pair (a *studied for* beside the *improves* claims
    # too), as ``counts.assertions`` counts them: the reason says what the list shows.
    active_assertions = sum(1 for r in assertions if r.active)
    return EvidenceSummary(
        subject=s_name,
        object=o_name,
        relation=vocabulary.get(shown[0].predicate),
        forward=forward,
        exact=exact,
        proposition=q_iri,
        lines=lines,
        verdict=weigh_lines(lines, active_assertions),
        propositions=propositions,
        assertions=assertions,
        claims=sorted(records.values(), key=lambda r: r.iri),
        proposition_of=proposition_of,
    )


def via_steps(links: tuple[Link, ...]) -> list[dict[str, str]]:
    return [{"from": compress(k.from_), "to": compress(k.to), "how": k.how} for k in links]


def proposition(graph: ClaimGraph, iri: str) -> PropositionSummary:
    """The proposition ``iri`` (``https://w3id.org/gbkg/proposition/<hash>``, or the hash):
    its verdict over its active claims, and every claim about it, retracted ones too."""
    from gbkg.kg.evidence.proposition import PROPOSITION_BASE

    if not iri.startswith(PROPOSITION_BASE):
        iri = PROPOSITION_BASE + iri
    index = evidence_index(graph)
    pairs = index.propositions().get(iri)
    if not pairs:
        raise NotFoundError(
            f"no proposition {iri} (a proposition exists while an active claim is about it)",
            parameter="id", value=iri,
        )  # fmt: skip
    records: dict[str, ClaimRecord] = {}
    for a, b in sorted(pairs):
        found = (
            read_pair(graph.store, a, b) if graph.store is not None else graph.records_between(a, b)
        )
        for record in found:
            records.setdefault(record.iri, record)
    readings = [
        r for rec in sorted(records.values(), key=lambda c: c.iri)
        if (r := read(rec, graph.vocabulary)).about(iri)
    ]  # fmt: skip
    return proposition_summary(index, readings, iri=iri)


@dataclass(frozen=True)
class ClaimEvidence:
    """Where one claim stands: its proposition, its line, and the proposition's verdict."""

    proposition: str
    line: str | None
    consensus: str
    certainty: str | None


def claim_evidence(graph: ClaimGraph, iri: str) -> ClaimEvidence | None:
    """The evidence standing of the active claim ``iri`` (``None`` when not active).

    Verdicts are memoized per proposition until the claim graph's next update.
    """
    ends = graph._edges.get(iri)
    if ends is None:
        return None
    data = graph.graph.get_edge_data(*ends, key=iri)
    if data is None:
        return None
    reading = read(data["record"], graph.vocabulary)
    index = evidence_index(graph)
    memo: dict[str, PropositionSummary] = index.steps.setdefault("propositions", {})  # type: ignore[assignment]
    summary = memo.get(reading.proposition)
    if summary is None:
        # A proposition's claims lie between its two entities (either way round).
        records = {r.iri: r for r in graph.records_between(*ends)}
        readings = [
            r for rec in sorted(records.values(), key=lambda c: c.iri)
            if (r := read(rec, graph.vocabulary)).about(reading.proposition)
        ]  # fmt: skip
        summary = memo[reading.proposition] = proposition_summary(
            index, readings, iri=reading.proposition
        )
    line = next(
        (
            ln.iri
            for top in summary.lines
            for ln in (top, *top.includes)
            if any(i.record.iri == iri for i in ln.items)
        ),
        None,
    )
    verdict = summary.verdict
    return ClaimEvidence(
        reading.proposition,
        line,
        verdict.consensus.value,
        verdict.certainty.value if verdict.certainty else None,
    )


def entity_evidence(
    graph: ClaimGraph, iri: str, *, exact: bool = False, limit: int | None = None
) -> tuple[list[EvidenceSummary], int]:
    """What the claims say about ``iri`` and each entity it is linked with (rolled up from
    its narrower entities unless ``exact``): one summary per partner, the partners with
    the most claims first (then by label), at most ``limit`` of them; and how many
    partners there are. Only the partners listed are weighed (an entity with 900
    partners costs what ``limit`` of them cost), and the answer is kept until the claim
    graph's next update."""
    index = evidence_index(graph)
    key = ("entity", iri, exact, limit)
    memo: dict[object, tuple[list[EvidenceSummary], int]] = index.steps.setdefault(
        "entities", {}
    )  # type: ignore[assignment]
    if key in memo:
        return memo[key]
    below = {iri: ()} if exact else index.hierarchy.narrower(iri)
    claims: dict[str, int] = defaultdict(int)
    with graph._lock:
        for node in below:
            if node in graph.graph:
                for _, other in graph.graph.out_edges(node):
                    claims[other] += 1
                for other, _ in graph.graph.in_edges(node):
                    claims[other] += 1
    for node in below:
        claims.pop(node, None)
    ranked = sorted(claims, key=lambda p: (-claims[p], graph.label(p).casefold(), p))
    found: list[EvidenceSummary] = []
    for partner in ranked:
        if limit is not None and len(found) >= limit:
            break
        summary = evidence(graph, iri, partner, exact=exact)
        if summary.relation is not None:
            found.append(summary)
    memo[key] = (found, len(ranked))
    return memo[key]
