"""The public shapes of ``/evidence``, ``/propositions/{id}`` and ``/paths``.

The internal records are in :mod:`kg.evidence`; these models are what a client reads
(the web UI builds on them). ``docs/evidence.md`` explains each field and the rule that
fills it.

>>> LineRef(exact=True).model_dump()
{'exact': True, 'via': []}
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gbkg.api.linking import ClaimSummary, EntityRef, RelationRef

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
