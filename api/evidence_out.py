"""The public shapes of ``/evidence``, ``/propositions/{id}`` and ``/paths``.

The internal records are in :mod:`kg.evidence`; these models are what a client reads
(the web UI builds on them). ``docs/evidence.md`` explains each field and the rule that
fills it.

>>> LineRef(exact=True).model_dump()
{'exact': True, 'via': []}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from gbkg.api.linking import ClaimSummary, EntityRef, RelationRef, claim_summary, entity_ref
from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.evidence import RULE, Direction, EvidenceSummary, PropositionSummary
from gbkg.kg.evidence.lines import Effect, Line
from gbkg.kg.evidence.paths import SCORING, PathStep, RankedPaths
from gbkg.kg.evidence.verdict import Stratum
from gbkg.kg.evidence.weigh import claim_evidence, via_steps
from gbkg.kg.ids import expand
from gbkg.kg.projection import ClaimRecord

ConsensusName = Literal["supported", "no-effect", "contested", "context-dependent", "insufficient"]
CertaintyName = Literal["high", "moderate", "low", "very low"]
DirectionName = Literal["supports", "no-effect", "disputes", "undetermined"]


class StudyOut(BaseModel):
    """The study an evidence line counts once."""

    id: str = Field(description="the study's IRI (the claim's primary source, else its source)")
    label: str = Field(examples=["meta-analysis in Clinical Nutrition"])
    design: str | None = Field(default=None, examples=["meta-analysis"])
    independence: Literal["recorded", "assumed"] = Field(
        description="recorded: the overlap with other studies is recorded (gba:reports, "
        "inclusion); assumed: nothing recorded, the study is taken as independent"
    )


class EffectOut(BaseModel):
    measure: str | None = Field(default=None, examples=["SMD"])
    size: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    p_value: float | None = None
    p_relation: str = Field(default="=", examples=["<"])
    no_effect: float = Field(
        description="the value meaning no effect: 0 (SMD, MD, r), 1 (OR, RR, HR)"
    )


class ViaOut(BaseModel):
    """One step of the roll-up that brought a line to the entities asked about."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", examples=["MONDO:0002009"])
    to: str = Field(examples=["MONDO:0002050"])
    how: Literal["subclass", "taxon", "product", "marker"]


class LineRef(BaseModel):
    """How a line was reached: ``exact`` when its claims are about the entities asked about."""

    exact: bool
    via: list[ViaOut] = Field(default_factory=list)


class LineOut(BaseModel):
    """One evidence line: one proposition × one independent study."""

    id: str = Field(description="https://w3id.org/gbkg/line/<hash> (proposition + study)")
    proposition: str
    direction: DirectionName
    study: StudyOut
    design: str | None = None
    n_participants: int | None = None
    n_studies: int | None = None
    effect: EffectOut | None = None
    context: dict[str, Any] = Field(
        default_factory=dict, description="the qualifiers all its claims share, normalized"
    )
    strata: list[StratumOut] = Field(
        default_factory=list,
        description="the study's results by context (overall and subgroups), when they differ",
    )
    reached: LineRef
    reported_through: list[str] = Field(
        default_factory=list, description="the sources the study is known through (a news article)"
    )
    hedged: bool = Field(default=False, description="every claim of the line is hedged")
    claims: list[ClaimSummary]
    includes: list[LineOut] = Field(
        default_factory=list,
        description="lines of studies this one includes (trials in a meta-analysis): listed, not "
        "counted",
    )


class StratumOut(BaseModel):
    """Results sharing one context (normalized)."""

    context: dict[str, Any]
    direction: DirectionName | Literal["mixed"]
    lines: list[str] = Field(description="the lines with a result in this context")
    subgroup: bool = Field(default=False, description="a subgroup of a broader result of its study")


class CountsOut(BaseModel):
    lines: int = Field(description="counted evidence lines (supports + no_effect + disputes)")
    supports: int
    no_effect: int
    disputes: int
    undetermined: int = Field(description="lines where the question was left open: not counted")
    claims: int = Field(description="claims behind the lines")
    assertions: int = Field(description="claims stated without a test: listed, not counted")


