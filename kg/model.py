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
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_serializer,
    field_validator,
    model_validator,
)

from gbkg.kg.ids import PREFIX_MAP, compress, digest, expand, is_iri, normalize
from gbkg.kg.namespaces import CLAIM, SOURCE
from gbkg.kg.near_miss import did_you_mean


class Finding(StrEnum):
    """What the source says was found."""

    EFFECT = "effect"  #: a significant effect or association
    NULL = "null"  #: tested, not statistically significant (absence of evidence)
    ASSERTION = "assertion"  #: stated without a test (background, mechanism)
    #: a question examined and left open ("the most effective strains could not be
    #: determined"): neither an effect nor a null result
    UNDETERMINED = "undetermined"


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


class Relation(StrEnum):
    """How a reported number relates to the true one: a p-value bound (``p < 0.01``), an
    inexact quantity (``more than 280 million``, ``about 95%``)."""

    EQ = "="
    LT = "<"
    LE = "≤"
    GT = ">"
    GE = "≥"
    APPROX = "≈"


#: Other spellings of the relations accepted on input.
RELATION_SPELLINGS = {"<=": "≤", ">=": "≥", "~": "≈", "==": "=", "≅": "≈"}


def _relation(value: Any) -> Any:
    """A relation as spelled on input (``<=``) in its canonical form (``≤``)."""
    if isinstance(value, str):
        spelled = value.strip()
        return RELATION_SPELLINGS.get(spelled, spelled)
    return value


def _inexact(value: Relation | None) -> Relation | None:
    """``=`` is what an absent relation means: not stored."""
    return None if value is Relation.EQ else value


#: How a stated number relates to the true one (``≈`` for "about"); ``=`` is left out.
NumberRelation = Annotated[Relation | None, BeforeValidator(_relation), AfterValidator(_inexact)]


#: The relations a p-value bound may have (a p-value is never "about").
P_RELATIONS = (Relation.EQ, Relation.LT, Relation.LE, Relation.GT, Relation.GE)


class AnalysisModel(StrEnum):
    """How a meta-analysis pooled its studies."""

    FIXED = "fixed"  #: fixed (common) effect
    RANDOM = "random"  #: random effects


class ArmRole(StrEnum):
    INTERVENTION = "intervention"
    CONTROL = "control"
    CASES = "cases"
    CONTROLS = "controls"


class BenefitDirection(StrEnum):
    """Which sign of the effect means benefit: ``lower`` (a negative SMD on a depression
    scale means fewer symptoms) or ``higher``."""

    LOWER = "lower"
    HIGHER = "higher"


class Match(StrEnum):
    """How a cross-reference matches an entity (SKOS mapping properties)."""

    EXACT = "exact"
    CLOSE = "close"
    BROAD = "broad"
    NARROW = "narrow"


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


class PopulationShare(_Part):
    """The share of a study's participants in a population: 62 % with MDD."""

    population: str
    percent: float
    relation: NumberRelation = Field(
        default=None, description='how the true share relates to percent: "≈" for "about 60%"'
    )

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
    mean_relation: NumberRelation = Field(
        default=None, description='how the true mean relates to mean: "≈" for "about 6.5 weeks"'
    )
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
    arms: list[Arm] = Field(default_factory=list)
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
    def _arms(cls, value: list[Arm]) -> list[Arm]:
        return _sorted_arms(value) or []

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
        # How exactly a share or a mean was stated ("about 60%") does not identify a study.
        known = self.model_dump(
            mode="json",
            exclude_none=True,
            exclude={
                "id": True,
                "text": True,
                "population_shares": {"__all__": {"relation"}},
                "duration": {"mean_relation"},
            },
        )
        known = {k: v for k, v in known.items() if v != []}
        if reported_by is not None:
            known["reported_by"] = reported_by
        return str(SOURCE[digest(json.dumps(known, sort_keys=True, ensure_ascii=False), 24)])


class QuotePosition(_Part):
    """Character offsets of the quote in the source text (W3C TextPositionSelector)."""

    start: int
    end: int


def text(value: str) -> str:
    """Text as the record keeps it: NFC, trimmed, runs of white space as one space.

    >>> text("  Lactobacillus\u00a0 rhamnosus ")
    'Lactobacillus rhamnosus'
    """
    return " ".join(unicodedata.normalize("NFC", value).split())


