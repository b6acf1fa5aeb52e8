"""The article's curated claims: verbatim quotes at their offsets, honest findings."""

from __future__ import annotations

import pytest

from gbkg.kg.model import Claim, Finding
from tests.record_helpers import curated_claims

CLAIMS: list[Claim] = curated_claims()


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: (c.statement or "")[:50])
def test_quote_is_verbatim_at_its_offsets(claim: Claim, article_text: str) -> None:
    assert claim.quote, "every claim quotes its source"
    assert claim.quote_position is not None, "every curated quote carries its offsets"
    start, end = claim.quote_position.start, claim.quote_position.end
    assert article_text[start:end] == claim.quote


def test_quotes_keep_typographic_characters(article_text: str) -> None:
    quotes = " ".join(c.quote or "" for c in CLAIMS)
    assert "’" in quotes, "typographic apostrophes are kept, not straightened"
    assert "'" not in quotes


def test_the_null_results_are_il6_and_tnf() -> None:
    nulls = [c for c in CLAIMS if c.finding is Finding.NULL]
    assert sorted(c.object for c in nulls) == ["HGNC:11892", "HGNC:6018"]
    assert all(c.subject == "gbkg:probiotic" and c.predicate == "gba:decreases" for c in nulls)


def test_hedged_claims_are_the_hedged_sentences() -> None:
    hedged = [c for c in CLAIMS if c.hedged]
    assert hedged, "the article hedges several claims"
    for claim in hedged:
        words = (claim.quote or "").lower()
        assert any(
            w in words for w in ("may", "suggest", "appear", "might", "could", "thought to")
        ), claim.quote


def test_every_claim_names_the_article_as_its_source() -> None:
    sources = {c.source.minted_id() for c in CLAIMS if c.source is not None}
    assert len(sources) == 1
    assert all(c.source is not None and c.source.type == "news-article" for c in CLAIMS)


def test_the_meta_analysis_is_recorded_as_far_as_known() -> None:
    primaries = [c.primary_source for c in CLAIMS if c.primary_source is not None]
    journals = {p.journal for p in primaries if p.journal}
    assert "Clinical Nutrition" in journals
    meta = next(p for p in primaries if p.journal == "Clinical Nutrition")
    assert meta.country == "Spain"
    assert meta.doi is None and meta.url is None, "the DOI is unknown: not invented"


def test_the_curated_file_is_what_the_curation_script_builds(article_text: str) -> None:
    from curation.seed_article import OUT, render

    assert OUT.read_text(encoding="utf-8") == render(article_text), (
        "kg/claims/seed-article.trig is out of date: run python curation/seed_article.py"
    )