class PropositionBase(BaseModel):
    """What is claimed: subject, relation, object and the qualifiers that change its meaning."""

    id: str = Field(description="https://w3id.org/gbkg/proposition/<hash>")
    subject: EntityRef
    predicate: RelationRef
    object: EntityRef
    qualifiers: dict[str, Any] = Field(default_factory=dict)
    consensus: ConsensusName
    certainty: CertaintyName | None
    reasons: list[str]


class PropositionOut(PropositionBase):
    lines: int = Field(description="counted evidence lines")


class PropositionDetailOut(PropositionBase):
    """``GET /propositions/{id}``: the proposition, its lines and every claim about it."""

    counts: CountsOut
    lines: list[LineOut]
    claims: list[ClaimSummary] = Field(description="every claim about it, retracted ones too")
    rule: str


class EntityEvidenceOut(PropositionOut):
    """On an entity page: what the claims say about the entity and one partner (rolled up)."""

    direction: Literal["forward", "reverse"] = Field(
        description="forward: this entity is the subject; reverse: the object"
    )
    rolled_up: int = Field(description="lines reached through narrower entities")
    href: str = Field(description="GET /evidence for the pair")


class EvidenceOut(BaseModel):
    """``GET /evidence``: every line about two entities, a consensus and a certainty."""

    subject: EntityRef
    object: EntityRef
    relation: RelationRef | None = Field(description="the relation weighed (null: no claim)")
    direction: Literal["forward", "reverse"] = Field(
        default="forward", description="forward: subject R object; reverse: object R subject"
    )
    exact: bool = Field(description="true: narrower entities were not rolled up")
    consensus: ConsensusName
    certainty: CertaintyName | None
    reasons: list[str]
    counts: CountsOut
    propositions: list[PropositionOut]
    lines: list[LineOut]
    assertions: list[ClaimSummary]
    strata: list[StratumOut]
    rule: str


class StepOut(BaseModel):
    """One step of a path: a proposition read from one entity to the next."""

    model_config = ConfigDict(populate_by_name=True)

    from_: EntityRef = Field(alias="from")
    to: EntityRef
    relation: RelationRef
    proposition: str
    consensus: ConsensusName
    certainty: CertaintyName | None
    assertion_only: bool = Field(description="stated without a test: a mechanism, not evidence")
    lines: int
    weight: float = Field(description="from the consensus and certainty, in (0, 1]")
    reversed: bool = Field(default=False, description="read backwards (symmetric or inverse)")
    via: list[ViaOut] = Field(
        default_factory=list,
        description="roll-up: the step starts or ends at an entity narrower than the one asked",
    )
    context: dict[str, Any] = Field(
        default_factory=dict, description="qualifiers shared by its claims"
    )
    claims: list[ClaimSummary]


class PathOut(BaseModel):
    score: float
    hops: int
    explanation: str
    qualifier_changes: list[str]
    steps: list[StepOut]


class PathsOut(BaseModel):
    source: EntityRef
    target: EntityRef
    max_hops: int
    exact: bool
    scoring: str
    count: int
    candidates: int
    truncated: bool
    paths: list[PathOut]


LineOut.model_rebuild()


# Building the bodies from kg.evidence ------------------------------------------------

NO_EFFECT_NOTE = "0 for SMD, MD, r; 1 for OR, RR, HR"


def _labels(graph: ClaimGraph, records: Iterable[ClaimRecord]) -> dict[str, str]:
    return {iri: graph.label(iri) for r in records for iri in (r.subject, r.object)}


def standing(graph: ClaimGraph, iri: str) -> dict[str, str | None]:
    """``proposition``, ``line``, ``consensus``, ``certainty`` of an active claim ({} else)."""
    found = claim_evidence(graph, iri)
    if found is None:
        return {}
    return {
        "proposition": found.proposition,
        "line": found.line,
        "consensus": found.consensus,
        "certainty": found.certainty,
    }


