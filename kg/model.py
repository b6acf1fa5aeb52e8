"""The claim record: the JSON contract of ``DESIGN.md`` as pydantic models.

The models check form (types, enumerations, identifiers); the rules a claim must pass
(exactly one subject, p in [0, 1], a CI around its estimate, ...) are SHACL's, in
``ontology/shapes.ttl``, so that a curator gets every violation from one place.
:mod:`kg.record` writes a claim as RDF and reads it back. :class:`ClaimIn` is what a
curator sends; :class:`Claim` is what the server stores and returns (with its id and
the server's fields).

>>> claim = ClaimIn.model_validate({
...     "subject": "gbkg:probiotic", "predicate": "gba:improves",
...     "object": "MONDO:0002050", "finding": "effect",
...     "statement": "Probiotics improve depressive symptoms.",
...     "quote": "Probiotics were linked to modest improvements",
...     "source": {"title": "A report", "type": "news-article"},
... })
>>> claim.iri == ClaimIn.model_validate(claim.model_dump()).iri
True
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gbkg.kg.ids import compress, digest, expand, normalize
from gbkg.kg.namespaces import CLAIM, SOURCE


class Finding(StrEnum):
    """What the source says was found."""

    EFFECT = "effect"  #: a significant effect or association
    NULL = "null"  #: tested, not statistically significant (absence of evidence)
    ASSERTION = "assertion"  #: stated without a test (background, mechanism)


class StudyDesign(StrEnum):
    META_ANALYSIS = "meta-analysis"
    SYSTEMATIC_REVIEW = "systematic-review"
    RCT = "rct"
    COHORT = "cohort"
    CASE_CONTROL = "case-control"
    CROSS_SECTIONAL = "cross-sectional"
    ANIMAL = "animal"
    IN_VITRO = "in-vitro"
    REVIEW = "review"
    EXPERT_OPINION = "expert-opinion"


class SourceType(StrEnum):
    NEWS_ARTICLE = "news-article"
    JOURNAL_ARTICLE = "journal-article"
    META_ANALYSIS = "meta-analysis"
    SYSTEMATIC_REVIEW = "systematic-review"
    RCT = "rct"
    ORGANIZATION = "organization"
    WEB_PAGE = "web-page"
    REPORT = "report"


class EffectMeasure(StrEnum):
    SMD = "SMD"  #: standardized mean difference (no effect: 0)
    MD = "MD"  #: mean difference (0)
    OR = "OR"  #: odds ratio (1)
    RR = "RR"  #: risk ratio (1)
    HR = "HR"  #: hazard ratio (1)
    R = "r"  #: correlation coefficient (0)


class Status(StrEnum):
    """Derived on every read, never stored on the claim: ``retracted`` when a retraction
    record names the claim, ``superseded`` when that retraction is a supersession."""

    ACTIVE = "active"
    RETRACTED = "retracted"
    SUPERSEDED = "superseded"


class _Part(BaseModel):
    """A part of a claim: unknown fields are refused, so a typo is named at once; frozen,
    as the claim that holds it (its IRI is a hash of its content)."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False, frozen=True)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; values cached from the content (an ``iri``) are dropped when ``update``
        changes it."""
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy.__dict__.pop("iri", None)
        return copy


def _identifier(value: str | None) -> str | None:
    """Validate and canonicalize a CURIE or IRI (raises ValueError naming it)."""
    if value is None:
        return None
    return normalize(value)


class StudyCounts(_Part):
    """How many studies a review screened, reviewed and meta-analysed, and how many people
    took part (in the studies reviewed)."""

    screened: int | None = None
    reviewed: int | None = None
    meta_analysed: int | None = None
    participants: int | None = None


class ArmRole(StrEnum):
    INTERVENTION = "intervention"
    CONTROL = "control"
    CASES = "cases"
    CONTROLS = "controls"


class StudyArm(_Part):
    """One arm of a trial, or one group of a case-control study: ``46`` MDD, ``30`` controls."""

    label: str
    n: int | None = None
    role: ArmRole | None = None


class PopulationShare(_Part):
    """The share of a study's participants in a population: 62 % with MDD."""

    population: str
    percent: float

    @field_validator("population")
    @classmethod
    def _population(cls, value: str) -> str:
        try:
            return normalize(value)
        except ValueError:
            return " ".join(value.split())


class Duration(_Part):
    """How long a study (or its interventions) ran: a range, and a mean."""

    min: float | None = None
    max: float | None = None
    mean: float | None = None
    unit: str | None = Field(default=None, description='"days", "weeks", "months"')


