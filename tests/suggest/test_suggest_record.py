"""Candidates in today's claim JSON; what the record cannot hold yet is kept in `extracted`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gbkg.kg.curation import ClaimService
from gbkg.kg.model import Claim
from gbkg.kg.record.form import parse_claim
from gbkg.kg.store import OxigraphStore
from gbkg.kg.suggest.engine import Suggester
from gbkg.kg.suggest.record import fit

SOURCE = {"title": "A meta-analysis", "type": "meta-analysis", "doi": "10.1000/xyz"}


def test_fit_keeps_what_the_record_holds_and_moves_the_rest() -> None:
    claim, extracted = fit(
        {
            "subject": "gbkg:probiotic",
            "finding": "undetermined",
            "comparator": "placebo",
            "outcome": {"measure": "mood", "benefit": "increase"},
            "statistics": {"effect_size": -0.3, "p_value": "<0.01", "tau_squared": 0.67},
            "quantity": {"value": 95, "unit": "percent", "relation": "≈"},
            "context": {"strain": ["NCBITaxon:1578", "NCBITaxon:1678"]},
        },
        {"finding": "assertion", "context.strain": "Lactobacillus and Bifidobacterium strains"},
    )
    # The record holds the bound, tau², the relation, several strains and "undetermined"
    # (issue 8); the engine's outcome.benefit (the direction of the change) is not a
    # field of the record (outcome.benefit_direction says which sign means benefit).
    assert claim == {
        "subject": "gbkg:probiotic",
        "finding": "undetermined",
        "comparator": "placebo",
        "statistics": {"effect_size": -0.3, "p_value": "<0.01", "tau_squared": 0.67},
        "quantity": {"value": 95, "unit": "percent", "relation": "≈"},
        "context": {"strain": ["NCBITaxon:1578", "NCBITaxon:1678"]},
        "outcome": {"measure": "mood"},
    }
    assert extracted == {"outcome.benefit": "increase"}
    Claim.model_validate(claim)


def test_a_p_bound_is_kept_in_the_claim(suggester: Suggester) -> None:
    text = (
        "Probiotics significantly reduced depressive symptoms (SMD = −0.50, 95% CI −0.80 to "
        "−0.21, P<0.01) in a random-effects model."
    )
    (candidate,) = suggester.suggest(text, SOURCE, validate=False).candidates
    assert candidate.claim["statistics"] == {
        "effect_measure": "SMD",
        "effect_size": -0.5,
        "ci_low": -0.8,
        "ci_high": -0.21,
        "ci_level": 95.0,
        "p_value": "<0.01",
        "analysis_model": "random",
    }
    assert candidate.claim["finding"] == "effect"
    assert candidate.extracted["outcome.benefit"] == "decrease"


SOURCES = [
    {"title": "A news report", "type": "news-article"},
    None,  # every candidate misses its source
    {"title": "A report", "type": "news-article", "url": "https://example.org/news/1"},
]


@pytest.mark.parametrize("source", SOURCES)
def test_every_candidate_of_the_article_is_a_claim_with_its_validation(
    article_text: str, reference: OxigraphStore, source: dict[str, str] | None
) -> None:
    """The candidates are validated together; each result is the one of the claim alone."""
    service = ClaimService(reference)
    found = Suggester(reference, service).suggest(article_text, source)
    assert found.count >= 37
    for candidate in found.candidates:
        claim = parse_claim(candidate.claim)
        quote, position = claim.quote, claim.quote_position
        assert quote is not None and position is not None
        assert article_text[position.start : position.end] == quote
        assert candidate.validation is not None
        report = service.validate(claim)
        assert candidate.validation.conforms == report.conforms
        assert {v["message"] for v in candidate.validation.violations} == {
            v.message for v in report.violations
        }
        assert 0 < candidate.confidence <= 1
        json.dumps(candidate.model_dump(mode="json"))


def test_nothing_is_stored(article_text: str, reference: OxigraphStore) -> None:
    before = len(list(reference.quads()))
    Suggester(reference).suggest(article_text)
    assert len(list(reference.quads())) == before


def test_a_source_recorded_with_another_title_is_named(tmp_path: Path) -> None:
    """The source-title check is not SHACL: it is probed against the store."""
    from gbkg.kg.bootstrap import ensure_loaded

    store = OxigraphStore(tmp_path / "store")
    ensure_loaded(store)  # the curated claims record the seed article's source
    recorded = next(q for q in store.quads() if q.predicate.value.endswith("/title"))
    source = {"id": recorded.subject.value, "title": "Another title", "type": "news-article"}
    service = ClaimService(store)
    text = "Probiotics significantly reduced IL-6 (p = 0.01). Kefir contains probiotics."
    found = Suggester(store, service).suggest(text, source).candidates
    assert len(found) == 2
    for candidate in found:
        assert candidate.validation is not None and not candidate.validation.conforms
        assert "source.title" in [v["field"] for v in candidate.validation.violations]
        alone = service.validate(parse_claim(candidate.claim))
        assert {v.message for v in alone.violations} == {
            v["message"] for v in candidate.validation.violations
        }
    store.close()


def test_the_analysis_model_stated_once_applies_to_the_results(suggester: Suggester) -> None:
    text = (
        "The meta-analysis was performed using a fixed-effects model. Probiotics significantly "
        "decreased the depression scale score (MD = −0.30, 95% CI (−0.51–−0.09), p = 0.005)."
    )
    (candidate,) = suggester.suggest(text, SOURCE, validate=False).candidates
    assert candidate.claim["statistics"]["analysis_model"] == "fixed"
    assert candidate.claim["outcome"]["measure"] == "depression scale score"