def claims_out(
    graph: ClaimGraph, records: Iterable[ClaimRecord], proposition_of: Mapping[str, str]
) -> list[ClaimSummary]:
    records = list(records)
    labels = _labels(graph, records)
    out: list[ClaimSummary] = []
    for r in records:
        known = standing(graph, r.iri) or {"proposition": proposition_of.get(r.iri)}
        label = graph.vocabulary.label(r.predicate)
        out.append(claim_summary(r, labels, label, model=ClaimSummary, **known))
    return out


def _effect(effect: Effect | None) -> EffectOut | None:
    if effect is None or (effect.size is None and effect.p_value is None):
        return None
    return EffectOut(
        measure=effect.measure.value if effect.measure else None,
        size=effect.size,
        ci_low=effect.ci_low,
        ci_high=effect.ci_high,
        ci_level=effect.ci_level,
        p_value=effect.p_value,
        p_relation=effect.p_relation,
        no_effect=effect.no_effect,
    )


def line_out(graph: ClaimGraph, line: Line, proposition_of: Mapping[str, str]) -> LineOut:
    via = line.via
    return LineOut(
        id=line.iri,
        proposition=line.proposition,
        direction=line.direction.value,  # type: ignore[arg-type]
        study=StudyOut(
            id=line.study.iri,
            label=line.study.label,
            design=line.design.value if line.design else None,
            independence=line.study.independence,  # type: ignore[arg-type]
        ),
        design=line.design.value if line.design else None,
        n_participants=line.n_participants,
        n_studies=line.n_studies,
        effect=_effect(line.effect),
        context=line.context.as_dict(),
        strata=[
            StratumOut(
                context=r.context.as_dict(),
                direction=r.direction.value,  # type: ignore[arg-type]
                lines=[line.iri],
                subgroup=r.subgroup,
            )
            for r in line.results
        ]
        if len(line.results) > 1
        else [],
        reached=LineRef(
            exact=line.exact,
            via=[ViaOut.model_validate(v) for v in via_steps(via)],
        ),
        reported_through=line.reported_through,
        hedged=line.hedged,
        claims=claims_out(graph, (i.record for i in line.items), proposition_of),
        includes=[line_out(graph, sub, proposition_of) for sub in line.includes],
    )


def strata_out(strata: Iterable[Stratum]) -> list[StratumOut]:
    return [
        StratumOut(
            context=s.context.as_dict(),
            direction=s.direction,  # type: ignore[arg-type]
            lines=s.lines,
            subgroup=s.subgroup,
        )
        for s in strata
    ]


def counts_out(lines: list[Line], assertions: int) -> CountsOut:
    def n(d: Direction) -> int:
        return sum(1 for ln in lines if ln.direction is d)

    return CountsOut(
        lines=sum(1 for ln in lines if ln.counted),
        supports=n(Direction.SUPPORTS),
        no_effect=n(Direction.NO_EFFECT),
        disputes=n(Direction.DISPUTES),
        undetermined=n(Direction.UNDETERMINED),
        claims=sum(len(ln.items) + sum(len(i.items) for i in ln.includes) for ln in lines),
        assertions=assertions,
    )


def _proposition_fields(graph: ClaimGraph, p: PropositionSummary) -> dict[str, Any]:
    return {
        "id": p.iri,
        "subject": entity_ref(p.subject, graph.label(p.subject)),
        "predicate": RelationRef(id=p.relation.id, label=p.relation.label),
        "object": entity_ref(p.object, graph.label(p.object)),
        "qualifiers": p.qualifiers,
        "consensus": p.verdict.consensus.value,
        "certainty": p.verdict.certainty.value if p.verdict.certainty else None,
        "reasons": p.verdict.reasons,
    }


def proposition_out(graph: ClaimGraph, p: PropositionSummary) -> PropositionOut:
    return PropositionOut(**_proposition_fields(graph, p), lines=p.counted)


def proposition_detail(graph: ClaimGraph, p: PropositionSummary) -> PropositionDetailOut:
    of = {c.iri: p.iri for c in p.claims}
    assertions = sum(1 for c in p.claims if c.active and c.finding.value == "assertion")
    return PropositionDetailOut(
        **_proposition_fields(graph, p),
        counts=counts_out(p.lines, assertions),
        lines=[line_out(graph, ln, of) for ln in p.lines],
        claims=claims_out(graph, p.claims, of),
        rule=RULE,
    )


