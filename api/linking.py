"""What ``/entities``, ``/evidence`` and ``/paths`` share: public models.

The claim graph they read is a dependency (:data:`api.deps.ClaimGraphDep`): built on
first use, then kept in step with writes by a listener on the app's
:class:`kg.curation.ClaimService`.

The response models here are the public shape of these routes, separate from the
internal records of :mod:`kg.projection`, :mod:`kg.evidence` and :mod:`kg.entities`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, Field

from gbkg.api.errors import PROBLEM_JSON
from gbkg.kg.ids import compress
from gbkg.kg.projection import ClaimRecord, SourceRef


class EntityRef(BaseModel):
    """An entity named by its CURIE (or IRI when no prefix covers it) and label."""

    id: str = Field(examples=["gbkg:probiotic"])
    iri: str = Field(examples=["https://w3id.org/gbkg/entity/probiotic"])
    label: str | None = Field(default=None, examples=["probiotic"])


class RelationRef(BaseModel):
    id: str = Field(examples=["gba:improves"])
    label: str = Field(examples=["improves"])


class SourceOut(BaseModel):
    id: str = Field(examples=["source:dedc13e5a47e7f7bb74a98ed"])
    title: str | None = None


class ClaimSummary(BaseModel):
    """A claim in brief; ``GET /claims/{id}`` has all of it (quote, statistics, provenance)."""

    id: str = Field(description="the claim's IRI", examples=["https://w3id.org/gbkg/claim/38ed…"])
    subject: EntityRef
    predicate: RelationRef
    object: EntityRef
    finding: str = Field(description="effect, null or assertion", examples=["effect"])
    statement: str | None = None
    hedged: bool = False
    status: str = Field(default="active", examples=["active"])
    study_design: str | None = Field(default=None, examples=["meta-analysis"])
    n_studies: int | None = None
    n_participants: int | None = None
    context: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="qualifiers the claim holds in (population, co_intervention, condition, "
        "strain, dose)",
        examples=[{"population": "adults with depression", "co_intervention": "CHEBI:35469"}],
    )
    statistics: dict[str, Any] = Field(
        default_factory=dict, description="effect_measure, effect_size, ci_low, ci_high, p_value"
    )
    outcome: str | None = Field(
        default=None, description="what was measured (outcome.measure): a CURIE or text",
        examples=["depressive symptoms"],
    )
    comparator: str | None = Field(
        default=None, description="what the intervention was compared with", examples=["placebo"]
    )
    source: SourceOut | None = None
    primary_source: SourceOut | None = None
    proposition: str | None = Field(
        default=None, description="the proposition the claim is about (its IRI), where known"
    )
    line: str | None = Field(default=None, description="the evidence line it is an item of")
    consensus: str | None = Field(default=None, description="its proposition's consensus")
    certainty: str | None = Field(default=None, description="its proposition's certainty")


Summary = TypeVar("Summary", bound=ClaimSummary)


def entity_ref(iri: str, label: str | None) -> EntityRef:
    return EntityRef(id=compress(iri), iri=iri, label=label)


def _source(ref: SourceRef | None) -> SourceOut | None:
    return SourceOut(id=ref.id, title=ref.title) if ref is not None else None


def claim_summary(
    record: ClaimRecord,
    labels: dict[str, str],
    relation_label: str,
    *,
    model: type[Summary] = ClaimSummary,  # type: ignore[assignment]
    **extra: Any,
) -> Summary:
    """``record`` as ``model`` (a :class:`ClaimSummary` or a subclass, given its ``extra``)."""
    stats: dict[str, Any] = dict(record.statistics)
    if record.effect_measure is not None:
        stats = {"effect_measure": record.effect_measure.value, **stats}
    return model(
        id=record.iri,
        subject=entity_ref(record.subject, labels.get(record.subject)),
        predicate=RelationRef(id=compress(record.predicate), label=relation_label),
        object=entity_ref(record.object, labels.get(record.object)),
        finding=record.finding.value,
        statement=record.statement,
        hedged=record.hedged,
        status=record.status.value,
        study_design=record.study_design.value if record.study_design else None,
        n_studies=record.n_studies,
        n_participants=record.n_participants,
        context={k: v if isinstance(v, str) else list(v) for k, v in record.context.items()},
        statistics=stats,
        outcome=record.outcome,
        comparator=record.comparator,
        source=_source(record.source),
        primary_source=_source(record.primary_source),
        **extra,
    )


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem+json errors a route may answer with."""
    described = {
        400: "A malformed or unknown CURIE, or a bad parameter; `parameter` names it",
        404: "No such entity; `parameter` names which",
        406: "No acceptable representation",
        422: "A parameter is missing or has the wrong type",
    }
    return {code: {"description": described[code], "content": {PROBLEM_JSON: {}}} for code in codes}