class Source(_Part):
    """Where a claim was read, or the study a source reports (``primary_source``).

    ``id`` may be left out: it is minted from the DOI, else the URL, else the
    other known fields.
    """

    id: str | None = Field(default=None, description="IRI or CURIE; minted when absent")
    title: str | None = Field(default=None, description="the source's own title, when known")
    title_supplied_by_curator: str | None = Field(
        default=None,
        description="a descriptive title a curator made up (the source's own is unknown)",
    )
    type: SourceType | None = None
    doi: str | None = None
    url: str | None = None
    publisher: str | None = None
    date: str | None = Field(default=None, description="ISO 8601 date, possibly partial")
    journal: str | None = None
    country: str | None = None
    year: int | None = None
    # The study record (a primary source described once, shared by its claims) --------
    design: StudyDesign | None = Field(default=None, description="the study's design")
    counts: StudyCounts | None = None
    arms: list[StudyArm] = Field(default_factory=list)
    population_shares: list[PopulationShare] = Field(default_factory=list)
    duration: Duration | None = None
    interventions: list[str] = Field(default_factory=list, description="e.g. capsules")
    outcomes: list[str] = Field(default_factory=list, description="what the study measured")
    same_as: list[str] = Field(
        default_factory=list, description="IRIs of the same study (owl:sameAs), e.g. its DOI"
    )
    reports: list[str] = Field(
        default_factory=list,
        description="IRIs of further studies this one reports (news → meta-analysis → RCT)",
    )
    text: str | None = Field(
        default=None,
        description="the source's full text, stored once with it; quote offsets are "
        "checked against it",
    )

    _validate_id = field_validator("id")(classmethod(lambda cls, v: _identifier(v)))

    @field_validator("same_as", "reports")
    @classmethod
    def _iris(cls, value: list[str]) -> list[str]:
        return sorted({normalize(v) for v in value})

    @field_validator("interventions", "outcomes")
    @classmethod
    def _texts(cls, value: list[str]) -> list[str]:
        return sorted({" ".join(v.split()) for v in value if v.strip()})

    @field_validator("arms")
    @classmethod
    def _arms(cls, value: list[StudyArm]) -> list[StudyArm]:
        return sorted(value, key=lambda a: (a.label, a.n or 0))

    @field_validator("population_shares")
    @classmethod
    def _shares(cls, value: list[PopulationShare]) -> list[PopulationShare]:
        return sorted(value, key=lambda s: (s.population, s.percent))

    @field_validator("doi")
    @classmethod
    def _doi(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = value.strip()
        for prefix in ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "doi:"):
            if text.lower().startswith(prefix):
                text = text[len(prefix) :]
        if not text.startswith("10.") or "/" not in text:
            raise ValueError(f"{value!r} is not a DOI (10.prefix/suffix)")
        return text.lower()

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    def minted_id(self) -> str:
        """This source's IRI: given, or from the DOI, the URL, or the known fields."""
        return self.iri

    @cached_property
    def iri(self) -> str:
        """This source's IRI (:meth:`minted_id`), computed once."""
        return self.minted(reported_by=None)

    def identified(self) -> bool:
        """Whether the source names itself (an id, a DOI or a URL): else it is only partly
        known, and its minted id depends on who reports it (:meth:`minted`)."""
        return bool(self.id or self.doi or self.url)

    def minted(self, *, reported_by: str | None) -> str:
        """The IRI: given, or from the DOI, the URL, or the known fields.

        A partly known study (no id, DOI or URL) reported by the source ``reported_by``
        is minted from that source's IRI too, so two news articles' "a Spanish
        meta-analysis in Clinical Nutrition" never merge; ``same_as`` links such a record
        to the study's DOI once it is known.

        >>> study = Source(type="meta-analysis", journal="Clinical Nutrition")
        >>> study.minted(reported_by="https://example.org/a") != study.minted(
        ...     reported_by="https://example.org/b")
        True
        """
        if self.id:
            return str(expand(self.id))
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.url:
            return str(SOURCE[digest("url " + self.url, 24)])
        known = self.model_dump(mode="json", exclude_none=True, exclude={"id", "text"})
        known = {k: v for k, v in known.items() if v != []}
        if reported_by is not None:
            known["reported_by"] = reported_by
        return str(SOURCE[digest(json.dumps(known, sort_keys=True, ensure_ascii=False), 24)])


class QuotePosition(_Part):
    """Character offsets of the quote in the source text (W3C TextPositionSelector)."""

    start: int
    end: int


