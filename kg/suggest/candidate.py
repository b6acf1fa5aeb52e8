"""What the assistant returns: candidate claims with their reasons and validation.

A candidate is never stored: ``claim`` is a draft in the claim JSON of ``DESIGN.md``
that a curator accepts (``POST /claims``), edits, or discards.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Reason(BaseModel):
    """Why a field has its value: the cue that decided it and where it is in the text."""

    field: str = Field(description="the claim field decided, e.g. finding, hedged, subject")
    value: Any = Field(default=None, description="the value given to the field")
    cue: str | None = Field(default=None, description="the cue or rule that decided it")
    text: str | None = Field(default=None, description="the words of the source that decided it")
    start: int | None = Field(default=None, description="code-point offset of `text`")
    end: int | None = None
    why: str = Field(description="the decision, in words")


class CandidateValidation(BaseModel):
    """The result of the checks of ``POST /claims/validate`` on the candidate's claim."""

    conforms: bool
    violations: list[dict[str, Any]] = Field(default_factory=list)


class Candidate(BaseModel):
    index: int = Field(description="position in the list, in text order")
    sentence: int = Field(description="the index of the sentence the quote is")
    claim: dict[str, Any] = Field(description="the draft claim, in the claim record's JSON")
    confidence: float = Field(ge=0, le=1, description="how sure the cues are, 0 to 1")
    reasons: list[Reason]
    extracted: dict[str, Any] = Field(
        default_factory=dict,
        description="values read from the text that the claim record cannot hold yet "
        "(dotted paths, e.g. statistics.p_value: '<0.01', comparator: 'placebo')",
    )
    validation: CandidateValidation | None = Field(
        default=None, description="absent when validation was not asked for"
    )
    subgroup_of: int | None = Field(
        default=None, description="the index of the candidate whose overall result this refines"
    )


class MentionOut(BaseModel):
    """An entity named in the text (for highlighting), linked or proposed."""

    start: int
    end: int
    text: str
    id: str
    label: str
    status: str = Field(description="known, fuzzy (a near miss, to check) or proposed (new)")
    score: float


class Suggestions(BaseModel):
    candidates: list[Candidate]
    count: int
    sentences: int = Field(description="sentences read")
    mentions: list[MentionOut] = Field(default_factory=list)
