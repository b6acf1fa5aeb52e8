"""What the pages share: the URL of each kind of page, and a claim as the pages show it
(the summary the JSON routes give, with its proposition's standing)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from gbkg.api.evidence_out import standing
from gbkg.api.linking import ClaimSummary, claim_summary
from gbkg.api.web.html import templates
from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.ids import compress
from gbkg.kg.projection import ClaimRecord

#: How a finding is drawn: the direction it stands for.
FINDING_DIRECTION = {"effect": "supports", "null": "no-effect", "assertion": "assertion"}


def entity_href(iri_or_curie: str) -> str:
    """The entity page of an IRI or CURIE."""
    curie = compress(iri_or_curie) if "://" in iri_or_curie else iri_or_curie
    return "/entities/" + quote(curie, safe=":")


def claim_href(iri: str) -> str:
    """The claim page of a claim IRI or ``claim:`` CURIE.

    >>> claim_href("claim:38ed"), claim_href("https://w3id.org/gbkg/claim/38ed")
    ('/claims/38ed', '/claims/38ed')
    """
    return "/claims/" + iri.rsplit("/", 1)[-1].removeprefix("claim:")


def evidence_href(subject: str, object: str) -> str:
    return "/evidence?" + urlencode({"subject": subject, "object": object})


def _globals() -> None:
    templates.env.globals.update(
        entity_href=entity_href,
        claim_href=claim_href,
        evidence_href=evidence_href,
        compress=compress,
        direction_of=FINDING_DIRECTION,
    )


_globals()


def record_view(graph: ClaimGraph, record: ClaimRecord) -> dict[str, Any]:
    """``record`` as the pages show it: its summary and its proposition's standing."""
    labels = {i: graph.label(i) for i in (record.subject, record.object)}
    summary = claim_summary(
        record,
        labels,
        graph.vocabulary.label(record.predicate),
        model=ClaimSummary,
        **standing(graph, record.iri),
    )
    return summary.model_dump(mode="json")