#: Text that is meant as a CURIE (``prefix:local``, no spaces): its prefix must be known.
_CURIE_FORM = re.compile(r"[A-Za-z][\w.-]*:[^\s:]\S*")


def qualifier(value: str) -> str:
    """A qualifier's value: an entity's CURIE (from a CURIE or an IRI), or normalized
    :func:`text`. Text shaped as a CURIE (``FOO:123``) with an unknown prefix is refused
    (ValueError naming it, with the nearest known prefix).

    >>> qualifier("mondo:0002050"), qualifier(" adults   over 65 ")
    ('MONDO:0002050', 'adults over 65')
    """
    found = text(value)
    if not found:
        raise ValueError("is empty: give an entity's CURIE or some text")
    if is_iri(found):
        return normalize(found)
    if _CURIE_FORM.fullmatch(found):
        prefix = found.split(":", 1)[0]
        known = {p.lower(): p for p in PREFIX_MAP}
        if prefix.lower() not in known:
            near = did_you_mean(prefix, PREFIX_MAP)
            hint = f"did you mean {near}:{found.split(':', 1)[1]}? " if near else ""
            raise ValueError(
                f"{found!r} is written as a CURIE but its prefix {prefix!r} is unknown; "
                f"{hint}use a known prefix ({', '.join(sorted(PREFIX_MAP, key=str.lower))}), "
                "or write the value as text (with a space, not prefix:id)"
            )
        return normalize(found)
    return found


def qualifier_key(value: str) -> str:
    """How two qualifier values compare: an entity by its CURIE, text case-folded."""
    return value if _CURIE_FORM.fullmatch(value) or is_iri(value) else value.casefold()


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _qualifiers(values: list[str] | None) -> list[str] | None:
    """Each value a :func:`qualifier`; duplicates (compared by :func:`qualifier_key`)
    dropped; sorted, so that the same values give the same record (RDF has no order)."""
    if values is None:
        return None
    found: dict[str, str] = {}
    for value in values:
        canonical = qualifier(value)
        found.setdefault(qualifier_key(canonical), canonical)
    if not found:
        return None
    return sorted(found.values(), key=lambda v: (qualifier_key(v), v))


def _as_one_or_many(values: list[str] | None) -> str | list[str] | None:
    if values is None:
        return None
    return values[0] if len(values) == 1 else list(values)


#: A qualifier that may have several values: a string or a list of strings on input;
#: on output a string when it has one value, a list when several.
Qualifiers = Annotated[
    list[str] | None,
    BeforeValidator(_one_or_many),
    AfterValidator(_qualifiers),
    PlainSerializer(_as_one_or_many, return_type=str | list[str] | None),
]
#: A qualifier with one value.
Qualifier = Annotated[str | None, AfterValidator(lambda v: None if v is None else qualifier(v))]


class Arm(_Part):
    """One arm of a trial or a case-control study (46 MDD patients vs 30 controls)."""

    label: str = Field(description='what the arm is, e.g. "MDD patients", "placebo"')
    n: int = Field(description="its number of participants")
    role: ArmRole | None = None

    _text = field_validator("label")(classmethod(lambda cls, v: text(v)))


def _sorted_arms(arms: list[Arm] | None) -> list[Arm] | None:
    """Arms in one order (by label, size, role), so the same arms give the same record."""
    if not arms:
        return None
    return sorted(arms, key=lambda a: (a.label.casefold(), a.label, a.n, a.role or ""))


class Evidence(_Part):
    study_design: StudyDesign | None = None
    n_studies: int | None = None
    n_participants: int | None = None
    duration: str | None = None
    population: str | None = None
    arms: Annotated[list[Arm] | None, AfterValidator(_sorted_arms)] = Field(
        default=None, description="per-arm sizes (a trial, a case-control study)"
    )


_P_BOUND = re.compile(
    r"\s*(?:[pP]\s*)?(<=|>=|==|≤|≥|<|>|=)?\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*"
)


def _p_number(value: Any) -> Any:
    if isinstance(value, str):
        raise ValueError(
            f"{value!r} is not a p-value: give a number (0.03) or a bound "
            '("<0.01", "≤0.05", "=0.03")'
        )
    return value


