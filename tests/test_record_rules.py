"""The rules of the extended claim record (issue 8), on claims as curators send them.

Each rule has a failing TriG fixture in ``fixtures/invalid/`` (checked by
``test_shapes.py``); here the same rules are met through the JSON record: p-value
bounds read with their relation, the sign of an effect against its outcome's benefit
direction, the hedge-words warning, and the form checks (an unknown CURIE prefix in a
qualifier, a malformed p-value bound).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gbkg.kg.errors import ValidationFailed
from gbkg.kg.model import ClaimIn
from gbkg.kg.record.form import parse_claim
from gbkg.kg.record.writer import claim_quads
from gbkg.kg.validation import ValidationReport, Validator

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def claim(**changes: Any) -> dict[str, Any]:
    """A conforming claim (Ng et al. 2018's pooled result, as test data) with ``changes``."""
    data: dict[str, Any] = {
        "subject": "gbkg:probiotic",
        "predicate": "gba:improves",
        "object": "MONDO:0002050",
        "finding": "effect",
        "statement": "Probiotics improve depressive symptoms.",
        "quote": "Probiotics were linked to modest improvements",
        "hedged": False,
        "source": {"title": "A report", "type": "journal-article"},
        "evidence": {"study_design": "meta-analysis", "n_studies": 10, "n_participants": 1349},
        "statistics": {"effect_measure": "SMD", "effect_size": -0.3, "ci_low": -0.5,
                       "ci_high": -0.1, "ci_level": 95, "p_value": 0.01},
    }  # fmt: skip
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        elif value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def check(validator: Validator, data: dict[str, Any]) -> ValidationReport:
    quads = claim_quads(ClaimIn.model_validate(data))
    return validator.validate_claim(quads, entity_graph=validator.entity_graph_for(quads))


def errors(report: ValidationReport) -> list[tuple[str | None, str]]:
    return [(v.field, v.message) for v in report.errors]


def test_the_baseline_conforms(validator: Validator) -> None:
    report = check(validator, claim())
    assert report.conforms and report.violations == [], report.violations


# p-values as bounds -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("finding", "p_value", "ci_high"),
    [
        ("effect", "<0.05", None),  # a significant bound, no interval
        ("effect", "≤0.05", -0.1),
        ("effect", "<0.001", -0.1),
        ("null", ">0.05", 0.1),  # a non-significant bound
        ("null", "0.059", 0.00463),  # Ng 2018: P = 0.059, CI -0.261 to 0.00463
        ("null", "<0.1", 0.1),  # "p < 0.1" is not shown significant
    ],
)
def test_a_p_bound_is_read_with_its_relation(
    validator: Validator, finding: str, p_value: str, ci_high: float | None
) -> None:
    statistics: dict[str, Any] = {"p_value": p_value}
    if ci_high is None:
        statistics.update(ci_low=None, ci_high=None)
    else:
        statistics["ci_high"] = ci_high
    data = claim(finding=finding, statistics=statistics)
    data["statistics"] = {k: v for k, v in data["statistics"].items() if v is not None}
    report = check(validator, data)
    assert report.errors == [], errors(report)


@pytest.mark.parametrize(
    ("finding", "p_value", "ci_high", "message"),
    [
        ("null", "<0.01", 0.1, 'a significant result (p < 0.01) is an "effect"'),
        ("null", "<=0.05", 0.1, 'a significant result (p ≤ 0.05) is an "effect"'),
        ("null", "=0.03", 0.1, 'a significant result (p = 0.03) is an "effect"'),
        ("effect", "0.2", 0.1, "p = 0.2 is not significant"),
        ("effect", ">0.05", 0.1, "is not significant"),
        ("effect", "0.2", -0.1, "excludes the no-effect value 0"),  # contradictory statistics
    ],
)
def test_a_p_value_against_the_finding(
    validator: Validator, finding: str, p_value: str, ci_high: float, message: str
) -> None:
    report = check(validator, claim(finding=finding, statistics={"p_value": p_value,
                                                                 "ci_high": ci_high}))  # fmt: skip
    assert [v.field for v in report.errors] == ["statistics.p_value"], errors(report)
    assert message in report.errors[0].message


def test_an_effect_with_a_significant_bound_needs_no_interval(validator: Validator) -> None:
    data = claim(statistics={"p_value": "<0.01"})
    data["statistics"] = {"p_value": "<0.01", "effect_measure": "SMD", "effect_size": -0.3}
    assert check(validator, data).errors == []
    data["statistics"]["p_value"] = "0.2"
    report = check(validator, data)
    assert [v.field for v in report.errors] == ["statistics.p_value"]


# Statistics, counts, sources ------------------------------------------------------------