class Evidence(_Part):
    study_design: StudyDesign | None = None
    n_studies: int | None = None
    n_participants: int | None = None
    duration: str | None = None
    population: str | None = None


class Statistics(_Part):
    effect_measure: EffectMeasure | None = None
    effect_size: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = Field(default=None, description="percent, e.g. 95")
    p_value: float | None = None
    i_squared: float | None = Field(default=None, description="percent")


class Quantity(_Part):
    value: float | None = None
    unit: str | None = Field(default=None, description='e.g. "percent", "people", "studies"')
    of: str | None = None


class Context(_Part):
    """Qualifiers a claim holds in. A value that is a CURIE or IRI names an entity."""

    population: str | None = None
    co_intervention: str | None = None
    condition: str | None = None
    strain: str | None = None
    dose: str | None = None

    @field_validator("*")
    @classmethod
    def _canonical(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize(value)
        except ValueError:
            return value


class NewEntity(_Part):
    """An entity the graph does not know yet, described with the claim."""

    id: str
    label: str | None = None
    type: str | None = Field(
        default=None, description="a gba: entity class, e.g. gba:MicrobialTaxon"
    )
    synonyms: list[str] = Field(default_factory=list)
    xrefs: list[str] = Field(default_factory=list)

    _validate_ids = field_validator("id", "type")(classmethod(lambda cls, v: _identifier(v)))

    @field_validator("xrefs")
    @classmethod
    def _xrefs(cls, value: list[str]) -> list[str]:
        return [normalize(x) for x in value]


class Retraction(_Part):
    """A retraction: its own record, in its own named graph (``docs/rdf-model.md``)."""

    reason: str
    by: str | None = None
    at: datetime | None = None
    superseded_by: str | None = Field(
        default=None, description="the claim that corrects this one (a supersession)"
    )

    _validate_superseded_by = field_validator("superseded_by")(
        classmethod(lambda cls, v: _identifier(v))
    )


#: The server's fields of a claim: set from the token and the clock, never from a body.
SERVER_FIELDS = (
    "id",
    "subject_label",
    "object_label",
    "curator",
    "created",
    "status",
    "retraction",
)


class ClaimIn(_Part):
    """One claim as a curator sends it: what is claimed, and nothing the server sets.

    Frozen: the IRI is a hash of the content (:attr:`HASHED_FIELDS`), computed once
    (:attr:`iri`) and carried by copies that do not change the content.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "subject": "gbkg:probiotic",
                    "predicate": "gba:decreases",
                    "object": "HGNC:6018",
                    "finding": "null",
                    "statement": "Probiotic supplementation did not significantly reduce IL-6.",
                    "quote": "Neither IL-6 nor TNF-α levels decreased meaningfully",
                    "hedged": False,
                    "source": {"title": "A news report", "type": "news-article"},
                    "evidence": {"study_design": "meta-analysis", "n_studies": 7},
                }
            ]
        },
    )

    subject: str | None = None
    predicate: str | None = None
    object: str | None = None
    finding: Finding | None = None
    statement: str | None = None
    quote: str | None = None
    quote_position: QuotePosition | None = None
    quote_prefix: str | None = Field(
        default=None, description="the text just before the quote (oa:prefix), for a source "
        "whose text the store does not hold",
    )
    quote_suffix: str | None = Field(
        default=None, description="the text just after the quote (oa:suffix)"
    )
    hedged: bool = False
    source: Source | None = None
    primary_source: Source | None = None
    evidence: Evidence | None = None
    statistics: Statistics | None = None
    quantity: Quantity | None = None
    context: Context | None = None
    entities: list[NewEntity] = Field(default_factory=list)
    supersedes: str | None = Field(
        default=None,
        description="the id of the claim this one corrects: it is retracted, and both linked",
    )

    _validate_terms = field_validator("subject", "predicate", "object", "supersedes")(
        classmethod(lambda cls, v: _identifier(v))
    )

    @model_validator(mode="after")
    def _study_identity(self) -> Self:
        """A partly known primary source is minted from its reporting source's IRI too
        (:meth:`Source.minted`); a source's ``reports`` does not repeat its primary source
        (that link is written from the two fields)."""
        primary, source = self.primary_source, self.source
        if primary is not None and source is not None:
            if not primary.identified():
                primary = primary.model_copy()
                primary.__dict__["iri"] = primary.minted(reported_by=source.iri)
                object.__setattr__(self, "primary_source", primary)
            if primary.iri in {str(expand(r)) for r in source.reports}:
                kept = [r for r in source.reports if str(expand(r)) != primary.iri]
                object.__setattr__(self, "source", source.model_copy(update={"reports": kept}))
        return self

    # The claim's identity -------------------------------------------------------

    #: Fields that make a claim's content, hence its IRI. Left out: the server's
    #: fields (:data:`SERVER_FIELDS`) and ``entities`` (descriptions of terms, not
    #: what is claimed). The source enters by its IRI only, so correcting a source's
    #: title does not fork its claims.
    HASHED_FIELDS: ClassVar[tuple[str, ...]] = (
        "subject",
        "predicate",
        "object",
        "finding",
        "statement",
        "quote",
        "quote_position",
        "quote_prefix",
        "quote_suffix",
        "hedged",
        "source",
        "primary_source",
        "evidence",
        "statistics",
        "quantity",
        "context",
        "supersedes",
    )

    def content(self) -> dict[str, Any]:
        """The canonical content the IRI is hashed from (see :attr:`HASHED_FIELDS`)."""
        data = self.model_dump(mode="json", include=set(self.HASHED_FIELDS), exclude_none=True)
        if self.source is not None:
            data["source"] = self.source.minted_id()
        if self.primary_source is not None:
            data["primary_source"] = self.primary_source.minted_id()
        return _canonical_numbers(data)

    @cached_property
    def iri(self) -> str:
        """``https://w3id.org/gbkg/claim/{sha256 of the canonical content JSON}``, hashed
        once per object."""
        text = json.dumps(self.content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return str(CLAIM[digest(text)])

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; it keeps the hashed IRI unless ``update`` changes a hashed field (a
        source enters the hash by its IRI only: filling in its fields keeps it)."""
        copy = BaseModel.model_copy(self, update=update, deep=deep)
        for name in set(update or ()) & set(self.HASHED_FIELDS):
            old, new = getattr(self, name), getattr(copy, name)
            if not (isinstance(old, Source) and isinstance(new, Source) and old.iri == new.iri):
                copy.__dict__.pop("iri", None)
                break
        return copy

    @field_validator("entities")
    @classmethod
    def _canonical_entities(cls, value: list[NewEntity]) -> list[NewEntity]:
        """Synonyms and xrefs sorted; the entities keep the order they were sent in, so
        that ``entities.N`` in a violation is the N-th one sent (a stored claim sorts them)."""
        return [
            e.model_copy(update={"synonyms": sorted(e.synonyms), "xrefs": sorted(e.xrefs)})
            for e in value
        ]


class Claim(ClaimIn):
    """One claim as the server stores and returns it: the content and the server's fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = Field(default=None, description="the claim's IRI, minted from its content")
    subject_label: str | None = Field(default=None, description="output only")
    object_label: str | None = Field(default=None, description="output only")
    curator: str | None = Field(default=None, description="set by the server")
    created: datetime | None = Field(default=None, description="set by the server")
    status: Status = Field(default=Status.ACTIVE, description="set by the server")
    retraction: Retraction | None = Field(default=None, description="set by the server")

    @classmethod
    def stored(
        cls,
        claim: ClaimIn,
        *,
        curator: str | None,
        created: datetime | None,
        entities: list[NewEntity],
        status: Status = Status.ACTIVE,
        retraction: Retraction | None = None,
    ) -> Claim:
        """``claim`` as it is stored: its IRI, its sources' ids filled in, the server's
        fields, and of its entities ``entities`` (the new ones), in the order of their ids.

        Nothing is validated again (``claim`` was) and the IRI is not hashed again.
        """
        values = {name: getattr(claim, name) for name in ClaimIn.model_fields}
        values["entities"] = sorted(entities, key=lambda e: e.id)
        for name in ("source", "primary_source"):
            source = values[name]
            if source is not None:
                values[name] = source.model_copy(update={"id": compress(source.minted_id())})
        record = cls.model_construct(
            **values,
            id=claim.iri,
            curator=curator,
            created=created,
            status=status,
            retraction=retraction,
        )
        record.__dict__["iri"] = claim.iri
        return record


def _canonical_numbers(value: Any) -> Any:
    """Numbers as canonical strings, so 1.50, 1.5 and 1.5e0 hash alike."""
    if isinstance(value, dict):
        return {k: _canonical_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical_numbers(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return format(Decimal(repr(value)).normalize(), "f")
    return value


def decimal_text(value: float | int) -> str:
    """The canonical ``xsd:decimal`` lexical form of a number: ``1.50`` → ``1.5``, ``4`` → ``4.0``.

    This is the form Turtle writes and Oxigraph stores, so values compare equal as terms.
    """
    text = format(Decimal(repr(value)).normalize(), "f")
    return text if "." in text else text + ".0"