def evidence_body(graph: ClaimGraph, summary: EvidenceSummary) -> EvidenceOut:
    """The body of ``GET /evidence``."""
    relation = summary.relation
    of = summary.proposition_of
    verdict = summary.verdict
    return EvidenceOut(
        subject=entity_ref(summary.subject.iri, summary.subject.label),
        object=entity_ref(summary.object.iri, summary.object.label),
        relation=RelationRef(id=relation.id, label=relation.label) if relation else None,
        direction="forward" if summary.forward else "reverse",
        exact=summary.exact,
        consensus=verdict.consensus.value,
        certainty=verdict.certainty.value if verdict.certainty else None,
        reasons=verdict.reasons,
        counts=counts_out(summary.lines, len(summary.assertions)),
        propositions=[proposition_out(graph, p) for p in summary.propositions],
        lines=[line_out(graph, ln, of) for ln in summary.lines],
        assertions=claims_out(graph, summary.assertions, of),
        strata=strata_out(verdict.strata)
        if verdict.separated_by or len(verdict.strata) > 1
        else [],
        rule=RULE,
    )


def paths_body(
    graph: ClaimGraph,
    found: RankedPaths,
    source: str,
    target: str,
    *,
    max_hops: int,
    exact: bool = False,
) -> PathsOut:
    """The body of ``GET /paths`` (also ``gbkg paths --format json``)."""
    start, end = (str(expand(x)) for x in (source, target))
    return PathsOut(
        source=entity_ref(start, graph.label(start)),
        target=entity_ref(end, graph.label(end)),
        max_hops=max_hops,
        exact=exact,
        scoring=SCORING,
        count=len(found),
        candidates=found.candidates,
        truncated=found.truncated,
        paths=[
            PathOut(
                score=round(p.score, 6),
                hops=p.hops,
                explanation=p.explanation,
                qualifier_changes=list(p.changes),
                steps=[_step(graph, s) for s in p.steps],
            )
            for p in found
        ],
    )


def _step(graph: ClaimGraph, s: PathStep) -> StepOut:
    relation = graph.vocabulary.get(s.relation)
    verdict = s.verdict
    of = {c.iri: s.proposition for c in s.claims}
    return StepOut.model_validate(
        {
            "from": entity_ref(s.source, graph.label(s.source)),
            "to": entity_ref(s.target, graph.label(s.target)),
            "relation": RelationRef(id=relation.id, label=relation.label),
            "proposition": s.proposition,
            "consensus": verdict.consensus.value,
            "certainty": verdict.certainty.value if verdict.certainty else None,
            "assertion_only": s.assertion_only,
            "lines": s.counted,
            "weight": round(s.weight, 6),
            "reversed": s.reversed,
            "context": s.context.as_dict(),
            "via": via_steps(s.via),
            "claims": claims_out(graph, s.claims, of),
        }
    )


def entity_evidence_out(
    graph: ClaimGraph, summaries: Iterable[EvidenceSummary]
) -> list[EntityEvidenceOut]:
    """The ``evidence.propositions`` of an entity page."""
    out = []
    for summary in summaries:
        relation = summary.relation
        assert relation is not None and summary.proposition is not None
        a, b = summary.subject, summary.object
        s_, o_ = (a, b) if summary.forward else (b, a)
        verdict = summary.verdict
        out.append(
            EntityEvidenceOut(
                id=summary.proposition,
                subject=entity_ref(s_.iri, s_.label),
                predicate=RelationRef(id=relation.id, label=relation.label),
                object=entity_ref(o_.iri, o_.label),
                consensus=verdict.consensus.value,
                certainty=verdict.certainty.value if verdict.certainty else None,
                reasons=verdict.reasons,
                lines=sum(1 for ln in summary.lines if ln.counted),
                direction="forward" if summary.forward else "reverse",
                rolled_up=sum(1 for ln in summary.lines if not ln.exact),
                href=f"/evidence?subject={quote(a.id, safe='')}&object={quote(b.id, safe='')}",
            )
        )
    return out