def test_an_odds_ratio_bound_at_or_below_zero(validator: Validator) -> None:
    report = check(validator, claim(statistics={"effect_measure": "OR", "effect_size": 0.5,
                                                "ci_low": 0.0, "ci_high": 0.9}))  # fmt: skip
    assert errors(report) == [
        ("statistics.ci_low", "statistics.ci_low is 0, but a ratio (OR, RR, HR) is always "
         "above 0 (no effect is 1): give the ratio itself, not its logarithm")
    ]  # fmt: skip


@pytest.mark.parametrize("part", ["statistics", "evidence"])
def test_fewer_participants_than_studies(validator: Validator, part: str) -> None:
    report = check(validator, claim(**{part: {"n_studies": 10, "n_participants": 7}}))
    assert [v.field for v in report.errors] == [f"{part}.n_participants"], errors(report)
    assert f"{part}.n_participants (7) is smaller than {part}.n_studies (10)" in (
        report.errors[0].message
    )


def test_meta_analysis_details_are_checked(validator: Validator) -> None:
    ok = claim(statistics={"analysis_model": "random", "tau_squared": 0.0, "i_squared": 0})
    assert check(validator, ok).errors == []
    report = check(validator, claim(statistics={"tau_squared": -0.1}))
    assert [v.field for v in report.errors] == ["statistics.tau_squared"]


@pytest.mark.parametrize(
    ("doi", "ok"),
    [("10.1016/j.jad.2017.11.063", True), ("10.abc/xyz", False), ("10.12/x", False)],
)
def test_a_doi_has_the_doi_form(validator: Validator, doi: str, ok: bool) -> None:
    report = check(validator, claim(source={"doi": doi}))
    assert report.conforms is ok, errors(report)
    if not ok:
        assert [v.field for v in report.errors] == ["source.doi"]
        assert "source.doi is not a DOI" in report.errors[0].message


def test_a_year_in_the_future(validator: Validator) -> None:
    report = check(validator, claim(primary_source={"type": "meta-analysis", "year": 2999}))
    assert errors(report) == [
        ("primary_source.year",
         "year 2999 is in the future: give the year the source was published")
    ]  # fmt: skip


def test_an_ncbitaxon_entity_typed_as_a_condition(validator: Validator) -> None:
    data = claim(
        context={"strain": "NCBITaxon:999999"},
        entities=[{"id": "NCBITaxon:999999", "label": "a taxon", "type": "gba:Condition"}],
    )
    report = check(validator, data)
    assert [v.field for v in report.errors] == ["entities.type"], errors(report)
    assert "is not a type for an NCBITaxon identifier (an organism)" in report.errors[0].message
    data["entities"][0]["type"] = ["gba:MicrobialTaxon", "gba:Probiotic"]
    assert check(validator, data).errors == []


# Outcome: the sign of the effect and the benefit direction -----------------------------


@pytest.mark.parametrize(
    ("predicate", "direction", "effect", "ok"),
    [
        ("gba:improves", "lower", -0.3, True),
        ("gba:improves", "lower", 1.62, False),  # SMD +1.62 filed as improves
        ("gba:improves", "higher", 1.62, True),
        ("gba:improves", "higher", -0.3, False),
        ("gba:worsens", "lower", 1.62, True),
        ("gba:worsens", "lower", -0.3, False),
    ],
)
def test_the_sign_of_the_effect_against_the_benefit_direction(
    validator: Validator, predicate: str, direction: str, effect: float, ok: bool
) -> None:
    low, high = (effect - 0.2, effect + 0.2)
    data = claim(
        predicate=predicate,
        statistics={"effect_size": effect, "ci_low": low, "ci_high": high},
        outcome={"measure": "depressive symptoms", "instrument": "HAM-D",
                 "benefit_direction": direction},
    )  # fmt: skip
    report = check(validator, data)
    if ok:
        assert report.errors == [], errors(report)
    else:
        assert [v.field for v in report.errors] == ["statistics.effect_size"], errors(report)
        assert f"contradicts the predicate {predicate}" in report.errors[0].message
        assert f'outcome.benefit_direction "{direction}"' in report.errors[0].message


# Hedging (a warning) ------------------------------------------------------------------


@pytest.mark.parametrize("word", ["may", "might", "could", "appear", "suggests"])
def test_hedge_words_in_an_unhedged_quote_warn(validator: Validator, word: str) -> None:
    quote = f"Probiotics {word} ease depressive symptoms"
    report = check(validator, claim(quote=quote))
    assert report.conforms
    assert [(v.field, v.severity) for v in report.warnings] == [("hedged", "warning")]
    assert f'(it says "{word}")' in report.warnings[0].message
    assert check(validator, claim(quote=quote, hedged=True)).warnings == []


def test_a_word_that_contains_a_hedge_word_is_not_one(validator: Validator) -> None:
    assert check(validator, claim(quote="Probiotics improved mayonnaise tolerance")).warnings == []


# Quantities, arms, subgroups -------------------------------------------------------------


