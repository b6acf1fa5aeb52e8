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


def test_the_article_text_is_stored_once_with_its_source(article_text: str) -> None:
    """The TriG keeps the text as it is (its long literal is not indented), so the
    offsets a write checks against the stored text are the article's."""
    texts = {c.source.text for c in CLAIMS if c.source is not None and c.source.text}
    assert texts == {article_text}


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


# --- what the re-reading of 2026-12 (issue 8) changed; docs/curation-notes.md ----------


def test_forty_four_claims() -> None:
    # 37 before the re-reading, one re-filed in place ("promising avenue"), and seven
    # sentences curated that were not: conventional treatments, add-on, inflammation as
    # a pathway, leading cause of disability, and the three stated limitations.
    assert len(CLAIMS) == 44


def by_quote(start: str) -> list[Claim]:
    return [c for c in CLAIMS if (c.quote or "").startswith(start)]


def test_the_headline_keeps_linked_to() -> None:
    (claim,) = by_quote("Probiotics were linked to")
    assert "linked to" in (claim.statement or "")


def test_strongest_alongside_antidepressants_is_effect_modification() -> None:
    (claim,) = by_quote("Benefits were strongest")
    assert (claim.predicate, claim.object) == ("gba:effectDependsOn", "gbkg:antidepressant")
    (add_on,) = by_quote("This suggests that probiotics may be most effective as an add-on")
    assert add_on.hedged and add_on.predicate == "gba:effectDependsOn"


def test_promising_avenue_states_no_effect() -> None:
    (claim,) = by_quote("researchers have been exploring complementary approaches")
    assert claim.predicate == "gba:studiedFor" and claim.hedged
    assert not [c for c in CLAIMS if c.object == "gbkg:gut-microbiota"], "no effect invented"


def test_the_markers_are_the_reviews_observation_not_a_pooled_result() -> None:
    for claim in by_quote("Neither IL-6 nor TNF-α"):
        assert claim.evidence is not None and claim.evidence.study_design == "systematic-review"
        assert claim.outcome is not None and claim.outcome.specimen == "blood"


def test_effects_on_inflammation_keep_their_outcome() -> None:
    claims = by_quote("The researchers suggest that the effects of probiotics on inflammation")
    assert len(claims) == 2
    assert {c.outcome.measure for c in claims if c.outcome} == {"GO:0006954"}


def test_strains_left_open_is_an_undetermined_finding() -> None:
    (claim,) = [c for c in CLAIMS if c.finding is Finding.UNDETERMINED]
    assert "couldn’t determine" in (claim.quote or "")


def test_four_weeks_is_an_assertion_with_a_bound() -> None:
    (claim,) = by_quote("In the studies reviewed, people took probiotics for at least four")
    assert claim.finding is Finding.ASSERTION
    assert claim.quantity is not None and claim.quantity.relation == "≥"


@pytest.mark.parametrize(("start", "relation"), [("Depression affects", ">"), ("about 95%", "≈")])
def test_inexact_quantities_keep_their_relation(start: str, relation: str) -> None:
    (claim,) = by_quote(start)
    assert claim.quantity is not None and claim.quantity.relation == relation


def test_the_meta_analysis_is_one_study_record_with_its_counts() -> None:
    studies = {
        c.primary_source.iri for c in CLAIMS if c.primary_source and c.primary_source.journal
    }
    assert len(studies) == 1, "every claim read from the meta-analysis shares one record"
    meta = next(c.primary_source for c in CLAIMS if c.primary_source and c.primary_source.journal)
    assert meta.counts is not None
    # 938 participants "across all the studies": the 13 reviewed, not the 7 pooled
    assert (meta.counts.reviewed, meta.counts.meta_analysed, meta.counts.participants) == (
        13, 7, 938
    )  # fmt: skip
    assert meta.counts.screened is None, '"nearly 1,500" is not a count'
    assert {(s.population, s.percent) for s in meta.population_shares} == {
        ("MONDO:0002009", 62), ("taking antidepressants", 60)
    }  # fmt: skip
    assert meta.duration is not None
    assert (meta.duration.min, meta.duration.max, meta.duration.mean) == (4, 8, 6.5)
    assert set(meta.interventions) == {"capsules", "powders", "fermented milk", "tablets"}
    for claim in CLAIMS:  # the counts are the study's, stated once
        assert claim.evidence is None or claim.evidence.n_participants is None


def test_the_article_carries_its_text_and_a_curators_title(article_text: str) -> None:
    source = CLAIMS[0].source
    assert source is not None and source.title is None
    assert (source.title_supplied_by_curator or "").startswith("News report:")
    assert source.text == article_text


def test_the_new_sentences_are_curated() -> None:
    assert by_quote("inflammation is thought to be one pathway")[0].predicate == "gba:mediates"
    assert by_quote("making it one of the leading causes of disability")[0].object == (
        "gbkg:disability"
    )
    limits = by_quote("Most studies also had") + by_quote("The studies varied in")
    assert {c.subject for c in limits} == {"gbkg:probiotic-depression-trials"}
    assert by_quote("about 60% of participants")[0].hedged
