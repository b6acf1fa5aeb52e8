"""Small claims for the rules of /entities, /evidence and /paths, independent of curation."""

from __future__ import annotations

from typing import Any

from gbkg.kg.curation import ClaimService
from gbkg.kg.model import Claim

SOURCE = {"title": "A synthetic test source", "type": "journal-article"}


def claim_data(
    subject: str,
    predicate: str,
    object: str,
    finding: str = "effect",
    *,
    design: str | None = "meta-analysis",
    hedged: bool = False,
    context: dict[str, str] | None = None,
    note: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """A claim as JSON; ``note`` makes otherwise equal claims distinct."""
    local = predicate.split(":")[-1]
    statement = f"{subject} {local} {object} ({finding}){' ' + note if note else ''}."
    data: dict[str, Any] = {
        "subject": subject,
        "predicate": predicate,
        "object": object,
        "finding": finding,
        "statement": statement,
        "quote": f"Test quote: {statement}",
        "hedged": hedged,
        "source": SOURCE,
        **extra,
    }
    if design is not None:
        data["evidence"] = {"study_design": design}
    if context:
        data["context"] = context
    return data


def make_claim(*args: Any, **kwargs: Any) -> Claim:
    return Claim.model_validate(claim_data(*args, **kwargs))


def add(service: ClaimService, *args: Any, **kwargs: Any) -> str:
    """Store a claim made by :func:`make_claim`; its IRI."""
    claim, _ = service.add(make_claim(*args, **kwargs), curator="tester")
    assert claim.id is not None
    return claim.id
