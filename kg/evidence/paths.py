"""Paths ranked by their evidence: a step weighs what its proposition's lines say.

A path is a chain ``source → … → target`` (simple, at most ``max_hops`` steps). A step
is a proposition read from one entity to the next: every active claim between them
with that relation (or its opposite), read forwards, or backwards through a symmetric
or inverse relation. Descriptive relations (:data:`~kg.analytics.NON_MECHANISTIC`)
never form a step. Unless ``exact``, a path may start at an entity narrower than the
source and end at one narrower than the target (the roll-up of
:mod:`kg.evidence.rollup`); the step says so.

Step weight, from its proposition's consensus and certainty
(:func:`~kg.evidence.verdict.weigh_lines` over the step's own lines):

===================  ====  ========  ===  ========
consensus            high  moderate  low  very low
===================  ====  ========  ===  ========
supported            1.0   0.8       0.6  0.45
context-dependent    0.6   0.48      0.36 0.27
contested            0.25 (any certainty)
no-effect            0.1
assertion only       0.35 (0.25 when every claim is hedged)
===================  ====  ========  ===  ========

So contested and no-effect steps rank below supported ones, and are shown as such;
assertion-only steps (a mechanism stated without a test) are marked. Qualifiers
travel along the path: when two consecutive steps both state a qualifier with no value
in common (population "women with depression" then "people"), or a ``contains`` step
(a food that contains a probiotic) leads into tested evidence about the product, the
path reports the change and its score is multiplied by 0.7 for each. Score = product
of step weights × 0.7 per change; ranked by score, then fewer changes, fewer hops.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from gbkg.kg.analytics import NON_MECHANISTIC, ClaimGraph
from gbkg.kg.errors import NotFoundError, ParameterError
from gbkg.kg.evidence.context import Context
from gbkg.kg.evidence.index import MOVES, REACHES, EvidenceIndex, evidence_index
from gbkg.kg.evidence.lines import Item, Line, build_lines
from gbkg.kg.evidence.proposition import Direction, Reading, read
from gbkg.kg.evidence.rollup import Link
from gbkg.kg.evidence.verdict import Certainty, Consensus, Verdict, describe_lines, weigh_lines
from gbkg.kg.evidence.weigh import orient
from gbkg.kg.ids import compress
from gbkg.kg.model import Finding
from gbkg.kg.projection import ClaimRecord, entity_iri

MAX_HOPS = 6
MAX_CANDIDATES = 5000
CHANGE_FACTOR = 0.7
SUPPORTED = {Certainty.HIGH: 1.0, Certainty.MODERATE: 0.8, Certainty.LOW: 0.6,
             Certainty.VERY_LOW: 0.45}  # fmt: skip
CONTEXT_DEPENDENT_FACTOR = 0.6
CONTESTED_WEIGHT = 0.25
NO_EFFECT_WEIGHT = 0.1
ASSERTION_WEIGHT, HEDGED_ASSERTION_WEIGHT = 0.35, 0.25
_CONTAINS = "https://w3id.org/gbkg/ontology#contains"
SCORING = (
    "step weight from its proposition's consensus and certainty: supported 1.0 / 0.8 / 0.6 / "
    "0.45 (high / moderate / low / very low), context-dependent 0.6 x that, contested 0.25, "
    "no-effect 0.1, assertion only 0.35 (0.25 hedged); score = product of step weights x 0.7 "
    "per qualifier change; ranked by score, then fewer changes, fewer hops."
)


@dataclass(frozen=True)
class PathStep:
    source: str
    target: str
    relation: str
    proposition: str
    verdict: Verdict
    lines: tuple[Line, ...]
    claims: tuple[ClaimRecord, ...]
    weight: float
    reversed: bool
    context: Context
    #: Roll-up links from ``source`` up to the entity asked about (first step) or from
    #: ``target`` up to it (last step).
    via: tuple[Link, ...] = ()

    @property
    def assertion_only(self) -> bool:
        return self.verdict.consensus is Consensus.INSUFFICIENT

    @property
    def counted(self) -> int:
        return sum(1 for ln in self.lines if ln.counted)

    def explain(self, label: dict[str, str]) -> str:
        source = label.get(self.source, compress(self.source))
        head = f"{source} → {label.get(self.target, compress(self.target))}"
        if self.assertion_only:
            sources = {c.source.iri for c in self.claims if c.source is not None}
            kinds = "hedged " if all(c.hedged for c in self.claims) else ""
            n = len(sources) or 1
            return f"{head}: {kinds}asserted by {n} source{'s' if n > 1 else ''}, not tested"
        counted = [ln for ln in self.lines if ln.counted]
        certainty = self.verdict.certainty.value if self.verdict.certainty else "no"
        consensus = self.verdict.consensus
        if consensus is Consensus.SUPPORTED:
            words = f"supported by {describe_lines(counted)}"
        elif consensus is Consensus.NO_EFFECT:
            words = f"no effect found by {describe_lines(counted)}"
        else:
            parts = [
                f"{describe_lines([ln for ln in counted if ln.direction is d])} {d.value}"
                for d in (Direction.SUPPORTS, Direction.NO_EFFECT, Direction.DISPUTES)
                if any(ln.direction is d for ln in counted)
            ]
            words = f"{consensus.value}: " + ", ".join(parts)
        through = sorted({t for ln in counted for t in ln.reported_through})
        tail = (
            f", reported through {len(through)} secondary source{'s' if len(through) > 1 else ''}"
            if through
            else ""
        )
        return f"{head}: {words} ({certainty} certainty{tail})"


@dataclass(frozen=True)
class EvidencePath:
    steps: tuple[PathStep, ...]
    score: float
    changes: tuple[str, ...]
    explanation: str

    @property
    def hops(self) -> int:
        return len(self.steps)


@dataclass
class RankedPaths:
    paths: list[EvidencePath]
    truncated: bool = False
    candidates: int = 0

    def __iter__(self) -> Iterator[EvidencePath]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def step_weight(verdict: Verdict, claims: tuple[ClaimRecord, ...]) -> float:
    consensus, certainty = verdict.consensus, verdict.certainty
    if consensus is Consensus.INSUFFICIENT:
        return HEDGED_ASSERTION_WEIGHT if all(c.hedged for c in claims) else ASSERTION_WEIGHT
    if consensus is Consensus.CONTESTED:
        return CONTESTED_WEIGHT
    if consensus is Consensus.NO_EFFECT:
        return NO_EFFECT_WEIGHT
    weight = SUPPORTED[certainty or Certainty.VERY_LOW]
    return weight * (CONTEXT_DEPENDENT_FACTOR if consensus is Consensus.CONTEXT_DEPENDENT else 1.0)


class _Search:
    def __init__(self, graph: ClaimGraph, index: EvidenceIndex) -> None:
        self.graph = graph
        self.index = index
        self.memo: dict[str, dict[str, list[PathStep]]] = index.steps.setdefault(MOVES, {})  # type: ignore[assignment]

    def _groups(self, node: str) -> dict[tuple[str, str, bool], list[tuple[Reading, bool]]]:
        """The traversable readings of the claims at ``node``, by (entity reached,
        relation, read forward)."""
        g, vocabulary = self.graph.graph, self.graph.vocabulary
        groups: dict[tuple[str, str, bool], list[tuple[Reading, bool]]] = defaultdict(list)
        edges = [(d["record"], False) for _, _, d in g.out_edges(node, data=True)]
        edges += [(d["record"], True) for _, _, d in g.in_edges(node, data=True)]
        for record, backwards in edges:
            if record.predicate in NON_MECHANISTIC:
                continue
            if backwards and record.subject == node:
                continue
            if backwards and vocabulary.reverse(record.predicate) is None:
                continue
            reading = read(record, vocabulary)
            other = record.subject if backwards else record.object
            groups[(other, reading.predicate, reading.subject == node)].append((reading, backwards))
        return groups

    def reaches(self, node: str) -> set[str]:
        """The entities a step from ``node`` may reach: those of :meth:`moves`, or more
        (a group of undetermined results only is no step), found without weighing any
        evidence; what :meth:`distances` prunes the search with (memoized)."""
        memo: dict[str, set[str]] = self.index.steps.setdefault(REACHES, {})  # type: ignore[assignment]
        found = memo.get(node)
        if found is None:
            found = memo[node] = {
                other
                for (other, _, _), pairs in self._groups(node).items()
                if any(r.direction is not Direction.UNDETERMINED for r, _ in pairs)
            }
        return found

    def moves(self, node: str) -> dict[str, list[PathStep]]:
        """Steps leaving ``node``, by the entity they reach (memoized until a write
        touches ``node``)."""
        found = self.memo.get(node)
        if found is not None:
            return found
        vocabulary = self.graph.vocabulary
        groups = self._groups(node)
        found = defaultdict(list)
        for (other, _, _), pairs in sorted(groups.items()):
            # In claim order, not the store's: every backend gives the same step.
            pairs.sort(key=lambda pair: pair[0].record.iri)
            readings = [r for r, _ in pairs]
            shown, _ = orient(readings, vocabulary)
            # Claims of one step may differ in a qualifier (outcome, comparator): the
            # step is then their core proposition, as ``/evidence`` names the pair's.
            named = {r.proposition for r in readings}
            proposition = named.pop() if len(named) == 1 else readings[0].core
            lines = build_lines(proposition, [Item(r) for r in shown], self.index.reports)
            assertions = sum(1 for r in shown if r.direction is Direction.ASSERTION)
            verdict = weigh_lines(lines, assertions)
            if verdict.consensus is Consensus.INSUFFICIENT and not assertions:
                continue  # undetermined only: nothing to walk on
            claims = tuple(sorted((r.record for r in readings), key=lambda c: c.iri))
            relation = shown[0].predicate
            if shown[0].subject != node:  # the proposition reads other → node: turn it
                relation = vocabulary.reverse(relation) or relation
            backwards = all(b for _, b in pairs)
            context = Context.of(claims[0].context)
            for c in claims[1:]:
                context = context.common(Context.of(c.context))
            found[other].append(PathStep(
                node, other, relation, proposition, verdict, tuple(lines), claims,
                step_weight(verdict, claims), backwards, context,
            ))  # fmt: skip
        for steps in found.values():
            steps.sort(key=lambda s: (-s.weight, s.relation))
        self.memo[node] = dict(found)
        return self.memo[node]

    def distances(self, ends: set[str], max_hops: int) -> dict[str, int]:
        """Hops from each entity to the nearest of ``ends`` (steps read backwards)."""
        g = self.graph.graph
        seen = dict.fromkeys(ends, 0)
        frontier = list(ends)
        for depth in range(1, max_hops + 1):
            nxt = []
            for node in frontier:
                for other in {*g.predecessors(node), *g.successors(node)}:
                    if other not in seen and node in self.reaches(other):
                        seen[other] = depth
                        nxt.append(other)
            frontier = nxt
        return seen


def _changes(steps: list[PathStep], label: dict[str, str]) -> list[str]:
    found = []
    for a, b in pairwise(steps):
        for name in a.context.separated_from(b.context):
            shown_a, shown_b = dict(a.context.shown)[name], dict(b.context.shown)[name]
            found.append(f"{name.replace('_', ' ')} changes: {shown_a} → {shown_b}")
        if a.relation == _CONTAINS and not b.assertion_only:
            found.append(
                f"product kind changes: {label.get(a.source, compress(a.source))} contains "
                f"{label.get(a.target, compress(a.target))}, but the evidence is about "
                f"{label.get(b.source, compress(b.source))} as tested"
            )
    return found


def ranked_paths(
    graph: ClaimGraph,
    source: str,
    target: str,
    *,
    max_hops: int = 4,
    limit: int = 10,
    exact: bool = False,
) -> RankedPaths:
    """Paths from ``source`` to ``target`` (CURIEs or IRIs), best evidence first."""
    if not 1 <= max_hops <= MAX_HOPS:
        raise ParameterError(
            f"max_hops must be between 1 and {MAX_HOPS}", parameter="max_hops", value=max_hops
        )
    start = entity_iri(source, parameter="source")
    end = entity_iri(target, parameter="target")
    for name, iri in (("source", start), ("target", end)):
        if iri not in graph:
            raise NotFoundError(
                f"{name}: no entity {compress(iri)} in the graph", parameter=name,
                value=compress(iri),
            )  # fmt: skip
    if start == end:
        raise ParameterError("source and target are the same entity", parameter="target")
    index = evidence_index(graph)
    with graph._lock:
        starts = {start: ()} if exact else index.hierarchy.narrower(start)
        ends = {end: ()} if exact else index.hierarchy.narrower(end)
        starts = {k: v for k, v in starts.items() if k in graph.graph and k not in ends}
        ends = {k: v for k, v in ends.items() if k in graph.graph}
        if not starts or not ends:
            return RankedPaths([])
        search = _Search(graph, index)
        to_end = search.distances(set(ends), max_hops)
        label = {n: graph.label(n) for n in (*starts, *ends)}
        found: list[EvidencePath] = []
        truncated = False

        def walk(node: str, trail: list[str], steps: list[PathStep]) -> None:
            nonlocal truncated
            left = max_hops - len(steps)
            for nxt, options in sorted(search.moves(node).items()):
                if truncated:
                    return
                if nxt in trail or to_end.get(nxt, max_hops + 1) > left - 1:
                    continue
                step = options[0]
                if not steps and starts[node]:
                    step = _with_via(step, starts[node])
                if nxt in ends:
                    if ends[nxt]:
                        step = _with_via(step, (*step.via, *ends[nxt]))
                    done = [*steps, step]
                    found.append(_path(done, graph, label))
                    if len(found) >= MAX_CANDIDATES:
                        truncated = True
                    continue
                walk(nxt, [*trail, nxt], [*steps, step])

        for first in sorted(starts):
            walk(first, [first], [])
    found.sort(key=lambda p: (-p.score, len(p.changes), p.hops, [s.relation for s in p.steps],
                              [s.target for s in p.steps]))  # fmt: skip
    return RankedPaths(found[:limit], truncated=truncated, candidates=len(found))


def _with_via(step: PathStep, via: tuple[Link, ...]) -> PathStep:
    from dataclasses import replace

    return replace(step, via=via)


def _path(steps: list[PathStep], graph: ClaimGraph, label: dict[str, str]) -> EvidencePath:
    for s in steps:
        for n in (s.source, s.target):
            if n not in label:
                label[n] = graph.label(n)
    changes = _changes(steps, label)
    score = math.prod(s.weight for s in steps) * CHANGE_FACTOR ** len(changes)
    explanation = "; ".join(s.explain(label) for s in steps)
    if changes:
        explanation += ". Qualifiers change along the path: " + "; ".join(changes)
    return EvidencePath(tuple(steps), score, tuple(changes), explanation)


__all__ = [
    "SCORING",
    "EvidencePath",
    "Finding",
    "PathStep",
    "RankedPaths",
    "field",
    "ranked_paths",
]  # fmt: skip