class Statistics(_Part):
    """The statistics a source reports. ``p_value`` may be sent as a number or as a
    bound (``"<0.01"``), kept as the number and ``p_relation`` (absent: ``=``).

    >>> Statistics.model_validate({"p_value": "<=0.05"}).model_dump(mode="json", exclude_none=True)
    {'p_value': 0.05, 'p_relation': '≤'}
    """

    effect_measure: EffectMeasure | None = None
    effect_size: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = Field(default=None, description="percent, e.g. 95")
    p_value: Annotated[float | None, BeforeValidator(_p_number)] = Field(
        default=None, description='a number, or on input a bound: "<0.01", "≤0.05", "=0.03"'
    )
    p_relation: Annotated[Relation | None, BeforeValidator(_relation)] = Field(
        default=None, description="=, <, ≤, > or ≥: how the true p relates to p_value"
    )
    i_squared: float | None = Field(default=None, description="percent")
    analysis_model: AnalysisModel | None = None
    tau_squared: float | None = Field(default=None, description="between-study variance, ≥ 0")
    n_studies: int | None = Field(default=None, description="studies in this analysis")
    n_participants: int | None = Field(default=None, description="participants in this analysis")

    @model_validator(mode="before")
    @classmethod
    def _p_bound(cls, data: Any) -> Any:
        """A bound given as ``p_value`` ("<0.01") split into the number and the relation."""
        if not isinstance(data, dict) or not isinstance(data.get("p_value"), str):
            return data
        found = _P_BOUND.fullmatch(data["p_value"])
        if found is None:
            return data  # refused by the field, naming it
        relation = RELATION_SPELLINGS.get(found[1] or "=", found[1] or "=")
        given = _relation(data.get("p_relation"))
        if given is not None and given != relation and found[1]:
            raise ValueError(
                f"statistics.p_value {data['p_value']!r} and statistics.p_relation "
                f"{data['p_relation']!r} disagree: give the bound once"
            )
        return {**data, "p_value": float(found[2]), "p_relation": given or relation}

    @field_validator("p_relation")
    @classmethod
    def _p_relation(cls, value: Relation | None) -> Relation | None:
        if value is not None and value not in P_RELATIONS:
            raise ValueError(
                f"{value.value!r} is not a p-value relation: one of "
                + ", ".join(r.value for r in P_RELATIONS)
            )
        return None if value is Relation.EQ else value