def test_inexact_quantities(validator: Validator) -> None:
    more_than = claim(quantity={"value": 280, "relation": ">", "unit": "million people"})
    assert check(validator, more_than).errors == []
    about = claim(quantity={"value": 95, "relation": "about", "unit": "percent"})
    with pytest.raises(ValidationFailed):
        parse_claim(about)
    about["quantity"]["relation"] = "≈"
    assert check(validator, about).errors == []
    a_range = claim(quantity={"low": 28, "high": 56, "unit": "days", "of": "trial duration"})
    assert check(validator, a_range).errors == []
    percent = claim(quantity={"low": 50, "high": 120, "unit": "percent"})
    assert [v.field for v in check(validator, percent).errors] == ["quantity.high"]
    nothing = claim(quantity={"unit": "percent"})
    assert [v.field for v in check(validator, nothing).errors] == ["quantity.value"]


def test_arms_and_subgroups(validator: Validator) -> None:
    data = claim(
        evidence={"study_design": "case-control", "n_studies": None, "n_participants": 76,
                  "arms": [{"label": "MDD patients", "n": 46, "role": "cases"},
                           {"label": "healthy controls", "n": 30, "role": "controls"}]},
        subgroup_of="claim:" + "a" * 32,
        context={"age": "over 65", "condition": ["MONDO:0002050", "major depressive disorder"]},
        comparator="placebo",
    )  # fmt: skip
    data["evidence"] = {k: v for k, v in data["evidence"].items() if v is not None}
    assert check(validator, data).errors == []
    data["evidence"]["arms"][0]["n"] = 0
    assert [v.field for v in check(validator, data).errors] == ["evidence.arms.n"]


# Form checks (before SHACL) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"context": {"condition": "FOO:123"}}, "context.condition", "prefix 'FOO' is unknown"),
        ({"context": {"condition": ["MONDO:0002050", "MONDOO:123"]}}, "context.condition",
         "did you mean MONDO:123?"),
        ({"comparator": "FOO:1"}, "comparator", "prefix 'FOO' is unknown"),
        ({"outcome": {"measure": "BAR:9"}}, "outcome.measure", "prefix 'BAR' is unknown"),
        ({"statistics": {"p_value": "about 0.05"}}, "statistics.p_value", "is not a p-value"),
        ({"statistics": {"p_value": "<0.01", "p_relation": "="}}, "statistics",
         "disagree"),
        ({"statistics": {"p_value": 0.01, "p_relation": "≈"}}, "statistics.p_relation",
         "is not a p-value relation"),
        ({"subgroup_of": "https://example.org/x"}, "subgroup_of", "is not a claim id"),
        ({"supersedes": "abc"}, "supersedes", "is not a claim id"),
        ({"statisticz": {}}, "statisticz", "did you mean statistics?"),
        ({"evidence": {"arms": [{"label": "x"}]}}, "evidence.arms.0.n", "Field required"),
        ({"entities": [{"id": "gbkg:x", "xrefs": [{"id": "NCBITaxon:1", "match": "wide"}]}]},
         "entities.0.xrefs.0.match", "exact"),
    ],
)  # fmt: skip
def test_form_errors_name_the_field(change: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_claim(claim(**change))
    assert field in [v.field for v in caught.value.violations], caught.value.violations
    assert any(message in v.message for v in caught.value.violations), caught.value.violations


def test_qualifier_text_is_normalized_and_compared_case_folded() -> None:
    one = parse_claim(claim(context={"population": "  Adults\u00a0with  MDD "}))
    two = parse_claim(claim(context={"population": "Adults with MDD"}))
    assert one.context is not None and one.context.population == ["Adults with MDD"]
    assert one.iri == two.iri
    three = parse_claim(claim(context={"population": "adults with mdd"}))
    assert three.context is not None and two.context is not None
    assert three.context.key() == two.context.key()
    several = parse_claim(claim(context={"strain": ["NCBITaxon:1678", "ncbitaxon:1578",
                                                    "NCBITaxon:1678"]}))  # fmt: skip
    assert several.model_dump(mode="json")["context"]["strain"] == [
        "NCBITaxon:1578", "NCBITaxon:1678"
    ]  # fmt: skip
    single = parse_claim(claim(context={"strain": ["NCBITaxon:1678"]}))
    assert single.model_dump(mode="json")["context"]["strain"] == "NCBITaxon:1678"
    assert single.iri == parse_claim(claim(context={"strain": "NCBITaxon:1678"})).iri


def test_the_design_rules_have_failing_fixtures() -> None:
    """Each rule issue 8 names has a TriG fixture (the hedge words one is advisory)."""
    invalid = {
        "p-value-contradicts-interval", "odds-ratio-negative-bound",
        "participants-fewer-than-studies", "doi-malformed", "year-in-the-future",
        "taxon-typed-as-condition", "benefit-direction-contradicts-sign",
        "null-with-significant-p-bound",
    }  # fmt: skip
    assert invalid <= {p.stem for p in (FIXTURES / "invalid").glob("*.trig")}
    assert (FIXTURES / "advisory" / "hedge-words-not-hedged.trig").is_file()
