"""Named queries answered from the evidence rule, listed and run beside ``queries/*.rq``.

Evidence lines, consensus and certainty are computed from the claim graph in memory
(:mod:`kg.evidence`), not stored as triples, so no SPARQL text can read them. These two
named queries give them in the same shape as the SPARQL ones (parameters bound and
checked the same way, SPARQL results JSON, XML, CSV or TSV):

- ``evidence-lines`` (``subject``, ``object``; ``exact`` optional): one row per evidence
  line of ``GET /evidence`` for the pair;
- ``propositions-by-certainty`` (``certainty`` optional): every proposition with a
  tested line, with its consensus and certainty, most certain first.

>>> sorted(EVIDENCE_QUERIES)
['evidence-lines', 'propositions-by-certainty']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.errors import ParameterError
from gbkg.kg.evidence.index import evidence_index
from gbkg.kg.evidence.proposition import read
from gbkg.kg.evidence.verdict import LEVELS
from gbkg.kg.evidence.weigh import PropositionSummary, evidence, proposition_summary
from gbkg.kg.queries import Parameter, ParamType, Term

Row = list[Term | None]
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def _int(n: int | None) -> ox.Literal | None:
    return None if n is None else ox.Literal(str(n), datatype=XSD_INTEGER)


def _text(value: str | None) -> ox.Literal | None:
    return None if value is None else ox.Literal(value)


@dataclass(frozen=True)
class EvidenceQuery:
    """A named query answered by :mod:`kg.evidence` (no SPARQL text)."""

    name: str
    summary: str
    params: tuple[Parameter, ...]
    columns: tuple[str, ...]
    compute: Callable[[ClaimGraph, Mapping[str, Term]], list[Row]]

    #: What the listing shows in place of SPARQL text.
    @property
    def text(self) -> str:
        return (
            f"# {self.name}: computed from the claim graph by kg.evidence (evidence lines, "
            "consensus and certainty are derived, not stored); see docs/evidence.md"
        )

    def bind(self, params: Mapping[str, str]) -> dict[str, Term]:
        declared = {p.name: p for p in self.params}
        for name in params:
            if name not in declared:
                raise ParameterError(
                    f"unknown parameter {name!r} for {self.name}; known: {', '.join(declared)}",
                    parameter=name,
                )
        bound = {}
        for p in self.params:
            if p.name in params:
                bound[p.name] = p.convert(params[p.name])
            elif p.required:
                raise ParameterError(f"missing parameter {p.name!r}", parameter=p.name)
        return bound

    def run(self, graph: ClaimGraph, params: Mapping[str, str]) -> list[Row]:
        return self.compute(graph, self.bind(params))


def _lines(graph: ClaimGraph, bound: Mapping[str, Term]) -> list[Row]:
    exact = bound.get("exact")
    summary = evidence(
        graph,
        bound["subject"].value,
        bound["object"].value,
        exact=exact is not None and exact.value in ("true", "1"),
    )
    verdict = summary.verdict
    rows: list[Row] = []
    for line in summary.lines:
        rows.append([
            ox.NamedNode(line.iri),
            ox.NamedNode(line.proposition),
            ox.NamedNode(line.study.iri),
            _text(line.study.label),
            _text(line.design.value if line.design else None),
            _text(line.direction.value),
            _int(len(line.items)),
            _int(line.n_participants),
            _text("exact" if line.exact else "rolled up"),
            _text(verdict.consensus.value),
            _text(verdict.certainty.value if verdict.certainty else None),
        ])  # fmt: skip
    return rows


def all_propositions(graph: ClaimGraph) -> list[PropositionSummary]:
    """Every proposition of the active claims, weighed (memoized until the next update)."""
    index = evidence_index(graph)
    memo = index.steps.get("all-propositions")
    if isinstance(memo, list):
        return memo
    readings: dict[str, list] = {}
    for record in sorted(graph.records(), key=lambda r: r.iri):
        reading = read(record, graph.vocabulary)
        readings.setdefault(reading.proposition, []).append(reading)
        if reading.core != reading.proposition:  # a qualified claim bears on its core too
            readings.setdefault(reading.core, []).append(reading)
    # A core proposition is listed when it says more than the one it would repeat: it
    # has claims of its own, or gathers claims of several qualified propositions.
    found = [
        proposition_summary(index, rs, iri=iri)
        for iri, rs in sorted(readings.items())
        if len({r.proposition for r in rs}) != 1 or rs[0].proposition == iri
    ]
    index.steps["all-propositions"] = found
    return found


def _by_certainty(graph: ClaimGraph, bound: Mapping[str, Term]) -> list[Row]:
    wanted = bound.get("certainty")
    if wanted is not None and wanted.value not in {c.value for c in LEVELS}:
        raise ParameterError(
            f"certainty must be one of: {', '.join(c.value for c in reversed(LEVELS))}",
            parameter="certainty",
            value=wanted.value,
        )
    found = [p for p in all_propositions(graph) if p.verdict.certainty is not None]
    if wanted is not None:
        found = [p for p in found if p.verdict.certainty == wanted.value]
    found.sort(key=lambda p: (-LEVELS.index(p.verdict.certainty), graph.label(p.subject), p.iri))
    return [
        [
            ox.NamedNode(p.iri),
            ox.NamedNode(p.subject),
            _text(graph.label(p.subject)),
            ox.NamedNode(p.relation.iri),
            ox.NamedNode(p.object),
            _text(graph.label(p.object)),
            _text(p.verdict.consensus.value),
            _text(p.verdict.certainty.value if p.verdict.certainty else None),
            _int(p.counted),
        ]
        for p in found
    ]


EVIDENCE_QUERIES: dict[str, EvidenceQuery] = {
    q.name: q
    for q in (
        EvidenceQuery(
            "evidence-lines",
            "The evidence lines about two entities (one per proposition and independent "
            "study), as GET /evidence counts them, with the pair's consensus and certainty",
            (
                Parameter("subject", ParamType.IRI),
                Parameter("object", ParamType.IRI),
                Parameter("exact", ParamType.BOOLEAN, required=False),
            ),
            (
                "line",
                "proposition",
                "study",
                "studyLabel",
                "design",
                "direction",
                "claims",
                "participants",
                "reached",
                "consensus",
                "certainty",
            ),
            _lines,
        ),
        EvidenceQuery(
            "propositions-by-certainty",
            "Every proposition with a tested evidence line, its consensus and certainty, most "
            "certain first (optionally one certainty: high, moderate, low, very low)",
            (Parameter("certainty", ParamType.STRING, required=False),),
            (
                "proposition",
                "subject",
                "subjectLabel",
                "predicate",
                "object",
                "objectLabel",
                "consensus",
                "certainty",
                "lines",
            ),
            _by_certainty,
        ),
    )
}