class Quantity(_Part):
    """A number the claim states, exact or not: ``value`` with a ``relation`` (``>`` for
    "more than 280 million", ``≈`` for "about 95%"), or a range ``low``–``high``."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    relation: NumberRelation = Field(default=None, description="=, >, ≥, <, ≤ or ≈ (absent: =)")
    unit: str | None = Field(default=None, description='e.g. "percent", "people", "studies"')
    of: str | None = None


class Outcome(_Part):
    """What was measured: a measure (depressive symptoms, IL-6), with the instrument or
    scale (HAM-D, BDI), the specimen (serum, feces), and which sign of the effect means
    benefit. Each an entity's CURIE or normalized text."""

    measure: Qualifier = Field(description="what was measured (an entity CURIE or text)")
    instrument: Qualifier = None
    specimen: Qualifier = None
    benefit_direction: BenefitDirection | None = None

    @field_validator("measure")
    @classmethod
    def _measure(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("outcome.measure is required: what was measured")
        return value


class Context(_Part):
    """Qualifiers a claim holds in, each one value or several: an entity's CURIE, or
    normalized text (NFC, trimmed, single spaces; compared case-folded)."""

    population: Qualifiers = None
    co_intervention: Qualifiers = None
    condition: Qualifiers = None
    strain: Qualifiers = None
    species: Qualifiers = None
    sex: Qualifiers = None
    specimen: Qualifiers = None
    dose: Qualifiers = None
    age: Qualifiers = None

    def key(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The context as two contexts compare: each field's values by :func:`qualifier_key`."""
        return tuple(
            (name, tuple(sorted(qualifier_key(v) for v in values)))
            for name in type(self).model_fields
            if (values := getattr(self, name))
        )


class Xref(_Part):
    """A cross-reference of an entity, and how it matches (``skos:exactMatch``, ...)."""

    id: str
    match: Match = Match.EXACT

    _validate_id = field_validator("id")(classmethod(lambda cls, v: _identifier(v)))


def _xref(value: Any) -> Any:
    return {"id": value} if isinstance(value, str) else value


class NewEntity(_Part):
    """An entity the graph does not know yet, described with the claim.

    ``type`` is one class or several; ``xrefs`` CURIEs (exact matches) or ``{id, match}``;
    ``broader`` the entity it is a kind of (a strain's species), as ``skos:broader``.
    """

    id: str
    label: str | None = None
    type: Annotated[
        list[str] | None,
        BeforeValidator(_one_or_many),
        PlainSerializer(_as_one_or_many, return_type=str | list[str] | None),
    ] = Field(default=None, description="a gba: entity class (or several), e.g. gba:MicrobialTaxon")
    synonyms: list[str] = Field(default_factory=list)
    xrefs: list[Annotated[Xref, BeforeValidator(_xref)]] = Field(
        default_factory=list,
        description='CURIEs (exact matches) or {"id": CURIE, "match": "close"|"broad"|"narrow"}',
    )
    broader: str | None = Field(default=None, description="the entity this one is a kind of")

    _validate_ids = field_validator("id", "broader")(classmethod(lambda cls, v: _identifier(v)))

    @field_validator("type")
    @classmethod
    def _types(cls, value: list[str] | None) -> list[str] | None:
        if not value:
            return None
        return sorted({normalize(t) for t in value})

    @field_validator("xrefs")
    @classmethod
    def _xrefs(cls, value: list[Xref]) -> list[Xref]:
        return sorted(set(value), key=lambda x: (x.id, x.match))

    @field_serializer("xrefs")
    def _xrefs_out(self, value: list[Xref]) -> list[str | dict[str, str]]:
        """An exact match as its CURIE; any other as ``{id, match}``."""
        return [
            x.id if x.match is Match.EXACT else {"id": x.id, "match": x.match.value} for x in value
        ]


#: A claim's id as a field gives it (``subgroup_of``, ``supersedes``): a claim IRI, a
#: ``claim:`` CURIE or the bare hash; kept as the ``claim:`` CURIE.
CLAIM_ID = re.compile(re.escape(str(CLAIM)) + r"[0-9a-f]{32}")


def claim_id(value: str) -> str:
    """A claim's canonical id (``claim:<32 hex>``) from its IRI, CURIE or hash; ValueError
    for anything that cannot be a claim id.

    >>> claim_id("0123456789abcdef0123456789abcdef")
    'claim:0123456789abcdef0123456789abcdef'
    """
    found = value.strip()
    if "/" not in found and ":" not in found:
        found = f"claim:{found}"
    try:
        iri = str(expand(found))
    except ValueError:
        iri = ""
    if not CLAIM_ID.fullmatch(iri):
        raise ValueError(
            f"{value!r} is not a claim id (32 hex digits, claim:<hash>, or the claim's IRI)"
        )
    return compress(iri)


ClaimId = Annotated[str | None, AfterValidator(lambda v: None if v is None else claim_id(v))]


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

#: Keys an answer adds to a claim, not fields of the record: ``POST /claims`` returns the
#: warnings of a stored claim's checks with it. Ignored when sent back.
ANSWER_FIELDS = ("warnings",)


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
        default=None,
        description="the text just before the quote (oa:prefix), for a source "
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
    comparator: Qualifier = Field(
        default=None, description="what the subject was compared with: placebo, usual care"
    )
    outcome: Outcome | None = None
    subgroup_of: ClaimId = Field(
        default=None, description="the claim of the overall result this subgroup result is of"
    )
    supersedes: ClaimId = Field(
        default=None, description="the claim this one corrects (retracted when this is stored)"
    )
    entities: list[NewEntity] = Field(default_factory=list)

    _validate_terms = field_validator("subject", "predicate", "object")(
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
    #: fields (:data:`SERVER_FIELDS`), ``entities`` (descriptions of terms, not
    #: what is claimed) and ``supersedes`` (what the claim corrects, not what it
    #: says). The source enters by its IRI only, so correcting a source's title
    #: does not fork its claims.
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
        "comparator",
        "outcome",
        "subgroup_of",
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
        return [e.model_copy(update={"synonyms": sorted(e.synonyms)}) for e in value]


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


# A study record names Arm, defined with the claim's evidence further down.
Source.model_rebuild()
